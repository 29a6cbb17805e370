"""lessons.introduction.exercises: contrast, noisy rings, ReLU units, the sigmoid's gradient."""

import math

import pytest
import torch

from lessons.introduction import exercises as ex
from lessons.introduction.lesson import distance_contrast, make_rings


def test_median_contrast_matches_the_lesson_for_the_cube():
    ours = ex.median_contrast(10, n=200, queries=5, seed=3)
    lesson = distance_contrast([10], n=200, queries=5, seed=3)[10][0]
    assert ours == pytest.approx(lesson, rel=1e-12)
    assert ex.median_contrast(1000, n=200, queries=5, normal=True) < 0.5


def test_embed_keeps_the_first_two_coordinates():
    x, _ = make_rings(20, seed=0)
    e = ex.embed(x, d=10, scale=0.5, seed=1)
    assert e.shape == (20, 10) and torch.equal(e[:, :2], x)
    assert torch.equal(e, ex.embed(x, d=10, scale=0.5, seed=1))


def test_hexagon_separates_the_rings_and_is_a_hexagon():
    x, y = make_rings(400, seed=0)
    assert ex.accuracy(ex.hexagon_net(0.75), x, y) > 0.98
    net = ex.hexagon_net(0.75)
    for k in range(6):  # z = 0 at the hexagon's edge midpoints, at distance c from 0
        angle = math.pi / 2 + k * math.pi / 3
        p = 0.75 * torch.tensor([[math.cos(angle), math.sin(angle)]])
        assert net(p).item() == pytest.approx(0.0, abs=1e-6)


def test_two_unit_networks_are_monotone_across():
    torch.manual_seed(0)
    for _ in range(5):
        net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
        assert ex.monotone_across(net, unit=0) and ex.monotone_across(net, unit=1)


def test_small_runs_and_sigmoid_gradient():
    test, train = ex.compare_in_dimension(d=5, seeds=range(1), n=40, steps=5)
    assert set(test) == set(train) == {"raw", "squares", "learned"}
    assert len(ex.learned_accuracy(hidden=2, seeds=range(1), n=40, steps=5)) == 1
    auto, hand = ex.sigmoid_gradient_two_ways(0.3, -2.0)
    assert auto == pytest.approx(hand, abs=1e-15)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ex.median_contrast(0), "d"),
        (lambda: ex.median_contrast(2, n=1), "n"),
        (lambda: ex.median_contrast(2, queries=0), "queries"),
        (lambda: ex.compare_in_dimension(d=1), "d"),
        (lambda: ex.compare_in_dimension(scale=-1.0), "scale"),
        (lambda: ex.compare_in_dimension(seeds=()), "seeds"),
        (lambda: ex.compare_in_dimension(steps=0), "steps"),
        (lambda: ex.learned_accuracy(hidden=0), "hidden"),
        (lambda: ex.learned_accuracy(steps=0), "steps"),
        (lambda: ex.hexagon_net(0.0), "c"),
        (lambda: ex.monotone_across(ex.hexagon_net(), points=2), "points"),
        (lambda: ex.sigmoid_gradient_two_ways("1", 2.0), "w"),
        (lambda: ex.sigmoid_gradient_two_ways(1.0, None), "x"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
