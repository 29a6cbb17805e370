"""Two facts about heavy ball that the momentum lesson checks in code.

Rotating a quadratic rotates the iterates (so axis-aligned quadratics say it all), and on a
strongly convex function that is not quadratic, heavy ball tuned for quadratics can cycle
forever (Lessard, Recht & Packard, 2016).
"""

from __future__ import annotations

import math

import matplotlib
import torch

from lessons.checks import check_float, check_int, checked
from lessons.momentum.lesson import _momentum_setting, _positive, momentum_step, trajectory
from lessons.plotting import subplots
from lessons.printing import table

F64 = torch.float64


# --8<-- [start:rotated]
def rotation(angle: float) -> torch.Tensor:
    """The 2×2 rotation matrix U by ``angle`` radians, in float64."""
    c, s = math.cos(angle), math.sin(angle)
    return torch.tensor([[c, -s], [s, c]], dtype=F64)


def rotated_trajectory(lr, mu, nesterov=False, steps=100, a=1.0, b=25.0, angle=0.5):
    """Momentum on f(x) = ½·xᵀQx with Q = U·diag(a, b)·Uᵀ, from U·(−4, 1).

    Returns:
        A float64 tensor of shape ``(steps + 1, 2)``: the points x_0, …, x_steps.

    """
    u = rotation(angle)
    q = u @ torch.diag(torch.tensor([a, b], dtype=F64)) @ u.T  # Q = UΛUᵀ
    x, v = u @ torch.tensor([-4.0, 1.0], dtype=F64), None
    points = [x]
    for _ in range(steps):
        x, v = momentum_step(x, v, q @ x, lr, mu, nesterov)  # ∇f(x) = Qx
        points.append(x)
    return torch.stack(points)


# --8<-- [end:rotated]


def _check_rotation_gap(lr, mu, nesterov, steps, angle) -> None:
    _positive(lr=lr)
    _momentum_setting(mu, nesterov)
    check_int("steps", steps, minimum=1)
    check_float("angle", angle)


@checked(_check_rotation_gap)
def rotation_gap(lr, mu, nesterov=False, steps=100, angle=0.5) -> float:
    """Largest |x_t(rotated problem) − U·x_t(axis-aligned problem)| over all t and coordinates."""
    axis = trajectory(lr, mu, nesterov, steps)  # y_t on the axis-aligned f
    rotated = rotated_trajectory(lr, mu, nesterov, steps, angle=angle)
    return (rotated - axis @ rotation(angle).T).abs().max().item()  # x_t − U·y_t


# --8<-- [start:lessard]
def lessard_grad(x: torch.Tensor) -> torch.Tensor:
    """∇f of Lessard, Recht & Packard's example: m = 1, L = 25, ∇f piecewise linear."""
    return torch.where(x < 1, 25 * x, torch.where(x < 2, x + 24, 25 * x - 24))


def lessard_f(x: torch.Tensor) -> torch.Tensor:
    """f(x): 25x²/2 for x < 1, x²/2 + 24x − 12 on [1, 2), 25x²/2 − 24x + 36 for x ≥ 2."""
    return torch.where(
        x < 1, 12.5 * x**2, torch.where(x < 2, 0.5 * x**2 + 24 * x - 12, 12.5 * x**2 - 24 * x + 36)
    )


def run_1d(grad, x0, lr, mu, steps):
    """Points x_0, …, x_steps of :func:`~lessons.momentum.lesson.momentum_step` on a 1-D f."""
    x, v = torch.tensor([x0], dtype=F64), None
    points = [x0]
    for _ in range(steps):
        x, v = momentum_step(x, v, grad(x), lr, mu)
        points.append(x.item())
    return points


# --8<-- [end:lessard]


def _check_lessard_table(x0, steps, show) -> None:
    check_float("x0", x0)
    show = check_int("show", show, minimum=1)
    check_int("steps", steps, minimum=show)


@checked(_check_lessard_table)
def lessard_table(x0: float = 3.3, steps: int = 300, show: int = 6) -> str:
    """The last ``show`` points of heavy ball (η = 1/9, μ = 4/9) and of GD (η = 2/(L+m) = 1/13).

    Heavy ball uses the tuning that is optimal for quadratics with m = 1, L = 25:
    η = 4/(√L + √m)², μ = ((√L − √m)/(√L + √m))².
    """
    heavy = run_1d(lessard_grad, x0, 4 / 36, 4 / 9, steps)
    plain = run_1d(lessard_grad, x0, 2 / 26, 0.0, steps)
    rows = []
    for t in range(steps - show + 1, steps + 1):
        f = lessard_f(torch.tensor(heavy[t], dtype=F64)).item()
        rows.append([t, heavy[t], f, plain[t]])
    columns = [
        ("t", ">5"),
        ("heavy ball x_t", ">16.6f"),
        ("f(x_t)", ">10.4f"),
        ("GD x_t", ">12.2e"),
    ]
    return table(rows, columns, sep="")


