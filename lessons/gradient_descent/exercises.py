"""Exercises of the gradient-descent lesson: GD on (w, b), SGD's noise floor, EMA, the saddle."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from lessons.checks import check_float, check_int, check_ints, checked
from lessons.gradient_descent.lesson import train
from lessons.plotting import subplots


def _check_gradient_wb(xs: Sequence[float], ys: Sequence[float], **_) -> None:
    if len(xs) == 0:
        raise ValueError("xs must not be empty")
    if len(xs) != len(ys):
        raise ValueError(f"ys must have the same length as xs, got {len(ys)} and {len(xs)}")


@checked(_check_gradient_wb)
# --8<-- [start:gradient_wb]
def gradient_wb(xs: Sequence[float], ys: Sequence[float], w: float, b: float) -> tuple[float, ...]:
    """∂J/∂w and ∂J/∂b of J(w, b) = (1/N)·Σ (x_n·w + b − y_n)².

    Args:
        xs: Inputs x_n.
        ys: Targets y_n.
        w: Weight.
        b: Bias.

    Returns:
        ``(dJ/dw, dJ/db)``.
    """
    gw = gb = 0.0
    for x, y in zip(xs, ys, strict=True):
        err = x * w + b - y  # ŷ_n − y_n
        gw += 2 * x * err  # ∂ℓ_n/∂w = 2·x_n·(ŷ_n − y_n)
        gb += 2 * err  # ∂ℓ_n/∂b = 2·(ŷ_n − y_n)
    return gw / len(xs), gb / len(xs)  # ∂J/∂w, ∂J/∂b: means over n


# --8<-- [end:gradient_wb]


def _check_train_wb(xs, ys, lr, epochs, w0, b0, **_) -> None:
    _check_gradient_wb(xs, ys)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("epochs", epochs, minimum=0)
    check_float("w0", w0)
    check_float("b0", b0)


@checked(_check_train_wb)
# --8<-- [start:train_wb]
def train_wb(xs, ys, lr=0.15, epochs=2000, w0=1.0, b0=0.0) -> tuple[float, float]:
    """Batch gradient descent on J(w, b) for ŷ = x·w + b.

    Args:
        xs: Inputs x_n.
        ys: Targets y_n.
        lr: Learning rate α.
        epochs: Number of full-batch updates.
        w0: Initial weight.
        b0: Initial bias.

    Returns:
        The final ``(w, b)``.
    """
    w, b = float(w0), float(b0)
    for _ in range(epochs):
        gw, gb = gradient_wb(xs, ys, w, b)
        w, b = w - lr * gw, b - lr * gb  # (w, b) ← (w, b) − α·∇J
    return w, b


# --8<-- [end:train_wb]


def _check_ema_uncorrected(beta: float, **_) -> None:
    check_float("beta", beta, minimum=0.0)
    if beta >= 1.0:
        raise ValueError(f"beta must be < 1, got {beta}")


@checked(_check_ema_uncorrected)
# --8<-- [start:ema_uncorrected]
def ema_uncorrected(values: Sequence[float], beta: float = 0.9) -> list[float]:
    """Exponential moving average without bias correction: s_t = β·s_{t−1} + (1 − β)·ℓ_t, s_0 = 0.

    Args:
        values: The sequence ℓ_1, ℓ_2, ...
        beta: Decay β in [0, 1).

    Returns:
        s_1, s_2, ...
    """
    s, out = 0.0, []
    for value in values:
        s = beta * s + (1.0 - beta) * value  # s_t = β·s_{t−1} + (1 − β)·ℓ_t
        out.append(s)
    return out


# --8<-- [end:ema_uncorrected]


def _check_sgd_schedule(lrs: Sequence[float], epochs: Sequence[int], seed: int, **_) -> None:
    if len(lrs) == 0 or len(lrs) != len(epochs):
        raise ValueError("lrs and epochs must be non-empty and of equal length")
    for lr in lrs:
        check_float("lrs", lr, minimum=0.0, strict=True)
    check_ints("epochs", epochs, minimum=1)
    check_int("seed", seed, minimum=0)


@checked(_check_sgd_schedule)
# --8<-- [start:sgd_schedule]
def sgd_schedule(xs, ys, lrs: Sequence[float], epochs: Sequence[int], seed: int = 0) -> list[float]:
    """SGD (B = 1) with a piecewise-constant learning rate: ``epochs[i]`` epochs at ``lrs[i]``.

    Args:
        xs: Inputs x_n.
        ys: Targets y_n.
        lrs: Learning rate of each phase.
        epochs: Number of epochs of each phase.
        seed: Seed of the shuffling (each phase gets ``seed + i``).

    Returns:
        J(w) on all data after every update, over all phases.
    """
    w, step_costs = 1.0, []
    for i, (lr, n_epochs) in enumerate(zip(lrs, epochs, strict=True)):
        h = train(xs, ys, batch_size=1, lr=lr, epochs=n_epochs, w0=w, seed=seed + i)
        w, step_costs = h.w, step_costs + h.step_costs  # the next phase starts where this one ends
    return step_costs


# --8<-- [end:sgd_schedule]


def _check_sgd_summary(n: int, tol: float, **_) -> None:
    check_int("n", n, minimum=1)
    check_float("tol", tol, minimum=0.0, strict=True)


@checked(_check_sgd_summary)
# --8<-- [start:sgd_summary]
def sgd_summary(step_costs: Sequence[float], j_star: float, n: int, tol: float = 1e-3) -> dict:
    """Speed and noise floor of an SGD run.

    Args:
        step_costs: J(w) after every update.
        j_star: The optimal cost J*.
        n: Number of final updates the floor is measured over.
        tol: Threshold on J − J* for the speed measurement.

    Returns:
        ``first`` (first update with J − J* < ``tol``, or -1) and ``floor`` (median of J − J*
        over the last ``n`` updates).
    """
    excess = np.asarray(step_costs) - j_star  # J(w_t) − J*
    below = np.flatnonzero(excess < tol)
    first = int(below[0]) + 1 if below.size else -1  # updates are counted from t = 1
    return {"first": first, "floor": float(np.median(excess[-n:]))}


# --8<-- [end:sgd_summary]


def plot_excess(runs: dict[str, Sequence[float]], j_star: float) -> Figure:
    """J(w_t) − J* against the update t (log-log), one line per run.

    Args:
        runs: Label (symbols only) → J(w) after every update.
        j_star: The optimal cost J*.

    Returns:
        The figure.
    """
    fig, ax = subplots()
    for label, costs in runs.items():
        t = np.arange(1, len(costs) + 1)
        ax.loglog(t, np.asarray(costs) - j_star, linewidth=0.8, label=label)
    ax.set(xlabel="$t$", ylabel="$J(w_t) - J^*$")
    ax.legend()
    fig.set_label("$J(w_t) - J^*$ vs $t$")
    return fig


def _check_escape_steps(y0: float, lr: float, threshold: float) -> None:
    check_float("y0", y0)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_float("threshold", threshold, minimum=0.0, strict=True)
    if y0 == 0.0:
        raise ValueError("y0 must be non-zero: from y = 0 the path never leaves the x-axis")


@checked(_check_escape_steps)
# --8<-- [start:escape_steps]
def escape_steps(y0: float, lr: float, threshold: float = 1.0) -> int:
    """Steps until |y_t| > ``threshold`` for GD on f = x² − y², where y_t = (1 + 2α)^t·y_0.

    Args:
        y0: Starting y (non-zero).
        lr: Learning rate α > 0.
        threshold: Level |y| must exceed.

    Returns:
        The smallest t with (1 + 2α)^t·|y_0| > ``threshold``.
    """
    growth = 1 + 2 * lr  # y_{t+1} = (1 + 2α)·y_t
    # the smallest integer t with growth^t·|y_0| > threshold
    t = math.floor(math.log(threshold / abs(y0)) / math.log(growth)) + 1
    return max(t, 0)  # t = 0 if |y_0| already exceeds it


# --8<-- [end:escape_steps]
