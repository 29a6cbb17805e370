# %% [markdown]
# # Basic RNN: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code and the answer. The functions that
# solve them live in `lessons/basic_rnn/exercises.py`; each is shown in full before the cell that calls it.
# Wherever the answer is definite, an `assert` checks it with a stated tolerance,
# and claims about training runs are checked over several seeds.


# %%
import math
import statistics

import torch
from torch import nn

from lessons.basic_rnn.bptt import gradient_decay
from lessons.basic_rnn.exercises import REVERSE_VOCAB
from lessons.basic_rnn.lesson import VOCAB, CellNet, EmbedNet, seed_sweep
from lessons.seeds import seeded

# %% [markdown]
# ## Exercise 1
#
# Train variant 1 with `hidden_size` larger than 4, with a linear layer from $H$ to 4 scores. How does the
# loss floor change, and how many of ten seeds now reach `ohlol`?
#
# Reasoning: without the linear layer the scores are $h_t \in (-1, 1)^4$, so the probability of the right
# class is at most $e/(e + 3e^{-1})$ and the loss at least $\log(1 + 3e^{-2}) \approx 0.341$. A linear layer
# $s_t = W h_t + b$ produces unbounded scores: scaling $W$ up drives the probability of the right class to
# 1, so the floor drops to 0 (approached, never reached). The hidden state is also freed from serving as the
# scores and can hold the context only. `CellLinearNet` is `CellNet`
# plus that layer; `fit_sequence` repeats `train_hello`'s loop (Adam, $\eta = 0.1$, 15 epochs), and
# `linear_head_sweep` trains once per seed and keeps the last prediction.


# %%
--8<-- "lessons/basic_rnn/exercises.py:encode"
--8<-- "lessons/basic_rnn/exercises.py:one_hot"
--8<-- "lessons/basic_rnn/exercises.py:cell_linear_net"
--8<-- "lessons/basic_rnn/exercises.py:fit_sequence"
--8<-- "lessons/basic_rnn/exercises.py:linear_head_sweep"


# %%
print("lesson, H = 4, no linear layer:")
print(seed_sweep(variants=("cell",), seeds=range(10), epochs=15))
hits = {}
for hidden in (8, 16):
    finals = linear_head_sweep(hidden_size=hidden, seeds=range(10), epochs=15)
    hits[hidden] = finals.count("ohlol")
    print(f"H = {hidden:2d} + Linear: {hits[hidden]}/10  {' '.join(finals)}")
assert hits[8] == hits[16] == 10

with seeded(0):
    model = CellLinearNet(8)
losses, _ = fit_sequence(model, one_hot("hello"), encode("ohlol"), epochs=100)
floor = math.log1p(3 * math.exp(-2))
print(
    f"old floor {floor:.3f}; H = 8 + Linear: loss after 15 epochs {losses[14]:.3f}, 100: {losses[-1]:.4f}"
)
assert losses[-1] < floor / 10


# %% [markdown]
# Answer: with a linear output layer the loss has no positive floor any more: after 100 epochs it is far
# below the old bound of 0.341, and it keeps falling toward 0. All ten seeds reach `ohlol` in 15 epochs with
# $H = 8$ and with $H = 16$, against 6 of 10 for the lesson's $H = 4$ model whose hidden state doubles as the
# scores.


# %% [markdown]
# ## Exercise 2
#
# Make the one-hot `CellNet` sum the five step losses instead of averaging them. Does anything change with
# Adam? With plain SGD? Explain.
#
# Reasoning: the summed loss is $5\times$ the mean, so every gradient is $5\times$ larger.
#
# - Adam divides the running mean of the gradients $m_t$ by the square root of the running mean of their
#   squares $\sqrt{v_t}$. Scaling every gradient by $c$ scales $m_t$ by $c$ and $\sqrt{v_t}$ by $c$, so the
#   step $\eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)$ is unchanged, apart from the tiny $\epsilon = 10^{-8}$.
# - Plain SGD steps by $\eta g$: summing is the same as multiplying the learning rate by 5.
#
# `sum_vs_mean` trains the model twice from the same seed in float64, with the mean and with the
# sum. We check both optimizers: Adam with mean and sum, and SGD with sum at $\eta$ against mean at $5\eta$.


# %%
--8<-- "lessons/basic_rnn/exercises.py:sum_vs_mean"


