"""Tests of lessons.linear_model.lesson: MSE cost, exhaustive search, the torch grid, splits."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from lessons.linear_model import lesson as lm

TOL = 1e-12  # float64 agreement with PyTorch, relative to O(1..100) values


def test_lecture_data():
    assert lm.X_DATA == (1.0, 2.0, 3.0)
    assert lm.Y_DATA == (2.0, 4.0, 6.0)


@pytest.mark.parametrize(("w", "b"), [(0.0, 0.0), (3.0, 0.0), (1.7, -0.4), (2.0, 0.0)])
def test_mse_matches_torch(w, b):
    x = torch.tensor(lm.X_DATA, dtype=torch.float64)
    y = torch.tensor(lm.Y_DATA, dtype=torch.float64)
    expected = torch.nn.functional.mse_loss(x * w + b, y).item()
    assert lm.mse(lm.X_DATA, lm.Y_DATA, w, b) == pytest.approx(expected, rel=TOL, abs=TOL)


def test_forward_and_loss():
    assert lm.forward(2.0, 3.0, 1.0) == 7.0
    assert lm.loss(2.0, 4.0, 3.0) == 4.0  # (6 - 4)²


def test_mse_at_three_is_fourteen_thirds():
    assert lm.mse(lm.X_DATA, lm.Y_DATA, 3.0) == pytest.approx(14 / 3, rel=TOL)


@pytest.mark.parametrize(("xs", "ys"), [([], []), ([1.0, 2.0], [1.0])])
def test_mse_rejects_bad_data(xs, ys):
    with pytest.raises(ValueError, match="xs"):
        lm.mse(xs, ys, 1.0)


def test_format_losses():
    text = lm.format_losses(lm.X_DATA, lm.Y_DATA, 3.0)
    assert "J(w=3) = 4.6667" in text
    assert len(text.splitlines()) == 5


def test_search_w_finds_two():
    ws, costs = lm.search_w(lm.X_DATA, lm.Y_DATA)
    assert ws.shape == costs.shape == (41,)
    k = int(np.argmin(costs))
    assert ws[k] == 2.0 and costs[k] == 0.0
    np.testing.assert_allclose(costs, costs[::-1], rtol=1e-9)  # symmetric about w = 2


def test_search_w_custom_candidates():
    ws, costs = lm.search_w(lm.X_DATA, lm.Y_DATA, ws=[1.0, 3.0])
    np.testing.assert_allclose(costs, [14 / 3, 14 / 3])


@pytest.mark.parametrize("ws", [[], [[1.0, 2.0]]])
def test_search_w_rejects_bad_candidates(ws):
    with pytest.raises(ValueError, match="ws"):
        lm.search_w(lm.X_DATA, lm.Y_DATA, ws=ws)


def test_format_costs():
    ws, costs = lm.search_w(lm.X_DATA, lm.Y_DATA)
    text = lm.format_costs(ws, costs, columns=3)
    lines = text.splitlines()
    assert len(lines) == 1 + 14  # header + ceil(41 / 3) rows
    assert "2.0   0.000" in text


def test_format_costs_rejects_bad_arguments():
    ws, costs = lm.search_w(lm.X_DATA, lm.Y_DATA)
    with pytest.raises(ValueError, match="columns"):
        lm.format_costs(ws, costs, columns=0)
    with pytest.raises(TypeError, match="columns"):
        lm.format_costs(ws, costs, columns=2.0)
    with pytest.raises(ValueError, match="ws"):
        lm.format_costs(ws, costs[:-1])


def test_search_wb_minimum_and_torch_grid_agree():
    ws, bs = np.arange(0.0, 4.1, 0.1), np.linspace(-2.0, 2.0, 41)
    costs = lm.search_wb(lm.X_DATA, lm.Y_DATA, ws, bs)
    assert costs.shape == (41, 41)
    assert lm.argmin_2d(costs, ws, bs) == (2.0, 0.0, 0.0)
    x = torch.tensor(lm.X_DATA, dtype=torch.float64)
    y = torch.tensor(lm.Y_DATA, dtype=torch.float64)
    grid = lm.mse_grid_torch(x, y, torch.from_numpy(ws), torch.from_numpy(bs))
    np.testing.assert_allclose(grid.numpy(), costs, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("n", [0, 3])
def test_mse_grid_torch_rejects_bad_shapes(n):
    x = torch.zeros(n, dtype=torch.float64)
    y = torch.zeros(2, dtype=torch.float64) if n else x
    with pytest.raises(ValueError, match="x and y"):
        lm.mse_grid_torch(x, y, torch.zeros(2), torch.zeros(2))


def test_plots_return_figures():
    ws, costs = lm.search_w(lm.X_DATA, lm.Y_DATA)
    ws2, bs = np.arange(0.0, 4.1, 0.5), np.linspace(-2.0, 2.0, 9)
    grid = lm.search_wb(lm.X_DATA, lm.Y_DATA, ws2, bs)
    figs = [
        lm.plot_data(lm.X_DATA, lm.Y_DATA, [1.0, 2.0]),
        lm.plot_mse_curve(ws, costs),
        lm.plot_contour(grid, ws2, bs),
        lm.plot_surface(grid, ws2, bs),
    ]
    for fig in figs:
        assert isinstance(fig, Figure) and fig.get_label()
        plt.close(fig)
