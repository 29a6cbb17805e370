# %% [markdown]
# # Logistic regression: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code that solves it, and the
# answer. The solving code lives in `lessons/logistic_regression/exercises.py` and is shown in full in
# the cell before the one that calls it. Wherever an answer is definite, an `assert` checks it with a
# stated tolerance; claims about training runs are checked over several seeds.


# %%
from collections.abc import Sequence  # noqa: F401 (the annotations of the code shown below)

import torch

from lessons.logistic_regression.exercises import plot_losses
from lessons.logistic_regression.lesson import (
    accuracy,
    fit_by_hand,
    make_data,
    make_exam_data,
    make_model,
    train,
)
from lessons.printing import table

x_data, y_data = make_data(dtype=torch.float64)
model0 = make_model(seed=0)
w0, b0 = model0.linear.weight.item(), model0.linear.bias.item()


# %% [markdown]
# ## Exercise 1
#
# Train the course model for $10^4$ and $10^5$ epochs and print $w$ and $x^*$. Why does $w$ keep
# growing, and where is $x^*$ heading? What happens if you add the student $(2.5, 1)$?
#
# Reasoning: students $x = 1, 2$ fail and $x = 3$ passes, so the data are linearly separable. For
# any $(w, b)$ that classifies them correctly, scaling it to $(cw, cb)$ with $c > 1$ makes every
# $|z_i|$ larger and every BCE term smaller. The loss therefore has no minimizer: it only tends to
# $0$
# as $\|(w, b)\| \to \infty$, and gradient descent makes $w$ grow without bound (slowly, like
# $\log t$). Soudry et al. (2018) proved that the direction of $(w, b)$ then converges to the
# maximum-margin (hard-margin SVM) direction; in one dimension the maximum-margin boundary is the
# midpoint between the last failing and the first passing student, here $2.5$. Training $10^5$
# epochs with PyTorch is slow, so `fit_fast` performs the same updates in Python floats (float64);
# we
# first check that it agrees with `fit_by_hand` over 1000 epochs. `fit_fast` records $w$, $b$, $x^* = -b/w$ and the loss at the given epochs; `_softplus` computes the BCE from the logits, and `_sigmoid` does not overflow for large $|z|$.


# %%
--8<-- "lessons/logistic_regression/exercises.py:sigmoid"
--8<-- "lessons/logistic_regression/exercises.py:fit_fast"


# %%
from lessons.logistic_regression.exercises import fit_fast

w_hand, b_hand, _ = fit_by_hand(x_data, y_data, w0, b0, epochs=1000, lr=0.01)
course = fit_fast([1.0, 2.0, 3.0], [0, 0, 1], w0, b0, checkpoints=[1000, 10_000, 100_000])
assert abs(course[0]["w"] - w_hand) < 1e-10 and abs(course[0]["b"] - b_hand) < 1e-10
extra = fit_fast([1.0, 2.0, 2.5, 3.0], [0, 0, 1, 1], w0, b0, checkpoints=[1000, 10_000, 100_000])
for name, runs in (("x = 1, 2, 3", course), ("x = 1, 2, 2.5, 3", extra)):
    for r in runs:
        print(
            f"{name:17s} t = {r['epochs']:6d}: w = {r['w']:6.3f}, b = {r['b']:7.3f}, "
            f"x* = {r['x_star']:.4f}, L = {r['loss']:.4f}"
        )
for runs, margin_mid in ((course, 2.5), (extra, 2.25)):
    ws = [r["w"] for r in runs]
    gaps = [abs(r["x_star"] - margin_mid) for r in runs]
    assert ws[0] < ws[1] < ws[2] and gaps[0] > gaps[1] > gaps[2] and gaps[2] < 0.025


# %% [markdown]
# Answer: on the original three students, $w$ is about $1.11$, $4.05$ and $8.45$ after $10^3$,
# $10^4$ and $10^5$ epochs: each tenfold increase in training adds a roughly constant amount
# (logarithmic growth). The loss drops from $1.10$ to $0.029$ but never reaches $0$. The boundary
# $x^*$ moves from $2.419$ to $2.453$ and $2.479$, creeping towards the maximum-margin midpoint
# $2.5$. With the student $(2.5, 1)$ added, the data are still separable and the same happens,
# except
# that the gap now lies between $2$ and $2.5$: $x^*$ goes through $1.95$, $2.21$ and $2.24$ towards
# the new midpoint $2.25$, and $w$ still grows without bound. On separable data, "training to
# convergence" is impossible; in practice an L2 penalty (weight decay) or early stopping keeps $w$
# finite.


