"""Exercises of the momentum lesson: the code behind the worked solutions.

Optimal heavy ball, stability, dampening, sharpness along a run, changing η, and the best μ
for a given ηλ.

The worked solutions show the code between the ``--8<--`` markers; the argument checks stay
outside them.
"""

from __future__ import annotations

import math
import random

import numpy as np
import torch
from torch import nn

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.dynamic_net import DynamicNet, make_data
from lessons.momentum.lesson import _mu_in_range, momentum_step, quadratic, quadratic_grad
from lessons.momentum.theory import root_modulus
from lessons.plotting import subplots
from lessons.printing import table
from lessons.seeds import generator, offset_seed, seeded

F64 = torch.float64


def _check_optimal_heavy_ball(a, b) -> None:
    check_float("a", a, minimum=0.0, strict=True)
    if check_float("b", b) < a:
        raise ValueError(f"b must be >= a, got b={b}, a={a}")


@checked(_check_optimal_heavy_ball)
# --8<-- [start:optimal_heavy_ball]
def optimal_heavy_ball(a: float = 1.0, b: float = 25.0) -> tuple[float, float, float]:
    """η* = 4/(√a + √b)², μ* = ((√κ − 1)/(√κ + 1))² and the rate (√κ − 1)/(√κ + 1), κ = b/a.

    Args:
        a: Smallest curvature, > 0.
        b: Largest curvature, ≥ a.

    Returns:
        ``(lr, mu, rate)``.
    """
    root = math.sqrt(b / a)  # √κ
    rate = (root - 1) / (root + 1)
    return 4 / (math.sqrt(a) + math.sqrt(b)) ** 2, rate**2, rate


# --8<-- [end:optimal_heavy_ball]


def _check_double_root_steps(tol, max_steps, **_) -> None:
    check_float("tol", tol, minimum=0.0, strict=True)
    check_int("max_steps", max_steps, minimum=1)


@checked(_check_double_root_steps)
# --8<-- [start:double_root_steps]
def double_root_steps(a=1.0, b=25.0, start=(-4.0, 1.0), tol=1e-6, max_steps=10_000) -> int:
    """First t with f(x_t) ≤ ``tol`` for the optimal heavy ball, from its closed form.

    At (η*, μ*) both axes have a double root z = ±r of z² − (1 + μ − ηλ)z + μ, so
    x_t = (x_0 + B·t)·z^t with B fixed by PyTorch's first step x_1 = (1 − ηλ)·x_0.

    Returns:
        The number of steps t.
    """
    lr, mu, rate = optimal_heavy_ball(a, b)
    coefficients = []
    for lam, x0 in zip((a, b), start, strict=True):
        z = rate if 1 + mu - lr * lam > 0 else -rate  # the double root (1 + μ − ηλ)/2
        coefficients.append((lam, x0, x0 * ((1 - lr * lam) / z - 1), z))  # B = x_1/z − x_0
    for t in range(max_steps):
        f = sum(0.5 * lam * ((x0 + bb * t) * z**t) ** 2 for lam, x0, bb, z in coefficients)
        if f <= tol:
            return t
    raise ValueError(f"max_steps: f(x_t) > tol for all t < {max_steps}")


# --8<-- [end:double_root_steps]


def _check_rate_only_steps(tol, **_) -> None:
    check_float("tol", tol, minimum=0.0, strict=True)


@checked(_check_rate_only_steps)
# --8<-- [start:rate_only_steps]
def rate_only_steps(a=1.0, b=25.0, start=(-4.0, 1.0), tol=1e-6) -> float:
    """Steps predicted by the rate alone: f(x_t) ≈ f(x_0)·r^(2t) = ``tol``."""
    rate = optimal_heavy_ball(a, b)[2]
    f0 = quadratic(torch.tensor(start, dtype=F64), a, b).item()
    return math.log(f0 / tol) / (-2 * math.log(rate))


# --8<-- [end:rate_only_steps]


