"""Exercises of the linear-regression lesson: reductions, closure calls, normal equations."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.figure import Figure

from lessons.checks import check_float, check_int, checked
from lessons.linear_regression.lesson import EXTRA_ARGS, OPTIMIZERS, make_data, make_model
from lessons.plotting import subplots


def _check_train_reduction(x, y, epochs, lr, reduction, until, **_) -> None:
    for name, t in (("x", x), ("y", y)):
        if not isinstance(t, torch.Tensor) or t.dim() != 2 or t.shape[1] != 1:
            raise ValueError(f"{name} must be a tensor of shape (n, 1)")
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
    if until is not None:
        check_float("until", until, minimum=0.0, strict=True)


@checked(_check_train_reduction)
# --8<-- [start:train_reduction]
def train_reduction(model, x, y, epochs=1000, lr=0.01, reduction="sum", until=None) -> dict:
    """SGD on ``MSELoss(reduction=...)``, recording the *summed* loss and (w, b) at every epoch.

    Args:
        model: A ``LinearModel`` (its ``linear`` layer holds w and b).
        x: Inputs, shape (n, 1).
        y: Targets, shape (n, 1).
        epochs: Number of full-batch steps.
        lr: Learning rate η.
        reduction: ``"sum"`` or ``"mean"``.
        until: Stop as soon as the summed loss is below this level (``None``: never).

    Returns:
        ``{"loss_sum": [...], "wb": [(w, b), ...]}``, both before each step.
    """
    criterion = torch.nn.MSELoss(reduction=reduction)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scale = len(x) if reduction == "mean" else 1  # L = N·mean
    losses, params = [], []
    for _ in range(epochs):
        loss = criterion(model(x), y)  # Σ or mean of (ŷ − y)²
        losses.append(loss.item() * scale)
        w_and_b = [p.detach().flatten() for p in model.linear.parameters()]
        params.append(torch.cat(w_and_b))  # (w, b) before this step
        if until is not None and losses[-1] < until:
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return {"loss_sum": losses, "wb": [tuple(p.tolist()) for p in params]}


# --8<-- [end:train_reduction]


def _check_first_below(level, **_) -> None:
    check_float("level", level)


@checked(_check_first_below)
# --8<-- [start:first_below]
def first_below(losses: Sequence[float], level: float) -> int:
    """The 1-based epoch of the first loss below ``level``, or -1 if none.

    Args:
        losses: Loss at each epoch.
        level: Threshold.

    Returns:
        The epoch number, or -1.
    """
    return next((t for t, v in enumerate(losses, start=1) if v < level), -1)


# --8<-- [end:first_below]


def _check_run_counted(name, epochs, lr, seed, **_) -> None:
    if name not in OPTIMIZERS:
        raise ValueError(f"name must be one of {OPTIMIZERS}, got {name!r}")
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("seed", seed, minimum=0)


@checked(_check_run_counted)
# --8<-- [start:run_counted]
def run_counted(name: str, epochs: int = 100, lr: float = 0.01, seed: int = 0) -> dict[str, list]:
    """Train the lesson's model with ``torch.optim.<name>``, counting closure calls.

    Args:
        name: An optimizer of ``OPTIMIZERS``.
        epochs: Number of ``optimizer.step(closure)`` calls.
        lr: Learning rate.
        seed: Seed of the initial w, b.

    Returns:
        ``{"loss": [...], "calls": [...]}``: the loss each step returns, and the total
        number of closure calls after that step.
    """
    x, y = make_data()
    model = make_model(seed)
    optimizer = getattr(torch.optim, name)(model.parameters(), lr=lr, **EXTRA_ARGS.get(name, {}))
    criterion = torch.nn.MSELoss(reduction="sum")
    calls = [0]

    def closure():
        calls[0] += 1  # one evaluation of L and ∇L
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        return loss

    out = {"loss": [], "calls": []}
    for _ in range(epochs):
        out["loss"].append(optimizer.step(closure).item())
        out["calls"].append(calls[0])
    return out


# --8<-- [end:run_counted]


def plot_by_calls(runs: dict[str, dict[str, list]]) -> Figure:
    """Loss against the number of closure calls, one line per optimizer (log scale).

    Args:
        runs: Name → output of :func:`run_counted`.

    Returns:
        The figure.
    """
    fig, ax = subplots(figsize=(6.4, 3.8))
    for i, (name, r) in enumerate(runs.items()):
        ax.semilogy(
            r["calls"], [max(v, 1e-12) for v in r["loss"]], "-" if i < 4 else "--", label=name
        )
    ax.set(xlabel="$n_{f}$", ylabel="$L$")
    ax.legend(ncol=2, fontsize=8)
    fig.set_label("$L$ vs $n_f$; " + ", ".join(runs))
    return fig


def _check_normal_equations(x, y) -> None:
    if not isinstance(x, torch.Tensor) or x.dim() != 2 or x.shape[1] != 1:
        raise ValueError("x must be a tensor of shape (n, 1)")
    if not isinstance(y, torch.Tensor) or y.shape != x.shape:
        raise ValueError("y must be a tensor of the same shape as x")


@checked(_check_normal_equations)
# --8<-- [start:normal_equations]
def normal_equations(x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Least-squares (w, b) from XᵀX θ = Xᵀy, with X = [x, 1].

    Args:
        x: Inputs, shape (n, 1).
        y: Targets, shape (n, 1).

    Returns:
        ``(w, b)``.
    """
    design = torch.cat([x, torch.ones_like(x)], dim=1).double()  # X = [x, 1]
    theta = torch.linalg.solve(design.T @ design, design.T @ y.double())  # XᵀX θ = Xᵀy
    return theta[0, 0].item(), theta[1, 0].item()  # θ = (w, b)


# --8<-- [end:normal_equations]


def _check_final_losses(etas, **_) -> None:
    if len(etas) == 0:
        raise ValueError("etas must not be empty")


@checked(_check_final_losses)
# --8<-- [start:final_losses]
def final_losses(names: Sequence[str], etas: Sequence[float], seed: int, epochs: int = 100):
    """Loss after ``epochs`` steps for each optimizer name and learning rate.

    Args:
        names: Optimizers of ``OPTIMIZERS``.
        etas: Learning rates to try.
        seed: Seed of the initial w, b.
        epochs: Number of steps.

    Returns:
        Name → list of final losses, one per learning rate.
    """
    return {n: [run_counted(n, epochs, eta, seed)["loss"][-1] for eta in etas] for n in names}


# --8<-- [end:final_losses]


def format_losses(losses: dict[str, list[float]]) -> str:
    """Format :func:`final_losses` output: ``name v1 v2 ...`` per optimizer, joined by ``;``."""
    return "; ".join(f"{n} " + " ".join(f"{v:.1e}" for v in vs) for n, vs in losses.items())
