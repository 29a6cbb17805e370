"""Lecture 13: a GRU that reads a surname character by character and guesses its country.

The data come from :mod:`lessons.names` (Faker's name lists, offline). The model is
embedding → GRU (optionally bidirectional) → linear, fed packed sequences so that
padding never enters the recurrence.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lessons.common import check_float, check_int, generator, progress, resolve_device, seeded
from lessons.names import ALPHABET, encode
from lessons.plotting import subplots


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


# --8<-- [start:model]
class NameClassifier(nn.Module):
    """Characters → embedding → GRU → final hidden state(s) → linear → class scores."""

    def __init__(self, n_classes, embedding_dim=32, hidden_size=64, bidirectional=False):
        super().__init__()
        self.embedding = nn.Embedding(len(ALPHABET) + 1, embedding_dim, padding_idx=0)
        self.gru = nn.GRU(embedding_dim, hidden_size, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size * (2 if bidirectional else 1), n_classes)

    def forward(self, x, lengths, packed=True):
        """Score padded names ``x`` (B, T) of true ``lengths`` (B,); return logits (B, C).

        ``packed=False`` shows the pitfall: run over the padding, take the output at ``T − 1``.
        """
        if not packed:
            out, _ = self.gru(self.embedding(x))  # out: (B, T, directions·H)
            return self.fc(out[:, -1])  # the "last output": padding for every shorter name
        packed_x = pack_padded_sequence(
            self.embedding(x),  # (B, T, E)
            lengths.cpu(),  # must be a CPU int64 tensor, even when x is on a GPU
            batch_first=True,
            enforce_sorted=False,  # PyTorch sorts by length and restores the order
        )
        _, h_n = self.gru(packed_x)  # h_n: (directions, B, H), each at its own last step
        if self.gru.bidirectional:
            h = torch.cat([h_n[-2], h_n[-1]], dim=1)  # [forward h_T; backward h_1]
        else:
            h = h_n[-1]
        return self.fc(h)


# --8<-- [end:model]


def labels(pairs, codes):
    """Return the index in ``codes`` of each ``(name, code)`` pair's code, as an int64 tensor."""
    unknown = sorted({c for _, c in pairs} - set(codes))
    if not pairs or unknown:
        raise ValueError(f"pairs must be non-empty with every code in codes; unknown: {unknown}")
    return torch.tensor([codes.index(c) for _, c in pairs])


