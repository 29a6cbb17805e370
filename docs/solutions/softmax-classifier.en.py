# %% [markdown]
# # Softmax classifier: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code and the answer. The functions that
# solve them live in `lessons/softmax_classifier/exercises.py`; each is shown in full before the cell that
# calls it. Wherever the answer is definite, an `assert` checks it with a stated tolerance,
# and claims about training runs are checked over 5 seeds (0 to 4) on the validation set.


# %%
import functools
import math

import numpy as np
import torch
from torch import nn

from lessons import digits
from lessons.digits import make_mlp
from lessons.seeds import generator
from lessons.softmax_classifier.lesson import log_softmax, plot_samples, softmax, softmax_naive

data = digits.load(flat=True)


# %% [markdown]
# ## Exercise 1
#
# Show that softmax with $K = 2$ and logits $(z_0, z_1)$ gives $p_1 = \sigma(z_1 - z_0)$. What does this
# say about the number of parameters needed for two classes?
#
# Derivation: divide numerator and denominator by $e^{z_1}$:
#
# $$p_1 = \frac{e^{z_1}}{e^{z_0} + e^{z_1}} = \frac{1}{1 + e^{-(z_1 - z_0)}} = \sigma(z_1 - z_0),$$
#
# and $p_0 = 1 - p_1 = \sigma(z_0 - z_1)$. Only the difference $z_1 - z_0$ matters. With a linear layer
# $z_k = w_k^\top x + b_k$ the difference is $(w_1 - w_0)^\top x + (b_1 - b_0)$: a single weight vector
# and a single bias, which is exactly logistic regression. `two_class_gap` checks the identity on 1000
# random pairs in float64.


# %%
--8<-- "lessons/softmax_classifier/exercises.py:two_class_gap"


# %%
gap = two_class_gap(n=1000, seed=0)
print(f"max |softmax(z)_1 - sigmoid(z_1 - z_0)| = {gap:.1e}")
assert gap < 1e-15  # float64 rounding

z = torch.tensor([[0.3, -1.2]], dtype=torch.float64)
print(softmax(z), softmax(z + 5.0))  # the same: a shift of both logits changes nothing
assert torch.allclose(softmax(z), softmax(z + 5.0), rtol=0, atol=1e-15)


# %% [markdown]
# Answer: $p_1 = \sigma(z_1 - z_0)$. Softmax is unchanged when the same number is added to every logit, so
# one of the $K$ logits can be fixed to 0: $K - 1$ score functions suffice. For two classes that is one
# linear unit with $d + 1$ parameters instead of $2(d + 1)$; the two-output softmax is over-parameterized,
# and logistic regression is its minimal form.


# %% [markdown]
# ## Exercise 2
#
# Find the smallest float32 logit for which `softmax_naive` returns `nan`. Then compute
# `torch.log(softmax(z))` and `log_softmax(z)` for `z = torch.tensor([0.0, -200.0])`.
#
# Reasoning: the largest float32 is about $3.40 \cdot 10^{38}$, so $e^z$ overflows to `inf` once $z$
# exceeds $\ln(3.40 \cdot 10^{38}) \approx 88.72$, and then $\infty/\infty$ is `nan`. Positive float32 numbers are
# ordered like their bit patterns read as integers, so `first_nan_logit` bisects on the bit patterns
# between 88 and 89 to find the first such logit. For the second part, $p_1 = e^{-200}/(1 + e^{-200})
# \approx 1.4 \cdot 10^{-87}$, far below the smallest positive float32 (about $1.4 \cdot 10^{-45}$).


# %%
--8<-- "lessons/softmax_classifier/exercises.py:first_nan_logit"


# %%
z_nan = first_nan_logit()
below = float(np.nextafter(np.float32(z_nan), np.float32(0)))
print(f"first nan at z = {z_nan!r}; the float32 just below: {below!r}")
print(softmax_naive(torch.tensor([below])), softmax_naive(torch.tensor([z_nan])))
assert (
    abs(z_nan - math.log(float(np.finfo(np.float32).max))) < 1e-5
)  # ln(max float32), float32 grid
assert not torch.isnan(softmax_naive(torch.tensor([below]))).any()

