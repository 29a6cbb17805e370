# %% [markdown]
# # Advanced CNN: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code and the answer. The functions that
# solve them live in `lessons/advanced_cnn/exercises.py`; each is shown in full before the cell that calls
# it. Wherever the answer is definite, an `assert` checks it with a stated tolerance,
# and claims about training runs are checked over 5 seeds (0 to 4) on the validation set.


# %%
import functools

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from lessons import digits
from lessons.advanced_cnn.lesson import (
    Block,
    DeepNet,
    conv_grad_norms,
    make_deep,
    make_inception,
    make_plain,
    make_residual,
)
from lessons.conv_cost import conv_mults
from lessons.seeds import seeded

data = digits.load()
SEEDS = range(5)


def finals(runs, key="val"):
    """Last-epoch value of ``key`` for each seed's history."""
    return [h[key][-1] for h in runs]


# %% [markdown]
# ## Exercise 1
#
# With `conv_mults`, compute the multiplications of each branch of the course's `InceptionA` on a
# 10-channel 12×12 input with $k = 5$. Which branch is the most expensive? How much would branch 2 cost
# without its 1×1 convolution?
#
# Reasoning: all branches keep 12×12, so each convolution costs $144 \cdot C_{\text{in}} C_{\text{out}} K^2$.
#
# - Branch 1, 1×1 $10 \to 16$: $144 \cdot 10 \cdot 16 = 23040$.
# - Branch 2, 1×1 $10 \to 16$ then 5×5 $16 \to 24$: $23040 + 144 \cdot 16 \cdot 24 \cdot 25 = 1405440$.
# - Branch 3, 1×1 $10 \to 16$, 3×3 $16 \to 24$, 3×3 $24 \to 24$:
#   $23040 + 497664 + 746496 = 1267200$.
# - Branch 4, average pooling (sums and one division, no products with weights) then 1×1 $10 \to 24$:
#   $144 \cdot 10 \cdot 24 = 34560$.
# - Branch 2 without the 1×1: 5×5 $10 \to 24$ directly, $144 \cdot 10 \cdot 24 \cdot 25 = 864000$.
#
# `branch_mults` applies the formula; `counted_branch_mults` counts with PyTorch's `FlopCounterMode` on
# the real branches, and we compare the two.


# %%
--8<-- "lessons/advanced_cnn/exercises.py:branch_mults"
--8<-- "lessons/advanced_cnn/exercises.py:counted_branch_mults"


# %%
formula = branch_mults(size=12, in_channels=10, k=5)
measured = counted_branch_mults(size=12, in_channels=10, k=5)
for name in formula:
    print(f"branch {name}: {formula[name]:>9,} (formula)  {measured[name]:>9,} (FlopCounterMode)")
direct = conv_mults(12, 12, 10, 24, 5)
print(f"branch 2 without the 1x1: {direct:,}, difference: {formula['2'] - direct:+,}")
assert formula == measured  # exact integer counts
assert max(formula, key=formula.get) == "2" and formula["2"] == 1405440 and direct == 864000


# %% [markdown]
# Answer: branch 1 costs 23,040 multiplications, branch 2 1,405,440, branch 3 1,267,200 and branch 4 34,560;
# branch 2 is the most expensive. Without its 1×1 convolution it would cost 864,000, that is 541,440
# fewer. The bottleneck saves work only when it reduces the channels: in the lesson's example it went from
# 192 to 16 channels and cut the cost tenfold, but here it goes from 10 up to 16, so the 5×5 convolution
# sees more channels than the input has and the "bottleneck" costs more than it saves.


# %% [markdown]
# ## Exercise 2
#
# Build a small GoogLeNet-style network for 8×8 digits: `Conv2d(1, 10, 3, padding=1)`, max pooling
# ($\to 4$), `make_inception(10)`, `Conv2d(88, 20, 3, padding=1)`, max pooling ($\to 2$),
# `make_inception(20)`, and a `Linear` layer. What is its input size? Train it with `digits.fit`.
#
# Reasoning: both Inception modules output $16 + 24 + 24 + 24 = 88$ channels and keep the spatial size. The
# shapes are $1 \times 8 \times 8 \to 10 \times 8 \times 8 \to 10 \times 4 \times 4 \to 88 \times 4 \times 4
# \to 20 \times 4 \times 4 \to 20 \times 2 \times 2 \to 88 \times 2 \times 2$, so `Linear` takes
# $88 \cdot 2 \cdot 2 = 352$ inputs. As in the course, ReLU follows each pooling. The network is
# `SmallGoogLeNet` in `lessons/advanced_cnn/exercises.py`; we train it for 3 epochs with
# $\eta = 0.05$ and 5 seeds.


