"""Lecture 7, multi-dimensional input: comparing MLP architectures over seeds, and the plots.

Split from :mod:`lessons.multi_dimensional_input.lesson`, which holds the data, the models and the
training loops.
"""

from __future__ import annotations

import statistics

import torch
from torch import nn

from lessons.checks import check_float, check_int, checked
from lessons.multi_dimensional_input.lesson import Split, accuracy
from lessons.plotting import subplots
from lessons.printing import table
from lessons.tabular_mlp import make_mlp


def _final_accuracies(split: Split, model: nn.Module, epochs: int, lr: float):
    """Train like :func:`train_mlp` without recording; return (train acc, validation acc)."""
    loss_fn, opt = nn.BCEWithLogitsLoss(), torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        loss = loss_fn(model(split.x_train), split.y_train)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return accuracy(model(split.x_train), split.y_train), accuracy(
            model(split.x_val), split.y_val
        )


def _check_compare_architectures(epochs, lr, seeds, **_) -> None:
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    if not seeds:
        raise ValueError("seeds must not be empty")


@checked(_check_compare_architectures)
def compare_architectures(
    split: Split, configs, epochs: int = 300, lr: float = 0.1, seeds=range(5)
):
    """Train every ``(sizes, activation)`` once per seed (initial weights).

    Returns:
        Rows ``(sizes, act, train accs, val accs)``, one accuracy per seed.

    """
    seeds = list(seeds)
    rows = []
    for sizes, activation in configs:
        runs = [_final_accuracies(split, make_mlp(sizes, activation, s), epochs, lr) for s in seeds]
        rows.append((tuple(sizes), activation, [r[0] for r in runs], [r[1] for r in runs]))
    return rows


def architecture_table(rows) -> str:
    """Tabulate :func:`compare_architectures` rows: median and min of each accuracy over seeds."""
    cells = []
    for sizes, activation, acc_tr, acc_va in rows:
        name, act = "→".join(map(str, sizes)), activation if len(sizes) > 2 else "-"
        tr, va = statistics.median(acc_tr), statistics.median(acc_va)
        cells.append([name, act, tr, min(acc_tr), va, min(acc_va), max(acc_va)])
    columns = [
        ("sizes", "<16"),
        ("act.", "<9"),
        ("train med", ">10.3f"),
        ("min", ">7.3f"),
        ("val med", ">9.3f"),
        ("min", ">7.3f"),
        ("max", ">7.3f"),
    ]
    return table(cells, columns, sep="")


def plot_history(hist):
    """Two panels: BCE and accuracy per epoch, training and validation set."""
    fig, (ax1, ax2) = subplots(1, 2, figsize=(8, 3.2))
    t = range(1, len(hist["loss_train"]) + 1)
    ax1.plot(t, hist["loss_train"], label=r"$\mathcal{D}$")
    ax1.plot(t, hist["loss_val"], "--", label=r"$\mathcal{D}_{\mathrm{val}}$")
    ax1.set(xlabel="$t$", ylabel="$L$", yscale="log")
    ax2.plot(t, hist["acc_train"], label=r"$\mathcal{D}$")
    ax2.plot(t, hist["acc_val"], "--", label=r"$\mathcal{D}_{\mathrm{val}}$")
    ax2.set(xlabel="$t$", ylabel=r"$P(\hat y = y)$", ylim=(0.8, 1.005))
    ax2.legend(loc="lower right")
    fig.set_label(
        r"$L$ vs $t$ | $P(\hat y = y)$ vs $t$; $\mathcal{D}$, $\mathcal{D}_{\mathrm{val}}$"
    )
    return fig


def plot_losses(losses):
    """BCE of the from-scratch logistic regression per gradient-descent step."""
    fig, ax = subplots()
    ax.plot(range(len(losses)), losses)
    ax.axhline(torch.log(torch.tensor(2.0)).item(), color="gray", ls=":", label=r"$\ln 2$")
    ax.set(xlabel="$t$", ylabel="$L(w, b)$", yscale="log")
    ax.legend()
    fig.set_label("$L(w, b)$ vs $t$")
    return fig


def plot_architectures(rows):
    """Bars of the median train and validation accuracy per architecture; min–max as whiskers."""
    fig, ax = subplots(figsize=(7, 3.4))
    names = ["-".join(map(str, s)) + ("$^\\sigma$" if a == "sigmoid" else "") for s, a, *_ in rows]
    pos = torch.arange(len(rows), dtype=torch.float64).tolist()
    for shift, col, label in (
        (-0.2, 2, r"$\mathcal{D}$"),
        (0.2, 3, r"$\mathcal{D}_{\mathrm{val}}$"),
    ):
        med = [statistics.median(r[col]) for r in rows]
        err = [[m - min(r[col]) for m, r in zip(med, rows, strict=True)]]
        err += [[max(r[col]) - m for m, r in zip(med, rows, strict=True)]]
        ax.bar([p + shift for p in pos], med, 0.4, yerr=err, capsize=2, label=label)
    ax.set_xticks(pos, names, fontsize=8)
    ax.set(ylabel=r"$P(\hat y = y)$", ylim=(0.85, 1.0))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    fig.set_label(
        r"$P(\hat y = y)$ vs $d_0-d_1-\dots-1$; $\mathcal{D}$, $\mathcal{D}_{\mathrm{val}}$"
    )
    return fig
