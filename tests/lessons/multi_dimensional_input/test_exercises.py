"""Tests of lessons.multi_dimensional_input.exercises: splits, BCE forms, two-layer gradients."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from lessons.multi_dimensional_input import exercises as ex
from lessons.multi_dimensional_input.lesson import load_split


def test_train_scaling_reproduces_the_lesson():
    a, b = load_split(seed=2), ex.load_split_scaled("train", seed=2)
    pairs = zip(dataclasses.astuple(a), dataclasses.astuple(b), strict=True)
    assert all(torch.equal(p, q) for p, q in pairs)


def test_raw_and_leaky_splits_hold_the_same_rows():
    lesson = load_split(seed=1, dtype=torch.float64)
    raw = ex.load_split_scaled("none", seed=1, dtype=torch.float64)
    leaky = ex.load_split_scaled("all", seed=1, dtype=torch.float64)
    assert torch.equal(raw.y_val, lesson.y_val) and torch.equal(leaky.y_test, lesson.y_test)
    mu, s = raw.x_train.mean(0), raw.x_train.std(0, unbiased=False)
    assert torch.allclose((raw.x_val - mu) / s, lesson.x_val, atol=1e-10)
    assert raw.x_train.max() > 1000  # raw areas


def test_scaling_shift_is_small():
    d_mu, d_s = ex.scaling_shift(0)
    assert 0 < d_mu < 0.2 and 0 < d_s < 0.5


def test_bce_forms():
    z = torch.tensor([-3.0, 0.0, 2.0], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="none")
    assert torch.allclose(ex.bce_literal(z, y), expected, rtol=1e-12)
    assert torch.allclose(ex.bce_softplus(z, y), expected, rtol=1e-12)
    big = torch.tensor([20.0])
    assert ex.bce_literal(big, torch.zeros(1)).item() == float("inf")
    assert ex.bce_softplus(big, torch.zeros(1)).item() == pytest.approx(20.0)


def test_two_layer_grads_match_autograd():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(20, 5, generator=g, dtype=torch.float64)
    y = (torch.rand(20, 1, generator=g) > 0.5).double()
    params = {
        "w1": torch.randn(5, 7, generator=g, dtype=torch.float64),
        "b1": torch.randn(7, generator=g, dtype=torch.float64),
        "w2": torch.randn(7, 1, generator=g, dtype=torch.float64),
        "b2": torch.randn(1, generator=g, dtype=torch.float64),
    }
    out = ex.two_layer_grads(x, y, **params)
    leaves = {k: v.clone().requires_grad_() for k, v in params.items()}
    z = (x @ leaves["w1"] + leaves["b1"]).clamp(min=0) @ leaves["w2"] + leaves["b2"]
    loss = torch.nn.BCEWithLogitsLoss()(z, y)
    loss.backward()
    assert out["loss"].item() == pytest.approx(loss.item(), rel=1e-12)
    for k in params:
        assert torch.allclose(out[k], leaves[k].grad, rtol=1e-10, atol=1e-12)  # float64


def test_steady_lrs():
    rows = ex.steady_lrs(ex.load_split_scaled("train", 0), [0.5], epochs=20)
    assert rows[0]["ups"] == 0 and rows[0]["finite"] and rows[0]["acc_val"] > 0.9


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ex.load_split_scaled("median"), "scaling"),
        (lambda: ex.load_split_scaled("train", seed=-1), "seed"),
        (lambda: ex.scaling_shift(-1), "seed"),
        (lambda: ex.two_layer_grads(torch.zeros(3, 2), 0, torch.zeros(3, 4), 0, 0, 0), "w1"),
        (lambda: ex.steady_lrs(None, []), "lrs"),
        (lambda: ex.steady_lrs(None, [0.0]), "lrs"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
