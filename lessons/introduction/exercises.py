"""Exercises of the introduction: distance contrast, noisy rings, how many ReLU units."""

from __future__ import annotations

import math

import torch
from torch import nn

from lessons.checks import check_float, check_int, checked
from lessons.introduction.lesson import fit, make_model, make_rings, squares
from lessons.seeds import generator, offset_seed, seeded


def _check_median_contrast(n, d, queries, **_) -> None:
    check_int("n", n, minimum=2)
    check_int("d", d, minimum=1)
    check_int("queries", queries, minimum=1)


@checked(_check_median_contrast)
# --8<-- [start:median_contrast]
def median_contrast(d: int, n: int = 1000, queries: int = 20, seed: int = 0, normal=False) -> float:
    """Median over queries of ``(D_max − D_min)/D_min`` for ``n`` points in dimension ``d``.

    Args:
        d: Dimension.
        n: Number of points.
        queries: Number of query points.
        seed: Seed of the draw.
        normal: Draw from the standard normal distribution instead of the unit cube.

    Returns:
        The median contrast.
    """
    g = generator(seed)
    draw = torch.randn if normal else torch.rand
    points = draw(n, d, generator=g, dtype=torch.float64)  # x_1, …, x_n
    q = draw(queries, d, generator=g, dtype=torch.float64)  # q_1, …, q_queries
    dist = torch.cdist(q, points)  # ‖q_i − x_j‖
    d_min, d_max = dist.min(dim=1).values, dist.max(dim=1).values  # D_min, D_max per query
    return ((d_max - d_min) / d_min).median().item()  # median of (D_max − D_min)/D_min


# --8<-- [end:median_contrast]


# --8<-- [start:embed]
def embed(x: torch.Tensor, d: int = 100, scale: float = 0.5, seed: int = 0) -> torch.Tensor:
    """Append ``d − 2`` coordinates of N(0, ``scale``²) noise to points (n, 2)."""
    noise = torch.randn(len(x), d - 2, generator=generator(offset_seed(seed)))  # ε ~ N(0, 1)
    return torch.cat([x, scale * noise], dim=1)  # (x_1, x_2, scale·ε_1, …, scale·ε_{d−2})


# --8<-- [end:embed]


def _check_seeds_steps(seeds, steps) -> None:
    if not seeds:
        raise ValueError("seeds must be a non-empty sequence of seeds")
    check_int("steps", steps, minimum=1)


def _check_compare_in_dimension(d, scale, seeds, steps, **_) -> None:
    check_int("d", d, minimum=2)
    check_float("scale", scale, minimum=0.0)
    _check_seeds_steps(seeds, steps)


@checked(_check_compare_in_dimension)
# --8<-- [start:compare_in_dimension]
def compare_in_dimension(
    d=100, scale=0.5, seeds=range(5), n=400, steps=200, hidden=8
) -> tuple[dict, dict]:
    """:func:`lessons.introduction.lesson.compare_representations`, rings embedded in ``d`` dims.

    Args:
        d: Dimension of the embedded points: 2 ring coordinates and ``d − 2`` of noise.
        scale: Standard deviation of the noise coordinates.
        seeds: Seeds; seed ``s`` draws the training set, the test set and the initialisation.
        n: Number of training points (and of test points).
        steps: Training steps of each model.
        hidden: ReLU units of the ``learned`` model.

    Returns:
        ``(test, train)``: each ``kind → list of accuracies``, one per seed.
    """
    test, train = ({"raw": [], "squares": [], "learned": []} for _ in range(2))
    for s in seeds:
        x, y = make_rings(n, seed=2 * s)
        x_test, y_test = make_rings(n, seed=2 * s + 1)
        x, x_test = embed(x, d, scale, seed=2 * s), embed(x_test, d, scale, seed=2 * s + 1)
        for kind in test:
            phi = squares if kind == "squares" else nn.Identity()  # φ(x): x_i² or x itself
            with seeded(s):
                model = model_in_dimension(kind, d, hidden)
            fit(model, phi(x), y, steps=steps)
            test[kind].append(accuracy(model, phi(x_test), y_test))
            train[kind].append(accuracy(model, phi(x), y))
    return test, train


def model_in_dimension(kind: str, d: int, hidden: int) -> nn.Module:
    """The lesson's model ``kind`` on ``d`` inputs: ``learned`` has one hidden ReLU layer."""
    if kind == "learned":
        return nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, 1))
    return nn.Linear(d, 1)  # z = wᵀφ(x) + b


