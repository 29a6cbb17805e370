"""Tests of lessons.linear_regression.optimizers: stacked runs equal separate ones; first steps;
the table.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure

from lessons.linear_regression import lesson as lr
from lessons.linear_regression import optimizers as race


@pytest.fixture(scope="module")
def curves():
    return race.race(epochs=100, lr=0.01, seeds=range(5))


def _separate(name, seed, epochs=100):
    x, y = lr.make_data()
    model = lr.make_model(seed)
    opt = getattr(torch.optim, name)(model.parameters(), lr=0.01, **lr.EXTRA_ARGS.get(name, {}))
    return lr.fit_with_closure(model, x, y, opt, epochs)


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "Rprop", "LBFGS"])
def test_stacked_runs_equal_separate_runs(curves, name):
    """Stacked element-wise runs, and L-BFGS on plain tensors, equal nn.Linear runs (rel 1e-5)."""
    for seed in (3,):
        assert curves[name][seed] == pytest.approx(_separate(name, seed), rel=1e-5, abs=1e-9)


def test_race_claims_over_five_seeds(curves):
    """What the page says about the race holds for each of seeds 0-4."""
    assert tuple(curves) == lr.OPTIMIZERS and all(len(r) == 5 for r in curves.values())
    for s in range(5):
        assert len({runs[s][0] for runs in curves.values()}) == 1  # same start for all
        final = {name: runs[s][-1] for name, runs in curves.items()}
        assert final["ASGD"] == pytest.approx(final["SGD"], rel=1e-2)  # on top of SGD
        assert final["LBFGS"] < 1e-7  # L-BFGS: below 1e-7 for every seed
        assert 40 <= race.first_below(curves["LBFGS"][s], 1e-6) <= 50
        assert final["Adagrad"] > final["RMSprop"] > final["SGD"]  # Adagrad barely moves
        assert final["Adam"] > final["RMSprop"]  # RMSprop ends ahead of Adam
        assert final["Adamax"] > final["RMSprop"]


def test_race_table_quotes(curves):
    """Rprop reaches 1e-6 within 100 steps for 3 of 5 seeds; the table says so."""
    reached = [race.first_below(r, 1e-6) for r in curves["Rprop"]]
    assert sum(t is not None for t in reached) == 3
    table = race.format_race(curves)
    assert "(3/5)" in table and table.count("never") == 6


def test_first_step_sizes():
    """First step in units of η: SGD |g|, Adagrad 1, RMSprop 1/√(1−α) = 10, Adam 1 (tol 1e-3)."""
    rows = {
        r.split()[0]: [float(v) for v in r.split()[1:]] for r in race.first_step().splitlines()[1:]
    }
    g_w, g_b = rows["SGD"][0], rows["SGD"][2]
    assert rows["SGD"][1] == pytest.approx(g_w, rel=1e-3) and rows["SGD"][3] == pytest.approx(
        g_b, rel=1e-3
    )
    for name, expected in (("Adagrad", 1.0), ("RMSprop", 1 / math.sqrt(1 - 0.99)), ("Adam", 1.0)):
        assert rows[name][1] == pytest.approx(expected, rel=1e-3)
        assert rows[name][3] == pytest.approx(expected, rel=1e-3)


def test_rmsprop_first_step_by_hand_float64():
    """torch.optim.RMSprop's first step equals η·g/(√((1−α)g²) + ε) in float64 (tol 1e-15)."""
    p = torch.tensor([0.3, -2.0], dtype=torch.float64, requires_grad=True)
    g = torch.tensor([5.0, -0.1], dtype=torch.float64)
    p.grad = g.clone()
    torch.optim.RMSprop([p], lr=0.01).step()
    expected = torch.tensor([0.3, -2.0], dtype=torch.float64) - 0.01 * g / (
        (0.01 * g**2).sqrt() + 1e-8
    )
    torch.testing.assert_close(p.detach(), expected, rtol=0, atol=1e-15)


def test_lbfgs_line_search_default_is_none():
    assert torch.optim.LBFGS([torch.zeros(1)]).defaults["line_search_fn"] is None
    text = race.lbfgs_line_search(epochs=3, lr=0.01)
    assert text.startswith("default line_search_fn: None") and "strong_wolfe" in text


def test_plot_race(curves):
    fig = race.plot_race(curves)
    assert isinstance(fig, Figure) and fig.get_label()
    plt.close(fig)


def test_bad_arguments():
    with pytest.raises(ValueError, match="epochs"):
        race.race(epochs=0)
    with pytest.raises(ValueError, match="lr"):
        race.race(lr=0)
    with pytest.raises(ValueError, match="seeds"):
        race.race(epochs=1, seeds=[-1])
    with pytest.raises(ValueError, match="seeds"):
        race.race(epochs=1, seeds=[])
    with pytest.raises(ValueError, match="names"):
        race.first_step(names=("SGDW",))
    with pytest.raises(ValueError, match="epochs"):
        race.lbfgs_line_search(epochs=0)


def test_line_search_numbers_quoted_on_the_page():
    """10 steps at η = 0.01: no search L ≈ 0.81 in 200 calls; strong Wolfe L < 1e-8 in < 100."""
    lines = race.lbfgs_line_search(epochs=10, lr=0.01).splitlines()
    none = lines[1].split()
    wolfe = lines[2].split()
    assert float(none[3].rstrip(",")) == pytest.approx(0.812, abs=5e-4) and none[-1] == "200"
    assert float(wolfe[3].rstrip(",")) < 1e-8 and int(wolfe[-1]) < 100
