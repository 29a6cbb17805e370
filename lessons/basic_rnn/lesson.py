"""Lecture 12: RNNCell vs RNN, and learning "hello" → "ohlol" three ways.

The recurrence by hand and backpropagation through time are in :mod:`lessons.basic_rnn.bptt`.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.plotting import subplots
from lessons.printing import progress, table
from lessons.seeds import seeded

VOCAB = "ehlo"  # index → character, as in the course: e=0, h=1, l=2, o=3


def _check_shape_table(**sizes):
    for name, value in sizes.items():
        check_int(name, value, minimum=1)


@checked(_check_shape_table)
def shape_table(batch_size=3, seq_len=5, input_size=4, hidden_size=2, num_layers=2):
    """Run ``nn.RNNCell`` and ``nn.RNN`` (both layouts); tabulate input, h_0, output, h_n shapes."""
    b, t, d, h, n = batch_size, seq_len, input_size, hidden_size, num_layers
    with seeded(0):
        cell, rnn = nn.RNNCell(d, h), nn.RNN(d, h, num_layers=n)
        rnn_bf = nn.RNN(d, h, num_layers=n, batch_first=True)
    x1, h1, h0 = torch.zeros(b, d), torch.zeros(b, h), torch.zeros(n, b, h)
    x, x_bf = torch.zeros(t, b, d), torch.zeros(b, t, d)
    rows = {"RNNCell": (x1, h1, cell(x1, h1), cell(x1, h1)), "RNN": (x, h0, *rnn(x, h0)),
            "RNN(batch_first)": (x_bf, h0, *rnn_bf(x_bf, h0))}  # fmt: skip
    shapes = [[name] + [str(tuple(v.shape)) for v in tensors] for name, tensors in rows.items()]
    columns = [("module", "<18")] + [(name, "<12") for name in ("input", "h_0", "output", "h_n")]
    return table(shapes, columns, sep="")


def _check_text(text, name="text"):
    if not isinstance(text, str) or not text or set(text) - set(VOCAB):
        raise ValueError(f"{name} must be a non-empty string over {VOCAB!r}, got {text!r}")


def _check_encode_text(text):
    _check_text(text)


@checked(_check_encode_text)
# --8<-- [start:data]
def encode_text(text):
    """Map a string over :data:`VOCAB` to a tensor of indices (int64)."""
    return torch.tensor([VOCAB.index(c) for c in text])


def decode(indices):
    """Map indices back to a string: ``tensor([3, 1, 2, 3, 2])`` → ``"ohlol"``."""
    return "".join(VOCAB[i] for i in indices.tolist())


# --8<-- [end:data]


# --8<-- [start:cell_net]
class CellNet(nn.Module):
    """One-hot input, an ``nn.RNNCell`` stepped by hand; ``h_t`` itself is the score vector."""

    def __init__(self):
        super().__init__()
        self.cell = nn.RNNCell(len(VOCAB), len(VOCAB))  # input_size = hidden_size = 4

    def forward(self, x):
        """Map one-hot ``x`` (T, B, 4) to scores (T, B, 4), one cell call per step."""
        h, out = x.new_zeros(x.shape[1], len(VOCAB)), []  # h_0 = 0, same dtype and device as x
        for x_t in x:  # a Python loop over time
            h = self.cell(x_t, h)
            out.append(h)
        return torch.stack(out)  # (T, B, 4)


# --8<-- [end:cell_net]


# --8<-- [start:seq_net]
class SeqNet(nn.Module):
    """One-hot input, ``nn.RNN`` runs the whole loop at once."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(len(VOCAB), len(VOCAB))

    def forward(self, x):
        """Map one-hot ``x`` (T, B, 4) to scores (T, B, 4); ``h_0`` defaults to zeros."""
        out, _ = self.rnn(x)
        return out  # (T, B, 4)


# --8<-- [end:seq_net]