# --8<-- [end:compare_in_dimension]


def _check_learned_accuracy(hidden, seeds, steps, **_) -> None:
    check_int("hidden", hidden, minimum=1)
    _check_seeds_steps(seeds, steps)


@checked(_check_learned_accuracy)
# --8<-- [start:learned_accuracy]
def learned_accuracy(hidden: int = 8, seeds=range(5), n: int = 400, steps: int = 200) -> list:
    """Test accuracy of the lesson's ``learned`` model with ``hidden`` ReLU units, per seed.

    Args:
        hidden: ReLU units of the hidden layer.
        seeds: Seeds; seed ``s`` draws the training set, the test set and the initialisation.
        n: Number of training points (and of test points).
        steps: Training steps.

    Returns:
        The accuracies, with the models: ``[(accuracy, model), ...]``.
    """
    out = []
    for s in seeds:
        (x, y), (x_test, y_test) = make_rings(n, seed=2 * s), make_rings(n, seed=2 * s + 1)
        with seeded(s):
            model = make_model("learned", hidden)
        fit(model, x, y, steps=steps)
        with torch.no_grad():
            out.append((accuracy(model, x_test, y_test), model))
    return out


# --8<-- [end:learned_accuracy]


def _check_hexagon_net(c) -> None:
    check_float("c", c, minimum=0.0, strict=True)


@checked(_check_hexagon_net)
# --8<-- [start:hexagon_net]
def hexagon_net(c: float = 0.75) -> nn.Sequential:
    """Three ReLU units by hand: ``z = c − Σ_i ReLU(n_i·x)``, unit normals ``n_i`` 120° apart.

    Where one unit is active the boundary ``z = 0`` is the line ``n_i·x = c``; where two are,
    ``(n_i + n_j)·x = c`` with ``|n_i + n_j| = 1``: a regular hexagon of inradius ``c``.
    """
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    angles = torch.tensor([math.pi / 2 + k * 2 * math.pi / 3 for k in range(3)])
    with torch.no_grad():
        net[0].weight.copy_(torch.stack([angles.cos(), angles.sin()], dim=1))  # n_i
        net[0].bias.zero_()  # ReLU(n_iᵀx)
        net[2].weight.fill_(-1.0)  # −Σ_i
        net[2].bias.fill_(c)  # c
    return net


# --8<-- [end:hexagon_net]


# --8<-- [start:accuracy]
@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Share of points where ``z > 0`` agrees with the label 1 (inner ring)."""
    return ((model(x).squeeze(1) > 0).float() == y).float().mean().item()  # z > 0 ⇔ ŷ = 1


# --8<-- [end:accuracy]


def _check_monotone_across(points, **_) -> None:
    check_int("points", points, minimum=3)


@checked(_check_monotone_across)
# --8<-- [start:monotone_across]
@torch.no_grad()
def monotone_across(model: nn.Sequential, unit: int = 0, points: int = 401) -> bool:
    """Whether ``z`` is monotone along the line through 0 parallel to unit ``unit``'s boundary.

    On that line unit ``unit`` is constant, so for a two-unit network ``z`` changes only
    through the other unit: ReLU of a linear function, monotone.
    """
    w = model[0].weight[unit]
    u = torch.stack([-w[1], w[0]]) / w.norm()  # direction u with n·u = 0
    t = torch.linspace(-2, 2, points)  # x = t·u, t ∈ [−2, 2]
    z = model(t[:, None] * u).squeeze(1)
    rises = z.diff()  # z(t_{k+1}) − z(t_k)
    return bool((rises >= -1e-6).all() or (rises <= 1e-6).all())  # monotone up to rounding


# --8<-- [end:monotone_across]


def _check_sigmoid_gradient_two_ways(w, x) -> None:
    check_float("w", w)
    check_float("x", x)


@checked(_check_sigmoid_gradient_two_ways)
# --8<-- [start:sigmoid_gradient_two_ways]
def sigmoid_gradient_two_ways(w: float, x: float) -> tuple[float, float]:
    """``dL/dw`` of ``L = σ(w·x)``: by autograd and by hand, ``σ(wx)(1 − σ(wx))·x``."""
    w_leaf = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(w_leaf * x).backward()  # L = σ(wx); autograd fills w_leaf.grad
    s = 1 / (1 + math.exp(-w * x))  # σ(wx)
    return w_leaf.grad.item(), s * (1 - s) * x  # dL/dw = σ(wx)(1 − σ(wx))·x


# --8<-- [end:sigmoid_gradient_two_ways]
