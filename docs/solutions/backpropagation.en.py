# %% [markdown]
# # Backpropagation: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code that answers it, the call and the answer. The code lives in `lessons/backpropagation/exercises.py`, and each cell below shows it in full before calling it; wherever the answer is definite, an `assert` checks it with a stated tolerance. The first cell imports what the shown code uses.


# %%
import math
import warnings

import numpy as np
import torch

from lessons.backpropagation.lesson import X_DATA, Y_DATA, batch_gd, make_network_data, torch_sgd
from lessons.backpropagation.scalar import Value
from lessons.plotting import plot_curves
from lessons.printing import table
from lessons.seeds import generator, offset_seed

F64 = torch.float64


# %% [markdown]
# ## Exercise 1
#
# Add a bias, $\hat y = xw + b$; draw the graph, derive $\partial\ell/\partial w$ and $\partial\ell/\partial b$ by hand at $x = 2$, $y = 4$, $w = 1$, $b = 0$, and check them with autograd.
#
# The graph: $w \to [\times x] \to xw \to [+\,b] \to \hat y \to [-\,y] \to r \to [(\cdot)^2] \to \ell$. Forward: $xw = 2$, $\hat y = 2$, $r = \hat y - y = -2$, $\ell = 4$. Backward: $\partial\ell/\partial r = 2r = -4$; an addition node passes the gradient unchanged to both inputs, so $\partial\ell/\partial b = -4$; a multiplication node multiplies it by the other input $x$, so $\partial\ell/\partial w = -4 \cdot 2 = -8$. The code does both: the chain rule by hand, and autograd in float64.


# %%
--8<-- "lessons/backpropagation/exercises.py:bias_gradients"


# %%
from lessons.backpropagation.exercises import bias_gradients

grads = bias_gradients(x=2.0, y=4.0, w=1.0, b=0.0)
print(grads)
assert grads["hand"] == grads["autograd"] == (-8.0, -4.0)  # exact in float64


# %% [markdown]
# Answer: $\partial\ell/\partial w = -8$ and $\partial\ell/\partial b = -4$; autograd gives the same values.


# %% [markdown]
# ## Exercise 2
#
# One step of batch gradient descent multiplies $w - 2$ by $1 - 28\alpha/3$. For which learning rates does it diverge? Run `batch_gd` with $\alpha = 0.2$ and $\alpha = 0.22$ and compare with the prediction.
#
# Reasoning: the error $e_t = w_t - 2$ obeys $e_{t+1} = c\,e_t$ with $c = 1 - 28\alpha/3$. It diverges when $|c| > 1$; $c > 1$ is impossible for $\alpha > 0$, so the condition is $c < -1$, that is $\alpha > 6/28 = 3/14 \approx 0.2143$. At $\alpha = 0.2$, $c = -0.8667$: the error alternates in sign and shrinks. At $\alpha = 0.22$, $c = -1.0533$: it alternates and grows. To measure $c$, the loop below runs the lesson's update on the error itself and returns the ratio of successive errors.


# %%
--8<-- "lessons/backpropagation/exercises.py:error_factors"


# %%
from lessons.backpropagation.exercises import error_factors

print(f"threshold: alpha = 3/14 = {3 / 14:.4f}")
for alpha in (0.2, 0.22):
    w_final, costs = batch_gd(w=1.0, lr=alpha, epochs=20)
    factors = error_factors(alpha, epochs=20)
    predicted = 1 - 28 * alpha / 3
    print(
        f"alpha = {alpha}: c = {predicted:.4f}, measured {min(factors):.4f}..{max(factors):.4f}, ",
        end="",
    )
    print(f"J after 0 and 20 epochs: {costs[0]:.3g} -> {costs[-1]:.3g}")
    assert max(abs(f - predicted) for f in factors) < 1e-12
    assert (costs[-1] < costs[0]) == (alpha < 3 / 14)


# %% [markdown]
# Answer: it diverges for $\alpha > 3/14 \approx 0.214$. The measured ratio of successive errors equals the predicted $c$ up to rounding: at $\alpha = 0.2$ the cost falls, at $\alpha = 0.22$ it grows.


