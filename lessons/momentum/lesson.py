"""Momentum: PyTorch's heavy-ball and Nesterov updates by hand, on a quadratic and on a network.

The network, ``DynamicNet``, lives in :mod:`lessons.dynamic_net`; the tables and loss
curves here are shared by both.
"""

from __future__ import annotations

import json

import torch

from lessons.checks import check_float, check_int, checked
from lessons.plotting import subplots
from lessons.printing import table

SETTINGS = ((0.0, False), (0.5, False), (0.9, False), (0.9, True))  # (μ, nesterov)


# --8<-- [start:momentum_step]
def momentum_step(p, v, g, lr: float, mu: float, nesterov: bool = False):
    """One step of SGD with momentum, written as ``torch.optim.SGD`` does it (dampening 0).

    Args:
        p: Parameter tensor.
        v: Velocity (momentum buffer), or ``None`` before the first step.
        g: Gradient of the loss at ``p``.
        lr: Learning rate, > 0.
        mu: Momentum coefficient, in [0, 1).
        nesterov: Use Nesterov momentum.

    Returns:
        ``(p, v)`` after the step (new tensors; the inputs are left alone).

    """
    v = g.clone() if v is None else mu * v + g  # v ← μ·v + g   (first step: v = g)
    d = g + mu * v if nesterov else v  # Nesterov: d = g + μ·v, else d = v
    return p - lr * d, v  # p ← p − lr·d


# --8<-- [end:momentum_step]


# --8<-- [start:quadratic]
def quadratic(x: torch.Tensor, a: float = 1.0, b: float = 25.0) -> torch.Tensor:
    """f(x) = ½(a·x₁² + b·x₂²), for one point ``x[..., :]`` or a grid of them."""
    return 0.5 * (a * x[..., 0] ** 2 + b * x[..., 1] ** 2)


def quadratic_grad(x: torch.Tensor, a: float = 1.0, b: float = 25.0) -> torch.Tensor:
    """∇f(x) = (a·x₁, b·x₂), by hand."""
    return torch.stack((a * x[..., 0], b * x[..., 1]), dim=-1)


# --8<-- [end:quadratic]


def _positive(**values) -> None:
    """Raise unless every value (``lr``, ``a``, ``b``, ``tol``, …) is a number > 0."""
    for name, value in values.items():
        check_float(name, value, minimum=0.0, strict=True)


def _mu_in_range(mu) -> None:
    """Raise unless ``mu`` is a momentum coefficient in [0, 1)."""
    if check_float("mu", mu, minimum=0.0) >= 1.0:
        raise ValueError(f"mu must be < 1, got {mu}")


def _momentum_setting(mu, nesterov) -> None:
    """Raise unless μ is in [0, 1) and ``nesterov`` is a bool, true only with μ > 0."""
    _mu_in_range(mu)
    if not isinstance(nesterov, bool):
        raise TypeError(f"nesterov must be a bool, got {type(nesterov).__name__}")
    if nesterov and mu == 0.0:
        raise ValueError("nesterov needs mu > 0")


def _momentum_settings(settings) -> None:
    """Raise unless ``settings`` holds (μ, nesterov) pairs as :func:`_momentum_setting` wants."""
    for setting in settings:
        if not isinstance(setting, tuple | list) or len(setting) != 2:
            raise TypeError(f"settings must hold (mu, nesterov) pairs, got {setting!r}")
        _momentum_setting(*setting)


def _check_compare_with_sgd(lr, mu, nesterov, steps, **_) -> None:
    _positive(lr=lr)
    _momentum_setting(mu, nesterov)
    check_int("steps", steps, minimum=1)


@checked(_check_compare_with_sgd)
# --8<-- [start:compare_with_sgd]
def compare_with_sgd(lr=0.01, mu=0.9, nesterov=False, steps=20, start=(-4.0, 1.0)):
    """Run :func:`momentum_step` (hand-written ∇f) and ``torch.optim.SGD`` (autograd) on f.

    Returns:
        The largest |p_ours − p_torch| after each step, as a list of ``steps`` floats.

    """
    p, v = torch.tensor(start, dtype=torch.float64), None  # ours
    q = p.clone().requires_grad_()  # PyTorch's
    opt = torch.optim.SGD([q], lr=lr, momentum=mu, nesterov=nesterov)
    diffs = []
    for _ in range(steps):
        p, v = momentum_step(p, v, quadratic_grad(p), lr, mu, nesterov)
        opt.zero_grad()
        quadratic(q).backward()  # q.grad = ∇f(q) by autograd
        opt.step()
        diffs.append((p - q.detach()).abs().max().item())
    return diffs


# --8<-- [end:compare_with_sgd]


# --8<-- [start:trajectory]
def trajectory(lr, mu, nesterov=False, steps=100, a=1.0, b=25.0, start=(-4.0, 1.0)):
    """Points x_0, x_1, ..., x_steps of momentum SGD on f(x) = ½(a·x₁² + b·x₂²).

    Returns:
        A float64 tensor of shape ``(steps + 1, 2)``.

    """
    x, v = torch.tensor(start, dtype=torch.float64), None
    points = [x]
    for _ in range(steps):
        x, v = momentum_step(x, v, quadratic_grad(x, a, b), lr, mu, nesterov)
        points.append(x)
    return torch.stack(points)


