# %% [markdown]
# # Gradient descent: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code that solves it, and the
# answer. The solving code lives in `lessons/gradient_descent/exercises.py` and is shown in full in the
# cell before the one that calls it. Wherever an answer is definite, an `assert` checks it with a
# stated tolerance; claims about training runs are checked over several seeds.


# %%
from collections.abc import Sequence  # noqa: F401 (the annotations of the code shown below)

import numpy as np
import torch

from lessons.gradient_descent.exercises import plot_excess
from lessons.gradient_descent.lesson import (
    X_DATA,
    Y_DATA,
    best_w,
    cost,
    descend_saddle,
    ema,
    lr_sweep,
    make_data,
    plot_runs,
    plot_saddle,
)
from lessons.printing import table

# %% [markdown]
# ## Exercise 1
#
# For $\hat y = x w + b$, derive $\partial J/\partial w$ and $\partial J/\partial b$, write a batch
# gradient descent that updates both, and check that it converges to $(2, 1)$ on data with
# $y = 2x + 1$.
#
# Derivation: write $e_n = x_n w + b - y_n$, so that $J = \frac1N\sum_n e_n^2$. By the chain rule,
# with $\partial e_n/\partial w = x_n$ and $\partial e_n/\partial b = 1$,
#
# $$\frac{\partial J}{\partial w} = \frac2N\sum_n x_n e_n, \qquad
# \frac{\partial J}{\partial b} = \frac2N\sum_n e_n .$$
#
# The update is $w \leftarrow w - \alpha\,\partial J/\partial w$,
# $b \leftarrow b - \alpha\,\partial J/\partial b$, with both derivatives taken at the old $(w, b)$.
# How to pick the learning rate? The Hessian of $J$ is
# $H = \frac2N\begin{pmatrix}\sum x_n^2 & \sum x_n\\ \sum x_n & N\end{pmatrix}$; batch gradient
# descent is stable for $\alpha < 2/\lambda_{\max}(H)$, and the smallest eigenvalue sets the speed.
# `gradient_wb` sums the two formulas over the samples, and `train_wb` runs batch gradient descent
# with it:


# %%
--8<-- "lessons/gradient_descent/exercises.py:gradient_wb"
--8<-- "lessons/gradient_descent/exercises.py:train_wb"


# %% [markdown]
# We first compare the hand-written gradient with autograd in float64, then train:


# %%
from lessons.gradient_descent.exercises import gradient_wb, train_wb

Y_LINE = (3.0, 5.0, 7.0)
x = torch.tensor(X_DATA, dtype=torch.float64)
y = torch.tensor(Y_LINE, dtype=torch.float64)
for w0, b0 in [(1.0, 0.0), (-0.7, 2.5)]:
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
    ((x * w + b - y) ** 2).mean().backward()
    by_hand = gradient_wb(X_DATA, Y_LINE, w0, b0)
    print(f"(w, b) = ({w0}, {b0}): by hand {by_hand}, autograd {(w.grad.item(), b.grad.item())}")
    assert np.allclose(by_hand, (w.grad.item(), b.grad.item()), rtol=1e-12, atol=1e-12)

hessian = 2 / 3 * np.array([[14.0, 6.0], [6.0, 3.0]])
eigenvalues = np.linalg.eigvalsh(hessian)
print("eigenvalues of H:", eigenvalues.round(3), " 2 / lambda_max =", round(2 / eigenvalues[-1], 3))
w_fit, b_fit = train_wb(X_DATA, Y_LINE, lr=0.15, epochs=2000)
print(f"after 2000 epochs at alpha = 0.15: w = {w_fit:.10f}, b = {b_fit:.10f}")
assert abs(w_fit - 2.0) < 1e-9 and abs(b_fit - 1.0) < 1e-9