# %% [markdown]
# ## Exercise 2
#
# Replace the BCE by the MSE $(\hat y - y)^2$, derive $\partial \ell / \partial z$, and show that it
# vanishes when $\hat y \approx 0$ but $y = 1$. Train both from $w_0 = -5, b_0 = 0$ and compare the
# loss curves.
#
# Derivation: with $\hat y = \sigma(z)$ and $\sigma'(z) = \hat y(1 - \hat y)$, the chain rule gives
#
# $$\frac{\partial \ell_{\text{MSE}}}{\partial z} = 2(\hat y - y)\,\hat y\,(1 - \hat y), \qquad
# \frac{\partial \ell_{\text{BCE}}}{\partial z} = \hat y - y .$$
#
# For $y = 1$ and $\hat y \to 0$, the MSE derivative is about $-2\hat y \to 0$: the more wrong the
# prediction, the smaller the gradient. The BCE derivative is $-1$, its largest value. From
# $w_0 = -5$, $z_3 = -15$ and $\hat y_3 = \sigma(-15) \approx 3\times10^{-7}$, so the MSE gradient
# from the
# passing student is only about $6\times10^{-7}$, and training barely moves. `mse_dz` is that derivative, `mse_sum` can serve as the `criterion` of `train`, and `set_parameters` puts the model at the start $(-5, 0)$:


# %%
--8<-- "lessons/logistic_regression/exercises.py:mse_vs_bce"


# %%
from lessons.logistic_regression.exercises import mse_dz, mse_sum, set_parameters

