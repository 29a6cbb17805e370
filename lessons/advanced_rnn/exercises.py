"""Exercises of the advanced RNN lesson: class weights, forget-gate bias, GRU by hand, padding."""

from __future__ import annotations

from collections import Counter

import torch
from torch import nn

from lessons.advanced_rnn.gated_cells import gru_cell
from lessons.advanced_rnn.lesson import NameClassifier, _check_pairs, labels
from lessons.advanced_rnn.names import encode
from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.seeds import generator, seeded


def _check_train_variant(
    pairs, codes, epochs, hidden_size, batch_size, lr, forget_bias, **_
) -> None:
    _check_pairs(pairs, codes)
    check_int("epochs", epochs, minimum=1)
    check_int("hidden_size", hidden_size, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    if forget_bias is not None:
        check_float("forget_bias", forget_bias)


@checked(_check_train_variant)
# --8<-- [start:train_variant]
def train_variant(
    pairs, codes, cell="gru", bidirectional=False, epochs=6, hidden_size=32, batch_size=256,
    lr=0.02, seed=0, weight=None, packed=True, forget_bias=None, device=None,
):  # fmt: skip
    """:func:`lessons.advanced_rnn.lesson.train_classifier` (same draws) with three options.

    Args:
        pairs: Training ``(name, code)`` pairs.
        codes: Class codes, in label order.
        cell: ``"gru"`` or ``"lstm"``.
        bidirectional: Read the names in both directions.
        epochs: Passes over the training data.
        hidden_size: Size ``H`` of the hidden state.
        batch_size: Names per optimizer step.
        lr: Learning rate of Adam.
        seed: Seed of the initial weights and of the shuffling.
        weight: Optional per-class weights of the cross-entropy, shape ``(C,)``.
        packed: ``False`` trains on the padded batch and ``output[:, -1]``.
        forget_bias: For an LSTM, the forget gate's total bias after creating the model
            (see :func:`set_forget_bias`).
        device: ``None`` for :func:`lessons.devices.default_device`, as ``train_classifier``.

    Returns:
        The trained model.
    """
    dev = resolve_device(device)
    y = labels(pairs, codes)
    x, lengths = encode([n for n, _ in pairs])
    with seeded(seed):
        model = NameClassifier(len(codes), hidden_size=hidden_size, bidirectional=bidirectional,
                               cell=cell)  # fmt: skip
    if forget_bias is not None:
        set_forget_bias(model, forget_bias)
    model, weight = model.to(dev), None if weight is None else weight.to(dev)
    opt, g = torch.optim.Adam(model.parameters(), lr=lr), generator(seed)
    for _ in range(epochs):
        for idx in torch.randperm(len(y), generator=g).split(batch_size):
            t_max = int(lengths[idx].max())
            scores = model(x[idx, :t_max].to(dev), lengths[idx], packed)  # (B, C)
            # L = Σ_i w_{y_i} L_i / Σ_i w_{y_i} (w = 1 without weights)
            loss = nn.functional.cross_entropy(scores, y[idx].to(dev), weight=weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model


# --8<-- [end:train_variant]


def _check_set_forget_bias(model, value) -> None:
    if not isinstance(model.rnn, nn.LSTM):
        raise TypeError(f"model must hold an LSTM, got {type(model.rnn).__name__}")
    check_float("value", value)


@checked(_check_set_forget_bias)
# --8<-- [start:set_forget_bias]
def set_forget_bias(model: NameClassifier, value: float = 1.0) -> None:
    """Make the forget gate's bias ``b_if + b_hf`` equal ``value`` in every LSTM layer/direction.

    Rows H to 2H (gates stacked i, f, g, o): ``bias_ih`` gets ``value``, ``bias_hh`` gets 0,
    so that f_t = σ(value) when the weighted inputs are 0.
    """
    h = model.rnn.hidden_size
    with torch.no_grad():
        for name, b in model.rnn.named_parameters():
            if name.startswith("bias_ih"):
                b[h : 2 * h] = value  # b_if
            elif name.startswith("bias_hh"):
                b[h : 2 * h] = 0.0  # b_hf


# --8<-- [end:set_forget_bias]


def _check_inverse_frequency(pairs, codes) -> None:
    if set(codes) - {c for _, c in pairs}:
        raise ValueError("codes: every class must occur in pairs")


@checked(_check_inverse_frequency)
# --8<-- [start:inverse_frequency]
def inverse_frequency(pairs, codes) -> torch.Tensor:
    """Class weights ``w_c = N / (C · N_c)``: 1 on average, larger for small classes."""
    counts = Counter(c for _, c in pairs)  # N_c
    n, k = len(pairs), len(codes)  # N, C
    return torch.tensor([n / (k * counts[c]) for c in codes])  # w_c = N / (C · N_c)


# --8<-- [end:inverse_frequency]


def _check_gru_by_hand(model, **_) -> None:
    if not isinstance(model.rnn, nn.GRU) or model.rnn.bidirectional:
        raise TypeError("model must hold a unidirectional GRU")


@checked(_check_gru_by_hand)
# --8<-- [start:gru_by_hand]
def gru_by_hand(model: NameClassifier, name: str) -> tuple[torch.Tensor, torch.Tensor, list]:
    """Run a unidirectional GRU classifier's cell step by step with ``gru_cell``.

    Args:
        model: A trained unidirectional GRU :class:`NameClassifier`.
        name: One folded name.

    Returns:
        ``(h_n by hand, h_n of model.rnn, [mean update gate z_t for each character])``.
    """
    dev = model.embedding.weight.device
    x, _ = encode([name])
    w_ih, w_hh, b_ih, b_hh = (getattr(model.rnn, f"{p}_l0") for p in
                              ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))  # fmt: skip
    with torch.no_grad():
        e = model.embedding(x.to(dev))  # (1, T, E): x_t for t = 1, ..., T
        h, zs = torch.zeros(1, model.rnn.hidden_size, device=dev), []  # h_0 = 0
        for t in range(e.shape[1]):
            gates = e[:, t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh  # only its z block is used
            z = torch.sigmoid(gates.chunk(3, dim=1)[1])  # z_t = σ(W_iz x + b_iz + W_hz h + b_hz)
            zs.append(z.mean().item())
            h = gru_cell(e[:, t], h, w_ih, w_hh, b_ih, b_hh)  # h_t = (1 − z_t)⊙n_t + z_t⊙h_{t−1}
        _, h_n = model.rnn(e)  # PyTorch's last hidden state
    return h[0], h_n[-1, 0], zs


# --8<-- [end:gru_by_hand]
