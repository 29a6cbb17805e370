"""Tests of lessons.linear_model.model_selection: noisy data, splits, choosing on the dev set, its
spread.
"""

from __future__ import annotations

import math
import statistics

import pytest
import torch

from lessons.linear_model import model_selection as ms


def test_make_noisy_data_shapes_and_reproducibility():
    x, y = ms.make_noisy_data(n=40, seed=0)
    assert x.shape == y.shape == (40,) and x.dtype == torch.float64
    assert float(x.min()) >= 0.0 and float(x.max()) <= 4.0
    x2, y2 = ms.make_noisy_data(n=40, seed=0)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert not torch.equal(y, ms.make_noisy_data(n=40, seed=1)[1])
    x0, y0 = ms.make_noisy_data(n=10, noise=0.0)
    torch.testing.assert_close(y0, 2.0 * x0 + 1.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"n": 1}, ValueError, "n"),
        ({"n": 4.0}, TypeError, "n"),
        ({"noise": -1.0}, ValueError, "noise"),
        ({"w": "2"}, TypeError, "w"),
        ({"b": float("nan")}, ValueError, "b"),
        ({"seed": -1}, ValueError, "seed"),
        ({"device": "tpu0"}, ValueError, "device"),
    ],
)
def test_make_noisy_data_validates(kwargs, error, name):
    with pytest.raises(error, match=name):
        ms.make_noisy_data(**kwargs)


def test_split_indices_partition():
    train, dev, test = ms.split_indices(40, 8, 8, seed=0)
    assert (len(train), len(dev), len(test)) == (24, 8, 8)
    together = torch.cat([train, dev, test]).sort().values
    assert torch.equal(together, torch.arange(40))
    assert torch.equal(train, ms.split_indices(40, 8, 8, seed=0)[0])


def test_select_model_prefers_bias_and_recovers_parameters():
    x, y = ms.make_noisy_data(n=40, seed=0)
    result = ms.select_model(x, y, seed=0)
    assert result["xw"]["b"] == 0.0 and "test" not in result["xw"]
    best = result["xw+b"]
    assert best["dev"] < result["xw"]["dev"]
    assert abs(best["w"] - 2.0) < 0.1 and abs(best["b"] - 1.0) < 0.2
    assert best["dev"] == pytest.approx(0.112, abs=5e-4)  # quoted on the page
    assert best["test"] == pytest.approx(0.114, abs=5e-4)
    assert result["xw"]["dev"] == pytest.approx(0.246, abs=5e-4)
    assert result["xw"]["w"] == pytest.approx(2.46, abs=1e-9)
    assert all(math.isfinite(v) for v in best.values())
    assert "xw+b" in ms.format_selection(result)


@pytest.fixture(scope="module")
def spread():
    return ms.dev_spread()


def test_dev_spread_numbers_quoted_on_the_page(spread):
    """The linear-model page quotes these, rounded to 3 digits (tolerance 5e-4)."""
    small, large = spread[40], spread[200]
    assert len(small["dev_xw+b"]) == 20 and len(small["test"]) == 20
    dev = small["dev_xw+b"]
    assert statistics.median(dev) == pytest.approx(0.293, abs=5e-4)
    assert (min(dev), max(dev)) == pytest.approx((0.109, 0.657), abs=5e-4)
    assert small["chosen"].count("xw") == 1
    assert statistics.stdev(dev) == pytest.approx(0.161, abs=5e-4)
    dev2 = large["dev_xw+b"]
    assert (min(dev2), max(dev2)) == pytest.approx((0.152, 0.403), abs=5e-4)
    assert large["chosen"].count("xw") == 0


def test_dev_spread_is_wide_for_eight_samples(spread):
    """8 dev samples: the estimate of σ² = 0.25 has SD σ²·√(2/8) = 0.125; 40 samples: 0.056."""
    assert max(spread[40]["dev_xw+b"]) > 2 * min(spread[40]["dev_xw+b"]) * 2.5
    assert statistics.stdev(spread[40]["dev_xw+b"]) > 2 * statistics.stdev(spread[200]["dev_xw+b"])
    assert "1/20" in ms.format_spread(spread)


def test_dev_cost_sd_matches_theory():
    """Sample mean of 8 squared N(0, σ²) errors: SD σ²·√(2/8); 400 draws, 20% tolerance."""
    g = torch.Generator().manual_seed(0)
    est = (0.5 * torch.randn(400, 8, generator=g, dtype=torch.float64)).pow(2).mean(1)
    assert float(est.std()) == pytest.approx(0.25 * math.sqrt(2 / 8), rel=0.2)
    assert float(est.mean()) == pytest.approx(0.25, rel=0.1)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"ns": ()}, ValueError, "ns"),
        ({"ns": (3,)}, ValueError, "ns"),
        ({"seeds": [-1]}, ValueError, "seeds"),
        ({"noise": -0.1}, ValueError, "noise"),
    ],
)
def test_dev_spread_validates(kwargs, error, name):
    with pytest.raises(error, match=name):
        ms.dev_spread(**kwargs)