def _check_root_modulus(lr, mu, lam) -> None:
    for name, value in (("lr", lr), ("lam", lam)):
        check_float(name, value, minimum=0.0, strict=True)
    check_float("mu", mu, minimum=0.0)


@checked(_check_root_modulus)
def root_modulus(lr: float, mu: float, lam: float) -> float:
    """Largest |z| among the roots of z² − (1 + μ − ηλ)·z + μ: heavy ball's rate along λ."""
    s = 1 + mu - lr * lam
    disc = complex(s * s - 4 * mu) ** 0.5  # the two roots are (s ± √(s² − 4μ)) / 2
    return max(abs((s + disc) / 2), abs((s - disc) / 2))


def rate_table(lr: float = 0.01, mus=(0.0, 0.9), lams=(1.0, 25.0)) -> str:
    """Per μ: heavy ball's rate |z| along each curvature λ, and −ln of the slowest (per step)."""
    rows = []
    for mu in mus:
        rates = [root_modulus(lr, mu, lam) for lam in lams]
        rows.append([mu, *rates, -math.log(max(rates))])
    columns = [
        ("mu", ">4g"),
        *((f"|z|, lam={lam:g}", ">14.4f") for lam in lams),
        ("-ln max|z|", ">12.4f"),
    ]
    return table(rows, columns, sep="")


def _check_gd_steps_prediction(lr, a, x1, tol) -> None:
    for name, value in (("lr", lr), ("a", a), ("tol", tol)):
        check_float(name, value, minimum=0.0, strict=True)
    if not 0 < lr * a < 1:
        raise ValueError(f"lr * a must be in (0, 1), got {lr * a}")
    check_float("x1", x1)


@checked(_check_gd_steps_prediction)
def gd_steps_prediction(lr: float = 0.01, a: float = 1.0, x1: float = -4.0, tol: float = 1e-6):
    """Steps until GD's slow axis alone brings f = ½a·x₁²·(1 − ηa)^(2t) down to ``tol``.

    Returns:
        ``(exact, linearized)``: ln(f₁/tol) / (−2 ln(1 − ηa)), and the same with
        ln(1 − ηa) ≈ −ηa, i.e. ln(f₁/tol) / (2ηa).

    """
    f1 = 0.5 * a * x1**2  # the slow axis' share of f(x_0)
    return math.log(f1 / tol) / (-2 * math.log(1 - lr * a)), math.log(f1 / tol) / (2 * lr * a)


def _check_plot_phase_diagram(points, **_) -> None:
    check_int("points", points, minimum=2)


@checked(_check_plot_phase_diagram)
def plot_phase_diagram(points: int = 121):
    """Heavy ball's rate max|z| over (ηλ, μ) ∈ [0, 4] × [0, 1), from :func:`root_modulus`.

    Marked: the real/complex boundary μ = (1 − √(ηλ))² (above it, the rate is √μ), and the
    divergence line ηλ = 2(1 + μ) (right of it, max|z| > 1; the colour saturates at 1).
    """
    hs = [4 * (i + 0.5) / points for i in range(points)]  # ηλ, cell centres
    mus = [(j + 0.5) / points for j in range(points)]  # μ
    rates = [[root_modulus(h, mu, 1.0) for h in hs] for mu in mus]  # λ = 1, so η = ηλ
    fig, ax = subplots(figsize=(5.6, 3.6))
    cmap = matplotlib.colormaps["viridis"].with_extremes(over="0.8")  # max|z| > 1: grey
    image = ax.imshow(
        rates, origin="lower", extent=(0, 4, 0, 1), aspect="auto", vmin=0, vmax=1, cmap=cmap
    )
    fig.colorbar(image, ax=ax, label="$\\max|z|$", extend="max")
    edge = [4 * i / 400 for i in range(401)]
    ax.plot(edge, [(1 - h**0.5) ** 2 for h in edge], "w--", lw=1.2)  # μ = (1 − √(ηλ))²
    ax.plot([2, 4], [0, 1], "k-", lw=1.5)  # ηλ = 2(1 + μ)
    ax.text(1.0, 0.8, "$\\max|z|=\\sqrt{\\mu}$", color="w", ha="center")
    ax.text(3.5, 0.3, "$\\max|z|>1$", ha="center")
    ax.text(0.25, 0.03, "$z\\in\\mathbb{R}$", color="w", ha="center", fontsize=8)
    ax.set(xlabel="$\\eta\\lambda$", ylabel="$\\mu$", xlim=(0, 4), ylim=(0, 1))
    ax.grid(False)
    fig.set_label(
        "$\\max|z|$ over $(\\eta\\lambda, \\mu)$; "
        "$\\mu=(1-\\sqrt{\\eta\\lambda})^2$; $\\eta\\lambda=2(1+\\mu)$"
    )
    return fig
