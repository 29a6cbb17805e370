# %% [markdown]
# # Gradient accumulation: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code that answers it and the answer.
# Wherever the answer is definite, an `assert` checks it with a stated tolerance.


# %%
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from lessons.gradient_accumulation.lesson import F64, accumulate, accumulated_grad, grad_gap
from lessons.gradient_accumulation.lesson import make_data, make_mlp
from lessons.gradient_accumulation.memory import MiB, PeakMemory, make_deep, step_memory
from lessons.printing import table
from lessons.seeds import generator, seeded

x, y = make_data(512, seed=0)


# %% [markdown]
# ## Exercise 1
#
# Run the comparison with $K=4$, $B=16$ instead of $8\times8$ (a variant that calls `train`). Do the curves
# still coincide? Then replace SGD by Adam: does dividing the loss by $K$ still matter?
#
# Reasoning: as long as every step sees the same $K\cdot B = 64$ samples and each loss is divided by $K$, the
# accumulated gradient is the large batch's gradient, however it is cut. Adam's update is
# $\hat m/(\sqrt{\hat v}+\epsilon)$: multiplying every gradient by a constant $c$ multiplies $\hat m$ by $c$
# and $\sqrt{\hat v}$ by $c$, so the update is unchanged (only the tiny $\epsilon$ breaks this). Forgetting
# the division is therefore almost harmless with Adam, while with SGD it multiplies the learning rate by $K$.
# `train_variant` is `train` with an optimizer, a reduction and the division by $K$ as options.


# %%
--8<-- "lessons/gradient_accumulation/exercises.py:train_variant"


# %%
sgd_64 = train_variant(x, y, 64, 1, lr=0.2)
sgd_4x16 = train_variant(x, y, 16, 4, lr=0.2)
sgd_4x16_sum = train_variant(x, y, 16, 4, lr=0.2, divide=False)
adam_64 = train_variant(x, y, 64, 1, lr=0.01, optimizer="adam")
adam_4x16 = train_variant(x, y, 16, 4, lr=0.01, optimizer="adam")
adam_4x16_sum = train_variant(x, y, 16, 4, lr=0.01, optimizer="adam", divide=False)
rows = [
    {"run": "SGD, 4 x 16, /K", "max|ΔJ|": max_gap(sgd_4x16, sgd_64)},
    {"run": "SGD, 4 x 16, no /K", "max|ΔJ|": max_gap(sgd_4x16_sum, sgd_64, scale=4)},
    {"run": "Adam, 4 x 16, /K", "max|ΔJ|": max_gap(adam_4x16, adam_64)},
    {"run": "Adam, 4 x 16, no /K", "max|ΔJ|": max_gap(adam_4x16_sum, adam_64, scale=4)},
]
print(f"reference (K=1, B=64): SGD J_T = {sgd_64[-1]:.4f}, Adam J_T = {adam_64[-1]:.4f}")
print(table(rows))
gaps = [row["max|ΔJ|"] for row in rows]
assert gaps[0] < 1e-5 and gaps[2] < 1e-5 and gaps[3] < 1e-5  # float32 rounding only
assert gaps[1] > 1.0  # SGD without /K: K times the step, and it blows up


# %% [markdown]
# Answer: $4\times16$ still coincides with one batch of 64, up to float32 rounding. With Adam, dividing by
# $K$ or not also gives the same curve up to rounding (without the division the recorded loss is $K$ times
# larger, which is divided out before comparing), whereas SGD without the division diverges. Adam is blind to
# a global scale of the gradient; SGD's step is proportional to it.


# %% [markdown]
# ## Exercise 2
#
# Checkpoint only every second block of the memory model. Predict $M_{fwd}$ at $K=1$ and the extra FLOPs from
# the page's numbers, then measure them with `PeakMemory` and `FlopCounterMode`.
#
# Reasoning: at $K=1$ a tensor of $1024	imes256$ float32 numbers is 1 MiB. A plain block keeps two of them
# (its input and its pre-activation), a checkpointed block one (its input), and the input layer's output
# counts once: with blocks 2 and 4 checkpointed, $M_{fwd} = 1 + 2\cdot2 + 2\cdot1 = 7$ MiB, between the page's
# 9 and 5. Recomputation repeats the forward pass of the checkpointed blocks only: half of the page's extra
# $2.17 - 1.63$ GFLOP, so about $1.90$ GFLOP. The function sets the flag on every second block and measures
# exactly as `step_memory` does.


# %%
--8<-- "lessons/gradient_accumulation/exercises.py:partial_checkpoint"


# %%
rows = [step_memory(1), partial_checkpoint(every=2), step_memory(1, checkpointed=True)]
print(table(rows[1:2]))
print(f"GFLOP: none {rows[0]['GFLOP']:.3f}, every second {rows[1]['GFLOP']:.3f}, all {rows[2]['GFLOP']:.3f}")
assert abs(rows[1]["M_fwd"] - 7.0) < 0.01  # 7 tensors of 1 MiB, plus the output and the loss
extra = (rows[1]["GFLOP"] - rows[0]["GFLOP"]) / (rows[2]["GFLOP"] - rows[0]["GFLOP"])
assert abs(extra - 0.5) < 1e-9  # half the recomputation


