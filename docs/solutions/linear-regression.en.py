# %% [markdown]
# # Linear regression with PyTorch: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code that solves it, and the
# answer. The solving code lives in `lessons/linear_regression/exercises.py` and is shown in full in
# the cell before the one that calls it. Wherever an answer is definite, an `assert` checks it with a
# stated tolerance; claims about training runs are checked over several seeds.


# %%
from collections.abc import Sequence  # noqa: F401 (the annotations of the code shown below)

import numpy as np
import torch

from lessons.linear_regression.exercises import format_losses, plot_by_calls
from lessons.linear_regression.lesson import (
    OPTIMIZERS,
    make_data,
    make_model,
    plot_optimizers,
    train,
)

x64, y64 = make_data(dtype=torch.float64)
hessian = 2 * torch.tensor([[14.0, 6.0], [6.0, 3.0]], dtype=torch.float64)
lam_min, lam_max = torch.linalg.eigvalsh(hessian).tolist()
print(f"eigenvalues of H: {lam_min:.4f}, {lam_max:.4f}")


# %% [markdown]
# ## Exercise 1
#
# Change `reduction="sum"` to `"mean"` in `train` and retrain with $\eta = 0.01$. How many epochs
# does it take to reach $L < 10^{-6}$ (measured as a sum)? Which learning rate makes `"mean"`
# reproduce the `"sum"` run exactly?
#
# Reasoning: the `"mean"` loss is $L/N$ and its gradient $\nabla L / N$, so
# $\eta\,\nabla(L/N) = (\eta/N)\,\nabla L$: the learning rate is in effect divided by $N = 3$. The
# slow direction is set by the smallest eigenvalue of $H$, $\lambda_{\min} \approx 0.72$; the error
# is multiplied by $1 - \eta\lambda_{\min}$ per epoch, so a step three times smaller needs about
# three times as many epochs for the same precision. Conversely, $\eta = 0.03 = N \times 0.01$ makes
# every update identical to that of `"sum"` with $\eta = 0.01$. To see "identical" clearly, we work
# in float64.
#
# `train_reduction` is a variant of the lesson's `train`: it takes the `reduction`, records the loss
# (as a sum) and $(w, b)$ at every epoch, and stops once the loss is below `until`; `first_below`
# finds the first epoch with a loss below a given level:


# %%
--8<-- "lessons/linear_regression/exercises.py:train_reduction"
--8<-- "lessons/linear_regression/exercises.py:first_below"


# %%
from lessons.linear_regression.exercises import first_below, train_reduction

run_sum = train_reduction(make_model(0).double(), x64, y64, 5000, 0.01, "sum", until=1e-6)
run_mean = train_reduction(make_model(0).double(), x64, y64, 5000, 0.01, "mean", until=1e-6)
t_sum, t_mean = first_below(run_sum["loss_sum"], 1e-6), first_below(run_mean["loss_sum"], 1e-6)
predicted = np.log(1 - 0.01 * lam_min) / np.log(1 - 0.01 * lam_min / 3)
print(
    f"epochs to L < 1e-6: sum {t_sum}, mean {t_mean}, ratio {t_mean / t_sum:.3f} "
    f"(predicted {predicted:.3f})"
)
run_mean3 = train_reduction(make_model(0).double(), x64, y64, 300, 0.03, "mean")
gap = np.abs(np.array(run_mean3["wb"]) - np.array(run_sum["wb"][:300])).max()
print(f"max |(w, b) difference|, mean at 0.03 vs sum at 0.01, 300 epochs: {gap:.1e}")
assert (t_sum, t_mean) == (922, 2768)
assert abs(t_mean / t_sum - predicted) < 0.01 and gap < 1e-14  # float64 rounding


# %% [markdown]
# Answer: `"sum"` reaches $L < 10^{-6}$ in 922 epochs; `"mean"` with the same $\eta = 0.01$ needs
# 2768, about three times as many, in line with the ratio computed from $\lambda_{\min}$. Setting
# `"mean"`'s learning rate to $\eta = 0.03$, $N$ times larger, gives the same $(w, b)$ at every one of
# 300 epochs (the differences are rounding errors of order $10^{-16}$). The choice of `reduction` and
# the learning rate go together: change one, and rescale the other by $N$.


# %% [markdown]
# ## Exercise 2
#
# Using the eigenvalues of $H$ above, predict the largest stable learning rate, then check it: train
# with $\eta = 0.05$, $0.06$ and $0.07$ and look at the loss curves.
#
# Reasoning: $L$ is quadratic, and gradient descent multiplies the error along each eigenvector of
# $H$ by $1 - \eta\lambda$. Every direction converges only if $|1 - \eta\lambda_{\max}| < 1$, that is
# $\eta < 2/\lambda_{\max}$. With $\lambda_{\max} = 17 + \sqrt{265} \approx 33.28$, we get
# $\eta_{\max} \approx 0.0601$. $0.06$ is just below it, with a factor of about $-0.997$; $0.07$ has a
# factor of about $-1.33$. The lesson's `train` is all we need:


