"""Lecture 12 by hand: the RNN recurrence, backpropagation through time, gradient decay.

The basic-RNN lesson writes the cell and its backward pass from scratch, checks them
against autograd in float64, and measures how the gradient reaching ``h_0`` shrinks or
grows with the distance ``k``. The models that learn "hello" → "ohlol" are in
:mod:`lessons.basic_rnn.lesson`.
"""

from __future__ import annotations

import torch

from lessons.checks import check_int, checked
from lessons.plotting import subplots
from lessons.printing import table
from lessons.seeds import generator


# --8<-- [start:rnn_cell]
def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """Return ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``, shape ``(B, H)``.

    Shapes: ``x`` (B, input_size), ``h`` (B, H), ``w_ih`` (H, input_size), ``w_hh`` (H, H),
    ``b_ih`` and ``b_hh`` (H,), the layout of ``nn.RNNCell``'s parameters.
    """
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)  # rows of x are samples


def rnn_forward(xs, h0, w_ih, w_hh, b_ih, b_hh):
    """Unroll :func:`rnn_cell` over ``xs`` (T, B, input_size); return all ``h_t`` and ``h_T``."""
    h, hs = h0, []
    for x in xs:  # the same W_ih, W_hh, b at every step: weight sharing
        h = rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh)
        hs.append(h)
    return torch.stack(hs), h


# --8<-- [end:rnn_cell]


# --8<-- [start:rnn_backward]
def rnn_backward(xs, h0, hs, w_hh, dhs):
    """Backpropagation through time for :func:`rnn_forward`; return ``(dW_ih, dW_hh, db, dh_0)``.

    ``xs`` (T, B, input_size) and ``h0`` (B, H) are the inputs, ``hs`` (T, B, H) the hidden
    states, ``dhs`` (T, B, H) the gradient ``∂L/∂h_t`` of the loss terms at step ``t`` alone.
    ``db`` is the gradient of ``b_ih`` and of ``b_hh`` alike (they enter as a sum).
    """
    dw_ih, dw_hh = torch.zeros(w_hh.shape[0], xs.shape[2], dtype=xs.dtype), torch.zeros_like(w_hh)
    db, dh_next = torch.zeros(w_hh.shape[0], dtype=xs.dtype), torch.zeros_like(h0)
    for t in reversed(range(len(xs))):
        dh = dhs[t] + dh_next  # ∂L/∂h_t: its own loss plus what flows back from h_{t+1}
        da = dh * (1 - hs[t] ** 2)  # through tanh: tanh'(a) = 1 − h_t²
        h_prev = hs[t - 1] if t > 0 else h0
        dw_ih += da.T @ xs[t]  # shared weights: the gradient is a sum over t
        dw_hh += da.T @ h_prev
        db += da.sum(dim=0)
        dh_next = da @ w_hh  # ∂L/∂h_{t−1} = W_hhᵀ ∂L/∂a_t: one more W_hh per step back
    return dw_ih, dw_hh, db, dh_next


# --8<-- [end:rnn_backward]


def bptt_check(seq_len=5, batch_size=3, input_size=4, hidden_size=2, seed=0):
    """Compare :func:`rnn_backward` with autograd on a random float64 RNN.

    Returns:
        ``name → max |hand-written − autograd|`` for ``W_ih``, ``W_hh``, ``b`` and ``h_0``.

    """
    g, f64, h = generator(seed), torch.float64, hidden_size
    xs = torch.randn(seq_len, batch_size, input_size, generator=g, dtype=f64)
    h0 = torch.randn(batch_size, h, generator=g, dtype=f64, requires_grad=True)
    shapes = ((h, input_size), (h, h), (h,), (h,))  # W_ih, W_hh, b_ih, b_hh
    params = [torch.randn(*s, generator=g, dtype=f64).requires_grad_() for s in shapes]
    dhs = torch.randn(seq_len, batch_size, h, generator=g, dtype=f64)
    hs, _ = rnn_forward(xs, h0, *params)
    (hs * dhs).sum().backward()  # L = Σ_t ⟨dh_t, h_t⟩, so the direct ∂L/∂h_t is dh_t
    mine = rnn_backward(xs, h0.detach(), hs.detach(), params[1].detach(), dhs)
    refs = (params[0].grad, params[1].grad, params[2].grad, h0.grad)
    names = ("W_ih", "W_hh", "b", "h_0")
    return {n: (a - r).abs().max().item() for n, a, r in zip(names, mine, refs, strict=True)}


