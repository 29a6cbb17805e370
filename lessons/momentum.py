"""Momentum: PyTorch's heavy-ball and Nesterov updates by hand, a quadratic, and ``DynamicNet``.

``DynamicNet`` and :func:`make_data` are reused by :mod:`lessons.nn_module`.
"""

from __future__ import annotations

import random

import torch
from torch import nn

from lessons.common import (
    check_float,
    check_int,
    generator,
    offset_seed,
    progress,
    resolve_device,
    seeded,
)
from lessons.plotting import subplots

SETTINGS = ((0.0, False), (0.5, False), (0.9, False), (0.9, True))  # (μ, nesterov)


def _check_momentum(lr: float, mu: float, nesterov: bool) -> None:
    check_float("lr", lr, minimum=0.0, strict=True)
    if check_float("mu", mu, minimum=0.0) >= 1.0:
        raise ValueError(f"mu must be < 1, got {mu}")
    if not isinstance(nesterov, bool):
        raise TypeError(f"nesterov must be a bool, got {type(nesterov).__name__}")
    if nesterov and mu == 0.0:
        raise ValueError("nesterov needs mu > 0")


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
    _check_momentum(lr, mu, nesterov)
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


# --8<-- [start:compare_with_sgd]
def compare_with_sgd(lr=0.01, mu=0.9, nesterov=False, steps=20, start=(-4.0, 1.0)):
    """Run :func:`momentum_step` (hand-written ∇f) and ``torch.optim.SGD`` (autograd) on f.

    Returns:
        The largest |p_ours − p_torch| after each step, as a list of ``steps`` floats.

    """
    check_int("steps", steps, minimum=1)
    _check_momentum(lr, mu, nesterov)
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
    check_int("steps", steps, minimum=0)
    check_float("a", a, minimum=0.0, strict=True)
    check_float("b", b, minimum=0.0, strict=True)
    x, v = torch.tensor(start, dtype=torch.float64), None
    points = [x]
    for _ in range(steps):
        x, v = momentum_step(x, v, quadratic_grad(x, a, b), lr, mu, nesterov)
        points.append(x)
    return torch.stack(points)


# --8<-- [end:trajectory]


def steps_table(lr=0.01, settings=SETTINGS, tol=1e-6, max_steps=2000, a=1.0, b=25.0) -> str:
    """Tabulate the steps t until f(x_t) ≤ ``tol``, for each (μ, nesterov) in ``settings``."""
    check_float("tol", tol, minimum=0.0, strict=True)
    rows = [f"lr={lr}, a={a}, b={b}, tol={tol:g}", f"{'mu':>4}  {'Nesterov':>8}  {'steps':>6}"]
    for mu, nesterov in settings:
        hits = (quadratic(trajectory(lr, mu, nesterov, max_steps, a, b), a, b) <= tol).nonzero()
        steps = str(int(hits[0, 0])) if len(hits) else f">{max_steps}"  # first t: f(x_t) ≤ tol
        rows.append(f"{mu:>4.3g}  {'yes' if nesterov else 'no':>8}  {steps:>6}")
    return "\n".join(rows)


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


def convergence_curves(lr=0.01, settings=SETTINGS, steps=300, a=1.0, b=25.0) -> dict:
    """Map a label per (μ, nesterov) setting (``, N`` marks Nesterov) to f(x_0), …, f(x_steps)."""
    curves = {}
    for mu, nesterov in settings:
        label = f"$\\mu={mu}$" + (", N" if nesterov else "")
        curves[label] = quadratic(trajectory(lr, mu, nesterov, steps, a, b), a, b).tolist()
    return curves


def plot_curves(curves: dict, ylabel: str, xlabel: str = "$t$", logy: bool = True):
    """One line per entry of ``curves`` (label → sequence of values), e.g. loss vs step."""
    if not curves:
        raise ValueError("curves must not be empty")
    fig, ax = subplots()
    for label, values in curves.items():
        ax.plot(list(values), lw=1.2, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8)
    fig.set_label(f"{ylabel} vs {xlabel}: " + ", ".join(curves))
    return fig


