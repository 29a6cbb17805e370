# %% [markdown]
# # Basic CNN: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code and the answer. The functions that
# solve them live in `lessons/basic_cnn/exercises.py`; each is shown in full before the cell that calls
# it. Wherever the answer is definite, an `assert` checks it with a stated tolerance,
# and claims about training runs are checked over 5 seeds (0 to 4) on the validation set.


# %%
import torch
import torch.nn.functional as F
from torch import nn

from lessons import digits
from lessons.basic_cnn.lesson import CNN, conv2d, make_cnn, output_size
from lessons.conv_cost import conv_mults
from lessons.digits import make_mlp
from lessons.seeds import generator, seeded

data = digits.load()


# %% [markdown]
# ## Exercise 1
#
# Compute by hand the output of `conv2d(x5, k3, stride=2, padding=1)`, its shape first, then check with the
# code.
#
# Shape: $\lfloor (5 - 3 + 2 \cdot 1)/2 \rfloor + 1 = 3$, so the output is 3×3. With padding 1 the padded
# input is 7×7, and stride 2 places the 3×3 window at the padded rows and columns $0, 2, 4$: the output is
# the stride-1 output of the lesson at rows and columns $0, 2, 4$. Three entries by hand, with the kernel
# $\begin{pmatrix}1&2&3\\4&5&6\\7&8&9\end{pmatrix}$:
#
# - top left: the window covers the zero border and $\begin{pmatrix}3&4\\2&4\end{pmatrix}$ under the
#   kernel entries $5, 6, 8, 9$: $5 \cdot 3 + 6 \cdot 4 + 8 \cdot 2 + 9 \cdot 4 = 91$;
# - center: the window is rows 1–3, columns 1–3 of $x$,
#   $4 + 2 \cdot 6 + 3 \cdot 8 + 4 \cdot 6 + 5 \cdot 7 + 6 \cdot 8 + 7 \cdot 7 + 8 \cdot 4 + 9 \cdot 6 = 282$;
# - bottom right: only $\begin{pmatrix}6&2\\4&1\end{pmatrix}$ under the kernel entries $1, 2, 4, 5$:
#   $6 + 2 \cdot 2 + 4 \cdot 4 + 5 \cdot 1 = 31$.
#
# The other six entries follow in the same way.


# %%
x5 = torch.tensor(
    [[3, 4, 6, 5, 7], [2, 4, 6, 8, 2], [1, 6, 7, 8, 4], [9, 7, 4, 6, 2], [3, 7, 5, 4, 1]]
)
x5 = x5.float().view(1, 1, 5, 5)
k3 = torch.arange(1.0, 10.0).view(1, 1, 3, 3)
by_hand = torch.tensor([[91.0, 224.0, 127.0], [192.0, 282.0, 122.0], [96.0, 110.0, 31.0]])
out = conv2d(x5, k3, stride=2, padding=1)
print("shape from the formula:", output_size(5, 3, p=1, s=2))
print(out)
assert output_size(5, 3, p=1, s=2) == 3 and torch.equal(out[0, 0], by_hand)  # small integers: exact
assert torch.equal(out, conv2d(x5, k3, padding=1)[:, :, ::2, ::2])


# %% [markdown]
# Answer: the output is 3×3,
# $\begin{pmatrix}91&224&127\\192&282&122\\96&110&31\end{pmatrix}$, exactly the entries $(0, 2, 4)$ of the
# stride-1 result: stride 2 skips every other position and computes nothing new.


# %% [markdown]
# ## Exercise 2
#
# Write `conv2d` without Python loops with `F.unfold`, and compare it with `nn.Conv2d` in float64.
#
# Reasoning: `F.unfold(x, K, padding=P, stride=S)` cuts out every $C \times K \times K$ patch and lays it out
# as a column: shape $(N, CK^2, L)$ with $L = H_{\text{out}} W_{\text{out}}$. Each output value is the dot
# product of one flattened kernel (a row of `weight.view(O, -1)`, length $CK^2$) with one column, so the
# whole convolution is one matrix product $(O, CK^2) \times (N, CK^2, L) \to (N, O, L)$, followed by a
# reshape to $(N, O, H_{\text{out}}, W_{\text{out}})$. `unfold_gap` compares `conv2d_unfold` with
# `nn.Conv2d` on random float64 inputs.