# %% [markdown]
# ## Exercise 3
#
# Give the NumPy network a hidden bias $b_1$ ($h = xW_1 + b_1$), show that $\partial\ell/\partial b_1$ is the column sum of $\partial\ell/\partial h$, add it to the forward–backward function and check it against autograd.
#
# Derivation: $h_{ij} = \sum_k x_{ik}(W_1)_{kj} + (b_1)_j$, so $\partial h_{ij}/\partial (b_1)_j = 1$ and $(b_1)_j$ appears in column $j$ only. By the chain rule $\partial\ell/\partial (b_1)_j = \sum_i \partial\ell/\partial h_{ij}$: a sum over the $N$ samples, a vector of length $H$, the shape of $b_1$ as it must be. In code that is one line, `grad_h.sum(axis=0)`; `bias_differences` runs the same network through autograd in float64 and compares.


# %%
--8<-- "lessons/backpropagation/exercises.py:hidden_bias"


# %%
from lessons.backpropagation.exercises import bias_differences

differences = bias_differences(seed=0)
for name, value in differences.items():
    print(f"max|hand - autograd| / max|hand| for {name}: {value:.1e}")
assert max(differences.values()) < 1e-12


# %% [markdown]
# Answer: $\partial\ell/\partial b_1 = \sum_i \partial\ell/\partial h_{i\cdot}$, summed over the samples. All four hand-written quantities agree with autograd to about $10^{-15}$ relative, float64 rounding.


# %% [markdown]
# ## Exercise 4
#
# Write `MySigmoid`, which saves its output $s = \sigma(x)$ and uses $\sigma'(x) = s(1-s)$ in `backward`; verify it with `gradcheck` in float64, then try float32 and explain.
#
# Reasoning: `gradcheck` estimates the derivative by the central difference $\bigl(f(x+\varepsilon) - f(x-\varepsilon)\bigr)/2\varepsilon$ with $\varepsilon = 10^{-6}$. The rounding error of the numerator is about the machine epsilon times $|f|$: in float32, about $1.2\times10^{-7}$, which divided by $2\varepsilon$ becomes of order $10^{-2}$, far above the default tolerance; in float64, about $2.2\times10^{-16}$, the error is only about $10^{-10}$. `check_sigmoid` runs `gradcheck` and also computes that finite-difference error itself.


# %%
--8<-- "lessons/backpropagation/exercises.py:my_sigmoid"
--8<-- "lessons/backpropagation/exercises.py:check_sigmoid"


# %%
from lessons.backpropagation.exercises import check_sigmoid

for dtype in (torch.float64, torch.float32):
    passed, error = check_sigmoid(dtype, seed=0, n=10)
    print(f"{dtype}: gradcheck passed = {passed}, max |numeric - analytic| = {error:.1e}")
assert check_sigmoid(torch.float64)[0] and not check_sigmoid(torch.float32)[0]


# %% [markdown]
# Answer: in float64 `gradcheck` passes, with a difference error around $10^{-11}$; in float32 it fails, with an error around $10^{-2}$. What fails is not `MySigmoid` but the finite-difference estimate: float32 cannot resolve the difference of $f(x\pm\varepsilon)$ at $\varepsilon = 10^{-6}$ (and `gradcheck` warns that its input is not double precision). Gradient checks belong in float64.


# %% [markdown]
# ## Exercise 5
#
# Change `torch_sgd` so that it zeroes `w.grad` only at the end of each epoch. Is the result bounded? Compare its trajectory with the two in the figure.
#
# Reasoning: write $e = w - 2$; sample $i$ has gradient $2x_i^2 e$. Within an epoch the gradients add up: step 1 uses $g_1$, step 2 $g_1 + g_2$, step 3 $g_1 + g_2 + g_3$, each $g_i$ evaluated at the $w$ where it was computed. At $\alpha = 0.01$: $e_1 = (1 - 0.02)e_0 = 0.98e_0$; $e_2 = e_1 - 0.01(2e_0 + 8e_1) = 0.8816e_0$; $e_3 = e_2 - 0.01(2e_0 + 8e_1 + 18e_2) = 0.624512\,e_0$. After the zeroing the next epoch starts afresh, so every epoch multiplies the error by the same factor $0.624512 < 1$. The changed loop moves `w_t.grad.zero_()` out of the inner loop:


# %%
--8<-- "lessons/backpropagation/exercises.py:sgd_epoch_zeroing"


# %%
from lessons.backpropagation.exercises import sgd_epoch_zeroing

w_epoch = sgd_epoch_zeroing(w=1.0, lr=0.01, epochs=100)
w_zeroed, w_forgot = torch_sgd(zero_grad=True), torch_sgd(zero_grad=False)
factors = [(w_epoch[3 * k + 2] - 2) / (w_epoch[3 * k - 1] - 2) for k in range(1, 6)]
print("error factor per epoch:", [round(f, 9) for f in factors])
print(f"SGD zeroed after every step: factor per epoch {(w_zeroed[5] - 2) / (w_zeroed[2] - 2):.4f}")
print(f"|w - 2| after 100 epochs: epoch zeroing {abs(w_epoch[-1] - 2):.1e}, ", end="")
print(f"zeroed every step {abs(w_zeroed[-1] - 2):.1e}, never zeroed {abs(w_forgot[-1] - 2):.2f}")
assert max(abs(f - 0.624512) for f in factors) < 1e-9
assert max(abs(w - 2) for w in w_epoch) <= 1.0  # bounded by |w_0 - 2|
plot_curves(
    {
        r"$g \leftarrow \nabla \ell_k$": w_zeroed,
        r"$g \leftarrow g + \nabla \ell_k$": w_forgot,
        r"$g \leftarrow \sum_{j=1}^{k} \nabla \ell_j$": w_epoch,
    },
    "$w_k$",
    "$k$",
    log=False,
    hline=(2.0, "$w^*=2$"),
)


# %% [markdown]
# Answer: bounded, and it converges to $w^* = 2$. Every epoch multiplies the error by $0.624512$, faster than SGD zeroed after every step (a factor $0.739$ per epoch): on this three-sample problem, where all gradients point the same way, accumulating within an epoch acts like three steps of momentum and speeds things up. Only the never-zeroed run, momentum with $\mu = 1$, keeps oscillating. With a larger learning rate or many more samples per epoch, the accumulated gradient can grow until the steps diverge, so the right loop still zeroes after every update.


# %% [markdown]
# ## Exercise 6
#
# Give `Value` a sigmoid in two ways: composed from its own operations, $\sigma(x) = 1/(1 + e^{-x})$, and as a single node whose `_backward` uses $\sigma'(x) = s(1-s)$, as `MySigmoid` does in exercise 4. Check both against `torch.sigmoid` at $x = 0.5$ in float64, and count the nodes in each graph.
#
# Reasoning: the composed version needs no backward code at all, since every operation it uses already has one; autograd's chain rule through $-x$, $e^{-x}$, $1 + e^{-x}$ and its reciprocal gives $e^{-x}/(1+e^{-x})^2 = s(1-s)$. The single node writes that result down directly, as `_unary` does for `tanh`. Counting the nodes: the composed graph holds $x$; the constant $-1$ and the product $-x$; $e^{-x}$; the constant $1$ and the sum $1 + e^{-x}$; its power $(\cdot)^{-1}$; the constant $1$ and the final product: nine values. The single node holds two, $x$ and $s$.


# %%
--8<-- "lessons/backpropagation/exercises.py:value_sigmoid"
--8<-- "lessons/backpropagation/exercises.py:sigmoid_values"


# %%
from lessons.backpropagation.exercises import sigmoid_values

rows = sigmoid_values(x=0.5)
print(table(rows))
s = 1 / (1 + math.exp(-0.5))
assert all(abs(r["s"] - s) < 1e-15 and r["|Δ| torch"] < 1e-12 for r in rows)  # float64
assert [r["nodes"] for r in rows] == [9, 2]


# %% [markdown]
# Answer: both give $s = \sigma(0.5) \approx 0.622$ and $\sigma'(0.5) = s(1-s) \approx 0.235$, equal to `torch.sigmoid` within $10^{-12}$ (here exactly). The composed graph has $9$ nodes, the single node $2$: a hand-written backward for a whole function saves memory and time, which is why frameworks fuse common functions such as sigmoid into one operation. The price is the derivation, which you must check, as here.