# %%
--8<-- "lessons/advanced_cnn/exercises.py:small_googlenet"


# %%
net = make_googlenet(0)
print(net.fc, "parameters:", sum(p.numel() for p in net.parameters()))
assert net.fc.in_features == 352 and net(torch.zeros(2, 1, 8, 8)).shape == (2, 10)
_, google_runs = digits.seed_runs(make_googlenet, data, seeds=SEEDS, epochs=3, lr=0.05)
print(digits.seed_table({"GoogLeNet": google_runs}))
print(digits.seed_table({"GoogLeNet": google_runs}, key="loss"))
assert min(finals(google_runs)) > 0.6  # it learns, for every seed (chance is 0.1)


# %% [markdown]
# Answer: the `Linear` layer needs 352 inputs. The network has 46,130 parameters, most of them in the two
# Inception modules and the $88 \to 20$ convolution, and it trains: after 3 epochs every
# seed is above 0.6 on the validation set (0.63 to 0.90, median about 0.80), though still behind the
# residual network trained for the same 3 epochs (above 0.95, exercise 3). Its
# longest path has eight convolutions, almost as many as the plain network with four blocks, which does not
# learn at all (exercise 4). But each Inception module also offers a path through a single 1×1
# convolution, so the shortest path from the input to the classifier has only four, and the gradient reaches
# the first layer along it: parallel short paths help here much as skip connections do.


# %% [markdown]
# ## Exercise 3
#
# Re-initialize the plain network with `nn.init.kaiming_normal_` on every convolution weight (zero biases)
# and train it with `lr=0.01` and `lr=0.002`. Does it learn now? How close does it get to the residual
# network?
#
# Reasoning: PyTorch's default initialization draws weights with variance about $1/(3\,\text{fan-in})$, so
# each convolution followed by ReLU shrinks the signal; after 11 layers the forward signal and the gradient
# are tiny (the lesson's table). He initialization uses variance $2/\text{fan-in}$, which keeps the
# variance of the activations constant through ReLU layers. We first check the gradient norms at
# initialization, then train three epochs (the lesson's setting) with 5 seeds.


# %%
--8<-- "lessons/advanced_cnn/exercises.py:make_kaiming_plain"


# %%
residual_runs = digits.seed_runs(make_residual, data, seeds=SEEDS, epochs=3, lr=0.05)[1]
xb, yb = data.x_train[:64], data.y_train[:64]
for name, model in (("default", make_plain(0)), ("Kaiming", make_kaiming_plain(0))):
    norms = conv_grad_norms(model, xb, yb)
    print(f"{name:8}: |dJ/dW_1| = {norms[0]:.1e}, |dJ/dW_11| = {norms[-1]:.1e}")
kaiming = {}
for lr in (0.01, 0.002):
    make = functools.partial(make_kaiming_plain, blocks=5)
    kaiming[f"He, lr={lr}"] = digits.seed_runs(make, data, seeds=SEEDS, epochs=3, lr=lr)[1]
print(digits.seed_table({**kaiming, "residual": residual_runs}))
print(digits.seed_table({**kaiming, "residual": residual_runs}, key="loss"))
fast, slow = (finals(runs) for runs in kaiming.values())
assert max(fast) < min(finals(residual_runs)) and max(slow) < min(finals(residual_runs))
assert sum(a > 0.5 for a in fast) == 4 and min(fast) < 0.11  # lr 0.01: 4 of 5 learn, 1 at chance
assert max(slow) < 0.4  # lr 0.002: no seed learns