z = torch.tensor([0.0, -200.0])
print("softmax(z)        =", softmax(z))
print("log(softmax(z))   =", torch.log(softmax(z)))
print("log_softmax(z)    =", log_softmax(z))
assert torch.isinf(torch.log(softmax(z))[1]) and log_softmax(z)[1].item() == -200.0


# %% [markdown]
# Answer: the first float32 logit giving `nan` is $88.72284$ (its predecessor still gives 1). For
# $z = (0, -200)$, `torch.log(softmax(z))` fails: the probability $e^{-200}$ underflows to 0 and its log is
# $-\infty$. `log_softmax` never forms that probability: it computes $z_i - m - \log\sum_j e^{z_j - m}$,
# which here is $-200 - \log(1 + e^{-200}) = -200$ exactly. A cross-entropy built on it stays finite and
# gives the right gradient, which is why `nn.CrossEntropyLoss` takes logits.


# %% [markdown]
# ## Exercise 3
#
# Add `nn.Softmax(dim=1)` as the last layer of the `MLP`, train it with `nn.CrossEntropyLoss`, and compare
# the final training loss and validation accuracy with the lesson's run; explain with the gradient $p - Y$.
#
# Reasoning: `nn.CrossEntropyLoss` applies softmax itself, so the network's outputs $s = \mathrm{softmax}(z)$
# are treated as logits (`make_softmax_mlp`). Two things follow.
#
# - A floor: every $s_i \in [0, 1]$, so the best case is $s = (1, 0, \dots, 0)$ for the true class, with
#   loss $-\log\frac{e}{e + K - 1} = \log(1 + (K-1)/e)$ (`loss_floor`), about $1.461$ for $K = 10$. The loss can never go
#   below that, however well the network classifies.
# - A weak gradient: with respect to $s$ the gradient is still $q - Y$ with $q = \mathrm{softmax}(s)$, but
#   $q$ can never get close to $Y$, and the chain rule multiplies it by the softmax Jacobian
#   $\mathrm{diag}(s) - ss^\top$, whose entries vanish once $s$ is saturated. An image whose $s$ is nearly
#   one-hot on the wrong class gets almost no gradient and stays wrong.
#
# We train both networks with 5 seeds, 0 to 4, as the lesson does.


# %%
--8<-- "lessons/softmax_classifier/exercises.py:make_softmax_mlp"
--8<-- "lessons/softmax_classifier/exercises.py:loss_floor"


# %%
models, runs = digits.seed_runs(make_mlp, data, seeds=range(5), epochs=15, lr=0.1)
_, soft_runs = digits.seed_runs(make_softmax_mlp, data, seeds=range(5), epochs=15, lr=0.1)
compared = {"z": runs, "softmax(z)": soft_runs}
print(digits.seed_table(compared, key="loss"))
print(digits.seed_table(compared, key="val"))
print(f"floor log(1 + 9/e) = {loss_floor(10):.4f}")
assert all(h["loss"][-1] > loss_floor(10) for h in soft_runs)
assert all(s["val"][-1] < b["val"][-1] for s, b in zip(soft_runs, runs, strict=True))


# %% [markdown]
# Answer: with the extra softmax the final training loss stays near 1.5 for every seed (above the floor of
# about 1.461, which no network with this output can beat), against about 0.001 for the lesson's network.
# The validation accuracy is lower for every one of the 5 seeds (median 0.942 against 0.964), and it
# varies much more between seeds (0.875 to 0.958, against 0.961 to 0.969 for the lesson's network). The loss value itself means little here (it cannot approach 0), but the accuracy shows the real
# damage: squeezed through a second softmax, the gradient $q - Y$ is small, and it vanishes on the images
# that are confidently wrong, exactly where learning is needed. Put no activation after the last layer.


