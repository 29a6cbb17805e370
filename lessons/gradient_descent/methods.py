"""Batch, stochastic and mini-batch gradient descent compared, over several seeds.

Also: how many steps gradient noise needs to push a path off a saddle point, per seed.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from matplotlib.figure import Figure

from lessons.checks import check_float, check_ints, checked
from lessons.gradient_descent.lesson import (
    History,
    best_w,
    cost,
    descend_saddle,
    ema,
    make_data,
    train,
)
from lessons.plotting import subplots
from lessons.printing import table


def compare_methods(xs, ys, batch_sizes: Sequence[int], lr=0.01, epochs=30, seed=0):
    """Run :func:`train` once per batch size B (same data, lr and seed); keyed by B."""
    return {b: train(xs, ys, b, lr, epochs, seed=seed) for b in batch_sizes}


def format_runs(runs: dict[int, History], j_star: float) -> str:
    """One line per batch size B: updates made, final w and excess cost J(w) − J*."""
    rows = [[b, len(h.step_costs), h.w, h.epoch_costs[-1] - j_star] for b, h in runs.items()]
    columns = [("B", "4d"), ("updates", "8d"), ("w", "8.4f"), ("J(w) - J*", "11.2e")]
    return table(rows, columns, sep=" ")


def plot_methods(runs: dict[int, History], j_star: float) -> Figure:
    """Excess cost J(w) − J* per epoch (left) and per update (right) for several runs."""
    fig, (ax_e, ax_t) = subplots(1, 2, figsize=(8.0, 3.4), sharey=True)
    for b, h in runs.items():
        ax_e.semilogy([c - j_star for c in h.epoch_costs], label=f"$B={b}$")
        ax_t.loglog(range(1, len(h.step_costs) + 1), [c - j_star for c in h.step_costs])
    ax_e.set(xlabel="$k$", ylabel="$J(w) - J^*$")
    ax_t.set(xlabel="$t$")
    ax_e.legend()
    fig.set_label("$J(w) - J^*$ vs $k$; $J(w) - J^*$ vs $t$")
    return fig


def plot_smoothing(losses: Sequence[float], betas: Sequence[float] = (0.9, 0.99)) -> Figure:
    """Raw per-update losses ℓ_t (faint) and their EMA for each β."""
    fig, ax = subplots()
    ax.semilogy(losses, color="0.75", linewidth=0.6, label=r"$\ell_t$")
    for beta in betas:
        ax.semilogy(ema(losses, beta), label=rf"$\hat s_t,\ \beta={beta:g}$")
    ax.set(xlabel="$t$", ylabel=r"$\ell_t$")
    ax.legend()
    fig.set_label(r"$\ell_t$, $\hat s_t$ vs $t$")
    return fig


def _check_seeds(seeds) -> None:
    check_ints("seeds", seeds, minimum=0)


def _check_methods_over_seeds(seeds, **_) -> None:
    _check_seeds(seeds)


@checked(_check_methods_over_seeds)
def methods_over_seeds(
    seeds: Sequence[int] = range(5), batch_sizes: Sequence[int] = (64, 8, 1), lr=0.01, epochs=30
) -> dict[int, dict[str, list[float]]]:
    """Rerun :func:`compare_methods` on new data and a new visiting order for every seed.

    Args:
        seeds: Seeds of the data (:func:`lessons.gradient_descent.lesson.make_data`) and of
            the order.
        batch_sizes: The batch sizes B to compare.
        lr: Learning rate α.
        epochs: Epochs per run.

    Returns:
        For each B: the excess cost J(w) − J* after the first and the last epoch, and the
        largest excess cost after any epoch of the second half, one entry per seed.
    """
    out = {b: {"first": [], "final": [], "late_max": []} for b in batch_sizes}
    for s in seeds:
        xs, ys = make_data(n=64, noise=0.5, seed=s)
        j_star = cost(xs, ys, best_w(xs, ys))
        for b, h in compare_methods(xs, ys, batch_sizes, lr, epochs, seed=s).items():
            excess = [c - j_star for c in h.epoch_costs]  # after epoch 0 (start), 1, …
            out[b]["first"].append(excess[1])
            out[b]["final"].append(excess[-1])
            out[b]["late_max"].append(max(excess[epochs // 2 + 1 :]))
    return out


def _stat(v: Sequence[float]) -> str:
    return f"{statistics.median(v):8.1e} [{min(v):.1e}, {max(v):.1e}]"


def format_methods(stats: dict[int, dict[str, list[float]]]) -> str:
    """Median and [min, max] over seeds of what :func:`methods_over_seeds` returns.

    Args:
        stats: What :func:`methods_over_seeds` returns.

    Returns:
        A text table, one line per batch size B.
    """
    n = len(next(iter(stats.values()))["final"])
    rows = [[b, *(_stat(s[k]) for k in ("first", "final", "late_max"))] for b, s in stats.items()]
    columns = [
        ("B", "4d"),
        ("after epoch 1", ">28"),  # one wider: the space after B
        ("after the last epoch", ">27"),
        ("max over late epochs", ">27"),
    ]
    return table(rows, columns, sep="", title=[f"J(w) - J*, median [min, max] over {n} seeds"])


def _check_saddle_escapes(seeds, level, **_) -> None:
    _check_seeds(seeds)
    check_float("level", level, minimum=0.0, strict=True)


@checked(_check_saddle_escapes)
def saddle_escapes(seeds: Sequence[int] = range(5), noise=0.01, lr=0.1, steps=120, level=0.1):
    """For each seed, the first step t at which the noisy path from (1, 0) has |y_t| > ``level``.

    Args:
        seeds: Seeds of the noise ξ.
        noise: Standard deviation σ of ξ.
        lr: Learning rate α.
        steps: Steps per path.
        level: How far from the saddle's axis y = 0 counts as having left it.

    Returns:
        One step count per seed (``None`` if the path never leaves within ``steps``).
    """
    out = []
    for s in seeds:
        y = descend_saddle((1.0, 0.0), lr=lr, steps=steps, noise=noise, seed=s)[:, 1].abs()
        left = (y > level).nonzero()
        out.append(int(left[0, 0]) if len(left) else None)
    return out