z = torch.tensor([-15.0, -5.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
ones = torch.ones_like(z)
((torch.sigmoid(z) - ones) ** 2).sum().backward()
assert torch.allclose(z.grad, mse_dz(z.detach(), ones), rtol=1e-12, atol=0)
print("dl/dz, MSE:", [f"{v:.2e}" for v in mse_dz(z.detach(), ones).tolist()])
print("dl/dz, BCE:", [f"{v:.2e}" for v in (torch.sigmoid(z.detach()) - 1).tolist()])

curves = {}
for label, criterion in ((r"$\mathrm{BCE}$", None), (r"$\mathrm{MSE}$", mse_sum)):
    model = set_parameters(make_model(0), -5.0, 0.0)
    curves[label] = train(model, *make_data(), epochs=1000, lr=0.01, criterion=criterion)
    w, b = model.linear.weight.item(), model.linear.bias.item()
    print(
        f"{label}: L(1) = {curves[label][0]:.4f}, L(1000) = {curves[label][-1]:.4f}, "
        f"w = {w:.4f}, b = {b:.4f}"
    )
bce_run, mse_run = curves.values()
assert bce_run[-1] < bce_run[0] / 10 and abs(mse_run[-1] - mse_run[0]) < 1e-4
fig = plot_losses(curves)


# %% [markdown]
# Answer: in float64 the derived $\partial\ell/\partial z$ agrees with autograd to a relative
# $10^{-12}$. At $z = -15$ the MSE derivative is only $-6.1\times10^{-7}$, against $-1.00$ for the
# BCE.
# After 1000 epochs, the BCE loss falls from $15.0$ to $1.31$ and $w$ turns positive; the MSE loss
# sits at about $1.0000$ and barely changes, with $w$ still about $-5.00$: the model is stuck at the
# wrong answer "everybody fails". This is why classifiers are trained with cross-entropy rather than
# MSE: the $-\log$ of the BCE cancels exactly the factor $\sigma'(z)$ that makes the saturated
# sigmoid flat.


# %% [markdown]
# ## Exercise 3
#
# Rewrite `LogisticRegressionModel` to return the logit $z$, train it with
# `BCEWithLogitsLoss(reduction="sum")`, and check that $w, b$ match the `BCELoss` run.
#
# Reasoning: `BCEWithLogitsLoss(z, y)` equals `BCELoss(σ(z), y)` mathematically; it is only computed
# in the softplus form, which is numerically more stable. From the same start with the same
# gradients, the two runs should follow the same path up to rounding. `make_logit_model(0)` creates
# its `nn.Linear(1, 1)` under the same seed, so it starts from exactly the initial values of
# `make_model(0)`. We train in float64 so that the differences are tiny. `LogitModel` is the model without its final sigmoid:


# %%
--8<-- "lessons/logistic_regression/exercises.py:logit_model"


# %%
from lessons.logistic_regression.exercises import make_logit_model

probability_model = make_model(0).double()
logit_model = make_logit_model(0).double()
assert torch.equal(logit_model.linear.weight, probability_model.linear.weight)
losses_p = train(probability_model, x_data, y_data, epochs=1000, lr=0.01, reduction="sum")
logits_loss = torch.nn.BCEWithLogitsLoss(reduction="sum")
losses_z = train(logit_model, x_data, y_data, epochs=1000, lr=0.01, criterion=logits_loss)
w_p, b_p = probability_model.linear.weight.item(), probability_model.linear.bias.item()
w_z, b_z = logit_model.linear.weight.item(), logit_model.linear.bias.item()
print(f"BCELoss:           w = {w_p:.10f}, b = {b_p:.10f}, L = {losses_p[-1]:.10f}")
print(f"BCEWithLogitsLoss: w = {w_z:.10f}, b = {b_z:.10f}, L = {losses_z[-1]:.10f}")
print(f"max |difference| = {max(abs(w_p - w_z), abs(b_p - b_z)):.1e}")
assert abs(w_p - w_z) < 1e-12 and abs(b_p - b_z) < 1e-12  # float64 rounding over 1000 steps


# %% [markdown]
# Answer: in float64 the two runs' $w, b$ differ by less than $10^{-12}$ and the loss curves
# coincide:
# returning the logit and using `BCEWithLogitsLoss` does not change what the model learns, only how
# it is computed. To predict a probability, apply $\sigma$ to the logit; the boundary $z = 0$ is the
# same. The benefit of `BCEWithLogitsLoss` appears in float32 and at extreme $z$, as the lesson's
# section on numerical stability shows.


# %% [markdown]
# ## Exercise 4
#
# On the noisy data set, train with `reduction="sum"` and $\eta = 0.1$. What happens, and which
# $\eta$ makes `"sum"` behave like the `"mean"` run?
#
# Reasoning: with $N = 200$, the summed gradient is 200 times the mean one, so `"sum"` at
# $\eta = 0.1$ is `"mean"` at $\eta = 20$. Near $w = 0$ the Hessian of the mean loss is about
# $\frac14\,\overline{[x, 1]^\top[x, 1]}$, with a largest eigenvalue of about $8.5$, so a step of
# $20$
# is far beyond the stability limit $2/8.5 \approx 0.24$. Conversely, `"sum"` at
# $\eta = 0.1/N = 5\times10^{-4}$ makes every update identical to `"mean"` at $0.1$. The lesson's `train` is all we need.


# %%
x_exam, y_exam = make_exam_data(n=200, seed=0)
model_sum = make_model(0)
losses_sum = train(model_sum, x_exam, y_exam, epochs=300, lr=0.1, reduction="sum")
tail = losses_sum[-100:]
print(
    f"sum, eta = 0.1: L/N over the last 100 epochs between {min(tail) / 200:.3f} and "
    f"{max(tail) / 200:.3f}, w = {model_sum.linear.weight.item():.2f}, "
    f"accuracy = {accuracy(model_sum, x_exam, y_exam):.3f}"
)

x64, y64 = x_exam.double(), y_exam.double()
model_mean, model_small = make_model(0).double(), make_model(0).double()
losses_mean = train(model_mean, x64, y64, epochs=300, lr=0.1, reduction="mean")
losses_small = train(model_small, x64, y64, epochs=300, lr=0.1 / 200, reduction="sum")
gap = max(abs(a / 200 - b) for a, b in zip(losses_small, losses_mean, strict=True))
print(
    f"mean, eta = 0.1: L(300) = {losses_mean[-1]:.4f}; sum, eta = 5e-4: L(300)/N = "
    f"{losses_small[-1] / 200:.4f}; max |difference| = {gap:.1e}"
)
assert max(tail) / 200 > 10 * losses_mean[-1] and min(tail) / 200 > 2 * losses_mean[-1]
assert gap < 1e-12


# %% [markdown]
# Answer: `"sum"` at $\eta = 0.1$ is out of control: every step jumps too far, the loss bounces over
# a
# wide range, over the last 100 epochs $L/N$ peaks at more than ten times the `"mean"` run's loss
# and never
# dips below twice it, and $w$ is pushed to large values. Because the BCE gradient is bounded
# ($|\hat y - y| \le 1$) it does
# not blow up to infinity as linear regression would, but it does not converge either. At
# $\eta = 0.1/200 = 5\times10^{-4}$, `"sum"`'s $L/N$ equals `"mean"`'s $L$ at every one of 300
# epochs
# (to within $10^{-12}$ in float64). The advantage of `"mean"` is that the learning rate need not
# change with the size of the data set.


# %% [markdown]
# ## Exercise 5
#
# Standardize the hours, $x' = (x - \bar x)/s$, before training on the noisy data. How many epochs
# does it now take to reach the same loss, and why does centering help gradient descent here?
#
# Reasoning: $\sigma(w'x' + b')$ and $\sigma(wx + b)$ describe the same family of functions
# ($w = w'/s$, $b = b' - w'\bar x/s$), so their losses can be compared directly. The Hessian of the
# mean BCE is $\overline{\sigma'(z)\,[x, 1]^\top[x, 1]}$. With $x \in [0, 10)$ and
# $\bar x \approx 5$,
# the columns $x$ and $1$ are strongly correlated and the Hessian is badly stretched: the direction
# "raise $w$ while lowering $b$" is very flat, and gradient descent crawls along it. After
# standardizing, $x'$ has mean $0$, the two columns are orthogonal and on the same scale, and the
# condition number drops sharply. We run 5 seeds (each sets the data and the initial values): the
# target is the loss after 2000 epochs on the raw hours at $\eta = 0.1$, and we count the epochs the
# standardized run needs to reach it. Training uses `fit_mean_gd` (hand-written gradient, float64,
# faster). `standardize` standardizes, and `hessian_condition` computes the condition number of the Hessian:


# %%
--8<-- "lessons/logistic_regression/exercises.py:standardize"
--8<-- "lessons/logistic_regression/exercises.py:fit_mean_gd"


# %%
from lessons.logistic_regression.exercises import fit_mean_gd, hessian_condition, standardize

rows = []
for seed in range(5):
    x_raw, y_raw = make_exam_data(n=200, seed=seed)
    x_std = standardize(x_raw)
    start = make_model(seed)
    w_s, b_s = start.linear.weight.item(), start.linear.bias.item()
    target = fit_mean_gd(x_raw, y_raw, w_s, b_s, epochs=2000, lr=0.1)[-1]
    epochs_std = [
        len(fit_mean_gd(x_std, y_raw, w_s, b_s, 5000, lr, until=target)) for lr in (0.1, 1.0, 10.0)
    ]
    raw_fast = fit_mean_gd(x_raw, y_raw, w_s, b_s, epochs=300, lr=3.0)
    kappa_raw, kappa_std = hessian_condition(x_raw, 1.5, -7.5), hessian_condition(x_std, 3.0, 0.0)
    rows.append((seed, target, kappa_raw, kappa_std, 2000, *epochs_std, raw_fast[-1]))
    assert epochs_std[0] < 1000 and epochs_std[1] < 100 and epochs_std[2] <= 5
    assert kappa_raw > 100 * kappa_std and min(raw_fast[-10:]) > 1.5 * target
columns = [("seed", "d"), ("L_target", ".4f"), ("kappa(raw)", ".0f"), ("kappa(std)", ".2f")]
columns += [("epochs: raw 0.1", "d"), ("std 0.1", "d"), ("std 1", "d"), ("std 10", "d")]
print(table(rows, columns + [("raw 3: L(300)", ".3f")]))


# %% [markdown]
# Answer: for all 5 seeds, at the same $\eta = 0.1$ the standardized run reaches the raw run's
# 2000-epoch loss in 521 to 717 epochs. More importantly, standardized inputs take a much larger
# learning rate safely: 52 to 71 epochs at $\eta = 1$, and only 2 to 3 at $\eta = 10$, while the raw
# hours at $\eta = 3$ oscillate, still bouncing at more than 1.5 times the target after 300
# epochs. The reason is the
# condition number: near the true parameters $(w, b) = (1.5, -7.5)$, the Hessian on the raw hours
# has
# a condition number of about 490 to 610, and about 3 after standardizing. The steepest direction
# caps
# the learning rate, the flattest one sets the number of epochs, roughly in proportion to the
# condition number. Centering removes the correlation between $x$ and the bias, scaling makes the
# curvatures alike, and then a single learning rate suits every direction. Note that $\bar x$ and
# $s$
# must come from the training set only; the next lesson comes back to this.