def _check_nesterov_modulus(lr, mu, lam) -> None:
    check_float("lr", lr, minimum=0.0, strict=True)
    check_float("lam", lam, minimum=0.0)
    _mu_in_range(mu)


@checked(_check_nesterov_modulus)
# --8<-- [start:nesterov_modulus]
def nesterov_modulus(lr: float, mu: float, lam: float) -> float:
    """Largest |z| among the roots of z² − (1 + μ)(1 − ηλ)·z + μ(1 − ηλ): Nesterov's rate."""
    h = lr * lam
    roots = np.roots([1.0, -(1 + mu) * (1 - h), mu * (1 - h)])
    return float(np.abs(roots).max())


# --8<-- [end:nesterov_modulus]


def _check_recursion_residual(lr, mu, lam, steps, **_) -> None:
    check_float("lr", lr, minimum=0.0, strict=True)
    check_float("lam", lam, minimum=0.0)
    check_int("steps", steps, minimum=3)
    _mu_in_range(mu)


@checked(_check_recursion_residual)
# --8<-- [start:recursion_residual]
def recursion_residual(lr: float, mu: float, lam: float, nesterov: bool, steps: int = 50) -> float:
    """Largest gap, relative to max|x_t|, of :func:`momentum_step` on f = ½λx² to the recursion.

    Heavy ball: x_{t+1} = (1 + μ − ηλ)x_t − μx_{t−1}; Nesterov:
    x_{t+1} = (1 + μ)(1 − ηλ)x_t − μ(1 − ηλ)x_{t−1}, for t ≥ 1.
    """
    h = lr * lam
    c1, c0 = ((1 + mu) * (1 - h), -mu * (1 - h)) if nesterov else (1 + mu - h, -mu)
    x, v, xs = torch.tensor([1.0], dtype=F64), None, []
    for _ in range(steps):
        xs.append(x.item())
        x, v = momentum_step(x, v, lam * x, lr, mu, nesterov)  # ∇f = λx
    gap = max(abs(xs[t + 1] - c1 * xs[t] - c0 * xs[t - 1]) for t in range(1, len(xs) - 1))
    return gap / max(abs(x) for x in xs)


# --8<-- [end:recursion_residual]


def _check_bound_mismatches(points, **_) -> None:
    check_int("points", points, minimum=2)


@checked(_check_bound_mismatches)
# --8<-- [start:bound_mismatches]
def bound_mismatches(mus=(0.0, 0.3, 0.6, 0.9, 0.99), points: int = 400) -> int:
    """Count the (μ, ηλ) of a grid where "max|z| < 1" disagrees with the stated bound.

    Heavy ball: ηλ < 2(1 + μ); Nesterov: ηλ < 2(1 + μ)/(1 + 2μ). Points within 10⁻⁶ of a
    bound are skipped (there |z| = 1 up to rounding).
    """
    wrong = 0
    for mu in mus:
        for h in np.linspace(0.001, 4.5, points):
            for nesterov, bound in ((False, 2 * (1 + mu)), (True, 2 * (1 + mu) / (1 + 2 * mu))):
                if abs(h - bound) < 1e-6:
                    continue
                z = nesterov_modulus(h, mu, 1.0) if nesterov else root_modulus(h, mu, 1.0)
                wrong += (z < 1) != (h < bound)
    return wrong


# --8<-- [end:bound_mismatches]


# --8<-- [start:dampened_step]
def dampened_step(p, v, g, lr: float, mu: float, dampening: float = 0.0, nesterov: bool = False):
    """:func:`lessons.momentum.lesson.momentum_step` with ``torch.optim.SGD``'s ``dampening``.

    Returns:
        ``(p, v)`` after the step; v ← μ·v + (1 − dampening)·g, except v = g on the first step.
    """
    v = g.clone() if v is None else mu * v + (1 - dampening) * g
    d = g + mu * v if nesterov else v  # Nesterov: d = g + μ·v
    return p - lr * d, v  # p ← p − η·d


# --8<-- [end:dampened_step]


def _check_dampening_gap(steps, **_) -> None:
    check_int("steps", steps, minimum=1)