# %%
adam = sum_vs_mean("adam", lr=0.1, epochs=15, seed=0)
gap = (adam["mean"][2] - adam["sum"][2]).abs().max().item()
loss_gap = max(abs(5 * m - s) for m, s in zip(adam["mean"][0], adam["sum"][0], strict=True))
print(
    f"Adam: predictions {adam['mean'][1][-1]} / {adam['sum'][1][-1]}, max |theta_mean - theta_sum| = {gap:.1e}"
)
print(f"Adam: max |5 L_mean - L_sum| over the epochs = {loss_gap:.1e}")
assert gap < 1e-5 and adam["mean"][1] == adam["sum"][1]  # equal up to the effect of eps

sgd = sum_vs_mean("sgd", lr=0.1, epochs=15, seed=0)
sgd5 = sum_vs_mean("sgd", lr=0.5, epochs=15, seed=0)
print(f"SGD, lr = 0.1: mean -> {sgd['mean'][1][-1]} (L = {sgd['mean'][0][-1]:.3f}),")
print(f"               sum  -> {sgd['sum'][1][-1]} (L/5 = {sgd['sum'][0][-1] / 5:.3f})")
same = (sgd["sum"][2] - sgd5["mean"][2]).abs().max().item()
print(f"SGD: max |theta_sum(lr) - theta_mean(5 lr)| = {same:.1e}")
assert same < 1e-12  # float64 rounding
assert (sgd["mean"][2] - sgd["sum"][2]).abs().max().item() > 0.1


# %% [markdown]
# Answer: with Adam nothing changes that matters: the parameters of the two runs differ by about
# $10^{-6}$ (the $\epsilon$ in the denominator), the predictions are the same at every epoch, and the loss
# values are simply 5 times larger. With plain SGD the run changes: the sum is exactly SGD with a 5 times
# larger learning rate (the parameters agree to $10^{-16}$), so with $\eta = 0.1$ the summed version learns
# faster and ends at a lower mean loss. The course's sum is therefore harmless with Adam, but with SGD it
# silently ties the effective learning rate to the sequence length.


# %% [markdown]
# ## Exercise 3
#
# Using `rnn_backward`, compute $\|\partial L/\partial h_0\|$ for $L = \sum_i h_T[i]$ with $\sigma = 1$ and
# `hidden_size` 8, 32 and 128. Does the decay rate depend on $H$?
#
# Reasoning: `gradient_decay` computes exactly this norm with `rnn_backward`, for $T = 1, \dots, 30$. Each
# step back multiplies the gradient by $W_{hh}^\top \mathrm{diag}(1 - h_t^2)$. With entries of standard
# deviation $\sigma/\sqrt H$, a random $W_{hh}$ keeps the length of a random vector on average
# ($\mathbb E\|W^\top v\|^2 = \sigma^2\|v\|^2$) for every $H$, and the factor $1 - h_t^2$ depends on the
# saturation of the state, not on $H$. So we expect a similar per-step factor, with more scatter for small
# $H$. `decay_rates` measures the factor $(\|g_{30}\|/\|g_1\|)^{1/29}$ for five draws of $W_{hh}$ per $H$.


# %%
--8<-- "lessons/basic_rnn/exercises.py:decay_rates"


# %%
rates = decay_rates(hidden_sizes=(8, 32, 128), seeds=range(5), seq_len=30)
for hidden, values in rates.items():
    med = statistics.median(values)
    print(
        f"H = {hidden:3d}: factor per step median {med:.3f}, range {min(values):.3f} to {max(values):.3f}"
    )
assert all(v < 1 for values in rates.values() for v in values)  # decays for every H and draw
spread = [max(v) - min(v) for v in rates.values()]
assert spread[0] > spread[1] > spread[2]


# %% [markdown]
# Answer: not in any essential way. For every $H$ and every draw the gradient decays geometrically, with a
# factor between about 0.83 and 0.98 per step. The medians drift slightly toward 1 as $H$ grows, and the
# scatter between draws shrinks (0.14, 0.05, 0.03): a small random matrix is a noisy sample of its
# distribution, a large one is close to its average behavior. The decay is set by $\sigma$ and by the
# saturation of $\tanh$, not by the width: a wider RNN does not remember longer.


# %% [markdown]
# ## Exercise 4
#
# Teach the embedding model to map `hello world` to `dlrow olleh`. Why is this harder than `ohlol`, and what
# does a bidirectional RNN change?
#
# Reasoning: the vocabulary grows to the 8 characters of "hello world" (space included), and the sequence
# to 11 steps. More importantly, the task is a reversal: the output at step $t$ is the input at step
# $T + 1 - t$. A left-to-right RNN computes its output at step $t$ from $x_1, \dots, x_t$ only, so its
# first output `d` cannot depend on the last input at all. On a single training string it can still learn the
# answer by heart (it knows the position from its state), which is different from reversing. A
# bidirectional RNN runs a second RNN from right to left and concatenates both states; at every step it sees
# the whole sequence, so reversing becomes possible. `ReverseNet` is an embedding, an RNN with $H = 16$
# and a linear layer; `epochs_to_learn` trains it (Adam, $\eta = 0.05$) and returns the first epoch whose prediction is
# right; we count for five seeds, and first do the same for `ohlol` with the same model.
# `first_output_changes` checks whether the step-1 scores change with the last character.


