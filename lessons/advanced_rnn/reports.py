"""Tables and figures for the names classifier of :mod:`lessons.advanced_rnn.lesson`.

Models are passed as ``name → model`` dicts whose names are keys of :data:`SYMBOLS`
(``"GRU"``, ``"LSTM"``, ``"BiGRU"``); figures label them with symbols only.
"""

from __future__ import annotations

import statistics
from collections import Counter

import torch

from lessons.advanced_rnn.lesson import evaluate
from lessons.plotting import subplots
from lessons.printing import table

SYMBOLS = {  # figure labels: symbols only, shared by both languages
    "GRU": (r"$\overrightarrow{h}_{\mathrm{GRU}}$", "o-"),
    "LSTM": (r"$\overrightarrow{h}_{\mathrm{LSTM}}$", "^-"),
    "BiGRU": (r"$[\overrightarrow{h};\overleftarrow{h}]_{\mathrm{GRU}}$", "s-"),
}


def accuracy_table(models, splits, codes, packed=True):
    """Accuracy of every model (rows) on every split (columns).

    Args:
        models: ``name → trained model``.
        splits: ``split name → (name, code) pairs``.
        codes: Class codes, in label order.
        packed: Passed on to :func:`lessons.advanced_rnn.lesson.evaluate`.

    Returns:
        A fixed-width text table.

    """
    rows = [
        [name] + [evaluate(model, p, codes, packed)[0] for p in splits.values()]
        for name, model in models.items()
    ]
    columns = [("model", "<6")] + [(s, ">8.3f") for s in splits]
    return table(rows, columns, sep="")


def per_class_accuracy(models, pairs, codes):
    """Return ``name → (code → accuracy)``: each model's accuracy on each class of ``pairs``."""
    return {name: evaluate(model, pairs, codes)[1] for name, model in models.items()}


def per_class_table(models, pairs, codes):
    """Per-class accuracy, one column per model, with each class's size ``n`` in ``pairs``."""
    per_class, counts = per_class_accuracy(models, pairs, codes), Counter(c for _, c in pairs)
    rows = [
        [c, counts[c]] + [per_class[m][c] for m in models] for c in per_class[next(iter(models))]
    ]
    columns = [("code", "<6"), ("n", ">5")] + [(m, ">8.2f") for m in models]
    return table(rows, columns, sep="")


def format_sweep(results):
    """One line per model: median, min–max and every value of its accuracies over the seeds."""
    rows = []
    for name, values in results.items():
        spread = f"{min(values):.3f}-{max(values):.3f}"
        each = " ".join(f"{v:.3f}" for v in values)
        rows.append([name, statistics.median(values), spread, each])
    columns = [("model", "<6"), ("median", ">6.3f"), ("min-max", ">11"), ("per seed", "<")]
    return table(rows, columns)


def format_predictions(names, predictions):
    """Format :func:`lessons.advanced_rnn.lesson.predict`'s output, one line per name."""
    width = max(len(n) for n in names) + 2
    return "\n".join(
        f"{n:<{width}}" + "  ".join(f"{c} {p:.2f}" for c, p in top)
        for n, top in zip(names, predictions, strict=True)
    )


def plot_losses(histories):
    """Training loss per epoch; ``histories`` maps a name of :data:`SYMBOLS` to its losses."""
    fig, ax = subplots(figsize=(5.6, 3.2))
    for name, losses in histories.items():
        label, style = SYMBOLS[name]
        ax.plot(range(1, len(losses) + 1), losses, style, label=label)
    ax.set(xlabel="$e$", ylabel=r"$\bar{L}$")
    ax.legend()
    fig.set_label(r"$\bar{L}$ vs $e$: " + ", ".join(histories))
    return fig


def plot_per_class_accuracy(models, pairs, codes):
    """Draw per-class accuracy as grouped bars, one per model; the x ticks are the class codes."""
    per_class = per_class_accuracy(models, pairs, codes)
    names, classes = list(models), list(per_class[next(iter(models))])
    pos, width = torch.arange(len(classes)).double(), 0.8 / len(names)
    fig, ax = subplots(figsize=(7.2, 3.2))
    for j, m in enumerate(names):
        offset = (j - (len(names) - 1) / 2) * width
        ax.bar(pos + offset, [per_class[m][c] for c in classes], width, label=SYMBOLS[m][0])
    ax.set_xticks(pos.tolist(), classes)
    ax.set(ylabel=r"$P(\hat{y} = y)$", ylim=(0, 1))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(names))
    fig.set_label(r"$P(\hat{y} = y)$ per class, " + ", ".join(names) + ": " + " ".join(classes))
    return fig