# --8<-- [start:embed_net]
class EmbedNet(nn.Module):
    """Indices → ``nn.Embedding`` → 2-layer ``nn.RNN`` → ``nn.Linear`` scores."""

    def __init__(self, embedding_dim=10, hidden_size=8, num_layers=2):
        super().__init__()
        self.embedding = nn.Embedding(len(VOCAB), embedding_dim)  # a learnable 4 × 10 table
        self.rnn = nn.RNN(embedding_dim, hidden_size, num_layers=num_layers)
        self.fc = nn.Linear(hidden_size, len(VOCAB))  # scores not squashed by tanh

    def forward(self, x):
        """Map indices ``x`` (T, B) to scores (T, B, 4)."""
        out, _ = self.rnn(self.embedding(x))
        return self.fc(out)  # (T, B, 4)


# --8<-- [end:embed_net]


MODELS = {"cell": CellNet, "rnn": SeqNet, "embedding": EmbedNet}


def _check_train_hello(variant, source, target, epochs, lr, **_):
    if variant not in MODELS:
        raise ValueError(f"variant must be one of {sorted(MODELS)}, got {variant!r}")
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    _check_text(source, "source"), _check_text(target, "target")
    if len(source) != len(target):
        raise ValueError("source and target must have the same length")


@checked(_check_train_hello)
# --8<-- [start:train]
def train_hello(variant, source="hello", target="ohlol", epochs=15, lr=0.1, seed=0, device=None):
    """Train a variant (``"cell"``, ``"rnn"``, ``"embedding"``) with Adam to map source → target.

    Returns ``(losses, predictions)``: the loss and the predicted string after every epoch.
    """
    x, y = encode_text(source), encode_text(target)
    device = resolve_device(device)
    if variant != "embedding":
        x = nn.functional.one_hot(x, len(VOCAB)).float()  # (T, 4): one 1 per row
    x, y = x.unsqueeze(1).to(device), y.to(device)  # add the batch axis: B = 1
    with seeded(seed):
        model = MODELS[variant]().to(device)
    opt, losses, predictions = torch.optim.Adam(model.parameters(), lr=lr), [], []
    for _ in progress(range(epochs)):
        scores = model(x).squeeze(1)  # (T, 4)
        loss = nn.functional.cross_entropy(scores, y)  # mean over the T steps
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        predictions.append(decode(scores.argmax(dim=1)))
    return losses, predictions


# --8<-- [end:train]


def _check_format_history(every, **_):
    check_int("every", every, minimum=1)


@checked(_check_format_history)
def format_history(losses, predictions, every=3):
    """Lines ``epoch  loss  prediction`` for every ``every``-th epoch and the last one."""
    keep = [i for i in range(len(losses)) if (i + 1) % every == 0 or i == len(losses) - 1]
    return "\n".join(f"{i + 1:>3}  {losses[i]:.4f}  {predictions[i]}" for i in keep)


def seed_sweep(variants=("rnn", "embedding"), seeds=range(10), epochs=15):
    """Count, per variant, the seeds whose training ends on "ohlol" (a robustness check)."""
    lines = []
    for variant in variants:
        finals = [train_hello(variant, epochs=epochs, seed=s)[1][-1] for s in seeds]
        hits = sum(f == "ohlol" for f in finals)
        lines.append(f"{variant:<10} {hits}/{len(finals)}  {' '.join(finals)}")
    return "\n".join(lines)


def plot_losses(histories):
    """Plot the loss per epoch of each variant; ``histories`` maps a variant to its losses."""
    fig, ax = subplots(figsize=(5.6, 3.2))
    names = {"cell": (r"$\mathrm{RNNCell}$", "o-"), "rnn": (r"$\mathrm{RNN}$", "x--"),
             "embedding": (r"$\mathrm{Linear}\circ\mathrm{RNN}\circ E$", "s-")}  # fmt: skip
    for variant, losses in histories.items():
        label, style = names[variant]
        ax.plot(range(1, len(losses) + 1), losses, style, label=label)
    ax.axhline(math.log1p(3 * math.exp(-2)), color="gray", lw=0.8)  # floor if scores = h ∈ (−1,1)
    ax.set(xlabel="$e$", ylabel=r"$L$", ylim=(0, None))
    ax.legend()
    fig.set_label("$L$ vs $e$: RNNCell, RNN, Embedding+RNN+Linear")
    return fig