# %%
--8<-- "lessons/basic_rnn/exercises.py:reverse_net"
--8<-- "lessons/basic_rnn/exercises.py:make_reverse_net"
--8<-- "lessons/basic_rnn/exercises.py:epochs_to_learn"


# %%
--8<-- "lessons/basic_rnn/exercises.py:first_output_changes"


# %%
tasks = {"hello -> ohlol": ("hello", "ohlol"), "hello world -> dlrow olleh": ("hello world", None)}
epochs = {}
for name, (source, target) in tasks.items():
    for bi in (False, True):
        epochs[name, bi] = [epochs_to_learn(s, bi, source, target, epochs=60) for s in range(5)]
        print(f"{name:27} bidirectional={bi!s:5}: epochs to learn per seed {epochs[name, bi]}")
uni, bi = epochs["hello world -> dlrow olleh", False], epochs["hello world -> dlrow olleh", True]
assert None not in uni + bi and all(b <= u for u, b in zip(uni, bi, strict=True))
assert statistics.median(uni) > statistics.median(epochs["hello -> ohlol", False])

for bidirectional in (False, True):
    net = make_reverse_net(0, bidirectional)
    changes = first_output_changes(net, "hello world", "hello wordl")
    print(f"bidirectional={bidirectional}: step-1 scores depend on the last character: {changes}")
    assert changes == bidirectional


# %% [markdown]
# Answer: the reversal takes longer to learn than `ohlol` (a median of 6 epochs against 4 for the
# unidirectional model): more classes, a longer sequence, and the repeated `l` and `o` must produce
# different outputs at several positions, all tracked by the state. Both models do learn the one training
# string, but the unidirectional one only memorizes it: its first output cannot depend on the last
# character (checked above: changing `world` to `wordl` leaves the step-1 scores unchanged), so it cannot
# reverse strings in general. The bidirectional RNN sees the whole input at every step; it learns the
# string in fewer epochs for every seed, and it is the only one of the two that could learn reversal as a
# rule, given enough different training strings.


# %% [markdown]
# ## Exercise 5
#
# Print `embedding.weight` of a trained `EmbedNet` for several seeds. Are the rows of `l` and `o` close?
# Should they be?
#
# Reasoning: embeddings of two symbols become similar when the symbols are used in similar contexts across
# a lot of data (that is what word vectors learn). Here there is one training string of five characters,
# and the task only needs the four inputs to be distinguishable: any invertible linear change of the embedding can
# be absorbed by the RNN's $W_{ih}$. So nothing should pull `l` and `o` together. `trained_embeddings`
# trains the lesson's `EmbedNet` exactly as `train_hello` does and returns the table before and after; for
# five seeds we print the trained table of seed 0, and for every seed the rank of the distance `l`–`o` among
# the six pairwise distances (1 = closest pair).


# %%
--8<-- "lessons/basic_rnn/exercises.py:trained_embeddings"


# %%
initial, trained = trained_embeddings(seed=0, epochs=15)
print("rows:", list(VOCAB))
print(trained)
ranks = []
for seed in range(5):
    before, after = trained_embeddings(seed=seed, epochs=15)
    d = torch.cdist(after, after)
    pairs = sorted(d[i, j].item() for i in range(4) for j in range(i + 1, 4))
    l_o = d[VOCAB.index("l"), VOCAB.index("o")].item()
    ranks.append(pairs.index(l_o) + 1)
    moved = ((after - before).norm(dim=1) / before.norm(dim=1)).median().item()
    print(
        f"seed {seed}: |e_l - e_o| = {l_o:.2f}, rank {ranks[-1]} of 6; median relative change {moved:.2f}"
    )
assert len(set(ranks)) > 1  # no consistent closeness


# %% [markdown]
# Answer: no. Among the six pairwise distances, the one between `l` and `o` ranks anywhere from 1
# (closest) to 4 depending on the seed; no pattern holds across seeds. Training does move the rows (by
# about half of their length), but only as far as needed to make the four inputs produce the right outputs,
# and which of the many equally good tables it ends in depends on the random start. Nor should they be
# close: `l` and `o` play different roles here, and one string of five characters carries no evidence of
# similarity. Meaningful geometry in an embedding needs many contexts, as in word2vec.
