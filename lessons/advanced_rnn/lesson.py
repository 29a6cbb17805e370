"""Lecture 13: a GRU or an LSTM reads a surname character by character and guesses its country.

The data come from :mod:`lessons.advanced_rnn.names` (Faker's name lists, offline). The model is
embedding → GRU or LSTM (optionally bidirectional) → linear, fed packed sequences so
that padding never enters the recurrence. The gated cells themselves are written out
in :mod:`lessons.advanced_rnn.gated_cells`.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lessons.advanced_rnn.gated_cells import (
    lstm_cell,  # noqa: F401  re-exported for the page,
)
from lessons.advanced_rnn.names import ALPHABET, encode
from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.printing import progress
from lessons.seeds import generator, seeded

CELLS = {"gru": nn.GRU, "lstm": nn.LSTM}
MODELS = {"GRU": ("gru", False), "LSTM": ("lstm", False), "BiGRU": ("gru", True)}  # cell, bidir.


# --8<-- [start:model]
class NameClassifier(nn.Module):
    """Characters → embedding → GRU or LSTM → final hidden state(s) → linear → class scores."""

    def __init__(
        self, n_classes, embedding_dim=32, hidden_size=32, bidirectional=False, cell="gru"
    ):
        super().__init__()
        self.embedding = nn.Embedding(len(ALPHABET) + 1, embedding_dim, padding_idx=0)
        self.rnn = CELLS[cell](
            embedding_dim, hidden_size, batch_first=True, bidirectional=bidirectional
        )
        self.fc = nn.Linear(hidden_size * (2 if bidirectional else 1), n_classes)

    def forward(self, x, lengths, packed=True):
        """Score padded names ``x`` (B, T) of true ``lengths`` (B,); return logits (B, C).

        ``packed=False`` shows the pitfall: run over the padding, take the output at ``T − 1``.
        """
        if not packed:
            out, _ = self.rnn(self.embedding(x))  # out: (B, T, directions·H)
            return self.fc(out[:, -1])  # the "last output": padding for every shorter name
        packed_x = pack_padded_sequence(
            self.embedding(x),  # (B, T, E)
            lengths.cpu(),  # must be a CPU int64 tensor, even when x is on a GPU
            batch_first=True,
            enforce_sorted=False,  # PyTorch sorts by length and restores the order
        )
        _, h_n = self.rnn(packed_x)  # h_n: (directions, B, H), each at its own last step
        if isinstance(h_n, tuple):  # an LSTM returns (h_n, c_n): classify h_n
            h_n = h_n[0]
        if self.rnn.bidirectional:
            h = torch.cat([h_n[-2], h_n[-1]], dim=1)  # [forward h_T; backward h_1]
        else:
            h = h_n[-1]
        return self.fc(h)


# --8<-- [end:model]


def labels(pairs, codes):
    """Return the index in ``codes`` of each ``(name, code)`` pair's code, as an int64 tensor."""
    return torch.tensor([codes.index(c) for _, c in pairs])


def _check_pairs(pairs, codes):
    unknown = sorted({c for _, c in pairs} - set(codes))
    if not pairs or unknown:
        raise ValueError(f"pairs must be non-empty with every code in codes; unknown: {unknown}")


def _check_train_classifier(pairs, codes, cell, epochs, hidden_size, batch_size, lr, seed, **_):
    _check_pairs(pairs, codes)
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
    check_int("epochs", epochs, minimum=1)
    check_int("hidden_size", hidden_size, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("seed", seed, minimum=0)


@checked(_check_train_classifier)
# --8<-- [start:train]
def train_classifier(
    pairs, codes, cell="gru", bidirectional=False, epochs=6, hidden_size=32, batch_size=256,
    lr=0.02, seed=0, device=None,
):  # fmt: skip
    """Train a :class:`NameClassifier` with Adam and cross-entropy on shuffled mini-batches.

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
        device: ``None`` for :func:`lessons.devices.default_device`.

    Returns:
        ``(model, losses)``: the trained model and the mean loss of every epoch.

    """
    device = resolve_device(device)
    y = labels(pairs, codes)  # class indices
    x, lengths = encode([n for n, _ in pairs])
    with seeded(seed):
        model = NameClassifier(len(codes), hidden_size=hidden_size, bidirectional=bidirectional,
                               cell=cell).to(device)  # fmt: skip
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


def _check_evaluate(pairs, codes, **_):
    _check_pairs(pairs, codes)


@checked(_check_evaluate)
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


def _check_seed_sweep(models, seeds, **_):
    if not models or set(models) - set(MODELS):
        raise ValueError(f"models must be a non-empty list of names in {sorted(MODELS)}")
    if not seeds:
        raise ValueError("seeds must be a non-empty sequence of seeds")


@checked(_check_seed_sweep)
# --8<-- [start:sweep]
def seed_sweep(train, val, codes, models=("GRU", "LSTM"), seeds=range(5), trained=None, **budget):
    """Validation accuracy of each model trained with each seed, on the same data and budget.

    ``budget`` is passed on to :func:`train_classifier` (``epochs``, ``hidden_size``...);
    ``trained`` maps ``(name, seed)`` to a model already trained with that budget, reused as is.

    Returns:
        ``name → list of validation accuracies``, one per seed.

    """
    results, trained = {name: [] for name in models}, trained or {}
    for name in models:
        cell, bidirectional = MODELS[name]
        for s in seeds:
            model = trained.get((name, s))
            if model is None:  # not trained yet: train it with this seed
                model, _ = train_classifier(train, codes, cell, bidirectional, seed=s, **budget)
            results[name].append(evaluate(model, val, codes)[0])
    return results


# --8<-- [end:sweep]


# --8<-- [start:select]
def select_and_test(models, val, test, codes):
    """Choose the model with the best validation accuracy, then score it once on the test set.

    Args:
        models: ``name → trained model``.
        val: Validation pairs, used to choose.
        test: Test pairs, used once, for the chosen model only.
        codes: Class codes, in label order.

    Returns:
        ``(name, validation accuracy, test accuracy)`` of the chosen model.

    """
    val_accuracy = {name: evaluate(m, val, codes)[0] for name, m in models.items()}
    best = max(val_accuracy, key=val_accuracy.get)  # chosen on validation only
    return best, val_accuracy[best], evaluate(models[best], test, codes)[0]


# --8<-- [end:select]


def _check_predict(codes, k, **_):
    check_int("k", k, minimum=1)
    if k > len(codes):
        raise ValueError(f"k must be <= the number of classes ({len(codes)}), got {k}")


@checked(_check_predict)
# --8<-- [start:predict]
@torch.no_grad()
def predict(model, names, codes, k=3):
    """Top-``k`` classes and their softmax probabilities for each of ``names``.

    Returns:
        A list with, per name, ``k`` pairs ``(code, probability)``, most likely first.

    """
    model.eval()
    x, lengths = encode(names)
    probs = model(x.to(next(model.parameters()).device), lengths).softmax(dim=1).cpu()
    top = probs.topk(k, dim=1)
    return [
        [(codes[i], p) for i, p in zip(ix.tolist(), ps.tolist(), strict=True)]
        for ps, ix in zip(top.values, top.indices, strict=True)
    ]


# --8<-- [end:predict]
