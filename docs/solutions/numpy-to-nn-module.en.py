# %% [markdown]
# # From NumPy to nn.Module: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code that solves it, and the
# answer. The solving code lives in `lessons/numpy_to_nn_module/exercises.py` and is shown in full in
# the cell before the one that calls it. Wherever an answer is definite, an `assert` checks it with a
# stated tolerance; claims about training runs are checked over several seeds.


# %%
import math

import torch

from lessons.dynamic_net import make_data
from lessons.numpy_to_nn_module.lesson import train_raw
from lessons.printing import loss_table
from lessons.seeds import generator

# %% [markdown]
# ## Exercise 1
#
# Remove `w1.grad.zero_()` and `w2.grad.zero_()` from a copy of `train_raw`. What happens to the
# loss, and why?
#
# Reasoning: `backward()` adds the new gradient to `.grad` instead of overwriting it. Without
# zeroing, `.grad` at step $t$ holds $\sum_{s \le t} \nabla L(\theta_s)$, and the update becomes
# $\theta_{t+1} = \theta_t - \eta\sum_{s\le t}\nabla L(\theta_s)$. That is heavy-ball momentum with
# $\mu = 1$: the "velocity" never decays, long-outdated gradients keep pushing the parameters, and
# they overshoot the valley and swing back and forth with growing amplitude. The first two losses
# should be unaffected: step 1 holds a single gradient anyway, and the loss of step 2 is computed
# after the first update, which is the same as before. `train_raw_variant` is the lesson's level-1 `train_raw` with two switches: `zero_grad=False` skips the zeroing, and `scaled_init=True` serves exercise 2:


# %%
--8<-- "lessons/numpy_to_nn_module/exercises.py:train_raw_variant"


# %%
from lessons.numpy_to_nn_module.exercises import train_raw_variant

zeroed = train_raw(steps=500, lr=1e-6, seed=0)
kept = train_raw_variant(steps=500, lr=1e-6, seed=0, zero_grad=False)
print(loss_table({"zero_()": zeroed}))
print("without zero_(): L_t for t = 1..12:", [f"{v:.2g}" for v in kept[:12]])
print(f"without zero_(): the run stops at step {len(kept)} with L = {kept[-1]}")
assert kept[:2] == zeroed[:2] and not math.isfinite(kept[-1]) and len(kept) < 500


# %% [markdown]
# Answer: the first two losses are exactly the same as before; after that the runs part ways. The
# loss
# jumps up and down (down to $1.0\times10^7$ at step 3, back up to $1.2\times10^7$ at step 4), grows
# overall, and becomes `inf` at step 119: training diverges, while the run with zeroing decreases
# steadily over 500 steps. The reason is the one given above: accumulated gradients act as momentum
# that never decays. The accumulation itself is not a bug: the
# [gradient accumulation](../../gradient-accumulation/) lesson uses it on purpose, skipping the
# zeroing
# between several `backward()` calls to add up the gradients of several mini-batches before one
# update.


# %% [markdown]
# ## Exercise 2
#
# Level 1 starts at $L \approx 3 \times 10^7$. Draw $W_1$ with standard deviation $1/\sqrt{1000}$
# and
# $W_2$ with $1/\sqrt{100}$ instead of 1. What is the initial loss now, and how large can the
# learning
# rate be before training diverges?
#
# Reasoning: every entry of $x$ is standard normal. With unit-variance $W_1$, each entry of $xW_1$
# is a
# sum of 1000 terms, with variance $1000$; multiplying by $W_2$ scales the variance by about another
# $100/2$, so the predictions have a variance of about $5\times10^4$, and $L$, a sum of
# $64 \times 10 = 640$ squared errors, is about $3\times10^7$. With the $1/\sqrt{\text{fan-in}}$
# scaling,
# $xW_1$ has variance $1$, $\hat y$ about $1/2$ and $y$ has $1$, so
# $L \approx 640 \times 1.5 \approx 10^3$.
# This is the idea behind LeCun initialization. For the largest learning rate we first estimate from
# curvature: for the $W_2$ block alone the Hessian of $L$ is $2h^\top h$ with
# $h = \mathrm{ReLU}(xW_1)$,
# and stability needs $\eta < 2/\lambda_{\max}(2h^\top h)$. Then we measure: 300 steps for several
# learning rates and 5 seeds. (`train_raw_variant(scaled_init=True)`, shown in exercise 1.)