# --8<-- [end:trajectory]


def _check_steps_table(lr, settings, tol, max_steps, a, b) -> None:
    _positive(lr=lr, tol=tol, a=a, b=b)
    _momentum_settings(settings)
    check_int("max_steps", max_steps, minimum=1)


@checked(_check_steps_table)
def steps_table(lr=0.01, settings=SETTINGS, tol=1e-6, max_steps=2000, a=1.0, b=25.0) -> str:
    """Tabulate the steps t until f(x_t) ≤ ``tol``, for each (μ, nesterov) in ``settings``."""
    rows = []
    for mu, nesterov in settings:
        hits = (quadratic(trajectory(lr, mu, nesterov, max_steps, a, b), a, b) <= tol).nonzero()
        steps = str(int(hits[0, 0])) if len(hits) else f">{max_steps}"  # first t: f(x_t) ≤ tol
        rows.append([mu, "yes" if nesterov else "no", steps])
    columns = [("mu", ">4.3g"), ("Nesterov", ">8"), ("steps", ">6")]
    return table(rows, columns, title=[f"lr={lr}, a={a}, b={b}, tol={tol:g}"])


def _check_plot_trajectories(lr, mus, steps, a, b) -> None:
    _positive(lr=lr, a=a, b=b)
    for mu in mus:
        _mu_in_range(mu)
    check_int("steps", steps, minimum=1)


@checked(_check_plot_trajectories)
def plot_trajectories(lr=0.01, mus=(0.0, 0.5, 0.9), steps=80, a=1.0, b=25.0):
    """Contours of f(x) = ½(a·x₁² + b·x₂²) with the first ``steps`` points for each μ."""
    fig, ax = subplots(figsize=(6.4, 3.2))
    grid = torch.meshgrid(
        torch.linspace(-4.5, 1.5, 241), torch.linspace(-1.5, 1.5, 121), indexing="ij"
    )
    f = quadratic(torch.stack(grid, dim=-1), a, b)
    ax.contour(*grid, f, levels=torch.logspace(-2, 1.8, 12).tolist(), colors="0.75", linewidths=0.8)
    for mu in mus:
        path = trajectory(lr, mu, False, steps, a, b)
        ax.plot(path[:, 0], path[:, 1], ".-", ms=3, lw=1, label=f"$\\mu={mu}$")
    ax.plot(0, 0, "k*", ms=10)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.legend(loc="lower right", fontsize=8)
    fig.set_label(f"$x_2$ vs $x_1$, $\\eta={lr}$, $\\mu \\in {set(mus)}$")
    return fig


def _check_convergence_curves(lr, settings, steps, a, b) -> None:
    _positive(lr=lr, a=a, b=b)
    _momentum_settings(settings)
    check_int("steps", steps, minimum=1)


@checked(_check_convergence_curves)
def convergence_curves(lr=0.01, settings=SETTINGS, steps=300, a=1.0, b=25.0) -> dict:
    """Map a label per (μ, nesterov) setting (``, N`` marks Nesterov) to f(x_0), …, f(x_steps)."""
    curves = {}
    for mu, nesterov in settings:
        label = f"$\\mu={mu}$" + (", N" if nesterov else "")
        curves[label] = quadratic(trajectory(lr, mu, nesterov, steps, a, b), a, b).tolist()
    return curves


EXPLORER_LRS = (0.005, 0.01, 0.02, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12)  # η grid of the explorer
EXPLORER_MUS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)  # μ grid


def _sig3(x: float) -> float:
    return float(f"{x:.3g}")  # 3 significant digits keep the JSON small (0.1% of a coordinate)


def explorer_data(lrs=EXPLORER_LRS, mus=EXPLORER_MUS, steps=60, a=1.0, b=25.0) -> dict:
    """Trajectories on f(x) = ½(a·x₁² + b·x₂²) for the page's explorer, from x_0 = (−4, 1).

    A path stops after the first point with max |x_i| > 100 (it diverges). Nesterov with
    μ = 0 is plain gradient descent, so that path repeats the heavy-ball one.

    Returns:
        ``{"a", "b", "lrs", "mus", "paths"}``, with ``paths[n][i][j]`` the flat list
        x₁, x₂ of the points for nesterov n ∈ {0, 1}, η = lrs[i], μ = mus[j].

    """
    paths = [[[None] * len(mus) for _ in lrs] for _ in range(2)]
    for n in (0, 1):
        for i, lr in enumerate(lrs):
            for j, mu in enumerate(mus):
                path = trajectory(lr, mu, bool(n and mu), steps, a, b)
                far = (path.abs().amax(dim=1) > 100).nonzero()
                stop = int(far[0, 0]) + 1 if len(far) else len(path)  # keep the first far point
                paths[n][i][j] = [_sig3(c) for c in path[:stop].flatten().tolist()]
    return {"a": a, "b": b, "lrs": list(lrs), "mus": list(mus), "paths": paths}


def explorer_json() -> str:
    """:func:`explorer_data` as compact JSON: the file docs/assets/data/momentum-explorer.json."""
    return json.dumps(explorer_data(), separators=(",", ":"), allow_nan=False) + "\n"