# --8<-- [start:train]
def train_classifier(
    pairs, codes, bidirectional=False, epochs=6, batch_size=256, lr=0.01, seed=0, device=None
):
    """Train a :class:`NameClassifier` with Adam and cross-entropy on shuffled mini-batches.

    Args:
        pairs: Training ``(name, code)`` pairs.
        codes: Class codes, in label order.
        bidirectional: Use a bidirectional GRU.
        epochs: Passes over the training data.
        batch_size: Names per optimizer step.
        lr: Learning rate of Adam.
        seed: Seed of the initial weights and of the shuffling.
        device: ``None`` for :func:`lessons.common.default_device`.

    Returns:
        ``(model, losses)``: the trained model and the mean loss of every epoch.

    """
    check_int("epochs", epochs, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    device = resolve_device(device)
    y = labels(pairs, codes)  # class indices
    x, lengths = encode([n for n, _ in pairs])
    with seeded(seed):
        model = NameClassifier(len(codes), bidirectional=bidirectional).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g, losses = generator(seed), []
    for _ in progress(range(epochs)):
        total = 0.0
        for idx in torch.randperm(len(y), generator=g).split(batch_size):
            t_max = int(lengths[idx].max())  # pad each batch only to its longest name
            loss = nn.functional.cross_entropy(
                model(x[idx, :t_max].to(device), lengths[idx]), y[idx].to(device)
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        losses.append(total / len(y))
    return model, losses


# --8<-- [end:train]


# --8<-- [start:evaluate]
@torch.no_grad()
def evaluate(model, pairs, codes, packed=True):
    """Accuracy of ``model`` on ``pairs``, overall and per class (``packed``: see the model).

    Returns:
        ``(accuracy, per_class)`` with ``per_class`` a dict ``code → accuracy``.

    """
    model.eval()
    device = next(model.parameters()).device
    x, lengths = encode([n for n, _ in pairs])
    y = labels(pairs, codes)  # class indices
    correct = model(x.to(device), lengths, packed).argmax(dim=1).cpu() == y
    per_class = {
        c: correct[y == i].double().mean().item() for i, c in enumerate(codes) if (y == i).any()
    }
    return correct.double().mean().item(), per_class


# --8<-- [end:evaluate]


# --8<-- [start:predict]
@torch.no_grad()
def predict(model, names, codes, k=3):
    """Top-``k`` classes and their softmax probabilities for each of ``names``.

    Returns:
        A list with, per name, ``k`` pairs ``(code, probability)``, most likely first.

    """
    check_int("k", k, minimum=1)
    if k > len(codes):
        raise ValueError(f"k must be <= the number of classes ({len(codes)}), got {k}")
    model.eval()
    x, lengths = encode(names)
    probs = model(x.to(next(model.parameters()).device), lengths).softmax(dim=1).cpu()
    top = probs.topk(k, dim=1)
    return [
        [(codes[i], p) for i, p in zip(ix.tolist(), ps.tolist(), strict=True)]
        for ps, ix in zip(top.values, top.indices, strict=True)
    ]


# --8<-- [end:predict]


def format_predictions(names, predictions):
    """Format :func:`predict`'s output as one line per name: ``name  de 0.91  nl 0.05 ...``."""
    width = max(len(n) for n in names) + 2
    return "\n".join(
        f"{n:<{width}}" + "  ".join(f"{c} {p:.2f}" for c, p in top)
        for n, top in zip(names, predictions, strict=True)
    )


def format_accuracy(per_class_uni, per_class_bi, counts):
    """Table of per-class test accuracy of the two models, with each class's test size."""
    lines = [f"{'code':<6}{'n':>5}{'GRU':>8}{'BiGRU':>8}"]
    for c in per_class_uni:
        lines.append(f"{c:<6}{counts[c]:>5}{per_class_uni[c]:>8.2f}{per_class_bi[c]:>8.2f}")
    return "\n".join(lines)


def plot_losses(losses_uni, losses_bi):
    """Training loss per epoch of the unidirectional and bidirectional GRU."""
    fig, ax = subplots(figsize=(5.6, 3.2))
    epochs = range(1, len(losses_uni) + 1)
    ax.plot(epochs, losses_uni, "o-", label=r"$\overrightarrow{h}$")
    ax.plot(epochs, losses_bi, "s-", label=r"$[\overrightarrow{h};\overleftarrow{h}]$")
    ax.set(xlabel="$e$", ylabel=r"$\bar{L}$")
    ax.legend()
    fig.set_label(r"$\bar{L}$ vs $e$: GRU, BiGRU")
    return fig


def plot_per_class_accuracy(per_class_uni, per_class_bi):
    """Draw per-class test accuracy as grouped bars; the x ticks are the class codes."""
    codes = list(per_class_uni)
    pos = torch.arange(len(codes)).double()
    fig, ax = subplots(figsize=(7.2, 3.2))
    ax.bar(pos - 0.2, [per_class_uni[c] for c in codes], 0.4, label=r"$\overrightarrow{h}$")
    ax.bar(
        pos + 0.2,
        [per_class_bi[c] for c in codes],
        0.4,
        label=r"$[\overrightarrow{h};\overleftarrow{h}]$",
    )
    ax.set_xticks(pos.tolist(), codes)
    ax.set(ylabel=r"$P(\hat{y} = y)$", ylim=(0, 1))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2)
    fig.set_label(r"$P(\hat{y} = y)$ per class, GRU vs BiGRU: " + " ".join(codes))
    return fig
