"""Lecture 8, Dataset and DataLoader: iteration counts, batch-size experiments over seeds, plots.

Split from :mod:`lessons.dataset_and_dataloader.lesson`, which holds the ``Dataset``, the
loaders and the training loop.
"""

from __future__ import annotations

import statistics

import torch
from torch.utils.data import DataLoader, TensorDataset

from lessons.checks import checked
from lessons.dataset_and_dataloader.lesson import iterations_per_epoch, train_minibatch
from lessons.plotting import subplots
from lessons.printing import table


def iteration_table(n: int, batch_sizes) -> str:
    """Compare :func:`iterations_per_epoch` with ``len(DataLoader)`` for several batch sizes."""
    data = TensorDataset(torch.arange(n))
    rows = []
    for b in batch_sizes:
        keep, drop = DataLoader(data, batch_size=b), DataLoader(data, batch_size=b, drop_last=True)
        ceil, floor = iterations_per_epoch(n, b), iterations_per_epoch(n, b, drop_last=True)
        rows.append([b, ceil, len(keep), floor, len(drop)])
    columns = [
        ("B", ">5"),
        ("ceil(N/B)", ">11"),
        ("len(loader)", ">13"),
        ("floor(N/B)", ">12"),
        ("drop_last", ">11"),
    ]
    return table(rows, columns, sep="")


def _check_compare_batch_sizes(seeds, **_) -> None:
    if not seeds:
        raise ValueError("seeds must not be empty")


@checked(_check_compare_batch_sizes)
# --8<-- [start:compare_batch_sizes]
def compare_batch_sizes(train_set, batch_sizes, epochs=20, lr=0.1, seeds=range(5)):
    """Train once per batch size and seed (initial weights and shuffling), same epochs and η.

    Returns:
        ``{B: [history of seed s for s in seeds]}``.

    """
    seeds = list(seeds)
    return {  # B: batch size; one run of train_minibatch per seed s, learning rate η = lr
        b: [train_minibatch(train_set, b, epochs, lr, s)[1] for s in seeds] for b in batch_sizes
    }


# --8<-- [end:compare_batch_sizes]


def batch_table(results) -> str:
    """Median and min–max over seeds of the last epoch's mean loss, one row per batch size."""
    rows = []
    for b, runs in results.items():
        last = [h["epoch_loss"][-1] for h in runs]
        updates = len(runs[0]["iter_loss"])
        rows.append([b, updates, statistics.median(last), min(last), max(last)])
    columns = [
        ("B", ">5"),
        ("updates", ">9"),
        ("median", ">9.4f"),
        ("min", ">9.4f"),
        ("max", ">9.4f"),
    ]
    return table(rows, columns, sep="", note="   (mean loss, last epoch)")


def plot_iterations(n: int):
    """⌈N/B⌉ and ⌊N/B⌋ against the batch size B, on log axes."""
    fig, ax = subplots()
    bs = list(range(1, n + 1))
    ax.step(bs, [iterations_per_epoch(n, b) for b in bs], where="post", label=r"$\lceil N/B\rceil$")
    floor = [iterations_per_epoch(n, b, drop_last=True) for b in bs]
    ax.step(bs, floor, "--", where="post", label=r"$\lfloor N/B\rfloor$")
    ax.set(xscale="log", yscale="log", xlabel="$B$", ylabel="$K$", title=f"$N={n}$")
    ax.legend()
    fig.set_label(r"$K$ vs $B$; $\lceil N/B\rceil$, $\lfloor N/B\rfloor$")
    return fig


def plot_training(hist, per_epoch: int):
    """Plot the loss per iteration k and each epoch's mean loss (at the epoch's last iteration)."""
    fig, ax = subplots()
    k = range(1, len(hist["iter_loss"]) + 1)
    ax.plot(k, hist["iter_loss"], lw=0.6, alpha=0.6, label=r"$L_k$")
    ends = [per_epoch * (e + 1) for e in range(len(hist["epoch_loss"]))]
    ax.plot(ends, hist["epoch_loss"], "o-", ms=3, label=r"$\bar L_t$")
    ax.set(xlabel="$k$", ylabel="$L$", yscale="log")
    ax.legend()
    fig.set_label(r"$L_k$ vs $k$; $\bar L_t$")
    return fig


def plot_batch_sizes(results, n: int):
    """Mean loss per epoch for several batch sizes (first seed), against epochs and iterations."""
    fig, (ax1, ax2) = subplots(1, 2, figsize=(8, 3.2), sharey=True)
    for b, runs in results.items():
        hist = runs[0]
        epochs = range(1, len(hist["epoch_loss"]) + 1)
        ax1.plot(epochs, hist["epoch_loss"], label=f"$B={b}$")
        ax2.plot([e * iterations_per_epoch(n, b) for e in epochs], hist["epoch_loss"])
    ax1.set(xlabel="$t$", ylabel=r"$\bar L_t$", yscale="log")
    ax2.set(xlabel="$k$", xscale="log")
    ax1.legend()
    fig.set_label(r"$\bar L_t$ vs $t$ | $\bar L_t$ vs $k$; $B$")
    return fig