# %%
--8<-- "lessons/basic_cnn/exercises.py:conv2d_unfold"
--8<-- "lessons/basic_cnn/exercises.py:unfold_gap"


# %%
print(conv2d_unfold(x5, k3, stride=2, padding=1))
for stride, padding in ((1, 0), (1, 1), (2, 1), (2, 0)):
    gap = unfold_gap(seed=0, stride=stride, padding=padding)
    print(f"S = {stride}, P = {padding}: max |unfold - nn.Conv2d| = {gap:.1e}")
    assert gap < 1e-12  # float64, only the order of the additions differs


# %% [markdown]
# Answer: the matrix-product version gives the same 3×3 result as the loop, and agrees with `nn.Conv2d` to
# within $2.2 \cdot 10^{-16}$ in float64 for every stride and padding tried. This "im2col" trick is how many libraries
# implemented convolutions on top of fast matrix multiplication, at the price of copying each input pixel
# into up to $K^2$ columns.


# %% [markdown]
# ## Exercise 3
#
# Count the multiplications of `conv1` and `conv2` of our CNN for one 8×8 image, and of the first layer of
# the $64 \to 64 \to 32 \to 10$ network. Which layer costs the most?
#
# Reasoning: every output value of a convolution is a sum of $C_{\text{in}} K^2$ products, and there are
# $C_{\text{out}} H_{\text{out}} W_{\text{out}}$ outputs.
#
# - `conv1`: $1 \to 10$ channels, 3×3, output 8×8: $10 \cdot 8 \cdot 8 \cdot 1 \cdot 9 = 5760$.
# - `conv2`: $10 \to 20$ channels, 3×3, on the pooled 4×4 maps: $20 \cdot 4 \cdot 4 \cdot 10 \cdot 9 = 28800$.
# - `fc`: $80 \cdot 10 = 800$.
# - The MLP's first layer: $64 \cdot 64 = 4096$.
#
# We check the formula with `conv_mults`, and `layer_mults` counts with hooks that read the real shapes during a forward pass.


# %%
--8<-- "lessons/basic_cnn/exercises.py:layer_mults"


# %%
image = data.x_val[:1]
cnn_counts = layer_mults(make_cnn(0), image)
mlp_counts = layer_mults(make_mlp(0), image)
print("CNN:", cnn_counts, "total", sum(cnn_counts.values()))
print("MLP:", mlp_counts, "total", sum(mlp_counts.values()))
assert cnn_counts["conv1"] == conv_mults(8, 8, 1, 10, 3) == 5760
assert cnn_counts["conv2"] == conv_mults(4, 4, 10, 20, 3) == 28800
assert mlp_counts["net.0"] == 4096 and max(cnn_counts, key=cnn_counts.get) == "conv2"


# %% [markdown]
# Answer: `conv1` needs 5,760 multiplications, `conv2` 28,800 and the MLP's first layer 4,096. The most
# expensive is `conv2`, which has only 1,820 parameters: a convolution reuses each weight at every
# position, so its cost grows with the size of the feature maps, not with its number of parameters. In all,
# the CNN needs about 35,000 multiplications per image against about 6,500 for the MLP, more than five times
# as many, with fewer than half the parameters.


# %% [markdown]
# ## Exercise 4
#
# Replace `nn.MaxPool2d(2)` by `nn.AvgPool2d(2)` and retrain over five seeds. Does the validation accuracy
# change?
#
# Reasoning: `make_avg_cnn(seed)` builds the lesson's CNN with the same initial weights and swaps the pooling
# layer, so the two runs of a seed differ only in the pooling. We train both with the lesson's settings
# (12 epochs, $\eta = 0.05$) and compare the final validation accuracy seed by seed, over seeds 0 to 4.


# %%
--8<-- "lessons/basic_cnn/exercises.py:make_avg_cnn"


# %%
cnn_models, cnn_runs = digits.seed_runs(make_cnn, data, seeds=range(5), epochs=12, lr=0.05)
_, avg_runs = digits.seed_runs(make_avg_cnn, data, seeds=range(5), epochs=12, lr=0.05)
print(digits.seed_table({"MaxPool2d": cnn_runs, "AvgPool2d": avg_runs}))
print(digits.seed_table({"MaxPool2d": cnn_runs, "AvgPool2d": avg_runs}, key="loss"))
diffs = [a["val"][-1] - m["val"][-1] for a, m in zip(avg_runs, cnn_runs, strict=True)]
print("a_val(avg) - a_val(max) per seed:", [f"{d:+.4f}" for d in diffs])
assert max(diffs) < 0  # lower for every seed
assert min(h["loss"][-1] for h in avg_runs) > max(h["loss"][-1] for h in cnn_runs)