# %% [markdown]
# Answer: partly. He initialization repairs the signal at the start: the first layer's gradient is no
# longer orders of magnitude below the last one's. With $\eta = 0.01$ four of the 5 seeds now learn
# (validation accuracy 0.67 to 0.80 after three epochs) while one stays at chance (0.10); with
# $\eta = 0.002$ the steps are too small and no seed gets beyond 0.4 in three epochs (the best is
# 0.397). Either way it stays well behind the residual network, which is above 0.95 for every seed: a good
# initialization makes a deep plain network trainable, but the skip connection makes it easy to train.


# %% [markdown]
# ## Exercise 4
#
# Change `blocks` to 1, 2 and 4 and record the plain network's final validation accuracy over five seeds.
# From which depth does it stop learning?
#
# Reasoning: with $B$ blocks the plain network has $2B + 1$ convolutions. The lesson showed that 5 blocks
# (11 convolutions) do not learn; the shrinking signal predicts a gradual transition as $B$ grows.


# %%
depth_runs = {}
for blocks in (1, 2, 4):
    make = functools.partial(make_deep, blocks=blocks, skip=False)
    depth_runs[f"B={blocks} ({2 * blocks + 1} conv)"] = digits.seed_runs(
        make, data, seeds=SEEDS, epochs=3, lr=0.05
    )[1]
print(digits.seed_table(depth_runs))
one, two, four = (finals(runs) for runs in depth_runs.values())
assert min(one) > 0.8 and max(two) < 0.4 and max(four) < 0.11  # chance is 0.1


# %% [markdown]
# Answer: with one block (3 convolutions) the plain network learns for every seed (validation accuracy
# 0.84 to 0.94 after three epochs). With two blocks (5 convolutions) it already struggles: every seed stays
# below 0.4 (0.10 to 0.38), some near chance. With four blocks (9 convolutions) every seed is at chance,
# 0.10, like the lesson's five blocks. So with the default initialization and this budget of three
# epochs, the plain network stops learning from about 5 convolutions on, and completely from 9.


# %% [markdown]
# ## Exercise 5
#
# Compute `F.relu(y) + x` instead of `F.relu(y + x)` in `Block`, train again and compare. Why can such a
# block only ever increase its input?
#
# Reasoning: $\mathrm{ReLU}(y) \ge 0$ entrywise, so the block's output $\mathrm{ReLU}(F(x)) + x \ge x$ in
# every entry: each block can add to its input but never remove anything. Starting from
# $\mathrm{ReLU}(\text{stem})$, the activations can only grow from block to block, and a feature that an
# early layer switched on cannot be switched off later. In the original block the sum $F(x) + x$ passes
# through the ReLU, so $F(x)$ can be negative and cancel parts of $x$. `ReluThenAdd` in
# `lessons/advanced_cnn/exercises.py` wraps the lesson's blocks, so both networks start from the same
# weights.


# %%
--8<-- "lessons/advanced_cnn/exercises.py:relu_then_add"
--8<-- "lessons/advanced_cnn/exercises.py:block_growth"


# %%
relu_first_runs = digits.seed_runs(make_relu_then_add, data, seeds=SEEDS, epochs=3, lr=0.05)[1]
print(digits.seed_table({"ReLU(F(x)+x)": residual_runs, "ReLU(F(x))+x": relu_first_runs}))
growth = block_growth(make_relu_then_add(0), xb)
print("mean activation after the stem and each block:", [f"{m:.3f}" for m in growth])
assert growth == sorted(growth)  # never decreases
assert all(a <= b for a, b in zip(finals(relu_first_runs), finals(residual_runs), strict=True))


# %% [markdown]
# Answer: the network still trains (the identity path is intact, so the gradient still reaches the first
# layers), but for every seed its validation accuracy is at most that of the lesson's residual network
# (equal for one seed), less than one point lower in the median (0.953 against 0.961). The mean
# activation grows after every block, as it must: the output is the input plus a nonnegative term.
# Such a block can only add features, never suppress one, and the scale of the activations keeps growing
# with depth. He et al. (2016, "Identity mappings in deep residual
# networks", ECCV, arXiv:1603.05027) tested this "ReLU before addition" variant on CIFAR-10 and found it
# worse than the original for the same reason; their best variant keeps the identity path free of any
# activation.
