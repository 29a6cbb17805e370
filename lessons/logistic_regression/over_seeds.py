"""Logistic regression over several seeds at once: do the seed-0 results hold for other seeds."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import torch

from lessons.checks import check_ints, checked
from lessons.logistic_regression.lesson import make_data, make_exam_data, make_model, sigmoid
from lessons.printing import table


def fit_many(x, y, w0, b0, epochs=1000, lr=0.01, mean=False) -> tuple[torch.Tensor, torch.Tensor]:
    """Full-batch gradient descent of S independent logistic models at once (by hand).

    Model s sees only its own data ``x[s], y[s]``, so the result equals S separate runs of
    :func:`lessons.logistic_regression.lesson.fit_by_hand`.

    Args:
        x: Inputs, shape (S, N, 1).
        y: Labels 0/1, shape (S, N, 1).
        w0: Initial weights, shape (S,).
        b0: Initial biases, shape (S,).
        epochs: Number of steps.
        lr: Learning rate η.
        mean: Average the loss over the N samples instead of summing it.

    Returns:
        ``(w, b)``, each of shape (S,).
    """
    w, b = w0.reshape(-1, 1, 1), b0.reshape(-1, 1, 1)
    scale = 1.0 / x.shape[1] if mean else 1.0
    for _ in range(epochs):
        r = sigmoid(w * x + b) - y  # ∂ℓ/∂z = ŷ − y, per model and sample
        w = w - lr * scale * (r * x).sum((1, 2), keepdim=True)  # w ← w − η ∂L/∂w
        b = b - lr * scale * r.sum((1, 2), keepdim=True)  # b ← b − η ∂L/∂b
    return w.flatten(), b.flatten()


def _initial(seeds: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
    models = [make_model(seed=s) for s in seeds]
    w0 = torch.tensor([m.linear.weight.item() for m in models])
    return w0, torch.tensor([m.linear.bias.item() for m in models])


def _accuracy(w, b, x, y) -> list[float]:
    pred = (sigmoid(w.reshape(-1, 1, 1) * x + b.reshape(-1, 1, 1)) >= 0.5).to(y.dtype)
    return (pred == y).float().mean((1, 2)).tolist()


def _check_seeds(seeds) -> None:
    check_ints("seeds", seeds, minimum=0)


def _check_course_over_seeds(seeds) -> None:
    _check_seeds(seeds)


@checked(_check_course_over_seeds)
def course_over_seeds(seeds: Sequence[int] = range(5)) -> dict[str, list[float]]:
    """The course run (3 students, 1000 steps, η = 0.01, sum) from each seed's initial w, b.

    Args:
        seeds: Seeds of the initial weights.

    Returns:
        Lists, one entry per seed: ``w``, boundary ``x*``, accuracy and ŷ at x = 4.
    """
    x, y = make_data()
    xs, ys = x.expand(len(seeds), -1, -1), y.expand(len(seeds), -1, -1)
    w, b = fit_many(xs, ys, *_initial(seeds), epochs=1000, lr=0.01)
    return {
        "w": w.tolist(),
        "x*": (-b / w).tolist(),
        "accuracy": _accuracy(w, b, xs, ys),
        "y_hat(4)": sigmoid(4 * w + b).tolist(),
    }


def _check_exam_over_seeds(seeds) -> None:
    _check_seeds(seeds)


@checked(_check_exam_over_seeds)
def exam_over_seeds(seeds: Sequence[int] = range(5)) -> dict[str, list[float]]:
    """The noisy run (200 students, 2000 steps, η = 0.1, mean), new data and init per seed.

    Args:
        seeds: Seeds of the data and of the initial weights.

    Returns:
        Lists, one entry per seed: boundary ``x*`` (true: 5) and training accuracy.
    """
    data = [make_exam_data(n=200, seed=s) for s in seeds]
    xs, ys = torch.stack([d[0] for d in data]), torch.stack([d[1] for d in data])
    w, b = fit_many(xs, ys, *_initial(seeds), epochs=2000, lr=0.1, mean=True)
    return {"x*": (-b / w).tolist(), "accuracy": _accuracy(w, b, xs, ys)}


def format_over_seeds(stats: dict[str, list[float]]) -> str:
    """One line per quantity: median and [min, max] over the seeds.

    Args:
        stats: What :func:`course_over_seeds` or :func:`exam_over_seeds` returns.

    Returns:
        A text table.
    """
    n = len(next(iter(stats.values())))
    # Two spaces between the median and the range: ``sep`` gives one, the range's text the other.
    rows = [
        [name, statistics.median(v), f" [{min(v):.4f}, {max(v):.4f}]"] for name, v in stats.items()
    ]
    columns = [("", ">9"), ("median", "8.4f"), (f" [min, max] over {n} seeds", "<")]
    return table(rows, columns, sep=" ")