# %% [markdown]
# Answer: yes, it drops. With average pooling the validation accuracy is lower for each of the 5 seeds
# (median 0.933 against 0.969), though by how much depends on the seed: by 0.050 at the median, 0.097
# at most, and only 0.006 (2 of the 360 validation images) at least. The final training loss is higher
# for every seed too (median 0.20 against 0.0065), so the network is not overfitting less: it fits the training set worse. The reason is where
# the ReLU sits. The lesson's network computes $\mathrm{ReLU}(\mathrm{pool}(\mathrm{conv}(x)))$. Max pooling commutes with
# ReLU ($\max_i \mathrm{ReLU}(a_i) = \mathrm{ReLU}(\max_i a_i)$), so it keeps the strongest response in each
# window, a stroke anywhere in it. Average pooling is linear: convolution followed by averaging is one linear
# map, a strong response next to negative ones is averaged away before the ReLU can keep it, and the
# network loses part of its nonlinearity. On 8×8 images, where one 2×2 pooling window is already a
# quarter of the width, that costs accuracy.


# %% [markdown]
# ## Exercise 5
#
# Keep the course's 5×5 kernels but use `padding=2` in both convolutions. What `Linear` input size is
# needed? Train it and compare.
#
# Reasoning: with $K = 5$, $P = 2$, $S = 1$ the width is kept: $8 - 5 + 4 + 1 = 8$. So the shapes are those
# of the lesson: $8 \to 8$, pool to 4, $4 \to 4$, pool to 2, and `Linear` needs $20 \cdot 2 \cdot 2 = 80$
# inputs, as before. The 5×5 kernels have $25/9 \approx 2.8$ times more weights and cost as many more
# multiplications. On 4×4 maps most of a 5×5 window lies on the zero border.


# %%
--8<-- "lessons/basic_cnn/exercises.py:make_cnn5"


# %%
print("widths:", output_size(8, 5, p=2), output_size(4, 5, p=2))
assert output_size(8, 5, p=2) == 8 and output_size(4, 5, p=2) == 4
model5 = make_cnn5(0)
print(model5.fc, "parameters:", sum(p.numel() for p in model5.parameters()))
print("multiplications:", layer_mults(model5, image))
assert model5.fc.in_features == 80
_, runs5 = digits.seed_runs(make_cnn5, data, seeds=range(5), epochs=12, lr=0.05)
print(digits.seed_table({"3x3, P=1": cnn_runs, "5x5, P=2": runs5}))
print(digits.seed_table({"3x3, P=1": cnn_runs, "5x5, P=2": runs5}, key="loss"))
vals3 = [h["val"][-1] for h in cnn_runs]
vals5 = [h["val"][-1] for h in runs5]
print(
    "a_val(5x5) - a_val(3x3) per seed:",
    [f"{b - a:+.4f}" for a, b in zip(vals3, vals5, strict=True)],
)
assert min(vals5) < max(vals3) and min(vals3) < max(vals5)  # the ranges overlap
assert min(b - a for a, b in zip(vals3, vals5, strict=True)) <= 0  # no win on every seed


# %% [markdown]
# Answer: `Linear(80, 10)`, as in the lesson, since padding 2 keeps 5×5 convolutions at the same size as
# padding 1 keeps 3×3 ones. The network has 6,090 parameters instead of 2,730 and needs 96,800
# multiplications per image instead of 35,360. Over 5 seeds its median validation accuracy is a little
# higher (0.981 against 0.969), but it is not better for every seed: higher for 3 seeds (by at most 0.019,
# 7 images), equal for one, lower by 0.006 for one. The two ranges (0.972 to 0.986 and 0.956 to 0.986)
# overlap, so the edge is within the seed-to-seed spread; the price is 2.7 times as many multiplications. On 8×8 images a 3×3 kernel already spans a good part of a
# stroke, and two 3×3 layers with pooling in between see the whole image; larger kernels add little if anything.
