# %% [markdown]
# # Momentum: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code and the answer. The code that
# answers an exercise is shown in full (it lives in `lessons/momentum/exercises.py`, where the tests import
# it); only helpers that print a table or draw a figure are imported. Wherever the answer is definite, an
# `assert` checks it with a stated tolerance.


# %%
import math
import random

import numpy as np
import torch
from torch import nn

from lessons.devices import resolve_device
from lessons.dynamic_net import DynamicNet, make_data, ratio_table
from lessons.momentum.exercises import F64, plot_lr_change, stability_table
from lessons.momentum.lesson import momentum_step, quadratic, quadratic_grad, steps_table
from lessons.momentum.theory import root_modulus
from lessons.seeds import generator, offset_seed, seeded

# %% [markdown]
# ## Exercise 1
#
# For $a = 1$, $b = 25$ compute $\eta^*$ and $\mu^*$, run
# `steps_table(lr=1/9, settings=((4/9, False), (0.0, False)))`, and compare the number of steps that the
# rate $2/3$ predicts with the table.
#
# Reasoning: $\kappa = 25$ and $\sqrt\kappa = 5$, so $\eta^* = 4/(1+5)^2 = 1/9$, $\mu^* = (4/6)^2 = 4/9$
# and the rate is $r = 2/3$. If the error shrinks by $r$ per step, $f(x_t) \approx f(x_0)\,r^{2t}$ with
# $f(x_0) = \tfrac12(16 + 25) = 20.5$, and $f(x_t) = 10^{-6}$ gives
# $t = \ln(f(x_0)/10^{-6}) / (-2\ln r)$. Careful: at $\eta = 1/9$ plain gradient descent diverges, since
# along $x_2$ its factor is $|1 - \eta b| = 16/9 > 1$; the table's second row shows it.


# %%
--8<-- "lessons/momentum/exercises.py:optimal_heavy_ball"
--8<-- "lessons/momentum/exercises.py:double_root_steps"
--8<-- "lessons/momentum/exercises.py:rate_only_steps"


# %%
lr, mu, rate = optimal_heavy_ball(a=1.0, b=25.0)
print(f"lr* = {lr:.6f}, mu* = {mu:.6f}, rate = {rate:.6f}")
assert abs(lr - 1 / 9) < 1e-15 and abs(mu - 4 / 9) < 1e-15 and abs(rate - 2 / 3) < 1e-15

print(steps_table(lr=1 / 9, settings=((4 / 9, False), (0.0, False))))
predicted = rate_only_steps(a=1.0, b=25.0, start=(-4.0, 1.0), tol=1e-6)
exact = double_root_steps(a=1.0, b=25.0, start=(-4.0, 1.0), tol=1e-6)
print(f"rate only: t = {predicted:.2f}; closed form with the double root: t = {exact}")
assert 20 < predicted < 21 and exact == 30  # the table's 30, exactly


# %% [markdown]
# The rate alone predicts about 21 steps; the table needs 30, about 9 more. The optimal pair makes the two
# roots coincide: along $\lambda = a$ the characteristic polynomial is
# $z^2 - \tfrac43 z + \tfrac49 = (z - \tfrac23)^2$, along $\lambda = b$ it is $(z + \tfrac23)^2$. With a
# double root the iterates are $x_t = (x_0 + Bt)\,z^t$, and the extra linear factor $t$ slows the first
# few dozen steps. With $B$ fixed by PyTorch's first step $x_1 = (1-\eta\lambda)x_0$, this closed form gives
# exactly the table's 30 steps. The table's second row also shows that at $\eta = 1/9$ gradient descent
# without momentum diverges: along $x_2$, $|1 - \eta b| = 16/9 > 1$.
#
# Answer: the rate predicts about 21 steps, the table measures 30; the gap is the factor $t$ of the double
# root, and with it the prediction is exact.