# %%
eta_max = 2 / lam_max
print(f"eta_max = 2 / lambda_max = {eta_max:.5f}")
curves = {}
for eta in (0.05, 0.06, 0.07):
    model = make_model(0).double()
    curves[rf"$\eta={eta:g}$"] = losses = train(model, x64, y64, epochs=300, lr=eta)
    print(
        f"eta = {eta}: factor {1 - eta * lam_max:+.4f}, "
        f"L(1) = {losses[0]:.3g}, L(100) = {losses[99]:.3g}, L(300) = {losses[-1]:.3g}"
    )
assert abs(eta_max - 0.0601) < 1e-4 and 0.06 < eta_max < 0.07
assert curves[r"$\eta=0.05$"][-1] < 1e-6 < curves[r"$\eta=0.06$"][-1] < curves[r"$\eta=0.06$"][0]
assert curves[r"$\eta=0.07$"][-1] > 1e70 * curves[r"$\eta=0.07$"][0]
fig = plot_optimizers(curves)


# %% [markdown]
# Answer: the predicted limit is $\eta_{\max} = 2/\lambda_{\max} \approx 0.0601$. $\eta = 0.05$
# converges well; $\eta = 0.06$ still converges, but the steep direction's factor is close to $-1$,
# the error shrinks by only about $0.3\%$ per epoch there, and the loss comes down slowly;
# $\eta = 0.07$ is past the limit: the error grows by a factor of $1.33$ per epoch while flipping
# sign, and the loss grows exponentially, by more than $10^{70}$ in 300 epochs (we use float64 here,
# so that float32 does not overflow to `inf`). The experiment agrees with the prediction: the edge of
# stability lies between $0.06$ and $0.07$.


# %% [markdown]
# ## Exercise 3
#
# Count how many times the closure is called during the 100 L-BFGS steps (wrap it in a counter),
# and redraw the comparison with the number of closure calls on the horizontal axis.
#
# Reasoning: each closure call is one forward and one backward pass, which is the real cost. The
# other optimizers call the closure once per step; L-BFGS runs up to 20 inner iterations per step,
# possibly with a line search. `run_counted` makes the closure add one to a counter at every call and
# records the running total after each step:


# %%
--8<-- "lessons/linear_regression/exercises.py:run_counted"


# %%
from lessons.linear_regression.exercises import run_counted

runs = {name: run_counted(name, epochs=100, lr=0.01, seed=0) for name in OPTIMIZERS}
for name, r in runs.items():
    print(f"{name:8s} closure calls {r['calls'][-1]:5d}, final L = {r['loss'][-1]:.3g}")
calls_to_target = {}
for name in ("LBFGS", "Rprop"):
    t = first_below(runs[name]["loss"], 1e-6)
    calls_to_target[name] = runs[name]["calls"][t - 1]
    print(f"{name} reaches L < 1e-6 at step {t}, after {calls_to_target[name]} closure calls")
sgd_long = run_counted("SGD", epochs=1000, lr=0.01, seed=0)
calls_to_target["SGD"] = first_below(sgd_long["loss"], 1e-6)
print(f"SGD reaches L < 1e-6 after {calls_to_target['SGD']} closure calls")
at_100 = max(t for t, c in enumerate(runs["LBFGS"]["calls"]) if c <= 100)
lbfgs_100, sgd_100 = runs["LBFGS"]["loss"][at_100], runs["SGD"]["loss"][-1]
print(f"after 100 calls: LBFGS L = {lbfgs_100:.3g}, SGD L = {sgd_100:.3g}")
assert runs["LBFGS"]["calls"][-1] == 1128
assert all(r["calls"][-1] == 100 for name, r in runs.items() if name != "LBFGS")
assert 0.9 < calls_to_target["LBFGS"] / calls_to_target["SGD"] < 1.1
assert calls_to_target["Rprop"] < calls_to_target["LBFGS"] / 10 and lbfgs_100 > 10 * sgd_100
fig = plot_by_calls(runs)


# %% [markdown]
# Answer: the 100 L-BFGS steps call the closure 1128 times, more than 11 times per step on average,
# while the other seven optimizers call it once per step. With calls on the horizontal axis, the
# L-BFGS curve is stretched more than tenfold to the right and its lead all but disappears: it needs
# 900 calls to reach $L < 10^{-6}$, while plain SGD at a learning rate of $0.01$ needs 922
# (exercise 1), less than 10% apart; after only 100 calls, L-BFGS's loss (about $9.1$) is much higher
# than SGD's (about $0.15$). Rprop needs just 69 calls: it is the real winner. A fair comparison of
# optimizers puts the real cost on the horizontal axis (evaluations of the loss and gradient, or
# wall time), not steps.