# %%
rates = (1.2e-3, 1.5e-3, 1.8e-3)
for seed in range(5):
    x, _ = make_data(seed=seed, device="cpu")  # w1 is drawn on the CPU too
    w1 = torch.randn(1000, 100, generator=generator(seed + 1)) / math.sqrt(1000)
    h = x.mm(w1).clamp(min=0).double()
    eta_est = 2 / torch.linalg.eigvalsh(2 * h.T @ h)[-1].item()
    runs = {lr: train_raw_variant(steps=300, lr=lr, seed=seed, scaled_init=True) for lr in rates}
    cells = ", ".join(f"{lr:.1e}: {r[-1]:.1e} (t={len(r)})" for lr, r in runs.items())
    print(
        f"seed {seed}: L_1 = {runs[1.2e-3][0]:.0f}, 2/lambda_max = {eta_est:.1e}; L at the end: {cells}"
    )
    assert 500 < runs[1.2e-3][0] < 2000 and eta_est < 1e-3
    assert runs[1.2e-3][-1] < 1e-4 and not math.isfinite(runs[1.8e-3][-1])


# %% [markdown]
# Answer: with the $1/\sqrt{\text{fan-in}}$ initialization, the initial loss of the five seeds lies
# between $850$ and $1030$ ($853$ for `seed=0`), about $3\times10^4$ times smaller than the original
# $2.9\times10^7$, as estimated. The learning rate can be far larger too: instead of $10^{-6}$,
# $\eta = 1.2\times10^{-3}$ brings the loss below $10^{-4}$ within 300 steps; at $1.5\times10^{-3}$
# the
# loss no longer comes down (after 300 steps it is still between $0.1$ and $40$), and at
# $1.8\times10^{-3}$ it diverges to
# `inf` within 10 steps. The limit is therefore near $1.5\times10^{-3}$, three orders of magnitude
# above the original. The estimate $2/\lambda_{\max} \approx 9.5\times10^{-4}$ from the curvature at
# the
# start is a little conservative: the quadratic model only holds near the starting point, and as the
# first layer changes during training, the network can move away from the sharp region.


# %% [markdown]
# ## Exercise 3
#
# Write `MyLeakyReLU(torch.autograd.Function)` with $y = \max(x, \alpha x)$ for $\alpha = 0.01$,
# check
# its backward with `torch.autograd.gradcheck`, and compare it with
# `torch.nn.functional.leaky_relu`.
#
# Reasoning: for $0 < \alpha < 1$, $\max(x, \alpha x)$ is $x$ for $x > 0$ and $\alpha x$ for
# $x \le 0$,
# with derivatives $1$ and $\alpha$. The backward pass multiplies the incoming gradient by that
# derivative. At $x = 0$ there is no derivative; like PyTorch, we use $\alpha$. `gradcheck` compares
# the analytic gradient with finite differences in float64; the input should contain no exact zeros
# (finite differences make no sense there), which random inputs practically never do.


# %%
--8<-- "lessons/numpy_to_nn_module/exercises.py:leaky_relu"


# %%
from lessons.numpy_to_nn_module.exercises import MyLeakyReLU

x = torch.randn(6, 4, dtype=torch.float64, generator=generator(0)).requires_grad_()
print("gradcheck:", torch.autograd.gradcheck(MyLeakyReLU.apply, (x,)))
assert torch.autograd.gradcheck(MyLeakyReLU.apply, (x,), eps=1e-6, atol=1e-5)

x_ours = torch.cat([x.detach().flatten(), torch.zeros(1, dtype=torch.float64)]).requires_grad_()
x_torch = x_ours.detach().clone().requires_grad_()
upstream = torch.randn(x_ours.shape, dtype=torch.float64, generator=generator(1))
y_ours = MyLeakyReLU.apply(x_ours)
y_torch = torch.nn.functional.leaky_relu(x_torch, negative_slope=0.01)
(y_ours * upstream).sum().backward()
(y_torch * upstream).sum().backward()
print(
    "same forward:",
    torch.equal(y_ours, y_torch),
    " same backward:",
    torch.equal(x_ours.grad, x_torch.grad),
)
assert torch.equal(y_ours, y_torch) and torch.equal(x_ours.grad, x_torch.grad)


# %% [markdown]
# Answer: `gradcheck` passes (default tolerance $10^{-5}$). On 25 inputs (including $x = 0$),
# `MyLeakyReLU`'s forward outputs and backward gradients are bit for bit those of
# `torch.nn.functional.leaky_relu(negative_slope=0.01)`. Unlike ReLU, the gradient on the negative
# side is $\alpha$ rather than $0$, so a unit stuck on the negative side still gets a little
# gradient
# and does not "die".


