"""Tests of :mod:`lessons.numpy_to_nn_module.small_net`.

The notes' small network, stacked seeds, nn.Linear on any shape.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from lessons.numpy_to_nn_module import small_net as sn


def test_curve_data_shapes_and_noise():
    x, y = sn.make_curve_data(n=100, seed=0)
    assert x.shape == y.shape == (100, 1)
    assert x[0, 0] == -1.0 and x[-1, 0] == 1.0
    noise = y - x.pow(2)
    assert float(noise.min()) >= 0.0 and float(noise.max()) <= sn.NOISE
    assert not torch.equal(y, sn.make_curve_data(seed=1)[1])


def test_net_forward_matches_manual_float64():
    """Net(x) = W₂ relu(W₁x + b₁) + b₂ in float64 (tolerance 1e-12)."""
    net = sn.Net(1, 10, 1).double()
    x = torch.linspace(-1, 1, 7, dtype=torch.float64).unsqueeze(1)
    h = torch.clamp(x @ net.hidden.weight.T + net.hidden.bias, min=0)
    expected = h @ net.predict.weight.T + net.predict.bias
    torch.testing.assert_close(net(x), expected, rtol=0, atol=1e-12)


def test_train_net_fits_the_parabola():
    model, losses = sn.train_net(steps=1000, lr=0.2, seed=0)
    assert losses[-1] < losses[0] / 50
    assert losses[-1] < 2 * sn.noise_floor()
    assert isinstance(sn.plot_fit(model), Figure)
    plt.close("all")


def test_final_losses_equal_separate_runs():
    """Stacked SGD over seeds equals separate train_net runs (float32, rel 1e-5)."""
    stacked = sn.final_losses(seeds=[0, 2], steps=200)
    for s, v in zip((0, 2), stacked, strict=True):
        assert v == pytest.approx(sn.train_net(steps=200, seed=s)[1][-1], rel=1e-5)


def test_final_losses_quoted_on_the_page():
    """The page quotes: median 0.0038, range 0.0032-0.0041, noise floor 0.0033 (±1e-4)."""
    losses = sn.final_losses(seeds=range(5))
    text = sn.format_losses(losses)
    assert "median 0.0037" in text or "median 0.0038" in text
    assert min(losses) == pytest.approx(0.0032, abs=1e-4)
    assert max(losses) == pytest.approx(0.0041, abs=1e-4)
    assert sn.noise_floor() == pytest.approx(0.0033, abs=1e-4)


def test_linear_accepts_any_leading_shape():
    text = sn.linear_shapes()
    assert "(5, 4, 3)" in text and "(5, 4, 2)" in text and text.endswith("True")
    layer = nn.Linear(1, 10)
    with pytest.raises(RuntimeError):
        layer(torch.linspace(-1, 1, 100))  # last dimension 100 is not in_features = 1


@pytest.mark.parametrize(
    ("fn", "kwargs", "error", "match"),
    [
        (sn.train_net, {"steps": 0}, ValueError, "steps"),
        (sn.train_net, {"lr": 0}, ValueError, "lr"),
        (sn.train_net, {"n_hidden": 1.5}, TypeError, "n_hidden"),
        (sn.final_losses, {"seeds": []}, ValueError, "seeds"),
        (sn.final_losses, {"seeds": [-2]}, ValueError, "seeds"),
        (sn.linear_shapes, {"in_features": 0}, ValueError, "in_features"),
        (sn.linear_shapes, {"out_features": "2"}, TypeError, "out_features"),
    ],
)
def test_bad_arguments(fn, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(**kwargs)