# %% [markdown]
# ## Exercise 4
#
# Train `make_mlp(sizes=(64, 512, 256, 128, 64, 10))` for 15 epochs. Is it better on the validation set,
# over five seeds? Compare the last training losses too.
#
# Reasoning: the deeper and much wider network has about 200,000 parameters against about 6,500, for 1,077
# training images. More capacity does not help if the small network already fits the training set; it
# can make training noisier at the same learning rate.


# %%
make_deep = functools.partial(make_mlp, sizes=(64, 512, 256, 128, 64, 10))
_, deep_runs = digits.seed_runs(make_deep, data, seeds=range(5), epochs=15, lr=0.1)
compared = {"64-64-32-10": runs, "64-512-...-10": deep_runs}
for name, make in (("64-64-32-10", make_mlp), ("64-512-...-10", make_deep)):
    print(f"{name}: {sum(p.numel() for p in make(0).parameters())} parameters")
print(digits.seed_table(compared, key="val"))
print(digits.seed_table(compared, key="loss"))
deep_val = [h["val"][-1] for h in deep_runs]
small_val = [h["val"][-1] for h in runs]
assert min(deep_val) <= max(small_val)  # the ranges overlap: no win that holds for every seed
assert min(small_val) <= max(deep_val)  # ... and no loss that holds for every seed
assert min(h["loss"][-1] for h in deep_runs) > max(h["loss"][-1] for h in runs)


# %% [markdown]
# Answer: no. The median validation accuracy of the deep network is a little lower (0.958 against 0.964),
# and its range over 5 seeds (0.950 to 0.978) is wider and overlaps the small network's (0.961 to 0.969),
# so there is neither an improvement nor a loss that holds for every seed. Its final training loss is higher for every seed: with 30 times more
# parameters and the same learning rate, SGD has not yet fitted the training set as tightly in 15 epochs.
# On 1,077 images of 64 pixels the small network is enough; the course's shape was made for MNIST's
# 60,000 images of 784 pixels.


# %% [markdown]
# ## Exercise 5
#
# Use `torch.softmax(model(data.x_val), dim=1)` to find the validation images whose predicted class has the
# lowest probability, and plot them with `plot_samples`. Would a human hesitate on them?
#
# Reasoning: the largest probability $\max_k p_k$ measures the model's confidence. `least_confident` returns the $n$
# images where it is lowest. We take the ten least confident images of the seed-0 model, print the predicted class and its probability, and plot them with
# their true labels. To check that low confidence goes with real ambiguity, `error_rates` compares the error rate
# among these ten images with the overall validation error, for each of the 5 models of Exercise 3 (seeds 0 to 4).


# %%
--8<-- "lessons/softmax_classifier/exercises.py:least_confident"
--8<-- "lessons/softmax_classifier/exercises.py:error_rates"


# %%
model = models[0]
idx, top, pred = least_confident(model, data.x_val, n=10)
for i, p, k in zip(idx.tolist(), top.tolist(), pred.tolist(), strict=True):
    print(f"image {i:3d}: y = {int(data.y_val[i])}, y_hat = {k}, p = {p:.3f}")
rates = [error_rates(m, data, n=10) for m in models]
for seed, (low, overall) in enumerate(rates):
    print(f"seed {seed}: error among the 10 least confident = {low:.2f}, overall = {overall:.3f}")
assert min(low for low, _ in rates) > max(overall for _, overall in rates)
fig = plot_samples(data.x_val[idx], data.y_val[idx], n=10)


# %% [markdown]
# Answer: for seed 0, eight of the ten least confident images are misclassified, and the confusions are
# the ones the plot suggests: a 9 drawn as a filled blob (read as 1), an 8 whose lower loop is missing so
# that it looks like a P (read as 4 or 1), a 7 with a closed top like a 9, a 4 bent into a 6. A human would
# hesitate on most of them at 8×8 pixels. For every one of the 5 models, the error among its ten least
# confident images (0.4 to 0.9) is many times the overall validation error (0.031 to 0.039): the
# probability is not calibrated, but its ranking does point at the hard, ambiguous cases.
