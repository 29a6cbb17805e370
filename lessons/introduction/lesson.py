"""Lecture 1: the curse of dimensionality measured, a learned representation, autograd's job."""

from __future__ import annotations

import math
import statistics

import torch
from sklearn.datasets import make_circles
from torch import nn

from lessons.checks import check_float, check_int, checked
from lessons.plotting import subplots
from lessons.printing import table
from lessons.seeds import generator, offset_seed, seeded


def _check_grid_points(d, eps, **_):
    check_int("d", d, minimum=1)
    check_float("eps", eps, minimum=0.0, strict=True)
    if eps > 1:
        raise ValueError(f"eps must be at most 1, got {eps}")


def _check_distance_contrast(dims, n, queries, **_):
    if not dims or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in dims):
        raise ValueError(f"dims must be a non-empty list of positive ints, got {dims!r}")
    check_int("n", n, minimum=2)
    check_int("queries", queries, minimum=1)


def _check_gradient_two_ways(w, x, y):
    for name, value in (("w", w), ("x", x), ("y", y)):
        check_float(name, value)


@checked(_check_grid_points)
# --8<-- [start:grid_points]
def grid_points(d, eps):
    """Cells of side ``eps`` in the cube ``[0, 1]^d``, one grid point each: ``⌈1/ε⌉^d``."""
    return math.ceil(1 / eps) ** d  # an exact int, however large


# --8<-- [end:grid_points]


@checked(_check_distance_contrast)
# --8<-- [start:contrast]
def distance_contrast(dims, n=1000, queries=20, seed=0):
    """Relative contrast ``(D_max − D_min) / D_min`` of distances in the unit cube.

    For each ``d`` in ``dims``: draw ``n`` uniform points and ``queries`` query points in
    ``[0, 1]^d``, measure the Euclidean distance from each query to every point.

    Returns:
        ``d → (median, min, max)`` of the contrast over the queries.

    """
    g, out = generator(seed), {}
    for d in dims:
        points = torch.rand(n, d, generator=g, dtype=torch.float64)
        q = torch.rand(queries, d, generator=g, dtype=torch.float64)
        dist = torch.cdist(q, points)  # (queries, n): ‖q_i − x_j‖
        d_min, d_max = dist.min(dim=1).values, dist.max(dim=1).values
        contrast = ((d_max - d_min) / d_min).tolist()  # (D_max − D_min) / D_min per query
        out[d] = (statistics.median(contrast), min(contrast), max(contrast))
    return out


# --8<-- [end:contrast]


def dimension_table(dims=(1, 2, 3, 10, 100, 1000), eps=0.1, n=1000, queries=20, seed=0):
    """Tabulate, per ``d``: the grid size ``⌈1/ε⌉^d`` and the distance contrast (median, min–max).

    Args:
        dims: Dimensions ``d``.
        eps: Grid spacing ``ε``.
        n: Points per cloud.
        queries: Query points per ``d``.
        seed: Seed of the points.

    Returns:
        A fixed-width text table.

    """
    contrast = distance_contrast(list(dims), n=n, queries=queries, seed=seed)
    rows = []
    for d, (median, low, high) in contrast.items():
        size = grid_points(d, eps)
        size = f"{size}" if size < 10**6 else f"1e{round(math.log10(size))}"
        rows.append([d, size, median, f"{low:>8.3g}-{high:<8.3g}"])
    columns = [("d", ">5"), ("(1/eps)^d", ">10"), ("contrast", ">9.3g"), ("min-max", ">17")]
    return table(rows, columns)


def plot_contrast(contrast):
    """Plot the median contrast (and its min–max over queries) against ``d``, log–log."""
    dims = list(contrast)
    median, low, high = (torch.tensor([contrast[d][i] for d in dims]) for i in range(3))
    fig, ax = subplots(figsize=(5.6, 3.2))
    ax.fill_between(dims, low.tolist(), high.tolist(), alpha=0.25)
    ax.loglog(dims, median.tolist(), "o-")
    ax.set(xlabel="$d$", ylabel=r"$(D_{\max}-D_{\min})/D_{\min}$")
    fig.set_label(r"$(D_{\max}-D_{\min})/D_{\min}$ vs $d$")
    return fig


def _check_make_rings(n, noise, **_):
    check_int("n", n, minimum=2)
    check_float("noise", noise, minimum=0.0)


