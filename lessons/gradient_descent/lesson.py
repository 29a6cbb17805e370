"""Gradient descent for ŷ = x·w: batch, stochastic and mini-batch; learning rates; saddle points."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.plotting import subplots
from lessons.seeds import generator, offset_seed

X_DATA = (1.0, 2.0, 3.0)  # the lecture's inputs x
Y_DATA = (2.0, 4.0, 6.0)  # and targets y = 2x


def _check_data(xs: Sequence[float], ys: Sequence[float]) -> None:
    """Raise if ``xs``/``ys`` are empty or of different lengths."""
    if len(xs) == 0:
        raise ValueError("xs must not be empty")
    if len(xs) != len(ys):
        raise ValueError(f"xs and ys must have the same length, got {len(xs)} and {len(ys)}")


# --8<-- [start:cost_gradient]
def cost(xs: Sequence[float], ys: Sequence[float], w: float) -> float:
    """J(w) = (1/N)·Σ (x_n·w − y_n)², the mean of the squared errors."""
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        err = x * w - y  # ŷ_n − y_n
        total += err * err
    return total / len(xs)


def gradient(xs: Sequence[float], ys: Sequence[float], w: float) -> float:
    """dJ/dw = (1/N)·Σ 2·x_n·(x_n·w − y_n)."""
    grad = 0.0
    for x, y in zip(xs, ys, strict=True):
        grad += 2 * x * (x * w - y)
    return grad / len(xs)


# --8<-- [end:cost_gradient]


@dataclasses.dataclass
class History:
    """What a training run records."""

    w: float  # final weight
    epoch_ws: list[float]  # w before training, then after each epoch
    epoch_costs: list[float]  # J(w) on all data: before training, then after each epoch
    step_costs: list[float]  # J(w) on all data after every update
    batch_losses: list[float]  # cost of the batch each update used, before that update


def batches(n: int, batch_size: int, shuffle: bool, rng: random.Random) -> Iterator[list[int]]:
    """Yield the index lists of one epoch: a (shuffled) pass over 0..n−1 in chunks."""
    order = list(range(n))
    if shuffle:
        rng.shuffle(order)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def _check_train(xs, ys, batch_size, lr, epochs, w0, seed, **_) -> None:
    _check_data(xs, ys)
    check_float("w0", w0)
    check_int("seed", seed, minimum=0)
    check_int("batch_size", batch_size, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("epochs", epochs, minimum=0)


@checked(_check_train)
# --8<-- [start:train]
def train(xs, ys, batch_size, lr=0.01, epochs=100, w0=1.0, shuffle=True, seed=0) -> History:
    """Mini-batch gradient descent on J(w) from w0, with learning rate α = ``lr``.

    ``batch_size=N`` is batch GD, ``batch_size=1`` is SGD. With ``shuffle`` the samples are
    visited in a new order every epoch, drawn from a ``random.Random`` seeded with ``seed``.
    """
    rng, w = random.Random(offset_seed(seed)), float(w0)
    epoch_ws, epoch_costs, step_costs, batch_losses = [w], [cost(xs, ys, w)], [], []
    for _ in range(epochs):
        for idx in batches(len(xs), batch_size, shuffle, rng):
            bx, by = [xs[i] for i in idx], [ys[i] for i in idx]
            batch_losses.append(cost(bx, by, w))
            w -= lr * gradient(bx, by, w)  # w ← w − α·∂J_B/∂w
            step_costs.append(cost(xs, ys, w))
        epoch_ws.append(w)
        epoch_costs.append(cost(xs, ys, w))
    return History(w, epoch_ws, epoch_costs, step_costs, batch_losses)


# --8<-- [end:train]


def lr_sweep(xs, ys, lrs: Sequence[float], epochs: int = 30) -> dict[str, History]:
    """Batch GD from w = 1 once per learning rate α, keyed by the label α = ...."""
    return {rf"$\alpha={lr:g}$": train(xs, ys, len(xs), lr, epochs, shuffle=False) for lr in lrs}


def _check_critical_lr(xs) -> None:
    if len(xs) == 0 or not any(xs):
        raise ValueError("xs must contain a non-zero value")


@checked(_check_critical_lr)
def critical_lr(xs: Sequence[float]) -> float:
    """Largest α for which batch GD on J(w) converges: α < 2/J'' = N / Σ x_n²."""
    return len(xs) / sum(x * x for x in xs)


def plot_runs(runs: dict[str, History], w_lim: tuple[float, float] = (0.0, 4.0)) -> Figure:
    """J(w_k) on a log scale (left) and w_k (right) against the epoch k, one line per run."""
    fig, (ax_j, ax_w) = subplots(1, 2, figsize=(8.0, 3.4))
    for label, h in runs.items():
        ax_j.semilogy(h.epoch_costs, label=label)
        ax_w.plot(h.epoch_ws, marker=".", markersize=4)
    ax_j.set(xlabel="$k$", ylabel="$J(w_k)$")
    ax_w.set(xlabel="$k$", ylabel="$w_k$", ylim=w_lim)
    ax_j.legend()
    fig.set_label("$J(w_k)$, $w_k$ vs $k$")
    return fig


def _check_make_data(n, w_true, noise, seed) -> None:
    check_int("n", n, minimum=1)
    check_int("seed", seed, minimum=0)
    check_float("w_true", w_true)
    check_float("noise", noise, minimum=0.0)


@checked(_check_make_data)
def make_data(n=64, w_true=2.0, noise=0.5, seed=0) -> tuple[list[float], list[float]]:
    """Generate y = w·x + ε with x ~ U(0, 3) and ε ~ N(0, noise²), as Python floats."""
    rng = random.Random(offset_seed(seed))
    xs = [rng.uniform(0.0, 3.0) for _ in range(n)]
    ys = [w_true * x + rng.gauss(0.0, noise) for x in xs]
    return xs, ys


def _check_best_w(xs, ys) -> None:
    _check_data(xs, ys)


@checked(_check_best_w)
def best_w(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Closed-form minimizer of J(w): w* = Σ x_n·y_n / Σ x_n²."""
    return sum(x * y for x, y in zip(xs, ys, strict=True)) / sum(x * x for x in xs)


