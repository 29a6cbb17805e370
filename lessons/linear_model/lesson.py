"""Linear model: ŷ = x·w (+ b), the MSE cost, and finding w (and b) by exhaustive search."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from lessons.checks import check_int, checked
from lessons.plotting import subplots
from lessons.printing import table

X_DATA = (1.0, 2.0, 3.0)  # inputs x of the lecture's data set
Y_DATA = (2.0, 4.0, 6.0)  # targets y (y = 2x, no noise)


def _check_data(xs: Sequence[float], ys: Sequence[float]) -> None:
    """Raise if ``xs``/``ys`` are empty or of different lengths."""
    if len(xs) == 0:
        raise ValueError("xs must not be empty")
    if len(xs) != len(ys):
        raise ValueError(f"xs and ys must have the same length, got {len(xs)} and {len(ys)}")


def _check_mse(xs, ys, **_) -> None:
    _check_data(xs, ys)


def _check_format_losses(xs, ys, **_) -> None:
    _check_data(xs, ys)


def _check_search_w(xs, ys, ws, **_) -> None:
    _check_data(xs, ys)
    if ws is not None and (np.ndim(ws) != 1 or np.size(ws) == 0):
        raise ValueError("ws must be a non-empty 1-D sequence")


def _check_format_costs(ws, costs, columns, **_) -> None:
    check_int("columns", columns, minimum=1)
    if len(ws) != len(costs):
        raise ValueError(f"ws and costs must have the same length, got {len(ws)} and {len(costs)}")


def _check_plot_data(xs, ys, **_) -> None:
    _check_data(xs, ys)


def _check_search_wb(xs, ys, **_) -> None:
    _check_data(xs, ys)


def _check_mse_grid_torch(x, y, **_) -> None:
    if x.shape != y.shape or x.ndim != 1 or x.numel() == 0:
        raise ValueError(f"x and y must be non-empty 1-D of equal shape, got {x.shape}, {y.shape}")


# --8<-- [start:forward]
def forward(x: float, w: float, b: float = 0.0) -> float:
    """Prediction of the linear model, ŷ = x·w + b."""
    return x * w + b


def loss(x: float, y: float, w: float, b: float = 0.0) -> float:
    """Squared error of one sample, ℓ = (ŷ − y)²."""
    y_pred = forward(x, w, b)
    return (y_pred - y) * (y_pred - y)


# --8<-- [end:forward]


@checked(_check_mse)
# --8<-- [start:mse]
def mse(xs: Sequence[float], ys: Sequence[float], w: float, b: float = 0.0) -> float:
    """Cost over a data set: the mean squared error J = (1/N)·Σ (x_n·w + b − y_n)²."""
    loss_sum = 0.0
    for x, y in zip(xs, ys, strict=True):
        loss_sum += loss(x, y, w, b)  # Σ ℓ_n
    return loss_sum / len(xs)  # J = Σ ℓ_n / N


# --8<-- [end:mse]


@checked(_check_format_losses)
def format_losses(xs: Sequence[float], ys: Sequence[float], w: float) -> str:
    """Table of x, y, ŷ and ℓ = (ŷ − y)² for every sample at one w, with their mean J(w)."""
    rows = [[x, y, forward(x, w), loss(x, y, w)] for x, y in zip(xs, ys, strict=True)]
    columns = [("x", "4.1f"), ("y", "4.1f"), ("ŷ", "4.1f"), ("ℓ", "5.2f")]
    return table(rows, columns, foot=[f"J(w={w:g}) = {mse(xs, ys, w):.4f}"])


@checked(_check_search_w)
# --8<-- [start:search_w]
def search_w(
    xs: Sequence[float], ys: Sequence[float], ws: Sequence[float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exhaustive search: the cost J(w) of ŷ = x·w for every candidate w in ``ws``.

    ``ws`` defaults to ``np.arange(0.0, 4.1, 0.1)`` as in the lecture. Returns ``(ws, costs)``.
    """
    ws = np.arange(0.0, 4.1, 0.1) if ws is None else np.asarray(ws, dtype=float)
    w_list, mse_list = [], []
    for w in ws:
        w_list.append(float(w))
        mse_list.append(mse(xs, ys, float(w)))  # J(w), stored so it can be plotted
    return np.array(w_list), np.array(mse_list)


# --8<-- [end:search_w]


