"""Exercises of the linear-model lesson: closed-form w*, grid precision, memory, model choice."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.checks import check_float, check_int, check_ints, checked
from lessons.linear_model.model_selection import make_noisy_data, select_model
from lessons.printing import table


def _check_best_w(xs: Sequence[float], ys: Sequence[float], **_) -> None:
    if len(xs) == 0:
        raise ValueError("xs must not be empty")
    if len(xs) != len(ys):
        raise ValueError(f"ys must have the same length as xs, got {len(ys)} and {len(xs)}")
    if not any(x != 0 for x in xs):
        raise ValueError("xs must not be all zero (Σ x² = 0)")


@checked(_check_best_w)
# --8<-- [start:best_w]
def best_w(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Minimizer of J(w) = (1/N)·Σ (x_n·w − y_n)²: w* = Σ x_n·y_n / Σ x_n².

    Args:
        xs: Inputs x_n.
        ys: Targets y_n.

    Returns:
        The exact minimizer w*.
    """
    sxy = sum(x * y for x, y in zip(xs, ys, strict=True))  # Σ x·y
    sxx = sum(x * x for x in xs)  # Σ x²
    return sxy / sxx  # w* = Σ x·y / Σ x²


# --8<-- [end:best_w]


def _check_curvature(xs: Sequence[float], ys: Sequence[float], **_) -> None:
    _check_best_w(xs, ys)  # the same data as best_w's


@checked(_check_curvature)
# --8<-- [start:curvature]
def curvature(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Half the second derivative of J(w): a = (1/N)·Σ x_n², so J(w) = J(w*) + a·(w − w*)².

    Args:
        xs: Inputs x_n.
        ys: Targets y_n (unused; kept so the call mirrors :func:`best_w`).

    Returns:
        The coefficient a.
    """
    return sum(x * x for x in xs) / len(xs)  # a = (1/N)·Σ x²


# --8<-- [end:curvature]


def _check_grid_error_bound(step: float, **_) -> None:
    check_float("step", step, minimum=0.0, strict=True)


@checked(_check_grid_error_bound)
# --8<-- [start:grid_error_bound]
def grid_error_bound(step: float) -> float:
    """Largest distance |w − w*| from a w* inside a grid of spacing ``step`` to the nearest node.

    Args:
        step: Grid spacing h > 0.

    Returns:
        h / 2.
    """
    return step / 2  # |w − w*| ≤ h/2


# --8<-- [end:grid_error_bound]


def _check_grid_numel(points: int, n_params: int, n_samples: int, **_) -> None:
    check_int("points", points, minimum=1)
    check_int("n_params", n_params, minimum=1)
    check_int("n_samples", n_samples, minimum=1)


@checked(_check_grid_numel)
# --8<-- [start:grid_numel]
def grid_numel(points: int, n_params: int, n_samples: int) -> int:
    """Elements of the broadcast prediction ŷ for a grid of ``points`` per parameter.

    Args:
        points: Grid points per parameter.
        n_params: Number of parameters searched.
        n_samples: Number of samples N.

    Returns:
        points ** n_params · N.
    """
    return points**n_params * n_samples  # W · B · … · N


# --8<-- [end:grid_numel]


def _check_selection_sweep(seeds: Sequence[int], noise: float, n: int = 40, **_) -> None:
    check_ints("seeds", seeds, minimum=0)
    check_float("noise", noise, minimum=0.0)
    check_int("n", n, minimum=10)


@checked(_check_selection_sweep)
# --8<-- [start:selection_sweep]
def selection_sweep(seeds: Sequence[int], noise: float, n: int = 40) -> list[dict[str, float]]:
    """Run ``select_model`` on ``make_noisy_data(n, noise, seed)`` for each seed.

    Args:
        seeds: Seeds for both the data and the split.
        noise: Standard deviation of ε.
        n: Number of samples.

    Returns:
        One dict per seed: ``seed``, ``dev_xw``, ``dev_xwb``, ``gap`` (= dev_xw − dev_xwb)
        and ``winner`` (1.0 if ŷ = xw + b wins, else 0.0).
    """
    rows = []
    for seed in seeds:
        x, y = make_noisy_data(n=n, noise=noise, seed=seed)
        r = select_model(x, y, seed=seed)
        gap = r["xw"]["dev"] - r["xw+b"]["dev"]  # > 0: the bias helps on the dev set
        rows.append(
            {
                "seed": seed,
                "dev_xw": r["xw"]["dev"],
                "dev_xwb": r["xw+b"]["dev"],
                "gap": gap,
                "winner": float(gap > 0),
            }
        )
    return rows


# --8<-- [end:selection_sweep]


def format_sweep(rows: list[dict[str, float]]) -> str:
    """Format :func:`selection_sweep` rows, with the median gap and the number of wins of xw+b."""
    columns = [("seed", "d"), ("J_dev(xw)", ".3f"), ("J_dev(xw+b)", ".3f"), ("gap", ".3f")]
    cells = [(r["seed"], r["dev_xw"], r["dev_xwb"], r["gap"]) for r in rows]
    gaps = [r["gap"] for r in rows]
    wins = int(sum(r["winner"] for r in rows))
    foot = [f"median gap {float(np.median(gaps)):.3f}, xw+b wins {wins}/{len(rows)}"]
    return table(cells, columns, foot=foot)


def _check_memory_gib(numel: int, bytes_per_element: int, **_) -> None:
    check_int("numel", numel, minimum=0)
    check_int("bytes_per_element", bytes_per_element, minimum=1)


@checked(_check_memory_gib)
# --8<-- [start:memory_gib]
def memory_gib(numel: int, bytes_per_element: int = 8) -> float:
    """Memory of ``numel`` elements in GiB (2³⁰ bytes).

    Args:
        numel: Number of elements.
        bytes_per_element: 8 for float64.

    Returns:
        The size in GiB.
    """
    return numel * bytes_per_element / 2**30  # 1 GiB = 2³⁰ bytes


# --8<-- [end:memory_gib]