@checked(_check_dampening_gap)
# --8<-- [start:dampening_gap]
def dampening_gap(lr=0.01, mu=0.9, dampening=0.9, steps=30, start=(-4.0, 1.0)) -> float:
    """Largest |p_ours − p_torch| over ``steps`` steps on the quadratic, in float64."""
    p, v = torch.tensor(start, dtype=F64), None
    q = p.clone().requires_grad_()
    opt = torch.optim.SGD([q], lr=lr, momentum=mu, dampening=dampening)
    gap = 0.0
    for _ in range(steps):
        p, v = dampened_step(p, v, quadratic_grad(p), lr, mu, dampening)
        opt.zero_grad()
        quadratic(q).backward()  # q.grad = ∇f(q) by autograd
        opt.step()
        gap = max(gap, (p - q.detach()).abs().max().item())
    return gap


# --8<-- [end:dampening_gap]


def _check_constant_gradient_step(steps, **_) -> None:
    check_int("steps", steps, minimum=1)


@checked(_check_constant_gradient_step)
# --8<-- [start:constant_gradient_step]
def constant_gradient_step(lr=0.01, mu=0.9, dampening=0.0, steps=300) -> float:
    """Length of step ``steps`` when the gradient is always 1: the effective step size."""
    p, v, g = torch.zeros(1, dtype=F64), None, torch.ones(1, dtype=F64)
    for _ in range(steps):
        before = p
        p, v = dampened_step(p, v, g, lr, mu, dampening)
    return (before - p).item()


# --8<-- [end:constant_gradient_step]


# --8<-- [start:sharpness]
def sharpness(model, x, y, depth: int, iters: int = 20, seed: int = 0) -> float:
    """λ_max of the Hessian of L = Σ(model(x) − y)² at depth k = ``depth``, by power iteration.

    Returns:
        vᵀHv for the last unit vector v of the iteration v ← Hv/‖Hv‖ (Hessian-vector products).
    """
    params = list(model.parameters())
    loss = ((model(x, depth=depth) - y) ** 2).sum()  # MSELoss(reduction="sum")
    grads = torch.autograd.grad(loss, params, create_graph=True, allow_unused=True)
    used = [(p, g) for p, g in zip(params, grads, strict=True) if g is not None]
    ps, gs = [p for p, _ in used], [g for _, g in used]  # depth 0 never uses middle_linear
    gen = generator(seed)
    v = [torch.randn(p.shape, generator=gen, dtype=p.dtype) for p in ps]
    lam = 0.0
    for _ in range(iters):
        norm = torch.sqrt(sum((a * a).sum() for a in v))
        v = [a / norm for a in v]  # ‖v‖ = 1
        hv = torch.autograd.grad(gs, ps, v, retain_graph=True)  # H·v
        lam = sum((h * a).sum() for h, a in zip(hv, v, strict=True)).item()  # vᵀHv
        v = [h.detach() for h in hv]
    return lam


# --8<-- [end:sharpness]


def _check_train_with_sharpness(mu, lr, steps, at, **_) -> None:
    _mu_in_range(mu)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("steps", steps, minimum=1)
    for t in at:
        if not 0 <= check_int("at", t) <= steps:
            raise ValueError(f"at must hold steps in [0, steps], got {t}")


@checked(_check_train_with_sharpness)
# --8<-- [start:train_with_sharpness]
def train_with_sharpness(mu, lr, steps=150, seed=0, at=(0, 50, 100, 150), device=None):
    """``train_dynamic(mu, lr, steps, seed)``, step for step, measuring the sharpness on the way.

    Returns:
        ``(losses, sharp)``: the loss of every step, and ``{t: max over k of λ_max}`` for the
        weights after t steps, t in ``at``.
    """
    dev = resolve_device(device)
    x, y = make_data(seed=seed, device=dev)
    with seeded(seed):  # the same initial weights and the same depths as train_dynamic
        model = DynamicNet(1000, 100, 10, rng=random.Random(offset_seed(seed))).to(dev)
    loss_fn = nn.MSELoss(reduction="sum")
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=mu)
    losses, sharp = [], {}
    for t in range(steps + 1):
        if t in at:  # fixed depths: the sharpness draws no depth from model.rng
            sharp[t] = max(sharpness(model, x, y, k) for k in range(model.max_depth + 1))
        if t == steps:
            break
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, sharp


