"""Lecture 13's gated cells written out: one GRU step and one LSTM step, in PyTorch's layout.

``nn.GRUCell`` stacks its gate weights in the order r, z, n; ``nn.LSTMCell`` in the
order i, f, g, o. Both functions take the cell's four parameter tensors in the order
``cell.parameters()`` yields them: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``.
"""

from __future__ import annotations

import torch

from lessons.checks import checked


def _check_params(x, h, w_ih, w_hh, b_ih, b_hh, gates):
    tensors = {"x": x, "h": h, "w_ih": w_ih, "w_hh": w_hh, "b_ih": b_ih, "b_hh": b_hh}
    for name, t in tensors.items():
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    hidden = h.shape[-1]
    shapes = {"w_ih": (gates * hidden, x.shape[-1]), "w_hh": (gates * hidden, hidden),
              "b_ih": (gates * hidden,), "b_hh": (gates * hidden,)}  # fmt: skip
    for name, shape in shapes.items():
        if tuple(tensors[name].shape) != shape:
            raise ValueError(f"{name} must have shape {shape}, got {tuple(tensors[name].shape)}")


def _check_gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    _check_params(x, h, w_ih, w_hh, b_ih, b_hh, gates=3)


def _check_lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    if not isinstance(state, tuple) or len(state) != 2:
        raise TypeError("state must be a tuple (h, c)")
    if state[0].shape != state[1].shape:
        raise ValueError("state: h and c must have the same shape")
    _check_params(x, state[0], w_ih, w_hh, b_ih, b_hh, gates=4)


@checked(_check_gru_cell)
# --8<-- [start:gru_cell]
def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """One GRU step written out, with PyTorch's weight layout (gates stacked r, z, n).

    Args:
        x: Input ``x_t``, shape ``(B, input_size)``.
        h: Previous hidden state ``h_{t-1}``, shape ``(B, H)``.
        w_ih: ``[W_ir; W_iz; W_in]``, shape ``(3H, input_size)``.
        w_hh: ``[W_hr; W_hz; W_hn]``, shape ``(3H, H)``.
        b_ih: ``[b_ir; b_iz; b_in]``, shape ``(3H,)``.
        b_hh: ``[b_hr; b_hz; b_hn]``, shape ``(3H,)``.

    Returns:
        The new hidden state ``h_t``, shape ``(B, H)``.

    """
    gi = x @ w_ih.T + b_ih  # W_i· x_t + b_i·, for the three gates at once
    gh = h @ w_hh.T + b_hh  # W_h· h_{t-1} + b_h·
    i_r, i_z, i_n = gi.chunk(3, dim=1)
    h_r, h_z, h_n = gh.chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_r)  # reset gate r_t
    z = torch.sigmoid(i_z + h_z)  # update gate z_t
    n = torch.tanh(i_n + r * h_n)  # candidate n_t = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
    return (1 - z) * n + z * h  # h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}


# --8<-- [end:gru_cell]


@checked(_check_lstm_cell)
# --8<-- [start:lstm_cell]
def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    """One LSTM step written out, with PyTorch's weight layout (gates stacked i, f, g, o).

    Args:
        x: Input ``x_t``, shape ``(B, input_size)``.
        state: ``(h_{t-1}, c_{t-1})``, the previous hidden and cell states, each ``(B, H)``.
        w_ih: ``[W_ii; W_if; W_ig; W_io]``, shape ``(4H, input_size)``.
        w_hh: ``[W_hi; W_hf; W_hg; W_ho]``, shape ``(4H, H)``.
        b_ih: ``[b_ii; b_if; b_ig; b_io]``, shape ``(4H,)``.
        b_hh: ``[b_hi; b_hf; b_hg; b_ho]``, shape ``(4H,)``.

    Returns:
        ``(h_t, c_t)``, each of shape ``(B, H)``.

    """
    h, c = state
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh  # all four pre-activations at once
    a_i, a_f, a_g, a_o = gates.chunk(4, dim=1)
    i = torch.sigmoid(a_i)  # input gate i_t
    f = torch.sigmoid(a_f)  # forget gate f_t
    g = torch.tanh(a_g)  # candidate g_t
    o = torch.sigmoid(a_o)  # output gate o_t
    c = f * c + i * g  # c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
    return o * torch.tanh(c), c  # h_t = o_t ⊙ tanh(c_t)


# --8<-- [end:lstm_cell]