@checked(_check_format_costs)
def format_costs(ws: np.ndarray, costs: np.ndarray, columns: int = 3) -> str:
    """Tabulate the ``(w, J(w))`` pairs in ``columns`` side-by-side column pairs, top to bottom."""
    pairs = min(columns, len(ws))
    n_rows = -(-len(ws) // columns)  # ceil(N / columns)
    pair = [("w", "3.1f"), ("MSE", "7.3f")]
    gap = ("", "1")  # an empty column: with the separators around it, 3 spaces between pairs
    layout = pair + [gap, *pair] * (pairs - 1)
    rows = []
    for r in range(n_rows):
        row = [ws[r], costs[r]]
        for i in range(r + n_rows, len(ws), n_rows):  # down the pairs: every n_rows-th sample
            row += ["", ws[i], costs[i]]
        rows.append(row + [""] * (len(layout) - len(row)))  # a short last row: blanks
    return table(rows, layout, sep=" ")


@checked(_check_plot_data)
def plot_data(xs: Sequence[float], ys: Sequence[float], ws: Sequence[float]) -> Figure:
    """Scatter the data and draw the line ŷ = x·w for each w in ``ws``."""
    fig, ax = subplots()
    grid = np.linspace(0.0, max(xs) + 0.5, 50)
    for w in ws:
        ax.plot(grid, grid * w, label=f"$w={w:g}$")
    ax.scatter(xs, ys, color="black", zorder=3, label="$(x_n, y_n)$")
    ax.set(xlabel="$x$", ylabel=r"$\hat y$")
    ax.legend()
    fig.set_label(r"$(x_n, y_n)$; $\hat y = x w$")
    return fig


def plot_mse_curve(ws: np.ndarray, costs: np.ndarray) -> Figure:
    """Plot J(w) against w and mark the best candidate."""
    fig, ax = subplots()
    ax.plot(ws, costs, marker=".")
    k = int(np.argmin(costs))
    ax.scatter([ws[k]], [costs[k]], color="red", zorder=3, s=60, label=rf"$w^*={ws[k]:.1f}$")
    ax.set(xlabel="$w$", ylabel="$J(w)$")
    ax.legend()
    fig.set_label("$J(w)$ vs $w$")
    return fig


@checked(_check_search_wb)
# --8<-- [start:search_wb]
def search_wb(
    xs: Sequence[float], ys: Sequence[float], ws: np.ndarray, bs: np.ndarray
) -> np.ndarray:
    """Exhaustive search over a (w, b) grid for ŷ = x·w + b; ``costs[i, j] = J(ws[i], bs[j])``."""
    costs = np.empty((len(ws), len(bs)))
    for i, w in enumerate(ws):
        for j, b in enumerate(bs):
            costs[i, j] = mse(xs, ys, float(w), float(b))  # J(w_i, b_j)
    return costs


# --8<-- [end:search_wb]


def argmin_2d(costs: np.ndarray, ws: np.ndarray, bs: np.ndarray) -> tuple[float, float, float]:
    """Return ``(w, b, J)`` at the smallest entry of the cost grid."""
    i, j = np.unravel_index(int(np.argmin(costs)), costs.shape)
    return float(ws[i]), float(bs[j]), float(costs[i, j])


def plot_contour(costs: np.ndarray, ws: np.ndarray, bs: np.ndarray) -> Figure:
    """Contour plot of J(w, b) with the grid minimum marked."""
    fig, ax = subplots(figsize=(5.2, 4.0))
    levels = np.geomspace(1e-3, costs.max(), 15)  # log-spaced: the valley floor is flat
    cs = ax.contourf(ws, bs, costs.T, levels=levels, norm="log", cmap="viridis")
    fig.colorbar(cs, ax=ax, label="$J(w, b)$", format="%.2g")
    w, b, _ = argmin_2d(costs, ws, bs)
    ax.scatter([w], [b], marker="*", s=200, color="red", label=rf"$({w:.1f}, {b:.1f})$")
    ax.set(xlabel="$w$", ylabel="$b$")
    ax.legend(loc="upper right")
    fig.set_label("$J(w, b)$; $(w^*, b^*)$")
    return fig


def plot_surface(costs: np.ndarray, ws: np.ndarray, bs: np.ndarray) -> Figure:
    """3-D surface of J(w, b) with the grid minimum marked."""
    fig, ax = subplots(figsize=(5.2, 4.2), subplot_kw={"projection": "3d"})
    w_mesh, b_mesh = np.meshgrid(ws, bs, indexing="ij")
    ax.plot_surface(w_mesh, b_mesh, costs, cmap="viridis", rcount=21, ccount=21, linewidth=0)
    w, b, j = argmin_2d(costs, ws, bs)
    ax.scatter([w], [b], [j], marker="*", s=150, color="red")
    ax.set(xlabel="$w$", ylabel="$b$", zlabel="$J$")
    ax.view_init(elev=30, azim=-120)
    fig.set_label("$(w, b, J(w, b))$")
    return fig


@checked(_check_mse_grid_torch)
# --8<-- [start:mse_grid_torch]
def mse_grid_torch(
    x: torch.Tensor, y: torch.Tensor, ws: torch.Tensor, bs: torch.Tensor
) -> torch.Tensor:
    """J(w, b) on a whole grid at once, by broadcasting instead of loops.

    Shapes: ``x, y``: (N,); ``ws``: (W,); ``bs``: (B,). Returns (W, B).
    """
    y_hat = ws[:, None, None] * x + bs[None, :, None]  # ŷ[i, j, n] = w_i·x_n + b_j
    return ((y_hat - y) ** 2).mean(dim=-1)  # J[i, j] = mean_n (ŷ − y)²


# --8<-- [end:mse_grid_torch]