# %% [markdown]
# ## Exercise 4
#
# Tune $\eta$ for Adam and Adagrad separately (try $0.1$, $0.3$, $1$). How close do they get to
# L-BFGS and Rprop after 100 epochs?
#
# Reasoning: Adam moves each coordinate by about $\eta$ per step, so covering a distance of about 2
# at $\eta = 0.01$ takes hundreds of steps, and a larger $\eta$ is much faster. Adagrad's steps decay
# like $\eta/\sqrt t$, so it needs a large $\eta$ even more. So that the answer does not hinge on one
# initialization, we repeat everything for 5 seeds (which set the initial $w_0, b_0$); L-BFGS and
# Rprop keep the page's $\eta = 0.01$. `final_losses` trains each optimizer for 100 epochs at each
# learning rate and returns the last loss:


# %%
--8<-- "lessons/linear_regression/exercises.py:final_losses"


# %%
from lessons.linear_regression.exercises import final_losses

for seed in range(5):
    tuned = final_losses(("Adam", "Adagrad"), (0.01, 0.1, 0.3, 1.0), seed)
    reference = final_losses(("LBFGS", "Rprop"), (0.01,), seed)
    print(f"seed {seed}:", format_losses(tuned), "|", format_losses(reference))
    for values in tuned.values():
        best = min(values[1:])
        assert best < values[0] / 100  # tuning gains at least two orders of magnitude
        assert best > 100 * reference["LBFGS"][0] and best > reference["Rprop"][0]


# %% [markdown]
# Answer: each row lists the loss after 100 epochs at $\eta = 0.01, 0.1, 0.3, 1$. For all 5 seeds,
# tuned Adam and Adagrad beat $\eta = 0.01$ by at least two orders of magnitude: Adam's best lies
# between $1.1\times10^{-4}$ and $1.2\times10^{-3}$, Adagrad's best is at $\eta = 1$, between
# $7.5\times10^{-4}$ and $0.1$. Yet both
# stay at least two orders of magnitude above L-BFGS (about $2\times10^{-8}$), and both lose to
# Rprop. The problem suits those two: two parameters, no noise, a quadratic. L-BFGS exploits the
# curvature, and Rprop's sign-based steps grow by $1.2\times$ at a time; Adam's step is capped near
# $\eta$, and near the optimum its momentum makes it overshoot back and forth. On large, noisy
# problems the ranking is different.


# %% [markdown]
# ## Exercise 5
#
# Add a fourth data point that is not on the line, e.g. $(4, 9)$, and train again. Compare the
# fitted $w, b$ with the least-squares solution of the normal equations
# $X^\top X \theta = X^\top y$.
#
# Reasoning: $X = \begin{pmatrix}1&2&3&4\\1&1&1&1\end{pmatrix}^\top$,
# $X^\top X = \begin{pmatrix}30 & 10\\ 10 & 4\end{pmatrix}$ and $X^\top y = (64, 21)^\top$, which
# give $w = (4\cdot 64 - 10\cdot 21)/20 = 2.3$ and $b = (30\cdot 21 - 10\cdot 64)/20 = -0.5$. The
# loss gradient descent minimizes, $L = \|X\theta - y\|^2$, is exactly this least-squares problem,
# so it should converge to the same solution. The largest eigenvalue of the new Hessian $2X^\top X$
# is about $66.8$, so $\eta = 0.01$ is still stable (the limit is about $0.030$). `normal_equations`
# solves the $2 \times 2$ system in float64:


# %%
--8<-- "lessons/linear_regression/exercises.py:normal_equations"


# %%
from lessons.linear_regression.exercises import normal_equations

x4 = torch.tensor([[1.0], [2.0], [3.0], [4.0]], dtype=torch.float64)
y4 = torch.tensor([[2.0], [4.0], [6.0], [9.0]], dtype=torch.float64)
w_ls, b_ls = normal_equations(x4, y4)
model = make_model(0).double()
losses = train(model, x4, y4, epochs=2000, lr=0.01)
w_gd, b_gd = model.linear.weight.item(), model.linear.bias.item()
print(f"normal equations: w = {w_ls:.6f}, b = {b_ls:.6f}")
print(f"gradient descent: w = {w_gd:.6f}, b = {b_gd:.6f}, L = {losses[-1]:.6f}")
lam_max4 = torch.linalg.eigvalsh(2 * torch.tensor([[30.0, 10.0], [10.0, 4.0]]))[-1].item()
print(f"lambda_max of 2 X^T X: {lam_max4:.1f}, so eta < {2 / lam_max4:.4f}")
assert abs(w_ls - 2.3) < 1e-12 and abs(b_ls + 0.5) < 1e-12
assert abs(w_gd - w_ls) < 1e-8 and abs(b_gd - b_ls) < 1e-8 and abs(losses[-1] - 0.3) < 1e-8


# %% [markdown]
# Answer: the normal equations give $w = 2.3$ and $b = -0.5$; after 2000 epochs gradient descent
# reaches the same $(w, b)$, to within $10^{-8}$. The loss now stops at $L = 0.30$ instead of $0$: the
# residuals are $0.2, -0.1, -0.4, 0.3$, no line passes through all four points, and $0.30$ is the
# smallest possible sum of squared errors. The point off the line pulls the slope up and the
# intercept down. For linear regression the normal equations give the exact answer in one step;
# gradient descent matters because it works just as well for models with no closed form.
