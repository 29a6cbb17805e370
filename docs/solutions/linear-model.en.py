# %% [markdown]
# # Linear model: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code that solves it, and the answer.
# The solving code lives in `lessons/linear_model/exercises.py` and is shown in full in the cell before
# the one that calls it. Wherever an answer is definite, an `assert` checks it with a stated tolerance.


# %%
from collections.abc import Sequence  # noqa: F401 (the annotations of the code shown below)

import numpy as np
import torch

from lessons.linear_model.exercises import format_sweep
from lessons.linear_model.lesson import (
    X_DATA,
    Y_DATA,
    argmin_2d,
    mse,
    plot_mse_curve,
    search_w,
    search_wb,
)

# %% [markdown]
# ## Exercise 1
#
# Change the data to $y = [3, 5, 7]$ (that is, $y = 2x + 1$). Search with $\hat y = xw$ only, then
# with $\hat y = xw + b$, and see whether $J$ can reach $0$.
#
# Reasoning: $\hat y = xw$ can only draw lines through the origin, while $y = 2x + 1$ equals $1$ at
# $x = 0$, so every $w$ leaves some error. The formula of exercise 2 gives the exact minimizer
# $w^* = \sum x_n y_n / \sum x_n^2 = 34/14 \approx 2.43$; the nearest grid point is $2.4$. `best_w`
# computes that formula:


# %%
--8<-- "lessons/linear_model/exercises.py:best_w"


# %%
from lessons.linear_model.exercises import best_w

Y_SHIFTED = (3.0, 5.0, 7.0)
ws, costs = search_w(X_DATA, Y_SHIFTED)
k = int(np.argmin(costs))
w_exact = best_w(X_DATA, Y_SHIFTED)
print(f"grid: w* = {ws[k]:.1f}, J = {costs[k]:.4f}")
print(f"exact: w* = {w_exact:.4f}, J = {mse(X_DATA, Y_SHIFTED, w_exact):.4f}")
assert abs(ws[k] - 2.4) < 1e-9  # tolerance: float rounding of the grid
assert mse(X_DATA, Y_SHIFTED, w_exact) > 0.14  # J cannot reach 0 without b

ws2 = np.arange(0.0, 4.1, 0.1)
bs = np.linspace(-2.0, 2.0, 41)
w_star, b_star, j_star = argmin_2d(search_wb(X_DATA, Y_SHIFTED, ws2, bs), ws2, bs)
print(f"with b: w* = {w_star:.1f}, b* = {b_star:.1f}, J = {j_star:.2e}")
assert abs(w_star - 2.0) < 1e-9 and abs(b_star - 1.0) < 1e-9 and j_star < 1e-12


# %% [markdown]
# Answer: with $xw$ alone the best grid value is $w = 2.4$ with $J \approx 0.147$; even the exact
# $w^* = 17/7$ only brings $J$ down to $1/7 \approx 0.143$, never to $0$. The slope is tilted above
# $2$ to make up for the missing intercept. With a bias, the grid finds $J = 0$ at $(w, b) = (2, 1)$,
# because the data lie exactly on $y = 2x + 1$. The error can only vanish when the family of
# functions the model can express contains the true relation.


# %% [markdown]
# ## Exercise 2
#
# Derive $w^* = \sum_n x_n y_n / \sum_n x_n^2$ from $J(w) = \frac1N\sum_n (x_n w - y_n)^2$ and use
# it to check `search_w`.
#
# Derivation: differentiating with respect to $w$,
#
# $$J'(w) = \frac2N\sum_n x_n (x_n w - y_n) = \frac2N\Big(w\sum_n x_n^2 - \sum_n x_n y_n\Big).$$
#
# Setting $J'(w) = 0$ gives $w^* = \sum_n x_n y_n / \sum_n x_n^2$ (provided $\sum_n x_n^2 > 0$).
# Since $J''(w) = \frac2N\sum_n x_n^2 > 0$, this is the only minimum. For the lecture's data,
# $w^* = (2 + 8 + 18)/(1 + 4 + 9) = 28/14 = 2$. This formula is `best_w` of exercise 1. Below we
# check it three ways: the formula, the grid result of `search_w`, and $J'(w^*)$ from autograd and
# from finite differences in float64.


