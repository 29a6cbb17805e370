"""Tests of lessons.logistic_regression.exercises: fast GD, logits, MSE derivative, scaling."""

from __future__ import annotations

import pytest
import torch
from matplotlib.figure import Figure

from lessons.logistic_regression import exercises as ex
from lessons.logistic_regression.lesson import (
    fit_by_hand,
    make_data,
    make_exam_data,
    make_model,
    train,
)


def test_fit_fast_matches_fit_by_hand():
    x, y = make_data(torch.float64)
    w, b, _ = fit_by_hand(x, y, 0.3, -0.2, epochs=500, lr=0.01)
    (r,) = ex.fit_fast([1.0, 2.0, 3.0], [0, 0, 1], 0.3, -0.2, checkpoints=[500])
    assert r["w"] == pytest.approx(w, abs=1e-12) and r["b"] == pytest.approx(b, abs=1e-12)
    loss = torch.nn.BCELoss(reduction="sum")(torch.sigmoid(r["w"] * x + r["b"]), y).item()
    assert r["loss"] == pytest.approx(loss, rel=1e-12)
    assert r["x_star"] == pytest.approx(-r["b"] / r["w"])


def test_fit_fast_checkpoints_continue():
    a = ex.fit_fast([1.0, 3.0], [0, 1], 0.0, 0.0, checkpoints=[10, 30])
    b = ex.fit_fast([1.0, 3.0], [0, 1], 0.0, 0.0, checkpoints=[30])
    assert a[1]["w"] == b[0]["w"] and a[0]["epochs"] == 10


def test_logit_model_matches_probability_model():
    logit, prob = ex.make_logit_model(3), make_model(3)
    assert torch.equal(logit.linear.weight, prob.linear.weight)
    x = torch.linspace(-2, 2, 5).reshape(-1, 1)
    assert torch.allclose(torch.sigmoid(logit(x)), prob(x))


def test_mse_dz_matches_autograd():
    z = torch.linspace(-15, 5, 9, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.0, 0.0] * 4 + [1.0], dtype=torch.float64)
    ex.mse_sum(torch.sigmoid(z), y).backward()
    assert torch.allclose(z.grad, ex.mse_dz(z.detach(), y), rtol=1e-12, atol=1e-15)


def test_set_parameters():
    m = ex.set_parameters(make_model(0), -5.0, 0.5)
    assert m.linear.weight.item() == -5.0 and m.linear.bias.item() == 0.5


def test_fit_mean_gd_matches_torch_sgd():
    x, y = make_exam_data(n=50, seed=1)
    model = make_model(1).double()
    w0, b0 = model.linear.weight.item(), model.linear.bias.item()
    expected = train(model, x.double(), y.double(), epochs=20, lr=0.1, reduction="mean")
    assert ex.fit_mean_gd(x, y, w0, b0, 20, 0.1) == pytest.approx(expected, rel=1e-12)
    assert len(ex.fit_mean_gd(x, y, w0, b0, 100, 0.1, until=1e3)) == 1


def test_standardize_and_condition():
    x, _ = make_exam_data(n=100, seed=0)
    xs = ex.standardize(x)
    assert abs(xs.mean().item()) < 1e-6 and xs.std().item() == pytest.approx(1.0, rel=1e-6)
    assert ex.hessian_condition(x, 1.5, -7.5) > 100 * ex.hessian_condition(xs, 3.0, 0.0)


def test_plot_losses():
    fig = ex.plot_losses({"$a$": [1.0, 0.5]})
    assert isinstance(fig, Figure) and fig.get_label()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ex.fit_fast([], [], 0.0, 0.0, [1]), "xs"),
        (lambda: ex.fit_fast([1.0], [2], 0.0, 0.0, [1]), "ys"),
        (lambda: ex.fit_fast([1.0], [1], "a", 0.0, [1]), "w0"),
        (lambda: ex.fit_fast([1.0], [1], 0.0, None, [1]), "b0"),
        (lambda: ex.fit_fast([1.0], [1], 0.0, 0.0, [3, 2]), "checkpoints"),
        (lambda: ex.fit_fast([1.0], [1], 0.0, 0.0, [0]), "checkpoints"),
        (lambda: ex.fit_fast([1.0], [1], 0.0, 0.0, [1], lr=0.0), "lr"),
        (lambda: ex.set_parameters(make_model(0), "a", 0.0), "w"),
        (lambda: ex.standardize(torch.zeros(1, 1)), "x"),
        (lambda: ex.fit_mean_gd(torch.zeros(3), torch.zeros(3), 0.0, 0.0, 1, 0.1), "x"),
        (lambda: ex.fit_mean_gd(torch.zeros(3, 1), torch.zeros(2, 1), 0.0, 0.0, 1, 0.1), "y"),
        (lambda: ex.fit_mean_gd(torch.zeros(3, 1), torch.zeros(3, 1), 0.0, 0.0, 0, 0.1), "epochs"),
        (lambda: ex.fit_mean_gd(torch.zeros(3, 1), torch.zeros(3, 1), 0.0, 0.0, 1, 0.0), "lr"),
        (
            lambda: ex.fit_mean_gd(torch.zeros(3, 1), torch.zeros(3, 1), 0.0, 0.0, 1, 0.1, until=0),
            "until",
        ),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