# %% [markdown]
# Answer: $M_{fwd} = 7.00$ MiB (the extra $0.004$ MiB is the output and the loss) and $1.90$ GFLOP, as
# predicted: each checkpointed block saves one tensor of $B	imes W$ and costs one more forward pass of that
# block. Checkpointing is a dial, not a switch: every block you add saves the same memory for the same FLOPs.


# %% [markdown]
# ## Exercise 3
#
# Compute $M_{fwd}$ by hand for `width=512`, $K\cdot B=1024$ and $K=4$, then check it with `step_memory`. From
# which $K$ on are the gradients $M_{\nabla\theta}$ more than half of $M_{peak}$?
#
# Reasoning: a pass keeps the input layer's output and, in each of the 4 blocks, the pre-activation and the GELU
# output: $1 + 2\cdot4 = 9$ tensors of $B	imes W$. With $K = 4$, $B = 256$ and
# $M_{fwd} = 9\cdot256\cdot512\cdot4$ bytes $= 4.5$ MiB. The gradients have as many entries as the parameters,
# $16\cdot512 + 512 + 4\,(512^2 + 512) + 512 + 1 = 1\,059\,841$, that is $4.04$ MiB, whatever $K$.


# %%
--8<-- "lessons/gradient_accumulation/exercises.py:by_hand"


# %%
by_hand, grads = saved_bytes_by_hand(256, width=512), parameter_bytes(width=512)
print(f"by hand: M_fwd(K=4) = {by_hand / MiB:.4f} MiB, M_∇θ = {grads / MiB:.4f} MiB")
memory = [step_memory(k, width=512) for k in (2, 4, 8, 16)]
print(table(memory))
assert abs(memory[1]["M_fwd"] - by_hand / MiB) < 0.01  # plus the output and the loss
first = next(r["K"] for r in memory if r["M_∇θ"] > r["M_peak"] / 2)
print(f"first K with M_∇θ > M_peak / 2: {first}")
assert first == 8


# %% [markdown]
# Answer: $M_{fwd}(K=4) = 4.5$ MiB, as measured. The gradients are more than half of the peak from $K=8$ on
# ($B = 128$): from there, halving $B$ again saves little, and the parameters and the optimizer's state, not
# counted here, weigh as much again.


# %% [markdown]
# ## Exercise 4
#
# Replace the normalization of `make_mlp` by `nn.GroupNorm(4, 32)` (in a copy) and compare the accumulated
# gradient with the large batch's. Explain the result from the way GroupNorm computes its statistics.
#
# Reasoning: GroupNorm splits each sample's 32 channels into 4 groups and takes the mean and variance over the
# 8 channels of a group, within one sample, never across samples. The loss is still a sum of per-sample terms,
# so the accumulated gradient should equal the large batch's; there are no running statistics either.


# %%
--8<-- "lessons/gradient_accumulation/exercises.py:group_norm"


# %%
batch = grad_gap(4, norm="batch")["max|Δg|"]
group = group_norm_gap(accumulation_steps=4, groups=4, seed=0)
print(f"max|Δg| with BatchNorm: {batch:.3g}; with GroupNorm(4, 32): {group:.1e}")
assert group < 1e-12 < 1e-3 < batch


# %% [markdown]
# Answer: with GroupNorm the accumulated gradient equals the large batch's up to float64 rounding; with
# BatchNorm it is far off. GroupNorm's statistics depend on one sample only, so cutting the batch into
# micro-batches changes no sample's output; BatchNorm's depend on the whole batch, and only it breaks the
# equivalence.


# %% [markdown]
# ## Exercise 5
#
# With `reduction='sum'` the large batch's gradient grows with $K\cdot B$. Which learning rate makes a `'sum'`
# run follow the same curve as a `'mean'` run with $\eta = 0.2$ and $K\cdot B = 64$? Check it.
#
# Reasoning: $J_{sum} = \sum_i \ell_i = K B \cdot J_{mean}$, so $\nabla J_{sum} = KB\,\nabla J_{mean}$. An SGD
# step $\eta'\nabla J_{sum}$ equals $\eta\nabla J_{mean}$ exactly when $\eta' = \eta/(KB) = 0.2/64 = 0.003125$.
# When accumulating with `'sum'`, the micro-batch losses are added without dividing by $K$.


# %%
eta_sum = 0.2 / 64
summed = train_variant(x, y, 64, 1, lr=eta_sum, reduction="sum")
summed_acc = train_variant(x, y, 8, 8, lr=eta_sum, reduction="sum", divide=False)
print(f"eta' = {eta_sum}")
print(f"max|J_sum/64 - J_mean|: one batch {max_gap(summed, sgd_64, scale=64):.1e}, ", end="")
print(f"8 x 8 accumulated {max_gap(summed_acc, sgd_64, scale=64):.1e}")
assert max_gap(summed, sgd_64, scale=64) < 1e-5 and max_gap(summed_acc, sgd_64, scale=64) < 1e-5


# %% [markdown]
# Answer: $\eta' = \eta/(K\cdot B) = 0.003125$. With it, the `'sum'` run, whether on one batch of 64 or
# accumulated over $8\times8$ without dividing by $K$, follows the `'mean'` curve up to float32 rounding once
# its loss is divided by 64. Any change of $K\cdot B$ would call for a new learning rate, one reason why
# `'mean'` is the usual choice.