def _check_gradient_decay(seq_len, hidden_size, **_) -> None:
    check_int("seq_len", seq_len, minimum=2)
    check_int("hidden_size", hidden_size, minimum=1)


@checked(_check_gradient_decay)
def gradient_decay(seq_len=30, hidden_size=8, scales=(0.5, 1.0, 2.0), seed=0):
    """How the gradient reaching ``h_0`` from ``h_k`` shrinks or grows with ``k`` (zero input).

    ``W_hh`` is random with entries of standard deviation ``σ/√H`` for each σ in ``scales``.

    Returns:
        ``σ → [‖∂(Σ_i h_k[i])/∂h_0‖ for k = 1 … seq_len]``.

    """
    g, f64, out = generator(seed), torch.float64, {}
    xs, w_ih = torch.zeros(seq_len, 1, 1, dtype=f64), torch.zeros(hidden_size, 1, dtype=f64)
    for s in scales:  # no input: only the recurrence acts
        w_hh = s * torch.randn(hidden_size, hidden_size, generator=g, dtype=f64) / hidden_size**0.5
        h0 = torch.randn(1, hidden_size, generator=g, dtype=f64)
        hs, _ = rnn_forward(xs, h0, w_ih, w_hh, 0.0, 0.0)
        out[s] = []
        for k in range(1, seq_len + 1):  # L = Σ_i h_k[i]; its gradient back at h_0
            dhs = torch.zeros_like(hs[:k])
            dhs[-1] = 1.0
            out[s].append(rnn_backward(xs[:k], h0, hs[:k], w_hh, dhs)[3].norm().item())
    return out


def format_decay(norms, steps=(1, 10, 20, 30)):
    """Table of :func:`gradient_decay`'s norms at a few steps ``k``, one row per σ."""
    rows = [[s] + [values[k - 1] for k in steps] for s, values in norms.items()]
    columns = [("sigma", "<5")] + [(f"k={k}", ">10.2e") for k in steps]
    return table(rows, columns, sep="")


def decay_over_seeds(seeds=range(5), seq_len=30, hidden_size=8, scales=(0.5, 1.0, 2.0)):
    """Table of the ratio ``‖∂h_T/∂h_0‖ / ‖∂h_1/∂h_0‖`` (``T = seq_len``), one column per seed."""
    ratios = {s: [] for s in scales}
    for seed in seeds:
        for s, values in gradient_decay(seq_len, hidden_size, scales, seed).items():
            ratios[s].append(values[-1] / values[0])  # change over T − 1 steps back
    rows = [[s, *values] for s, values in ratios.items()]
    columns = [("sigma", "<5")] + [(f"seed {seed}", ">10.1e") for seed in seeds]
    return table(rows, columns, sep="")


def plot_gradient_decay(norms):
    """Plot :func:`gradient_decay`'s norms against ``k`` on a log scale, one curve per σ."""
    fig, ax = subplots(figsize=(5.6, 3.2))
    for s, values in norms.items():
        ax.semilogy(range(1, len(values) + 1), values, label=rf"$\sigma={s}$")
    ax.set(xlabel="$k$", ylabel=r"$\|\partial h_k/\partial h_0\|$")
    ax.legend()
    fig.set_label(r"$\|\partial (\sum_i h_k[i])/\partial h_0\|$ vs $k$ for several $\sigma$")
    return fig