# %%
w_formula = best_w(X_DATA, Y_DATA)
ws, costs = search_w(X_DATA, Y_DATA)
w_grid = ws[int(np.argmin(costs))]

x = torch.tensor(X_DATA, dtype=torch.float64)
y = torch.tensor(Y_DATA, dtype=torch.float64)
w = torch.tensor(w_formula, dtype=torch.float64, requires_grad=True)
torch.nn.functional.mse_loss(x * w, y).backward()
h = 1e-6
finite_diff = (mse(X_DATA, Y_DATA, w_formula + h) - mse(X_DATA, Y_DATA, w_formula - h)) / (2 * h)
print(f"w* = {w_formula}, grid w* = {w_grid:.1f}")
print(f"J'(w*): autograd {w.grad.item():.1e}, finite difference {finite_diff:.1e}")
assert w_formula == 2.0 and abs(w_grid - w_formula) < 1e-9
assert abs(w.grad.item()) < 1e-12 and abs(finite_diff) < 1e-8  # central difference, h = 1e-6
for shifted in [(3.0, 5.0, 7.0), (1.0, -2.0, 0.5)]:
    w_s = best_w(X_DATA, shifted)
    slope = (mse(X_DATA, shifted, w_s + h) - mse(X_DATA, shifted, w_s - h)) / (2 * h)
    assert abs(slope) < 1e-8, slope


# %% [markdown]
# Answer: the formula gives $w^* = 2$, the same as the grid minimum of `search_w`; at $w^*$ both
# autograd and finite differences give a derivative of $0$ (within $10^{-8}$). For two other sets of
# targets, the formula's point also makes the derivative vanish.


# %% [markdown]
# ## Exercise 3
#
# Change the grid spacing of `search_w` to $0.3$. Is the $w^*$ found still $2$? How does the grid
# spacing limit the precision of the optimum?
#
# Reasoning: the nodes of `np.arange(0.0, 4.1, 0.3)` are $0, 0.3, \dots, 3.9$; $2$ is not among them,
# and its nearest neighbors are $2.1$ and $1.8$. By exercise 2, $J(w) = J(w^*) + a\,(w - w^*)^2$
# with $a = \frac1N\sum_n x_n^2 = 14/3$ (`curvature`). So the grid's best point is the node nearest to
# $w^*$, at most half the spacing $h/2$ away (`grid_error_bound`), and the extra cost is at most
# $a\,(h/2)^2$:


# %%
--8<-- "lessons/linear_model/exercises.py:curvature"
--8<-- "lessons/linear_model/exercises.py:grid_error_bound"


# %%
from lessons.linear_model.exercises import curvature, grid_error_bound

a = curvature(X_DATA, Y_DATA)
for step in (0.1, 0.3, 0.7):
    ws, costs = search_w(X_DATA, Y_DATA, ws=np.arange(0.0, 4.1, step))
    k = int(np.argmin(costs))
    bound = grid_error_bound(step)
    print(
        f"h = {step}: w* = {ws[k]:.2f}, |w - 2| = {abs(ws[k] - 2):.2f} <= {bound:.2f}, "
        f"J = {costs[k]:.4f} <= {a * bound**2:.4f}"
    )
    assert abs(ws[k] - 2.0) <= bound + 1e-9 and costs[k] <= a * bound**2 + 1e-9
ws, costs = search_w(X_DATA, Y_DATA, ws=np.arange(0.0, 4.1, 0.3))
assert abs(ws[int(np.argmin(costs))] - 2.1) < 1e-9  # tolerance: float rounding of 7 * 0.3
fig = plot_mse_curve(ws, costs)


# %% [markdown]
# Answer: with a spacing of $0.3$ the search returns $w^* = 2.1$, not $2$, with $J(2.1) = 0.0467$. In
# general, if the true optimum lies inside the grid's range, the grid's answer is within $h/2$ of it
# and its cost within $a\,(h/2)^2$ of the optimal cost. Ten times the precision costs ten times the
# points in one dimension and $10^d$ times in $d$ dimensions, which is why exhaustive search does
# not scale.