# %% [markdown]
# Answer: the hand-written gradient agrees with autograd to $10^{-12}$. The eigenvalues of $H$ are
# about $0.24$ and $11.09$, so the learning rate must stay below $2/11.09 \approx 0.18$. At
# $\alpha = 0.15$ the error along the slow direction shrinks only by a factor
# $1 - 0.15 \times 0.24 \approx 0.96$ per epoch, and after 2000 epochs $(w, b)$ is within $10^{-9}$
# of $(2, 1)$. The two eigenvalues differ by a factor of about 46, which is why the contours are
# stretched: $w$ and $b$ are correlated, and with a single learning rate the steep direction caps the
# step while the flat direction crawls.


# %% [markdown]
# ## Exercise 2
#
# Run `lr_sweep` with $\alpha = 0.1$, $0.107$, $0.21$ and $0.22$. Which converges fastest? Explain
# with the factor $1 - \alpha J''$.
#
# Reasoning: $J(w) = J''\,(w - 2)^2/2$ is quadratic with $J'' = \frac2N\sum_n x_n^2 = 28/3$. One
# update gives $w_{k+1} - 2 = (1 - \alpha J'')(w_k - 2)$, hence
# $w_k - 2 = (1 - \alpha J'')^k (w_0 - 2)$: the smaller the factor in absolute value, the faster the
# convergence, and beyond $1$ it diverges. At $\alpha = 1/J''$ the factor is $0$ and a single step
# lands on $w = 2$; that step is exactly a Newton step. Below we compare the measured $w_k - 2$ with
# the formula, epoch by epoch.


# %%
j2 = 2 * sum(v * v for v in X_DATA) / len(X_DATA)
lrs = [0.1, 0.107, 0.21, 0.22, 3 / 28]
runs = lr_sweep(X_DATA, Y_DATA, lrs, epochs=30)
for lr, h in zip(lrs, runs.values(), strict=True):
    factor = 1 - lr * j2
    predicted = [factor**k * (1.0 - 2.0) for k in range(31)]
    measured = [w - 2.0 for w in h.epoch_ws]
    assert np.allclose(measured, predicted, rtol=1e-9, atol=1e-12)
    print(
        f"alpha = {lr:.4f}: factor {factor:+.5f}, |w_1 - 2| = {abs(measured[1]):.2e}, "
        f"J(w_30) = {h.epoch_costs[-1]:.2e}"
    )
assert abs(runs[r"$\alpha=0.107143$"].epoch_ws[1] - 2.0) < 1e-15
fig = plot_runs({k: v for k, v in runs.items() if "0.107143" not in k})


# %% [markdown]
# Answer: the four factors are $0.067$, $0.0013$, $-0.96$ and $-1.053$. $\alpha = 0.107$ is the
# fastest: after one epoch $|w_1 - 2|$ is only $1.3\times10^{-3}$. $\alpha = 0.1$ is fast too, but
# shrinks the error only to $1/15$ per epoch. At $\alpha = 0.21$ the factor is close to $-1$, so $w$
# swings from side to side of $2$ and $J$ is still $0.40$ after 30 epochs; at $\alpha = 0.22$ the
# factor exceeds $1$ in absolute value, the swings grow and the run diverges. With exactly
# $\alpha = 3/28$ the factor is $0$, and one step gives $w_1 = 2$ (to within $10^{-15}$). The
# measured $w_k$ match the formula $(1 - \alpha J'')^k(w_0 - 2)$ at every epoch, to a relative
# $10^{-9}$.


# %% [markdown]
# ## Exercise 3
#
# In `compare_methods`, give SGD a smaller learning rate (say $0.002$). How do the final jitter of
# $J - J^*$ and the speed of convergence change? Use this to explain why decreasing the learning rate
# over time helps.
#
# Reasoning: each SGD step uses the gradient of a single sample, which does not vanish at $w^*$, so
# $w$ never settles at $w^*$ but wanders randomly around it. A smaller step pushes it away less, so
# the jitter shrinks, but it also takes more steps to get near $w^*$ in the first place. On the same
# data (`make_data(n=64, noise=0.5, seed=0)`) and 30 epochs of SGD ($B = 1$), we compare three
# learning rates: $0.01$ throughout, $0.002$ throughout, and $0.01$ for 10 epochs followed by
# $0.002$ for 20. Speed is the number of updates until $J - J^*$ first drops below $10^{-2}$; jitter
# is the median of $J - J^*$ over the last 10 epochs (640 updates). Each setting runs with 5 seeds
# (the seed sets the order in which samples are visited).
#
# `sgd_schedule` calls the lesson's `train` once per phase, each phase with its own learning rate and
# starting from the $w$ where the previous one ended; `sgd_summary` reads both measures off the cost
# after every update:


