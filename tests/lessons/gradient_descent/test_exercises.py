"""Tests of lessons.gradient_descent.exercises: (w, b) gradients, schedules, EMA, saddle escape."""

from __future__ import annotations

import math

import pytest
import torch
from matplotlib.figure import Figure

from lessons.gradient_descent import exercises as ex
from lessons.gradient_descent.lesson import X_DATA, best_w, cost, descend_saddle, make_data, train

TOL = 1e-12  # float64 agreement with autograd on O(10) values


@pytest.mark.parametrize(("w", "b"), [(1.0, 0.0), (-0.7, 2.5), (2.0, 1.0)])
def test_gradient_wb_matches_autograd(w, b):
    ys = (3.0, 5.0, 7.0)
    x, y = torch.tensor(X_DATA, dtype=torch.float64), torch.tensor(ys, dtype=torch.float64)
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    ((x * wt + bt - y) ** 2).mean().backward()
    gw, gb = ex.gradient_wb(X_DATA, ys, w, b)
    assert gw == pytest.approx(wt.grad.item(), abs=TOL)
    assert gb == pytest.approx(bt.grad.item(), abs=TOL)


def test_train_wb_step_matches_torch_sgd():
    ys = (3.0, 5.0, 7.0)
    x, y = torch.tensor(X_DATA, dtype=torch.float64), torch.tensor(ys, dtype=torch.float64)
    p = torch.tensor([1.0, 0.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.15)
    for _ in range(5):
        opt.zero_grad()
        ((x * p[0] + p[1] - y) ** 2).mean().backward()
        opt.step()
    w, b = ex.train_wb(X_DATA, ys, lr=0.15, epochs=5)
    assert (w, b) == pytest.approx(tuple(p.tolist()), abs=TOL)


def test_train_wb_converges():
    w, b = ex.train_wb(X_DATA, (3.0, 5.0, 7.0))
    assert abs(w - 2.0) < 1e-9 and abs(b - 1.0) < 1e-9


def test_ema_uncorrected_closed_form():
    out = ex.ema_uncorrected([2.0] * 50, beta=0.9)
    assert out == pytest.approx([2.0 * (1 - 0.9**t) for t in range(1, 51)], rel=TOL)


def test_sgd_schedule_first_phase_is_train():
    xs, ys = make_data(n=16, seed=0)
    one = ex.sgd_schedule(xs, ys, [0.01], [3], seed=2)
    assert one == train(xs, ys, batch_size=1, lr=0.01, epochs=3, seed=2).step_costs
    two = ex.sgd_schedule(xs, ys, [0.01, 0.002], [3, 2], seed=2)
    assert two[: len(one)] == one and len(two) == 5 * 16


def test_sgd_summary():
    s = ex.sgd_summary([1.0, 0.5, 0.05, 0.2, 0.03], j_star=0.0, n=2, tol=0.1)
    assert s["first"] == 3 and s["floor"] == pytest.approx(0.115)
    assert ex.sgd_summary([1.0], 0.0, 1, 0.1)["first"] == -1


def test_plot_excess():
    xs, ys = make_data(n=8, seed=0)
    costs = ex.sgd_schedule(xs, ys, [0.01], [2])
    fig = ex.plot_excess({"$a$": costs}, cost(xs, ys, best_w(xs, ys)))
    assert isinstance(fig, Figure) and fig.get_label()


def test_escape_steps_matches_descend_saddle():
    path = descend_saddle((1.0, 1e-8), lr=0.1, steps=110)
    t = int(torch.nonzero(path[:, 1].abs() > 1)[0])
    assert ex.escape_steps(1e-8, 0.1) == t == math.floor(8 * math.log(10) / math.log(1.2)) + 1
    assert ex.escape_steps(2.0, 0.1) == 0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ex.gradient_wb([], [], 1.0, 0.0), "xs"),
        (lambda: ex.gradient_wb([1.0], [1.0, 2.0], 1.0, 0.0), "ys"),
        (lambda: ex.train_wb([1.0], [1.0], lr=0.0), "lr"),
        (lambda: ex.train_wb([1.0], [1.0], epochs=-1), "epochs"),
        (lambda: ex.train_wb([1.0], [1.0], w0="a"), "w0"),
        (lambda: ex.train_wb([1.0], [1.0], b0=float("nan")), "b0"),
        (lambda: ex.ema_uncorrected([1.0], beta=1.0), "beta"),
        (lambda: ex.ema_uncorrected([1.0], beta=-0.1), "beta"),
        (lambda: ex.sgd_schedule([1.0], [1.0], [0.1], [1, 2]), "lrs"),
        (lambda: ex.sgd_schedule([1.0], [1.0], [0.0], [1]), "lrs"),
        (lambda: ex.sgd_schedule([1.0], [1.0], [0.1], [0]), "epochs"),
        (lambda: ex.sgd_schedule([1.0], [1.0], [0.1], [1], seed=-1), "seed"),
        (lambda: ex.sgd_summary([1.0], 0.0, n=0), "n"),
        (lambda: ex.sgd_summary([1.0], 0.0, n=1, tol=0.0), "tol"),
        (lambda: ex.escape_steps(0.0, 0.1), "y0"),
        (lambda: ex.escape_steps(1e-3, -0.1), "lr"),
        (lambda: ex.escape_steps(1e-3, 0.1, threshold=0.0), "threshold"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