# %% [markdown]
# ## Exercise 4
#
# For `DynamicNet` with a fixed depth $k = 2$, compute the loss, call `backward()`, and verify that
# `middle_linear.weight.grad` equals the sum of the gradients you get when the two uses are given
# two
# separate copies of the layer with the same weights.
#
# Derivation: write the two uses as $h_1 = \mathrm{ReLU}(W h_0 + b)$ and
# $h_2 = \mathrm{ReLU}(W h_1 + b)$.
# Treating them as two different parameters $W^{(1)}, W^{(2)}$, the loss is $L(W^{(1)}, W^{(2)})$,
# and
# sharing sets $W^{(1)} = W^{(2)} = W$. By the multivariate chain rule,
#
# $$
# \frac{\mathrm dL}{\mathrm dW}
# = \frac{\partial L}{\partial W^{(1)}} + \frac{\partial L}{\partial W^{(2)}}
# \qquad (W^{(1)} = W^{(2)} = W).
# $$
#
# When autograd finds the same leaf tensor used twice in the graph, it adds the gradients of both
# paths into the same `.grad`. Below, both ways are computed in float64. `shared_vs_copies` computes both in float64: once with the shared layer used twice, once with two separate copies of it with the same weights.


# %%
--8<-- "lessons/numpy_to_nn_module/exercises.py:shared_vs_copies"


# %%
from lessons.numpy_to_nn_module.exercises import shared_vs_copies

for seed in range(3):
    grads = shared_vs_copies(seed=seed, depth=2)
    g1, g2 = grads["copies"]
    err = (grads["shared"] - (g1 + g2)).abs().max().item()
    scale = grads["shared"].abs().max().item()
    print(
        f"seed {seed}: max|G| = {scale:.3e}, max|G_1| = {g1.abs().max().item():.3e}, "
        f"max|G_2| = {g2.abs().max().item():.3e}, max|G - (G_1 + G_2)| = {err:.1e}"
    )
    assert err <= 1e-10 * scale and not torch.allclose(g1, g2)


# %% [markdown]
# Answer: for all 3 seeds, the gradient of the shared layer equals the sum of the two copies'
# gradients, to a relative $10^{-10}$ (float64 rounding); the copies' gradients differ from each
# other, so the sum is meaningful and not a coincidence. This is exactly how backpropagation through
# time treats the shared weights of an RNN: one gradient per time step, added up.


# %% [markdown]
# ## Exercise 5
#
# Replace Adam by `torch.optim.SGD(momentum=0.9)` and by `torch.optim.RMSprop` in level 3, with
# learning rates you choose. Which reaches $L < 10^{-3}$ in the fewest steps?
#
# Reasoning: the learning rate means something different to each optimizer, so a fair comparison
# tunes each separately. On `seed=0` we try a few learning rates per optimizer (at most 300 steps
# each), keep the best of each, then repeat with those rates on 4 more seeds to see whether the
# ranking holds. `steps_to_reach` uses the level-3 `nn.Sequential` model and returns the first step whose loss is below the target:


# %%
--8<-- "lessons/numpy_to_nn_module/exercises.py:steps_to_reach"


# %%
from lessons.numpy_to_nn_module.exercises import steps_to_reach

grid = {"Adam": (1e-3, 3e-3), "SGD": (1e-4, 3e-4), "RMSprop": (1e-4, 2e-4, 3e-4)}
best, table = {}, {}
for name, lrs in grid.items():
    steps = {lr: steps_to_reach(name, lr, steps=300, seed=0) for lr in lrs}
    print(f"seed 0, {name:7s}: " + ", ".join(f"lr {lr:g}: {s}" for lr, s in steps.items()))
    best[name] = min((s, lr) for lr, s in steps.items() if s > 0)[1]
    table[name] = [steps[best[name]]] + [
        steps_to_reach(name, best[name], 300, s) for s in range(1, 5)
    ]
    print(f"{name:7s} lr {best[name]:g}: steps to L < 1e-3 for seeds 0-4: {table[name]}")
    if name == "RMSprop":
        assert steps[1e-4] > 2 * steps[2e-4] and steps[3e-4] == -1  # a narrow window
assert best == {"Adam": 3e-3, "SGD": 3e-4, "RMSprop": 2e-4}
assert all(
    0 < r < a < s for r, a, s in zip(table["RMSprop"], table["Adam"], table["SGD"], strict=True)
)


# %% [markdown]
# Answer (`-1` means the target was not reached within 300 steps): once tuned, RMSprop
# ($\eta = 2\times10^{-4}$) is the fastest for all 5 seeds, at about 66 to 71 steps; Adam
# ($\eta = 3\times10^{-3}$) follows at about 110, and SGD with momentum ($\eta = 3\times10^{-4}$) at
# about
# 117; all three are far faster than the page's Adam at $\eta = 10^{-4}$ (which needs about 300
# steps
# there). But
# RMSprop's window of good learning rates is narrow: $\eta = 10^{-4}$ takes 166 steps, and
# $3\times10^{-4}$ does not get there within 300 steps on `seed=0`. Adam is fast at both $10^{-3}$
# and
# $3\times10^{-3}$ (115 and 110 steps) and more forgiving. So "which is fastest" depends on whether
# and how widely each
# one is tuned: on this small problem a tuned RMSprop wins, but Adam is less fussy.
