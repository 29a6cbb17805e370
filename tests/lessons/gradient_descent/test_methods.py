"""Tests of lessons.gradient_descent.methods: the method comparison and the saddle escape over five
seeds.
"""

from __future__ import annotations

import statistics

import pytest

from lessons.gradient_descent import methods as gm


@pytest.fixture(scope="module")
def stats():
    return gm.methods_over_seeds(seeds=range(5))


def test_ranking_holds_for_every_seed(stats):
    """After 30 epochs: B = 8 < B = 1 < B = 64 in excess cost, for each of seeds 0-4."""
    for s in range(5):
        assert stats[8]["final"][s] < stats[1]["final"][s] < stats[64]["final"][s]
        assert stats[1]["first"][s] < stats[8]["first"][s] < stats[64]["first"][s]
    assert max(stats[8]["late_max"]) < 2e-4  # mini-batch stays low
    assert min(stats[1]["late_max"]) > 8e-3 and max(stats[1]["late_max"]) < 3e-2  # SGD bounces


def test_medians_quoted_on_the_page(stats):
    """Page quotes medians 1.1e-5, 1.5e-3, 4.5e-2 (final) and 1.8e-3 (SGD, epoch 1); rel 5%."""
    assert statistics.median(stats[8]["final"]) == pytest.approx(1.1e-5, rel=0.05)
    assert statistics.median(stats[1]["final"]) == pytest.approx(1.5e-3, rel=0.05)
    assert statistics.median(stats[64]["final"]) == pytest.approx(4.5e-2, rel=0.05)
    assert statistics.median(stats[1]["first"]) == pytest.approx(1.8e-3, rel=0.05)
    assert "over 5 seeds" in gm.format_methods(stats)


def test_saddle_escapes_for_every_seed():
    steps = gm.saddle_escapes(seeds=range(5))
    assert None not in steps and (min(steps), max(steps)) == (21, 46)
    assert gm.saddle_escapes(seeds=[0], noise=0.0) == [None]  # no noise: never leaves


@pytest.mark.parametrize(
    ("fn", "kwargs", "error", "match"),
    [
        (gm.methods_over_seeds, {"seeds": []}, ValueError, "seeds"),
        (gm.methods_over_seeds, {"seeds": [1.5]}, TypeError, "seeds"),
        (gm.saddle_escapes, {"seeds": [-1]}, ValueError, "seeds"),
        (gm.saddle_escapes, {"level": 0.0}, ValueError, "level"),
    ],
)
def test_bad_arguments(fn, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(**kwargs)
