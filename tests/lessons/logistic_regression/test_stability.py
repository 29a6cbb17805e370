"""Tests of :mod:`lessons.logistic_regression.stability`.

Float32 saturation of BCELoss(σ(z)) vs BCEWithLogitsLoss.
"""

from __future__ import annotations

import math

import pytest
import torch

from lessons.logistic_regression import stability as bs


def test_logits_table_saturates_in_float32():
    table = bs.logits_table([20.0, 0.0, -120.0], [0, 0, 1])
    assert "100.0000000" in table and "20.0000000" in table and "120.0000000" in table


@pytest.mark.parametrize("z", [-60.0, -5.0, 0.0, 3.0, 30.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_with_logits_gradient_is_sigmoid_minus_y_float64(z, y):
    """dℓ/dz of BCEWithLogitsLoss equals σ(z) − y; float64, tolerance 1e-15."""
    zt = torch.tensor([z], dtype=torch.float64, requires_grad=True)
    torch.nn.BCEWithLogitsLoss()(zt, torch.tensor([y], dtype=torch.float64)).backward()
    exact = 1 / (1 + math.exp(-z)) - y
    assert zt.grad.item() == pytest.approx(exact, abs=1e-15)


def test_two_routes_numbers_quoted_on_the_page():
    """The page quotes these (rounded; relative tolerance 1%)."""
    r16 = bs.two_routes(16.0, 0.0)
    assert r16["y_hat"] < 1.0 and r16["dl_dyhat"] == pytest.approx(8.39e6, rel=0.01)
    assert r16["dl_dz_bce"] == pytest.approx(1.0, abs=1e-6)  # σ' cancels the huge factor
    r17 = bs.two_routes(17.0, 0.0)
    assert r17["y_hat"] == 1.0  # σ(17) rounds to exactly 1 in float32
    assert r17["dl_dyhat"] == pytest.approx(1e12, rel=1e-6)  # divisor clamped at 1e-12
    assert r17["dl_dz_bce"] == 0.0 and r17["dl_dz_logits"] == 1.0
    assert bs.two_routes(-28.0, 1.0)["dl_dz_bce"] == pytest.approx(-0.6914, rel=0.01)
    assert bs.two_routes(-40.0, 1.0)["dl_dz_bce"] == pytest.approx(-4.248e-6, rel=0.01)
    r120 = bs.two_routes(-120.0, 1.0)
    assert r120["y_hat"] == 0.0 and r120["dl_dz_bce"] == 0.0 and r120["dl_dz_logits"] == -1.0


def test_clamp_starts_shrinking_the_gradient_near_ln_1e_minus_12():
    """For y = 1, BCELoss's dℓ/dz leaves −1 (by > 1%) first near z = ln 1e-12 ≈ −27.6 (±0.1)."""
    zs = [-20.0 - 0.05 * k for k in range(400)]
    first = next(z for z in zs if abs(bs.two_routes(z, 1.0)["dl_dz_bce"] + 1.0) > 0.01)
    assert first == pytest.approx(math.log(1e-12), abs=0.1)
    assert math.log(1e-12) == pytest.approx(-27.6, abs=0.05)


def test_gradient_table():
    text = bs.gradient_table([16.0, 17.0], [0, 0])
    assert text.count("\n") == 2 and "1e+12" in text


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([1.0], []), ValueError, "logits"),
        (([], []), ValueError, "logits"),
        ((["a"], [0]), TypeError, "logits"),
        (([1.0], [2]), ValueError, "labels"),
    ],
)
def test_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        bs.logits_table(*args)
    with pytest.raises(error, match=match):
        bs.gradient_table(*args)