def loss_table(curves: dict, at=(0, 100, 499), last=50, numbered=False) -> str:
    """Tabulate each curve (label → losses) at the steps ``at`` and its mean over the last ones."""
    if not curves:
        raise ValueError("curves must not be empty")
    check_int("last", last, minimum=1)
    width = max(len(k) for k in curves) + 4
    head = "".join(f"{'t=' + str(t):>11}" for t in at) + f"{'mean last ' + str(last):>14}"
    rows = [" " * width + head]
    for i, (label, losses) in enumerate(curves.items(), 1):
        if max(at) >= len(losses) or last > len(losses):
            raise ValueError(f"at/last: curve {label!r} has only {len(losses)} steps")
        cells = "".join(f"{losses[t]:>11.4g}" for t in at) + f"{sum(losses[-last:]) / last:>14.4g}"
        rows.append(f"{f'({i}) ' * numbered + label:<{width}}" + cells)
    return "\n".join(rows)


# --8<-- [start:dynamic_net]
class DynamicNet(nn.Module):
    """input_linear → ReLU → (middle_linear → ReLU) × k → output_linear, k drawn per call.

    Args:
        d_in, h, d_out: Layer sizes.
        rng: A ``random.Random`` that draws the depth k ∈ {0, …, max_depth}.
        max_depth: Largest number of times ``middle_linear`` is reused.

    """

    def __init__(self, d_in: int, h: int, d_out: int, rng: random.Random, max_depth: int = 3):
        super().__init__()
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        self.input_linear = nn.Linear(check_int("d_in", d_in, 1), check_int("h", h, 1))
        self.middle_linear = nn.Linear(h, h)  # one layer, shared by all k uses
        self.output_linear = nn.Linear(h, check_int("d_out", d_out, 1))
        self.rng, self.max_depth = rng, check_int("max_depth", max_depth, 0)
        self.last_depth = 0

    def forward(self, x: torch.Tensor, depth: int | None = None) -> torch.Tensor:
        """Run the net; ``depth`` fixes k, ``None`` draws it from ``self.rng``."""
        k = self.rng.randint(0, self.max_depth) if depth is None else check_int("depth", depth, 0)
        h = self.input_linear(x).clamp(min=0)  # h = ReLU(W_in x + b_in)
        for _ in range(k):  # ordinary Python control flow
            h = self.middle_linear(h).clamp(min=0)  # h ← ReLU(W_mid h + b_mid), same W_mid
        self.last_depth = k
        return self.output_linear(h)


# --8<-- [end:dynamic_net]


def make_data(n=64, d_in=1000, d_out=10, seed=0, device=None):
    """Random regression data x ~ N(0, 1)^(n×d_in), y ~ N(0, 1)^(n×d_out), drawn on the CPU.

    Returns:
        ``(x, y)`` on ``device``; the same numbers on every device.

    """
    n, d_in, d_out = (check_int(k, v, 1) for k, v in (("n", n), ("d_in", d_in), ("d_out", d_out)))
    g = generator(seed)
    x, y = torch.randn(n, d_in, generator=g), torch.randn(n, d_out, generator=g)
    return x.to(resolve_device(device)), y.to(resolve_device(device))


# --8<-- [start:train_dynamic]
def train_dynamic(mu=0.9, lr=1e-4, steps=500, seed=0, device=None):
    """Train ``DynamicNet(1000, 100, 10)`` on :func:`make_data` with ``SGD(lr, momentum=mu)``.

    Returns:
        ``(model, losses, depths)``: the trained net, the loss and the depth k of every step.

    """
    check_int("steps", steps, minimum=1)
    _check_momentum(lr, mu, False)
    dev = resolve_device(device)
    x, y = make_data(seed=seed, device=dev)
    with seeded(seed):  # nn.Linear draws its initial weights from the global RNG
        model = DynamicNet(1000, 100, 10, rng=random.Random(offset_seed(seed))).to(dev)
    loss_fn = nn.MSELoss(reduction="sum")  # not size_average=False: that is gone
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=mu)
    losses, depths = [], []
    for _ in progress(range(steps), "step"):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        depths.append(model.last_depth)
    return model, losses, depths


# --8<-- [end:train_dynamic]
