"""Tests of lessons.logistic_regression.over_seeds: batched fits equal separate runs; numbers the
page quotes.
"""

from __future__ import annotations

import pytest
import torch

from lessons.logistic_regression import lesson as lg
from lessons.logistic_regression import over_seeds as ls


def test_fit_many_equals_separate_fits_float64():
    """Each batched model equals fit_by_hand on its own data; float64, tolerance 1e-12."""
    x, y = lg.make_data(dtype=torch.float64)
    w0 = torch.tensor([0.3, -1.0], dtype=torch.float64)
    b0 = torch.tensor([0.1, 0.5], dtype=torch.float64)
    xs, ys = x.expand(2, -1, -1), y.expand(2, -1, -1)
    w, b = ls.fit_many(xs, ys, w0, b0, epochs=200, lr=0.05)
    for s in range(2):
        ws, bs, _ = lg.fit_by_hand(x, y, w0[s].item(), b0[s].item(), epochs=200, lr=0.05)
        assert w[s].item() == pytest.approx(ws, abs=1e-12)
        assert b[s].item() == pytest.approx(bs, abs=1e-12)


def test_course_over_seeds_quoted_on_the_page():
    """The page quotes: all 3 right for every seed, x* ≈ 2.41–2.42, ŷ(4) 0.85–0.89 (±5e-3)."""
    stats = ls.course_over_seeds(range(5))
    assert stats["accuracy"] == [1.0] * 5
    assert min(stats["x*"]) == pytest.approx(2.41, abs=5e-3)
    assert max(stats["x*"]) == pytest.approx(2.42, abs=5e-3)
    assert min(stats["y_hat(4)"]) == pytest.approx(0.85, abs=5e-3)
    assert max(stats["y_hat(4)"]) == pytest.approx(0.89, abs=5e-3)
    assert "median" in ls.format_over_seeds(stats)


def test_exam_over_seeds_quoted_on_the_page():
    """The page quotes x* in [4.65, 5.07] and accuracy in [0.90, 0.935] (±5e-3)."""
    stats = ls.exam_over_seeds(range(5))
    assert (min(stats["x*"]), max(stats["x*"])) == pytest.approx((4.65, 5.07), abs=5e-3)
    assert (min(stats["accuracy"]), max(stats["accuracy"])) == pytest.approx(
        (0.90, 0.935), abs=5e-3
    )
    assert max(stats["accuracy"]) < 1.0


def test_seeds_bad_arguments():
    with pytest.raises(ValueError, match="seeds"):
        ls.course_over_seeds([])
    with pytest.raises(ValueError, match="seeds"):
        ls.exam_over_seeds([-1])
