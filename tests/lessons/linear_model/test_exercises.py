"""Tests of lessons.linear_model.exercises: closed-form w*, grid bounds, sizes, model choice."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lessons.linear_model import exercises as ex
from lessons.linear_model.lesson import X_DATA, Y_DATA, mse, search_w


def test_best_w_matches_least_squares():
    rng = np.random.default_rng(0)
    xs, ys = rng.normal(size=7), rng.normal(size=7)
    expected = np.linalg.lstsq(xs[:, None], ys, rcond=None)[0][0]
    assert ex.best_w(list(xs), list(ys)) == pytest.approx(expected, rel=1e-12)
    assert ex.best_w(X_DATA, Y_DATA) == 2.0


def test_best_w_zeroes_the_autograd_gradient():
    ys = (3.0, 5.0, 7.0)
    w = torch.tensor(ex.best_w(X_DATA, ys), dtype=torch.float64, requires_grad=True)
    x, y = torch.tensor(X_DATA, dtype=torch.float64), torch.tensor(ys, dtype=torch.float64)
    torch.nn.functional.mse_loss(x * w, y).backward()
    assert abs(w.grad.item()) < 1e-12  # float64 rounding


def test_curvature_gives_the_exact_quadratic():
    a, w_star = ex.curvature(X_DATA, (3.0, 5.0, 7.0)), ex.best_w(X_DATA, (3.0, 5.0, 7.0))
    for w in (0.0, 1.3, 4.0):
        expected = mse(X_DATA, (3.0, 5.0, 7.0), w_star) + a * (w - w_star) ** 2
        assert mse(X_DATA, (3.0, 5.0, 7.0), w) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("step", [0.1, 0.3, 0.7])
def test_grid_error_bound_holds(step):
    ws, costs = search_w(X_DATA, Y_DATA, ws=np.arange(0.0, 4.1, step))
    assert abs(ws[int(np.argmin(costs))] - 2.0) <= ex.grid_error_bound(step) + 1e-12


def test_grid_numel_and_memory():
    assert (
        ex.grid_numel(401, 2, 3) == torch.broadcast_shapes((401, 1, 1), (1, 401, 1), (3,)).numel()
    )
    assert ex.grid_numel(401, 3, 3) == 193_443_603
    assert ex.memory_gib(2**27) == 1.0


def test_selection_sweep_rows():
    rows = ex.selection_sweep([0, 1], noise=0.5)
    assert [r["seed"] for r in rows] == [0, 1]
    assert all(r["gap"] == pytest.approx(r["dev_xw"] - r["dev_xwb"]) for r in rows)
    assert rows[0]["winner"] == 1.0  # seed 0 at noise 0.5: the lesson's result, xw+b wins
    assert "wins 2/2" in ex.format_sweep(rows)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ex.best_w([], []), "xs"),
        (lambda: ex.best_w([1.0], [1.0, 2.0]), "ys"),
        (lambda: ex.best_w([0.0, 0.0], [1.0, 2.0]), "xs"),
        (lambda: ex.grid_error_bound(0.0), "step"),
        (lambda: ex.grid_numel(0, 2, 3), "points"),
        (lambda: ex.grid_numel(4, 0, 3), "n_params"),
        (lambda: ex.grid_numel(4, 2, 1.5), "n_samples"),
        (lambda: ex.selection_sweep([], 0.5), "seeds"),
        (lambda: ex.selection_sweep([-1], 0.5), "seeds"),
        (lambda: ex.selection_sweep([0], -1.0), "noise"),
        (lambda: ex.selection_sweep([0], 1.0, n=3), "n"),
        (lambda: ex.memory_gib(-1), "numel"),
        (lambda: ex.memory_gib(1, 0), "bytes_per_element"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