# %%
--8<-- "lessons/gradient_descent/exercises.py:sgd_schedule"
--8<-- "lessons/gradient_descent/exercises.py:sgd_summary"


# %%
from lessons.gradient_descent.exercises import sgd_schedule, sgd_summary

xs, ys = make_data(n=64, noise=0.5, seed=0)
j_star = cost(xs, ys, best_w(xs, ys))
settings = {
    "0.01": ([0.01], [30]),
    "0.002": ([0.002], [30]),
    "0.01 -> 0.002": ([0.01, 0.002], [10, 20]),
}
stats = {name: [] for name in settings}
for seed in range(5):
    for name, (lrs, epochs) in settings.items():
        step_costs = sgd_schedule(xs, ys, lrs, epochs, seed=seed)
        stats[name].append(sgd_summary(step_costs, j_star, n=640, tol=1e-2))
rows = []
for name, summaries in stats.items():
    first = [s["first"] for s in summaries]
    floor = [s["floor"] for s in summaries]
    spread = f"{min(floor):.1e}-{max(floor):.1e}"
    rows.append((name, np.median(first), f"{min(first)}-{max(first)}", np.median(floor), spread))
columns = [("alpha", "<"), ("first t", ".0f"), ("min-max", ">"), ("floor", ".1e"), ("min-max", ">")]
title = [
    "first t: first update with J - J* < 1e-2; floor: J - J* over the last 640 updates",
    "(medians over 5 seeds)",
]
print(table(rows, columns, title=title))
for fast, slow, both in zip(*stats.values(), strict=True):
    assert slow["first"] > 3 * fast["first"] and slow["floor"] < fast["floor"] / 3
    assert both["first"] == fast["first"] and both["floor"] < fast["floor"] / 3
fig = plot_excess(
    {
        r"$\alpha=0.01$": sgd_schedule(xs, ys, [0.01], [30], seed=0),
        r"$\alpha=0.002$": sgd_schedule(xs, ys, [0.002], [30], seed=0),
        r"$0.01 \to 0.002$": sgd_schedule(xs, ys, [0.01, 0.002], [10, 20], seed=0),
    },
    j_star,
)


# %% [markdown]
# Answer: for all 5 seeds, lowering the learning rate from $0.01$ to $0.002$ cuts the final jitter of
# $J - J^*$ by more than a factor of three (median from about $3\times10^{-3}$ to about
# $2\times10^{-4}$), but it takes more than three times as many updates to first get within
# $10^{-2}$ (median from about 40 to about 200). The schedule that starts large and then drops gets
# both: its first 10 epochs are identical to the $\alpha = 0.01$ run, so it is just as fast, and
# over its last 20 epochs the jitter is of the same order as with $\alpha = 0.002$. The reason: far
# from $w^*$, the signal in the gradient dwarfs the sampling noise, and big steps make fast progress;
# near $w^*$ only the noise is left, the jitter is proportional to the step size, and only a smaller
# step brings $w$ closer. Learning-rate decay (step, exponential, cosine, ...) is built on this idea.


# %% [markdown]
# ## Exercise 4
#
# Show that for a constant sequence $\ell_t \equiv c$ the corrected $\hat s_t$ equals $c$ for every
# $t$. What is $s_t$ without the correction? Check with `ema`.
#
# Derivation: unrolling $s_t = \beta s_{t-1} + (1-\beta)\ell_t$ from $s_0 = 0$,
#
# $$s_t = (1-\beta)\sum_{k=1}^{t}\beta^{t-k}\ell_k .$$
#
# With $\ell_k = c$,
#
# $$
# s_t = c\,(1-\beta)\sum_{j=0}^{t-1}\beta^j
# = c\,(1-\beta)\frac{1-\beta^t}{1-\beta} = c\,(1-\beta^t),
# $$
#
# so $\hat s_t = s_t/(1-\beta^t) = c$. Without the correction, $s_t = c(1-\beta^t)$ starts at $0$
# and creeps up to $c$: with $\beta = 0.9$, $s_1 = 0.1c$ and it takes until $t \approx 22$ to pass
# $0.9c$; with $\beta = 0.99$, until $t \approx 230$. `ema_uncorrected` is the lesson's `ema` without
# the correction:


