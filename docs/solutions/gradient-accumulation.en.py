# %% [markdown]
# # Gradient accumulation: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code and the answer. The code calls
# functions from `lessons`; wherever the answer is definite, an `assert` checks it with a stated tolerance.


# %%
from lessons.gradient_accumulation.exercises import (
    group_norm_gap,
    loader_steps,
    max_gap,
    parameter_bytes,
    saved_bytes_by_hand,
    train_variant,
)
from lessons.gradient_accumulation.lesson import grad_gap, make_data
from lessons.gradient_accumulation.memory import step_memory
from lessons.printing import table

x, y = make_data(512, seed=0)
MIB = 2**20


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
# `train_variant` is in `lessons/gradient_accumulation/exercises.py`.


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
# Write a training loop over a `DataLoader` with `batch_size=8` and `drop_last=False` that accumulates $K=4$
# micro-batches and weights each loss by $n_k/N_G$, also for the last group. Check with `accumulate` that
# its first and last step use the same gradient as one batch of the same samples.
#
# Reasoning: a group's mean loss is $J_G = \sum_{k\in G}\frac{n_k}{N_G}J_k$, so the weights $n_k/N_G$ are
# exact for full groups and for a short last group alike. With the lesson's $N = 76$, the 10 micro-batches form
# groups of 4, 4 and 2, the last with $N_G = 12$. Before every step the loop computes the gradient of one batch
# of the group's samples, then accumulates, and compares the two (float64).


# %%
steps = loader_steps(n=76, batch_size=8, accumulation_steps=4, seed=0)
print(table(steps))
assert [s["N_G"] for s in steps] == [32, 32, 12]
assert max(s["max|Δg|"] for s in steps) < 1e-12


# %% [markdown]
# Answer: at each of the three steps, the last one with only two micro-batches and 12 samples included, the
# accumulated gradient equals the gradient of one batch of the same samples up to float64 rounding.


# %% [markdown]
# ## Exercise 3
#
# Compute by hand $M_{act}$ for `hidden=8192`, $K\cdot B = 512$ and $K=4$, then check it with `step_memory`.
# For which $K$ does $M_{act}$ fall below $M_\theta + M_{\nabla\theta}$?
#
# Reasoning: each sample keeps the first layer's input (16 numbers) and the ReLU output (8192 numbers), 4
# bytes each in float32: $(16 + 8192)\cdot 4 = 32\,832$ bytes. With $K = 4$, $B = 128$ and
# $M_{act} = 128 \cdot 32\,832$ bytes. The parameters number $16\cdot8192 + 8192 + 8192 + 1 = 147\,457$;
# with their gradients that is $2 \cdot 147\,457 \cdot 4$ bytes. $M_{act}(K) = (512/K)\cdot 32\,832$ bytes
# halves with every doubling of $K$.


# %%
by_hand = saved_bytes_by_hand(128, d_in=16, hidden=8192)
weights = parameter_bytes(d_in=16, hidden=8192)
print(
    f"by hand: M_act(K=4) = {by_hand} B = {by_hand / MIB:.4f} MiB; M_θ+M_∇θ = {weights / MIB:.4f} MiB"
)
memory = [step_memory(512, k, hidden=8192) for k in (4, 8, 16, 32)]
print(table(memory))
assert abs(memory[0]["M_act"] - by_hand / MIB) < 1e-9
print(f"M_act < M_θ+M_∇θ when K > {512 * saved_bytes_by_hand(1) / weights:.2f}")
first = next(row["K"] for row in memory if row["M_act"] < row["M_θ+M_∇θ"])
print(f"first K (a power of 2) with M_act < M_θ+M_∇θ: {first}")
assert first == 16


# %% [markdown]
# Answer: $M_{act}(K=4) = 4\,202\,496$ bytes, about 4.01 MiB, as `step_memory` reports; parameters and
# gradients take about 1.125 MiB. $M_{act}$ falls below that when $512/K \cdot 32\,832 < 2\cdot147\,457\cdot4$,
# i.e. $K > 14.25$; the first divisor of 512 past that is $K = 16$ ($B = 32$, about 1.0 MiB).


# %% [markdown]
# ## Exercise 4
#
# Replace `nn.BatchNorm1d` by `nn.GroupNorm(4, 32)` in a copy of `make_mlp`, run the `grad_gap` comparison,
# and explain the result from the way GroupNorm computes its statistics.
#
# Reasoning: GroupNorm splits each sample's 32 channels into 4 groups and takes the mean and variance over the
# 8 channels of a group, within one sample, never across samples. The loss is still a sum of per-sample terms,
# so the accumulated gradient should equal the large batch's; there are no running statistics either.


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
