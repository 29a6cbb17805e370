"""Momentum under noise: minibatch SGD with momentum μ at η against plain SGD at η/(1−μ).

The problem is a noisy least-squares regression on generated data; both methods see the
same minibatches, and every step is :func:`lessons.momentum.lesson.momentum_step`.
"""

from __future__ import annotations

import math
import statistics

import torch

from lessons.checks import check_float, check_int, checked
from lessons.momentum.lesson import _mu_in_range, momentum_step
from lessons.plotting import subplots
from lessons.printing import table
from lessons.seeds import generator

F64 = torch.float64
LRS = (0.005, 0.05, 0.2)  # η: small, medium, large
DIVERGED = 1e6  # a run whose excess loss passes this is stopped and counted as ∞


# --8<-- [start:noisy_least_squares]
def noisy_least_squares(n=1000, d=10, noise=1.0, seed=0):
    """Data x ~ N(0, diag(λ)) with λ from 1 down to 0.25, y = x·w* + σ·ε, in float64.

    Returns:
        ``(x, y)``, of shapes ``(n, d)`` and ``(n,)``.

    """
    g = generator(seed)
    scale = torch.logspace(0, math.log10(0.25), d, dtype=F64).sqrt()  # √λ_i, 1 ≥ λ_i ≥ 0.25
    x = torch.randn(n, d, generator=g, dtype=F64) * scale
    w_star = torch.randn(d, generator=g, dtype=F64)
    return x, x @ w_star + noise * torch.randn(n, generator=g, dtype=F64)  # y = x·w* + σ·ε


# --8<-- [end:noisy_least_squares]


# --8<-- [start:minibatch_sgd]
def minibatch_sgd(x, y, lr, mu, steps=600, batch=8, seed=0, every=4):
    """Minibatch SGD with momentum on L(w) = ½·mean((x·w − y)²), from w = 0.

    Returns:
        The excess loss L(w_t) − min L after every ``every`` steps (∞ once it passes 10⁶).

    """
    best = torch.linalg.solve(x.T @ x, x.T @ y)  # the minimizer: XᵀX w* = Xᵀy
    loss_min = 0.5 * ((x @ best - y) ** 2).mean()
    picks = torch.randint(len(x), (steps, batch), generator=generator(seed))  # minibatches
    w, v, out = torch.zeros(x.shape[1], dtype=x.dtype), None, []
    for t in range(steps):
        xb, yb = x[picks[t]], y[picks[t]]
        g = xb.T @ (xb @ w - yb) / batch  # minibatch gradient
        w, v = momentum_step(w, v, g, lr, mu)
        if (t + 1) % every == 0:
            excess = (0.5 * ((x @ w - y) ** 2).mean() - loss_min).item()
            out.append(excess if excess < DIVERGED else math.inf)
            if out[-1] == math.inf:
                break
    return out


# --8<-- [end:minibatch_sgd]


def _check_compare_under_noise(lrs, mu, seeds, steps, batch) -> None:
    if not lrs or not seeds:
        raise ValueError("lrs and seeds must not be empty")
    for lr in lrs:
        check_float("lrs", lr, minimum=0.0, strict=True)
    _mu_in_range(mu)
    check_int("steps", steps, minimum=4)  # minibatch_sgd records the loss every 4 steps
    check_int("batch", batch, minimum=1)


@checked(_check_compare_under_noise)
def compare_under_noise(lrs=LRS, mu=0.9, seeds=(0, 1, 2, 3, 4), steps=600, batch=8) -> dict:
    """For each η and seed: curves of momentum (η, μ) and of plain SGD at η/(1−μ), same batches.

    Returns:
        ``{lr: {seed: (momentum curve, plain SGD curve)}}``; see :func:`minibatch_sgd`.

    """
    runs = {}
    for lr in lrs:
        runs[lr] = {}
        for seed in seeds:
            x, y = noisy_least_squares(seed=seed)
            pair = [minibatch_sgd(x, y, lr, mu, steps, batch, 1000 + seed), None]
            pair[1] = minibatch_sgd(x, y, lr / (1 - mu), 0.0, steps, batch, 1000 + seed)
            runs[lr][seed] = tuple(pair)
    return runs


def stationary(curve) -> float:
    """Mean of the second half of a curve: the level the loss settles at (∞ if it diverged)."""
    half = curve[len(curve) // 2 :]
    return math.inf if math.inf in curve else sum(half) / len(half)


def _check_noise_table(runs) -> None:
    if not runs:
        raise ValueError("runs must not be empty")


@checked(_check_noise_table)
def noise_table(runs: dict) -> str:
    """Per η: median [min, max] over seeds of each method's settled loss, and of their ratio.

    The ratio is plain SGD's settled loss over momentum's: 1 means the two behave the same.
    """
    rows = []
    for lr, by_seed in runs.items():
        mom = [stationary(a) for a, _ in by_seed.values()]
        sgd = [stationary(b) for _, b in by_seed.values()]
        ratio = [s / m for m, s in zip(mom, sgd, strict=True)]
        rows.append([lr, _spread(mom), _spread(sgd), _spread(ratio)])
    columns = [
        ("lr", "<6g"),
        ("momentum (lr, mu)", ">28"),
        ("SGD (lr/(1-mu))", ">28"),
        ("ratio", ">28"),
    ]
    return table(rows, columns, sep="")


def _spread(values) -> str:
    return f"{statistics.median(values):.3g} [{min(values):.3g}, {max(values):.3g}]"


def plot_noise(runs: dict, seed: int = 0, every: int = 4):
    """One panel per η: excess loss of both methods for one seed, on a log scale."""
    fig, axes = subplots(1, len(runs), figsize=(6.8, 2.6), sharey=True, squeeze=False)
    for ax, (lr, by_seed) in zip(axes[0], runs.items(), strict=True):
        labels = ("$(\\eta, \\mu)$", "$(\\eta/(1-\\mu), 0)$")  # (learning rate, momentum)
        for curve, label in zip(by_seed[seed], labels, strict=True):
            finite = [c for c in curve if c < math.inf]
            ax.plot([every * (i + 1) for i in range(len(finite))], finite, lw=1, label=label)
        ax.set(yscale="log", xlabel="$t$", title=f"$\\eta={lr:g}$")
    axes[0][0].set_ylabel("$L(w_t)-L^*$")
    axes[0][0].legend(fontsize=7)
    etas = ", ".join(f"{lr:g}" for lr in runs)
    fig.set_label(f"$L(w_t)-L^*$ vs $t$, $\\eta \\in \\{{{etas}\\}}$")
    return fig