@checked(_check_make_rings)
def make_rings(n=400, noise=0.1, seed=0):
    """Two concentric rings (scikit-learn's ``make_circles``, ``factor=0.5``) as float32 tensors.

    Args:
        n: Number of points, half on each ring.
        noise: Standard deviation of the Gaussian noise added to each coordinate.
        seed: Seed of the draw.

    Returns:
        ``(x, y)``: points ``(n, 2)`` and labels ``(n,)`` in {0, 1} (1: inner ring).

    """
    x, y = make_circles(n, noise=noise, factor=0.5, random_state=offset_seed(seed))
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


# --8<-- [start:models]
def squares(x):
    """A hand-made representation ``φ(x) = (x₁², x₂²)``: a circle becomes a straight line."""
    return x**2


def make_model(kind, hidden=8):
    """``"raw"``, ``"squares"``: logistic regression on x or φ(x); ``"learned"``: a hidden layer."""
    if kind == "learned":  # the representation h = ReLU(W₁x + b₁) is learned too
        return nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, 1))
    return nn.Linear(2, 1)  # z = wᵀx + b, or wᵀφ(x) + b


def fit(model, x, y, steps=300, lr=0.05):
    """Full-batch Adam on the binary cross-entropy of the logits; return the final loss."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = nn.functional.binary_cross_entropy_with_logits(model(x).squeeze(1), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


# --8<-- [end:models]


def _check_compare_representations(seeds, steps, **_):
    if not seeds:
        raise ValueError("seeds must be a non-empty sequence of seeds")
    check_int("steps", steps, minimum=1)


@checked(_check_compare_representations)
# --8<-- [start:compare]
def compare_representations(seeds=range(5), n=400, steps=300):
    """Test accuracy of the three models of :func:`make_model`, one fresh data set per seed.

    Returns:
        ``kind → list of accuracies``, one per seed, on ``n`` new points drawn with another seed.

    """
    accuracy = {"raw": [], "squares": [], "learned": []}
    for s in seeds:
        (x, y), (x_test, y_test) = make_rings(n, seed=2 * s), make_rings(n, seed=2 * s + 1)
        for kind, scores in accuracy.items():
            phi = squares if kind == "squares" else nn.Identity()  # the representation
            with seeded(s):
                model = make_model(kind)
            fit(model, phi(x), y, steps=steps)
            with torch.no_grad():
                y_hat = (model(phi(x_test)).squeeze(1) > 0).float()  # predict 1 where z > 0
            scores.append((y_hat == y_test).float().mean().item())
    return accuracy


# --8<-- [end:compare]


def format_accuracy(accuracy):
    """One line per model: median and min–max of its accuracies, then every value."""
    rows = []
    for kind, values in accuracy.items():
        each = " ".join(f"{v:.3f}" for v in values)
        spread = f"{min(values):.3f}-{max(values):.3f}"
        rows.append([kind, statistics.median(values), spread, each])
    columns = [("model", "<8"), ("median", ">6.3f"), ("min-max", ">11"), ("per seed", "<")]
    return table(rows, columns)


def plot_rings(x, y):
    """The rings in the input space ``(x₁, x₂)`` and in the feature space ``(x₁², x₂²)``."""
    fig, axes = subplots(1, 2, figsize=(7.2, 3.4))
    spaces = ((x, "$x_1$", "$x_2$"), (x**2, "$x_1^2$", "$x_2^2$"))
    for ax, (u, xlabel, ylabel) in zip(axes, spaces, strict=True):
        for cls, marker in ((0, "o"), (1, "x")):
            pts = u[y == cls]
            ax.scatter(pts[:, 0], pts[:, 1], s=10, marker=marker, label=f"$y={cls}$")
        ax.set(xlabel=xlabel, ylabel=ylabel, aspect="equal")
    c = 0.75**2  # the circle r = 0.75, between the rings, is the line u₁ + u₂ = 0.75²
    axes[1].plot([0, c], [c, 0], "k--", lw=1)
    axes[1].legend(loc="upper right")
    fig.set_label("$(x_1, x_2)$ and $(x_1^2, x_2^2)$ for $y=0$ and $y=1$")
    return fig


@checked(_check_gradient_two_ways)
# --8<-- [start:autograd]
def gradient_two_ways(w, x, y):
    """``dL/dw`` of ``L = (w·x − y)²``: by autograd and by hand, ``2x(w·x − y)``."""
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    loss = (w * x - y) ** 2  # L(w)
    loss.backward()  # autograd: walks the graph back from L
    return w.grad.item(), 2 * x * (w.item() * x - y)  # dL/dw = 2x(wx − y), by hand


# --8<-- [end:autograd]