# --8<-- [end:train_with_sharpness]


def stability_table(runs: dict) -> str:
    """Per seed: η·λ_max of each run at t = 0 and its largest over the measured steps.

    ``runs`` maps a seed to ``{(mu, lr): (losses, sharp)}`` of :func:`train_with_sharpness`,
    plain SGD's setting first when sorted (μ = 0).
    """
    rows = []
    for seed, by_setting in runs.items():
        row = [seed]
        for mu, lr in sorted(by_setting):
            sharp = by_setting[(mu, lr)][1]
            row += [lr * sharp[min(sharp)], lr * max(sharp.values())]  # η·λ_max
        rows.append(row)
    columns = [
        ("seed", ">4"),
        ("SGD: first", ">11.3g"),
        ("max", ">6.3g"),
        ("momentum: first", ">16.3g"),
        ("max", ">6.3g"),
    ]
    return table(rows, columns, sep="  ", title=["lr * lam_max (limits: SGD 2, momentum 2(1+mu))"])


def _check_lr_change_runs(mu, steps, change_at, **_) -> None:
    if not 0 < check_int("change_at", change_at, minimum=1) < check_int("steps", steps):
        raise ValueError(f"change_at must be in (0, steps), got {change_at}")
    _mu_in_range(mu)


@checked(_check_lr_change_runs)
# --8<-- [start:lr_change_runs]
def lr_change_runs(lr=0.01, mu=0.9, steps=120, change_at=50, start=(-4.0, 1.0)) -> dict:
    """f(x_t) for PyTorch's form and the notes' form, halving η at step ``change_at``.

    PyTorch: v ← μv + g, x ← x − η_t·v. Notes: Δ ← μΔ − η_t·g, x ← x + Δ.
    """
    x, v = torch.tensor(start, dtype=F64), None
    y, delta = x.clone(), torch.zeros(2, dtype=F64)
    curves = {"$v_t$": [quadratic(x).item()], r"$\Delta p_t$": [quadratic(y).item()]}
    for t in range(steps):
        eta = lr if t < change_at else lr / 2  # η_t
        x, v = momentum_step(x, v, quadratic_grad(x), eta, mu)  # x ← x − η_t·v
        delta = mu * delta - eta * quadratic_grad(y)  # Δ ← μΔ − η_t·g
        y = y + delta
        curves["$v_t$"].append(quadratic(x).item())
        curves[r"$\Delta p_t$"].append(quadratic(y).item())
    return curves


# --8<-- [end:lr_change_runs]


def plot_lr_change(curves: dict, change_at: int = 50):
    """f(x_t) of both forms on a log scale, with the step where η halves marked."""
    fig, ax = subplots()
    for label, values in curves.items():
        ax.semilogy(values, label=label)
    ax.axvline(change_at, color="0.5", linestyle=":", label=r"$\eta \to \eta/2$")
    ax.set_xlabel("$t$")
    ax.set_ylabel("$f(x_t)$")
    ax.legend()
    fig.set_label("$f(x_t)$ vs $t$")
    return fig


def _check_best_momentum(h, points) -> None:
    if not 0 < check_float("h", h) < 4:
        raise ValueError(f"h must be in (0, 4), got {h}")
    check_int("points", points, minimum=2)


@checked(_check_best_momentum)
# --8<-- [start:best_momentum]
def best_momentum(h: float, points: int = 2000) -> tuple[float, float]:
    """The μ among j/points, j = 0, …, points − 1, with the smallest max|z| at ηλ = ``h``.

    Returns:
        ``(mu, rate)``.
    """
    rate, mu = min((root_modulus(h, j / points, 1.0), j / points) for j in range(points))
    return mu, rate


# --8<-- [end:best_momentum]