# %% [markdown]
# ## Exercise 2
#
# Run `steps_table(lr=0.07)`: Nesterov with $\mu = 0.9$ diverges, the heavy ball does not. Show with the
# characteristic polynomials that the heavy ball is stable for $\eta\lambda < 2(1+\mu)$ and Nesterov only
# for $\eta\lambda < 2(1+\mu)/(1+2\mu)$.
#
# Derivation: along a direction of curvature $\lambda$, $g_t = \lambda x_t$; write $h = \eta\lambda$.
#
# Heavy ball: $x_{t+1} = (1+\mu-h)\,x_t - \mu\,x_{t-1}$, with characteristic polynomial
# $p(z) = z^2 - (1+\mu-h)z + \mu$.
#
# Nesterov, as PyTorch writes it: $v_{t+1} = \mu v_t + g_t$, $x_{t+1} = x_t - \eta(g_t + \mu v_{t+1})$. The
# second equation gives $\eta\mu v_{t+1} = (1-h)x_t - x_{t+1}$, and likewise
# $\eta\mu v_t = (1-h)x_{t-1} - x_t$; substituting both into the first eliminates $v$:
#
# $$x_{t+1} = (1+\mu)(1-h)\,x_t - \mu(1-h)\,x_{t-1},$$
#
# with characteristic polynomial $q(z) = z^2 - (1+\mu)(1-h)z + \mu(1-h)$.
#
# Both roots of a real quadratic $z^2 + c_1 z + c_0$ lie inside the unit circle if and only if $|c_0| < 1$,
# $1 + c_1 + c_0 > 0$ and $1 - c_1 + c_0 > 0$ (the Jury criterion). For $p$: $1 + c_1 + c_0 = h > 0$,
# $1 - c_1 + c_0 = 2(1+\mu) - h$ and $|c_0| = \mu < 1$, so the condition is $h < 2(1+\mu)$. For $q$:
# $1 + c_1 + c_0 = h > 0$, and $1 - c_1 + c_0 = 1 + (1+2\mu)(1-h)$ is positive if and only if
# $h < 1 + 1/(1+2\mu) = 2(1+\mu)/(1+2\mu)$; in that range $|c_0| = \mu|1-h| < 1$ holds by itself. QED.
#
# For $\mu = 0.9$ the heavy ball's bound is $3.8$, Nesterov's only $3.8/2.8 \approx 1.36$. At $\eta = 0.07$
# the steepest direction has $h = 0.07 \cdot 25 = 1.75$, right between the two.


# %%
--8<-- "lessons/momentum/exercises.py:nesterov_modulus"
--8<-- "lessons/momentum/exercises.py:recursion_residual"
--8<-- "lessons/momentum/exercises.py:bound_mismatches"


# %%
print(steps_table(lr=0.07))
heavy, nesterov = root_modulus(0.07, 0.9, 25.0), nesterov_modulus(0.07, 0.9, 25.0)
print(f"max|z| along lambda = 25: heavy ball {heavy:.4f}, Nesterov {nesterov:.4f}")
assert heavy < 1 < nesterov

# the recursions are those of momentum_step (relative gap, float64)
for nest in (False, True):
    gap = recursion_residual(0.07, 0.9, 25.0, nesterov=nest, steps=60)
    print(f"Nesterov={nest}: largest relative gap to the recursion = {gap:.1e}")
    assert gap < 1e-12

# the bounds agree with the roots on a grid of 5 mu x 400 values of eta*lambda
wrong = bound_mismatches(mus=(0.0, 0.3, 0.6, 0.9, 0.99), points=400)
print(f"grid points where the bound and max|z| < 1 disagree: {wrong}")
assert wrong == 0


# %% [markdown]
# Answer: the stability conditions are as derived. Numerically, along $\lambda = 25$ the heavy ball's
# largest root has modulus below 1 and Nesterov's above 1, so only Nesterov diverges. The iterates of
# `momentum_step` follow the derived recursions up to rounding, and both bounds agree with the root moduli
# at all 2000 grid points.


# %% [markdown]
# ## Exercise 3
#
# Add a `dampening` argument to `momentum_step`, check it against `torch.optim.SGD` in `float64`, and say
# what `dampening = μ` does to the effective step size.
#
# Reasoning: with dampening the buffer is $v_t = \mu v_{t-1} + (1-d)\,g_t$ (the first step is still
# $v_1 = g_1$). Under a constant gradient $g$ the steady state satisfies $v = \mu v + (1-d)g$, so
# $v = \frac{1-d}{1-\mu}\,g$ and every step moves by $\eta\,\frac{1-d}{1-\mu}\,g$. With $d = 0$ the
# effective step size is $\eta/(1-\mu)$, that is $10\eta$ for $\mu = 0.9$; with $d = \mu$ the buffer is an
# exponential moving average of the gradients and the effective step size is just $\eta$.


# %%
--8<-- "lessons/momentum/exercises.py:dampened_step"
--8<-- "lessons/momentum/exercises.py:dampening_gap"
--8<-- "lessons/momentum/exercises.py:constant_gradient_step"


# %%
for d in (0.0, 0.5, 0.9):
    gap = dampening_gap(lr=0.01, mu=0.9, dampening=d, steps=30)
    print(f"dampening = {d}: max |p_ours - p_torch| = {gap:.1e}")
    assert gap < 1e-12

plain = constant_gradient_step(lr=0.01, mu=0.9, dampening=0.0, steps=300)
ema = constant_gradient_step(lr=0.01, mu=0.9, dampening=0.9, steps=300)
print(f"step under a constant gradient: dampening 0 -> {plain:.6f}, dampening 0.9 -> {ema:.6f}")
assert abs(plain - 0.1) < 1e-9 and abs(ema - 0.01) < 1e-9  # eta / (1 - mu) and eta


