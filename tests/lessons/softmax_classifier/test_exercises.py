"""lessons.softmax_classifier.exercises: two-class softmax, overflow, the loss floor, confidence."""

import math

import pytest
import torch

from lessons import digits
from lessons.digits import make_mlp
from lessons.softmax_classifier import exercises as ex
from lessons.softmax_classifier.lesson import cross_entropy, softmax_naive


def test_two_class_softmax_is_the_sigmoid_of_the_difference():
    assert ex.two_class_gap(n=200, seed=1) < 1e-15  # float64 rounding


def test_first_nan_logit_is_ln_of_the_largest_float32():
    z = ex.first_nan_logit()
    assert z == pytest.approx(math.log(torch.finfo(torch.float32).max), abs=1e-5)
    assert torch.isnan(softmax_naive(torch.tensor([z]))).all()


def test_loss_floor_is_reached_by_a_one_hot_input():
    s = torch.zeros(1, 10, dtype=torch.float64)
    s[0, 3] = 1.0
    floor = cross_entropy(s, torch.tensor([3])).item()
    assert ex.loss_floor(10) == pytest.approx(floor, rel=1e-12)
    assert ex.loss_floor(2) == pytest.approx(math.log(1 + 1 / math.e), rel=1e-12)


def test_softmax_mlp_outputs_probabilities():
    p = ex.make_softmax_mlp(0)(torch.randn(4, 64, generator=torch.Generator().manual_seed(0)))
    assert torch.allclose(p.sum(1), torch.ones(4), atol=1e-6)


def test_least_confident_is_sorted_and_error_rates_are_fractions():
    data = digits.load(flat=True)
    model = make_mlp(0)
    idx, top, pred = ex.least_confident(model, data.x_val, n=5)
    assert len(idx) == 5 and torch.all(top[:-1] <= top[1:]) and pred.dtype == torch.long
    low, overall = ex.error_rates(model, data, n=5)
    assert 0 <= low <= 1 and 0 <= overall <= 1


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ex.two_class_gap(n=0), "n"),
        (lambda: ex.loss_floor(k=1), "k"),
        (lambda: ex.loss_floor(k=2.0), "k"),
        (lambda: ex.least_confident(make_mlp(0), torch.zeros(2, 64), n=0), "n"),
        (lambda: ex.error_rates(make_mlp(0), None, n=0), "n"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