def _check_ema(beta, **_) -> None:
    check_float("beta", beta, minimum=0.0)
    if beta >= 1.0:
        raise ValueError(f"beta must be < 1, got {beta}")


@checked(_check_ema)
# --8<-- [start:ema]
def ema(values: Sequence[float], beta: float = 0.9) -> list[float]:
    """Exponential moving average with bias correction.

    s_t = β·s_{t−1} + (1 − β)·ℓ_t with s_0 = 0, reported as ŝ_t = s_t / (1 − β^t).
    """
    s, out = 0.0, []
    for t, value in enumerate(values, start=1):
        s = beta * s + (1.0 - beta) * value  # s_t
        out.append(s / (1.0 - beta**t))  # ŝ_t, unbiased at the start
    return out


# --8<-- [end:ema]


def _check_autograd_gradient(xs, ys, **_) -> None:
    _check_data(xs, ys)


@checked(_check_autograd_gradient)
def autograd_gradient(xs: Sequence[float], ys: Sequence[float], w: float) -> float:
    """dJ/dw at ``w`` computed by autograd (float64), to check :func:`gradient`."""
    x = torch.tensor(xs, dtype=torch.float64)
    y = torch.tensor(ys, dtype=torch.float64)
    w_t = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
    ((x * w_t - y) ** 2).mean().backward()  # J(w), then dJ/dw into w_t.grad
    return w_t.grad.item()


def _check_torch_train(xs, ys, batch_size, lr, epochs, w0, seed, **_) -> None:
    _check_train(xs, ys, batch_size, lr, epochs, w0, seed)


@checked(_check_torch_train)
# --8<-- [start:torch_train]
def torch_train(
    xs, ys, batch_size, lr=0.01, epochs=100, w0=1.0, shuffle=True, seed=0, device=None
) -> float:
    """:func:`train` with autograd and ``torch.optim.SGD``, same batches; returns w."""
    dev = resolve_device(device)
    x = torch.tensor(xs, dtype=torch.float64, device=dev)
    y = torch.tensor(ys, dtype=torch.float64, device=dev)
    w = torch.tensor(float(w0), dtype=torch.float64, device=dev, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    rng = random.Random(offset_seed(seed))
    for _ in range(epochs):
        for idx in batches(len(xs), batch_size, shuffle, rng):
            idx = torch.tensor(idx, device=dev)
            loss = ((x[idx] * w - y[idx]) ** 2).mean()  # J_B(w)
            optimizer.zero_grad()
            loss.backward()  # w.grad = ∂J_B/∂w
            optimizer.step()  # w ← w − α·w.grad
    return w.item()


# --8<-- [end:torch_train]


def _check_descend_saddle(lr, steps, noise, **_) -> None:
    check_float("lr", lr, 0.0, strict=True)
    check_float("noise", noise, 0.0)
    check_int("steps", steps, minimum=0)


@checked(_check_descend_saddle)
# --8<-- [start:saddle]
def descend_saddle(start=(1.0, 0.0), lr=0.1, steps=50, noise=0.0, seed=0, device=None):
    """GD on f(x, y) = x² − y², with ξ ~ N(0, noise²·I) added to ∇f; the path, (steps+1, 2)."""
    dev, g = resolve_device(device), generator(seed)
    p = torch.tensor(start, dtype=torch.float64, device=dev, requires_grad=True)
    path = [p.detach().clone()]
    for _ in range(steps):
        f = p[0] ** 2 - p[1] ** 2  # f(x, y)
        (grad,) = torch.autograd.grad(f, p)  # ∇f = (2x, −2y)
        xi = noise * torch.randn(2, generator=g, dtype=torch.float64).to(dev)  # ξ
        with torch.no_grad():
            p -= lr * (grad + xi)  # p ← p − α·(∇f + ξ)
        path.append(p.detach().clone())
    return torch.stack(path).cpu()


# --8<-- [end:saddle]


def plot_saddle(paths: dict[float, torch.Tensor], lim: float = 1.5) -> Figure:
    """Paths, keyed by noise σ, on the contours of f = x² − y² (left); f along them (right)."""
    fig, (ax_p, ax_f) = subplots(1, 2, figsize=(8.0, 3.6))
    grid = np.linspace(-lim, lim, 101)
    gx, gy = np.meshgrid(grid, grid)
    ax_p.contour(gx, gy, gx**2 - gy**2, levels=15, cmap="coolwarm", linewidths=0.8)
    for i, (sigma, path) in enumerate(paths.items()):
        xy, lw = path.numpy(), 3.5 if i == 0 else 1.2  # first path wide, so it shows underneath
        ax_p.plot(xy[:, 0], xy[:, 1], marker=".", markersize=3, linewidth=lw)
        ax_f.plot(xy[:, 0] ** 2 - xy[:, 1] ** 2, linewidth=lw, label=rf"$\sigma={sigma:g}$")
    ax_p.scatter([0.0], [0.0], marker="x", color="black", zorder=3)
    ax_p.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="$x$", ylabel="$y$", aspect="equal")
    ax_f.set(xlabel="$t$", ylabel="$f(x_t, y_t)$")
    ax_f.legend()
    fig.set_label("$(x_t, y_t)$, $f(x, y) = x^2 - y^2$; $f$ vs $t$")
    return fig