# %% [markdown]
# Answer: the dampened update matches PyTorch up to rounding. `dampening = μ` turns the buffer into an
# exponential moving average of the gradients, which no longer amplifies the step: the effective step size
# drops from $\eta/(1-\mu)$ (here $0.1$) to $\eta$ ($0.01$). To keep the old speed, multiply the learning
# rate by $1/(1-\mu)$.


# %% [markdown]
# ## Exercise 4
#
# Train `DynamicNet` with `train_dynamic(mu=0.0, lr=1e-3)`, whose step along a constant gradient equals that
# of $\mu = 0.9$, $\eta = 10^{-4}$, and compare the losses. What does momentum give besides a larger step?
#
# Reasoning: the two settings take the same step only along a gradient that stays the same for many more
# than $1/(1-\mu) = 10$ steps. The usual story, that a larger learning rate multiplies every gradient by
# 10, noise included, while momentum averages the noise away, does not explain the difference: the
# lesson's noise section shows that over many steps momentum's noise adds up exactly as much as that of
# SGD at $\eta/(1-\mu)$, and that with a small step the two behave alike. Here the step is not small, and
# what differs is stability. Along a direction of curvature $\lambda$ plain SGD is stable only for
# $\eta\lambda < 2$, heavy ball for $\eta\lambda < 2(1+\mu) = 3.8$. At the same effective step
# $\eta/(1-\mu) = 10^{-3}$, momentum's $\eta = 10^{-4}$ tolerates curvatures up to $38\,000$, plain SGD's
# $\eta = 10^{-3}$ only up to $2000$.
#
# So we measure the curvature. `sharpness` estimates $\lambda_{\max}$, the largest eigenvalue of the Hessian
# of the loss at a fixed depth $k$, by power iteration with Hessian-vector products (double backward).
# `train_with_sharpness` repeats `train_dynamic` step for step, and before steps 0, 50, 100 and 150 takes
# the largest $\lambda_{\max}$ over the four depths. Five seeds, 150 steps each; the first table compares
# the mean loss over the last 50 steps, the second $\eta\lambda_{\max}$ at the start and at its largest.


# %%
--8<-- "lessons/momentum/exercises.py:sharpness"
--8<-- "lessons/momentum/exercises.py:train_with_sharpness"


# %%
settings = ((0.0, 1e-3), (0.9, 1e-4))  # (mu, lr): same step along a constant gradient
runs = {s: {(m, lr): train_with_sharpness(m, lr, 150, s) for m, lr in settings} for s in range(5)}
losses = {s: (r[settings[0]][0], r[settings[1]][0]) for s, r in runs.items()}
print("mu=0: eta = 1e-3; mu>0: mu = 0.9, eta = 1e-4")
print(ratio_table(losses, last=50))
print(stability_table(runs))
sgd0 = losses[0][0]
print(f"seed 0, plain SGD: L_0 = {sgd0[0]:.1f}, L_20 = {sgd0[20]:.1f}")
assert min(sum(a[-50:]) / sum(b[-50:]) for a, b in losses.values()) > 1  # momentum ends lower
for r in runs.values():
    assert 1e-3 * max(r[settings[0]][1].values()) > 2  # plain SGD: past its limit 2
    assert 1e-4 * max(r[settings[1]][1].values()) < 2 * (1 + 0.9)  # momentum: inside 2(1 + mu)


# %% [markdown]
# Answer: for every seed momentum ($\mu = 0.9$, $\eta = 10^{-4}$) ends with a lower mean loss over the last
# 50 steps than plain SGD with the ten times larger learning rate. The reason is stability, not noise
# averaging. Plain SGD at $10^{-3}$ starts with $\eta\lambda_{\max}$ between 1.42 and 1.55, close to its limit
# 2, and as training goes on the sharpness grows past $2/\eta$ for every seed: it takes steps that overshoot
# along the sharpest directions, and its loss even rises above the start (seed 0: $L_{20} > L_0$). The same
# growth of the sharpness happens with momentum, but at $\eta = 10^{-4}$ it stays inside the heavy ball's
# larger stability region, $\eta\lambda_{\max} < 2(1+\mu) = 3.8$, for every seed. That the sharpness
# climbs to about the stability limit of the method in full-batch training is a known pattern, the "edge of
# stability" (J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar, Gradient Descent on Neural Networks
# Typically Occurs at the Edge of Stability, ICLR 2021). What momentum gives besides the larger step is a
# stability limit $1+\mu$ times larger for the same learning rate, and so $(1+\mu)/(1-\mu) = 19$ times
# larger for the same effective step.


