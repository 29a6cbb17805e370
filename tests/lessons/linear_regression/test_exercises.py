"""Tests of lessons.linear_regression.exercises: reductions, closure counts, normal equations."""

from __future__ import annotations

import pytest
import torch
from matplotlib.figure import Figure

from lessons.linear_regression import exercises as ex
from lessons.linear_regression.lesson import fit_by_hand, make_data, make_model


def test_train_reduction_sum_matches_fit_by_hand():
    x, y = make_data(torch.float64)
    model = make_model(0).double()
    w0, b0 = model.linear.weight.item(), model.linear.bias.item()
    run = ex.train_reduction(model, x, y, epochs=50, lr=0.01, reduction="sum")
    w, b, losses = fit_by_hand(x, y, w0, b0, epochs=50, lr=0.01)
    assert run["loss_sum"] == pytest.approx(losses, rel=1e-12)  # float64
    assert model.linear.weight.item() == pytest.approx(w, rel=1e-12)
    assert model.linear.bias.item() == pytest.approx(b, rel=1e-12)


def test_mean_at_n_times_lr_reproduces_sum():
    x, y = make_data(torch.float64)
    a = ex.train_reduction(make_model(0).double(), x, y, 100, 0.01, "sum")
    b = ex.train_reduction(make_model(0).double(), x, y, 100, 0.03, "mean")
    assert a["loss_sum"] == pytest.approx(b["loss_sum"], rel=1e-12)
    assert torch.allclose(torch.tensor(a["wb"]), torch.tensor(b["wb"]), rtol=0, atol=1e-14)


def test_until_stops_early():
    x, y = make_data(torch.float64)
    run = ex.train_reduction(make_model(0).double(), x, y, 5000, 0.01, "sum", until=1e-6)
    assert len(run["loss_sum"]) == ex.first_below(run["loss_sum"], 1e-6) == 922


def test_first_below():
    assert ex.first_below([3.0, 2.0, 0.5], 1.0) == 3
    assert ex.first_below([3.0], 1.0) == -1


def test_run_counted_counts_calls():
    assert ex.run_counted("SGD", epochs=7)["calls"] == list(range(1, 8))
    lbfgs = ex.run_counted("LBFGS", epochs=3)
    assert lbfgs["calls"][0] > 1 and lbfgs["calls"] == sorted(lbfgs["calls"])


def test_plot_by_calls_and_format():
    runs = {"SGD": ex.run_counted("SGD", epochs=5)}
    fig = ex.plot_by_calls(runs)
    assert isinstance(fig, Figure) and fig.get_label()
    losses = ex.final_losses(("SGD",), (0.01, 0.02), seed=0, epochs=3)
    assert len(losses["SGD"]) == 2 and ex.format_losses(losses).startswith("SGD ")


def test_normal_equations():
    x = torch.tensor([[1.0], [2.0], [3.0], [4.0]], dtype=torch.float64)
    y = torch.tensor([[2.0], [4.0], [6.0], [9.0]], dtype=torch.float64)
    w, b = ex.normal_equations(x, y)
    design = torch.cat([x, torch.ones_like(x)], dim=1)
    expected = torch.linalg.lstsq(design, y).solution.flatten().tolist()
    assert (w, b) == pytest.approx(expected, abs=1e-12)
    assert (w, b) == pytest.approx((2.3, -0.5), abs=1e-12)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ex.train_reduction(make_model(0), torch.zeros(3), torch.zeros(3, 1)), "x"),
        (lambda: ex.train_reduction(make_model(0), *make_data(), epochs=0), "epochs"),
        (lambda: ex.train_reduction(make_model(0), *make_data(), lr=0.0), "lr"),
        (lambda: ex.train_reduction(make_model(0), *make_data(), reduction="max"), "reduction"),
        (lambda: ex.train_reduction(make_model(0), *make_data(), until=0.0), "until"),
        (lambda: ex.first_below([1.0], "a"), "level"),
        (lambda: ex.run_counted("Foo"), "name"),
        (lambda: ex.run_counted("SGD", epochs=0), "epochs"),
        (lambda: ex.run_counted("SGD", lr=-1.0), "lr"),
        (lambda: ex.run_counted("SGD", seed=-1), "seed"),
        (lambda: ex.final_losses(("SGD",), (), 0), "etas"),
        (lambda: ex.normal_equations(torch.zeros(3), torch.zeros(3)), "x"),
        (lambda: ex.normal_equations(torch.zeros(3, 1), torch.zeros(2, 1)), "y"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