# %%
--8<-- "lessons/gradient_descent/exercises.py:ema_uncorrected"


# %%
from lessons.gradient_descent.exercises import ema_uncorrected

c, steps = 3.7, 300
for beta in (0.9, 0.99):
    corrected = ema([c] * steps, beta)
    raw = ema_uncorrected([c] * steps, beta)
    formula = [c * (1 - beta**t) for t in range(1, steps + 1)]
    assert np.allclose(corrected, c, rtol=1e-12)
    assert np.allclose(raw, formula, rtol=1e-12)
    t90 = next(t for t, s in enumerate(raw, start=1) if s > 0.9 * c)
    print(f"beta = {beta}: s_1 = {raw[0]:.3f}, s_10 = {raw[9]:.3f}, first t with s_t > 0.9c: {t90}")


# %% [markdown]
# Answer: for $c = 3.7$, the $\hat s_t$ returned by `ema` equals $c$ at every one of the first 300
# steps (to a relative $10^{-12}$), and the uncorrected $s_t$ matches $c(1-\beta^t)$: it first passes
# $0.9c$ at step 22 for $\beta = 0.9$, and at step 230 for $\beta = 0.99$. Without the correction, a
# smoothed curve starts far too low, as if the loss were small from the beginning.


# %% [markdown]
# ## Exercise 5
#
# Start `descend_saddle` at $(1, 10^{-8})$ with no noise. Does it still stop at the saddle? After
# roughly how many steps does $|y|$ exceed $1$?
#
# Reasoning: $\nabla f = (2x, -2y)$, so the update is $x \leftarrow (1-2\alpha)x$,
# $y \leftarrow (1+2\alpha)y$, and the two coordinates do not interact. At $\alpha = 0.1$,
# $x_t = 0.8^t$ goes to $0$ while $y_t = 1.2^t \times 10^{-8}$ grows exponentially. $|y_t| > 1$ needs
# $1.2^t > 10^8$, that is $t > 8\ln 10/\ln 1.2 \approx 101.03$: step 102. `escape_steps` does this
# computation in general:


# %%
--8<-- "lessons/gradient_descent/exercises.py:escape_steps"


# %%
from lessons.gradient_descent.exercises import escape_steps

path = descend_saddle((1.0, 1e-8), lr=0.1, steps=110, noise=0.0)
t_escape = int(torch.nonzero(path[:, 1].abs() > 1)[0])
print("predicted:", escape_steps(1e-8, 0.1), " measured:", t_escape)
print("(x, y) at t = 60:", path[60].tolist(), " at t = 110:", path[110].tolist())
assert t_escape == escape_steps(1e-8, 0.1) == 102
assert torch.allclose(path[:, 1], 1e-8 * 1.2 ** torch.arange(111, dtype=torch.float64), rtol=1e-10)
fig = plot_saddle({0.0: path[:104]})


# %% [markdown]
# Answer: it does not stop at the saddle. At step 60,
# $(x, y) \approx (1.5\times10^{-6}, 5.6\times10^{-4})$ and the run looks stuck, with a tiny
# gradient; but $y$ is multiplied by $1.2$ at every step, $|y|$ passes $1$ at step 102 as predicted,
# and from there on $f = x^2 - y^2$ decreases without bound. Starting with $y_0 = 0$ puts the point
# exactly on the saddle's stable manifold, an event of probability zero; any deviation at all
# (rounding, or the noise of SGD) makes gradient descent leave the saddle eventually, and the smaller
# the deviation, the more steps it takes, in proportion to $\ln(1/|y_0|)$.