# %% [markdown]
# ## Exercise 5
#
# Implement the notes' form $\Delta p_t = \mu\Delta p_{t-1} - \eta_t g_t$, run it next to `momentum_step` on
# the quadratic, halve $\eta$ at step 50, plot $f(x_t)$ for both, and explain the difference after the
# change.
#
# Reasoning: PyTorch writes $v_t = \mu v_{t-1} + g_t$, $p_t = p_{t-1} - \eta_t v_t$. With a constant
# learning rate $\Delta p_t = -\eta v_t$ and the two forms are identical. When the rate changes, PyTorch
# applies the new $\eta_t$ to the whole buffer, so the velocity built up so far is halved at once; the
# notes' form halves only the contribution of new gradients and keeps $\Delta p_{t-1}$ as it is, so the
# speed takes about $1/(1-\mu)$ steps to come down.


# %%
--8<-- "lessons/momentum/exercises.py:lr_change_runs"


# %%
curves = lr_change_runs(lr=0.01, mu=0.9, steps=120, change_at=50)
f_v, f_delta = curves.values()
before = max(abs(a - b) for a, b in zip(f_v[:51], f_delta[:51], strict=True))
print(f"t <= 50: max |f_v - f_delta| = {before:.1e}")
for t in (51, 52, 55, 60, 80, 120):
    print(f"t = {t:3d}: f(x_t) PyTorch form {f_v[t]:.3e}, notes' form {f_delta[t]:.3e}")
assert before < 1e-12  # identical while eta is constant
assert abs(f_v[51] - f_delta[51]) > 1e-3  # and different right after the change
plot_lr_change(curves, change_at=50)


# %% [markdown]
# Answer: the two curves coincide (up to rounding) until step 50 and part right after it. PyTorch's form halves the whole
# step, momentum included, at the very step where the learning rate changes; the notes' form keeps rushing
# across the valley at the old speed and takes several steps to adapt. Both converge in the end, but under
# a learning-rate schedule (step decay, warm-up) the same hyperparameters behave differently in the two
# forms: code that follows the notes' formula is not equivalent to `torch.optim.SGD`.


# %% [markdown]
# ## Exercise 6
#
# Fix $\eta\lambda = h$ with $0 < h < 4$. Show that the $\mu$ with the smallest $\max|z|$ is
# $\mu = (1-\sqrt h)^2$, with rate $|1-\sqrt h|$; check it with `root_modulus` on a grid of $\mu$, and compare
# with gradient descent's $|1-h|$ at $h = 0.01$.
#
# Derivation: write $p(z) = z^2 - s z + \mu$ with $s = 1 + \mu - h$. Where the roots are complex,
# $\max|z| = \sqrt\mu$, which grows with $\mu$. Where they are real, take $0 < h < 1$ (so $s > 0$) and the
# larger root $z_+$: since $\partial p/\partial\mu = 1 - z > 0$ at $z_+ < 1$ and $\partial p/\partial z > 0$
# there, implicit differentiation gives $dz_+/d\mu = -(1 - z_+)/(2z_+ - s) < 0$: more momentum lowers the
# rate until the two roots meet. That happens when the discriminant $s^2 - 4\mu$ vanishes, i.e.
# $1 + \mu - h = 2\sqrt\mu$, i.e. $(1 - \sqrt\mu)^2 = h$, so $\mu = (1-\sqrt h)^2$, with the double root
# $z = s/2 = \sqrt\mu = 1 - \sqrt h$. For $1 < h < 4$ the same argument applies to the negative root, and
# the boundary is $\mu = (\sqrt h - 1)^2$, rate $\sqrt h - 1$: in both cases $\mu = (1-\sqrt h)^2$ and
# rate $|1-\sqrt h|$.


# %%
--8<-- "lessons/momentum/exercises.py:best_momentum"


# %%
for h in (0.01, 0.04, 0.25, 2.25):
    mu, rate = best_momentum(h, points=2000)
    edge, floor = (1 - math.sqrt(h)) ** 2, abs(1 - math.sqrt(h))
    print(f"h = {h}: best mu {mu:.4f}, (1 - sqrt h)^2 = {edge:.4f}; rate {rate:.4f}, "
          f"|1 - sqrt h| = {floor:.4f}, gradient descent |1 - h| = {abs(1 - h):.4f}")
    assert abs(mu - edge) <= 1 / 2000 and abs(rate - floor) <= 1 / 2000  # the grid's spacing


# %% [markdown]
# Answer: on a grid of spacing $1/2000$ the best $\mu$ and its rate agree with $(1-\sqrt h)^2$ and
# $|1-\sqrt h|$ to within the spacing. At $h = 0.01$, the slowest direction of an ill-conditioned problem,
# the best momentum gives the rate $0.9$ against gradient descent's $0.99$: $-\ln 0.9 \approx 0.105$ per step
# against $0.010$, ten times faster, because $\sqrt h$ replaces $h$. This is the $\sqrt\kappa$ of the lesson,
# seen one direction at a time.