# %% [markdown]
# ## Exercise 4
#
# With `mse_grid_torch` on 401 points for each of $w$ and $b$, how many elements does `y_hat` hold?
# With one more parameter, also at 401 points, how much memory would it need?
#
# Reasoning: `y_hat` has shape $(W, B, N)$, so it holds $401 \times 401 \times 3$ elements. One more
# parameter adds one more axis of length 401. We get the shape from the broadcasting rules (without
# allocating anything), then multiply by 8 bytes per element:


# %%
--8<-- "lessons/linear_model/exercises.py:grid_numel"
--8<-- "lessons/linear_model/exercises.py:memory_gib"


# %%
from lessons.linear_model.exercises import grid_numel, memory_gib

shape2 = torch.broadcast_shapes((401, 1, 1), (1, 401, 1), (3,))
shape3 = torch.broadcast_shapes((401, 1, 1, 1), (1, 401, 1, 1), (1, 1, 401, 1), (3,))
n2, n3 = grid_numel(401, 2, 3), grid_numel(401, 3, 3)
print(f"2 parameters: shape {tuple(shape2)}, {n2:,} elements, {n2 * 8 / 1e6:.2f} MB")
print(
    f"3 parameters: shape {tuple(shape3)}, {n3:,} elements, {n3 * 8 / 1e9:.2f} GB "
    f"= {memory_gib(n3):.2f} GiB"
)
assert n2 == shape2.numel() == 482_403 and n3 == shape3.numel() == 193_443_603


# %% [markdown]
# Answer: with two parameters `y_hat` holds $482{,}403$ elements, about $3.86$ MB; with three it holds
# $193{,}443{,}603$ elements, about $1.55$ GB ($1.44$ GiB). Each extra parameter multiplies the size
# by 401, and `(y_hat - y) ** 2` creates temporaries of the same size, so the real peak is higher
# still. Broadcasting a grid works for a handful of parameters only; beyond that, we need gradient
# descent.


# %% [markdown]
# ## Exercise 5
#
# Regenerate the data with `make_noisy_data(n=40, noise=2.0, seed=0)` and call `select_model` again.
# How does the gap between the two models on the validation set change? Is the choice stable across
# seeds?
#
# Reasoning: the error caused by a missing bias is fixed (about $0.15$) and does not depend on the
# noise, while the cost on a validation set of 8 samples fluctuates on the order of $\sigma^2$.
# Going from noise $0.5$ to $2$ multiplies $\sigma^2$ by 16, so the gap drowns in noise.
# `selection_sweep` calls `select_model` once per seed (each seed sets both the data and the split)
# and records the gap $J_{\text{dev}}(xw) - J_{\text{dev}}(xw + b)$ at both noise levels:


# %%
--8<-- "lessons/linear_model/exercises.py:selection_sweep"


# %%
from lessons.linear_model.exercises import selection_sweep

seeds = range(10)
rows_low = selection_sweep(seeds, noise=0.5)
rows_high = selection_sweep(seeds, noise=2.0)
print("noise = 0.5\n" + format_sweep(rows_low))
print("noise = 2.0\n" + format_sweep(rows_high))
wins_low = sum(r["winner"] for r in rows_low)
wins_high = sum(r["winner"] for r in rows_high)
spread_high = np.std([r["gap"] for r in rows_high])
spread_low = np.std([r["gap"] for r in rows_low])
print(f"std of the gap: {spread_low:.3f} (0.5) vs {spread_high:.3f} (2.0)")
assert rows_high[0]["gap"] > 0  # seed 0: xw+b still wins, by 0.384
assert wins_high < wins_low and spread_high > 2 * spread_low


# %% [markdown]
# Answer: with `seed=0` the model with a bias still wins, by about $0.38$, but both validation costs
# are now around $2$, so the gap is only a fifth of them. Across seeds, at noise $0.5$ the model with
# a bias wins every time; at noise $2$ it wins only half the time, the gap's standard deviation is
# several times larger, and its median is close to $0$. With this much noise, a validation set of 8
# samples can no longer tell the two models apart, and the choice is close to a coin toss. A reliable
# choice needs a larger validation set, or cross-validation, which averages over several splits.
