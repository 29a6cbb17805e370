# %% [markdown]
# # Advanced RNN: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code and the answer. The functions that
# solve them live in `lessons/advanced_rnn/exercises.py`; each is shown in full before the cell that calls it.
# Wherever the answer is definite, an `assert` checks it with a stated tolerance,
# and claims about training runs are checked over several seeds on the validation set (never the test set).


# %%
import statistics
from collections import Counter

import torch
from torch import nn

from lessons.advanced_rnn.gated_cells import gru_cell
from lessons.advanced_rnn.lesson import (
    NameClassifier,
    evaluate,
    labels,
    seed_sweep,
    train_classifier,
)
from lessons.advanced_rnn.names import SOURCES, encode, load_names, stratified_split
from lessons.advanced_rnn.reports import format_sweep
from lessons.devices import resolve_device
from lessons.seeds import generator, seeded

pairs = load_names(seed=0, max_per_class=400)
train_val, test = stratified_split(pairs, test_fraction=0.2, seed=0)
train, val = stratified_split(train_val, test_fraction=0.25, seed=0)
codes = sorted(SOURCES)
SMALL = ("ja", "pt", "tr")
SEEDS = range(5)


def summary(values):
    """Median [min, max] of ``values`` (one per seed), as text."""
    values = list(values)
    return f"{statistics.median(values):.3f} [{min(values):.3f}, {max(values):.3f}]"


# %% [markdown]
# ## Exercise 1
#
# Train with `max_per_class=10**6` (all 9940 names). Which classes improve? What happens to the small
# classes now that the large ones dominate? Try weighting the loss by inverse class frequency.
#
# Reasoning: without the cap the classes are very unbalanced (`pl` alone has thousands of names, `ja` a few
# dozen). The loss is an average over names, so the large classes dominate the gradient, and the model gains
# most by getting them right, if necessary at the expense of the small ones. Weighting each class by
# $w_c = N/(C N_c)$ (`inverse_frequency`) gives every class the same total weight in the loss.
# `train_variant` is the lesson's `train_classifier` with a few options: class weights, packing or not,
# and the LSTM's forget-gate bias. To compare fairly, all models are
# scored on the lesson's validation set: the full training set is every name of the full data set that is
# not in the lesson's validation or test set. We use 5 seeds (0 to 4) per setting and, to keep this page
# fast, a budget of about half the lesson's with the same number of optimizer steps for every model: 3
# epochs on the capped training set (30 steps), 1 epoch on the full one (33 steps).


# %%
--8<-- "lessons/advanced_rnn/exercises.py:inverse_frequency"
--8<-- "lessons/advanced_rnn/exercises.py:train_variant"


# %%
full = load_names(seed=0, max_per_class=10**6)
held_out = set(val) | set(test)
train_full = [p for p in full if p not in held_out]
counts = Counter(c for _, c in train_full)
print(f"{len(full)} names; full training set {len(train_full)}:", dict(counts.most_common()))
weight = inverse_frequency(train_full, codes)
settings = {
    "capped": {"pairs": train, "epochs": 3},
    "full": {"pairs": train_full, "epochs": 1},
    "weighted": {"pairs": train_full, "weight": weight, "epochs": 1},
}
results, capped = {name: [] for name in settings}, {}
for seed in SEEDS:
    for name, kw in settings.items():
        model = train_variant(
            kw["pairs"], codes, seed=seed, epochs=kw["epochs"], weight=kw.get("weight")
        )
        results[name].append(evaluate(model, val, codes))
        capped[seed] = model if name == "capped" else capped[seed]
print(f"{'code':<6}{'n_full':>7}" + "".join(f"{name:>10}" for name in settings))
for c in codes:
    row = "".join(f"{statistics.mean(r[1][c] for r in results[n]):>10.2f}" for n in settings)
    print(f"{c:<6}{counts[c]:>7}{row}")
overall = (f"{n} {summary(r[0] for r in results[n])}" for n in settings)
print("overall, median [min, max]:", ", ".join(overall))


def small_accuracy(result):
    """Mean accuracy over the three smallest classes."""
    return statistics.mean(result[1][c] for c in SMALL)


for cap, fu, we in zip(*results.values(), strict=True):  # seed by seed
    assert fu[1]["pl"] > cap[1]["pl"]  # the largest class improves
    assert all(fu[1][c] == 0 for c in SMALL)  # not one small-class name right without weights
    assert small_accuracy(fu) < small_accuracy(cap) < small_accuracy(we)


# %% [markdown]
# Answer (per-class accuracies averaged over 5 seeds; the assertions hold seed by seed): with all the
# names, `pl` improves most clearly (from about 0.6 to about 0.9), and `it` and `nl` improve too; with the
# same number of steps, most other classes lose. The small classes `ja`, `pt` and `tr`, with only 29 to 35
# training names against 3638 for `pl`, are never classified correctly any more (`pt` was at 0 already with
# the capped data), and mid-sized classes such as `de` and `fr` fall to almost 0 as well (0.01 and 0.02 on
# average, exactly 0 for 3 of the 5 seeds), their names now attracted to the large classes. The overall
# accuracy on the (capped, fairly balanced) validation set drops, from 0.52–0.55 to about 0.40
# (0.399–0.413). Weighting the loss by inverse class frequency turns this
# around: the small classes come back, in this run above the capped model's level, and the large classes
# pay for it (`pl` falls to about 0.46). Which model is "best" depends on the goal: plain accuracy on names drawn
# with the natural frequencies rewards the unweighted model, a balanced accuracy rewards the weighted one.


# %% [markdown]
# ## Exercise 2
#
# Train both GRU models, unidirectional and bidirectional, with seeds 0 to 4 (`seed_sweep` with
# `models=("GRU", "BiGRU")`) and report the median and range of their validation accuracies. Is the
# bidirectional model's advantage larger than the spread between seeds?
#
# Reasoning: we use seeds 0 to 4 and, to keep this page fast, the budget of exercise 1 (3 epochs). The
# unidirectional models are exercise 1's capped models (`train_variant` with its defaults makes the same
# draws as `train_classifier`); we train the five bidirectional ones with `train_classifier` (the calls
# that `seed_sweep` makes) and pass all ten to `seed_sweep` through `trained=`, so that exercises 4 and 5
# can reuse them. Two
# comparisons answer the question: the gap between the medians against the range of each model, and the
# difference seed by seed (same seed, same batches).


# %%
trained = {("GRU", seed): model for seed, model in capped.items()}  # exercise 1's capped models
for seed in SEEDS:
    trained["BiGRU", seed] = train_classifier(train, codes, "gru", True, epochs=3, seed=seed)[0]
sweep = seed_sweep(train, val, codes, ("GRU", "BiGRU"), SEEDS, trained, epochs=3)
print(format_sweep(sweep))
gap = statistics.median(sweep["BiGRU"]) - statistics.median(sweep["GRU"])
spread = min(max(v) - min(v) for v in sweep.values())
paired = [b - u for u, b in zip(sweep["GRU"], sweep["BiGRU"], strict=True)]
print(
    f"median gap {gap:.3f}, smallest range {spread:.3f}; per seed: {[round(d, 3) for d in paired]}"
)
assert gap < spread and min(paired) >= 0
assert min(sweep["BiGRU"]) > max(sweep["GRU"])  # the ranges do not overlap (by 2 names)


# %% [markdown]
# Answer: the bidirectional GRU has the higher median validation accuracy, by 0.020, just below the
# spread between seeds of either model (0.023 for the bidirectional one, 0.028 for the unidirectional
# one). Over these 5 seeds the two ranges do not overlap, though: the worst bidirectional run (0.552) is
# still above the best unidirectional one (0.549), by two names. Seed by seed (same initialization seed and
# batch order), the bidirectional model is ahead for every seed, by 0.002 to 0.048; for seed 0 the
# difference is two names only (0.002). So over these 5 seeds the advantage is consistent, but measured by
# the gap between the medians it does not exceed the spread between seeds: it is of the size of the luck of
# a single run; with 854 validation names the standard error of one accuracy is already about 0.017.


# %% [markdown]
# ## Exercise 3
#
# Initialize the LSTM's forget-gate bias to 1, so that $f_t$ starts near $\sigma(1) \approx 0.73$, and
# repeat the five-seed comparison. Does the LSTM catch up with the GRU, or pull ahead?
#
# Reasoning: PyTorch stacks the LSTM's gates as $i, f, g, o$, so rows $H$ to $2H$ of each bias belong to
# $f$. The gate sees the sum $b_{if} + b_{hf}$; setting rows $H..2H$ of `bias_ih` to 1 and of `bias_hh` to 0
# makes that sum exactly 1 (setting both to 1 would give $\sigma(2) \approx 0.88$). With the default
# initialization both are uniform in $\pm 1/\sqrt H$, so $f_t$ starts near $0.5$: the cell forgets half of
# its content at every step. On short surnames, long memory matters less than on long
# sequences, so we do not expect a large effect. As in exercise 2, we use 5 seeds and 3 epochs. In the
# table, `LSTMf1` is the LSTM with $b_f = 1$; `set_forget_bias` sets the biases as described.


# %%
--8<-- "lessons/advanced_rnn/exercises.py:set_forget_bias"


# %%
lstms = {"LSTM": None, "LSTMf1": 1.0}
for name, bias in lstms.items():
    sweep[name] = [
        evaluate(
            train_variant(train, codes, "lstm", epochs=3, seed=s, forget_bias=bias), val, codes
        )[0]
        for s in SEEDS
    ]
with seeded(0):
    probe = NameClassifier(len(codes), cell="lstm")
set_forget_bias(probe, 1.0)
h = probe.rnn.hidden_size
f0 = torch.sigmoid(probe.rnn.bias_ih_l0[h : 2 * h] + probe.rnn.bias_hh_l0[h : 2 * h])
print(f"f_t at zero input: {f0.min().item():.4f} to {f0.max().item():.4f}")
assert torch.allclose(f0, torch.sigmoid(torch.tensor(1.0)), atol=1e-6)
print(format_sweep({k: sweep[k] for k in ("GRU", "LSTM", "LSTMf1")}))
change = [a - b for a, b in zip(sweep["LSTMf1"], sweep["LSTM"], strict=True)]
print("b_f = 1 minus default, per seed:", [round(d, 3) for d in change])
assert min(change) > 0  # higher for every seed
assert min(sweep["LSTMf1"]) < max(sweep["GRU"]) and min(sweep["GRU"]) < max(sweep["LSTMf1"])


# %% [markdown]
# Answer: it catches up, but does not clearly pull ahead. With this short budget (3 epochs), the
# forget-gate bias of 1 raises the LSTM's validation accuracy for each of the 5 seeds, by 0.008 to 0.037,
# which brings its median to the GRU's level (0.546 against 0.547); the two ranges overlap, so the
# remaining difference is within the spread between seeds. Jozefowicz et al. (2015) found the bias of 1
# important on tasks with long-range dependencies (language modeling, long synthetic tasks); a surname has at
# most a few dozen characters, so here the bias more likely helps by making the early steps of training
# easier than by giving long memory. Whether the gain survives a longer training is not measured here.


# %% [markdown]
# ## Exercise 4
#
# Use `gru_cell` to run the trained unidirectional model's GRU by hand on `kowalski`, check that $h_n$ equals
# `model.rnn`'s, and print the mean update gate $z_t$ at every step. Where does the model keep its state, and
# where does it overwrite it?
#
# Reasoning: the GRU's layer 0 stores `weight_ih_l0` = $[W_{ir}; W_{iz}; W_{in}]$ and so on, exactly the
# layout of `gru_cell`. We embed the characters with the model's own embedding, step through them from
# $h_0 = 0$, and recompute $z_t = \sigma(W_{iz}x_t + b_{iz} + W_{hz}h_{t-1} + b_{hz})$ at each step. Since
# $h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$, a $z_t$ near 1 keeps the old state and a $z_t$ near 0
# replaces it by the candidate $n_t$. `gru_by_hand` does these computations.


# %%
--8<-- "lessons/advanced_rnn/exercises.py:gru_by_hand"


# %%
gru = trained["GRU", 0]
by_hand, by_torch, z_means = gru_by_hand(gru, "kowalski")
print(f"max |h_n by hand - h_n of nn.GRU| = {(by_hand - by_torch).abs().max().item():.1e}")
assert torch.allclose(by_hand, by_torch, rtol=0, atol=1e-5)  # float32, 8 steps
for ch, z in zip("kowalski", z_means, strict=True):
    print(f"{ch}: mean z_t = {z:.3f}")
assert min(range(1, 8), key=lambda t: z_means[t]) == 6  # the k of -ski, after the first step


# %% [markdown]
# Answer: the hand-written GRU gives the same $h_n$ as `nn.GRU` up to float32 rounding. The mean update
# gate stays in the middle range (about 0.38 to 0.63), so at every step each unit mixes old state and
# candidate, some units keeping, others rewriting. The model rewrites most at the first letter (where
# $h_0 = 0$ holds nothing worth keeping) and at the `k` of the ending `-ski`, the part of the name that
# identifies it as Polish; it keeps most in the middle of the name (`o`, `w`, `a`, `s`, means 0.55 to
# 0.63). The mean over 32 units is a coarse summary, and this is one trained model (seed 0, 3 epochs), but the
# pattern fits how the classifier decides: by the ending.


# %% [markdown]
# ## Exercise 5
#
# Train with `packed=False` as well (feed the padded batch, classify `output[:, -1]`). Does the model learn
# anyway? Why is this still worse for the bidirectional model than for the unidirectional one?
#
# Reasoning: with padding every name shorter than the longest of its batch is followed by padding steps.
# The padding index has a zero embedding (`padding_idx=0`), so after the name the forward GRU keeps
# receiving the same zero input; it can learn to carry its state through those steps, since training now
# asks exactly for that. The backward direction is worse off: `output[:, -1]` of the backward GRU is its
# state after its first step, which has read only position $T - 1$, padding for every name but the longest.
# Half of the bidirectional classifier's features then carry no information about the name. We train both
# models without packing for seeds 0 to 4 (3 epochs) and compare with the packed models of exercise 2 (same
# seeds).


# %%
padded = {name: [] for name in ("GRU", "BiGRU")}
for name, bidirectional in (("GRU", False), ("BiGRU", True)):
    for seed in SEEDS:
        model = train_variant(train, codes, "gru", bidirectional, epochs=3, seed=seed, packed=False)
        padded[name].append(evaluate(model, val, codes, packed=False)[0])
largest = max(Counter(c for _, c in val).values()) / len(val)
drops = {}
for name in padded:
    drops[name] = [p - q for p, q in zip(sweep[name], padded[name], strict=True)]
    print(
        f"{name:6} packed {summary(sweep[name])}  padded {summary(padded[name])}"
        f"  drop {summary(drops[name])}"
    )
more = [b - u for u, b in zip(drops["GRU"], drops["BiGRU"], strict=True)]
print("BiGRU drop minus GRU drop, per seed:", [round(d, 3) for d in more])
print(f"largest class: {largest:.3f}")
assert min(min(v) for v in padded.values()) > 3 * largest  # it learns
assert min(min(d) for d in drops.values()) > 0  # but worse than packed, every seed
assert min(padded["BiGRU"]) < max(padded["GRU"]) and min(padded["GRU"]) < max(padded["BiGRU"])
assert statistics.median(more) > 0 and min(more) < 0  # BiGRU loses more on most seeds, not all


# %% [markdown]
# Answer: yes, it learns anyway: trained on the padded batches, both models reach about 0.31 to 0.40,
# more than three times the 0.094 of always guessing the largest class. But both lose about 15 to 25
# points against packing, for each of the 5 seeds (0.145 to 0.254). Over these 5 seeds the bidirectional
# model tends to lose more: its median drop is 0.246 against the GRU's 0.204, and it loses more for 4 of
# the 5 seeds; but not for seed 0 (0.049 less), and the ranges of the drops overlap (0.170 to 0.254
# against 0.145 to 0.219), so in this short run it is a tendency, not a rule. Its advantage is gone:
# padded, its median is even a little lower (0.321 against 0.330) and the ranges of the two models overlap
# (0.310 to 0.382 against 0.314 to 0.402), although the bidirectional one has twice the features.
# The forward direction can learn to carry its state through the zero-input padding
# steps; the backward direction cannot recover what `output[:, -1]` never contained: for all but the longest
# names its state at the last position has seen only padding. Packing gives each direction its own first
# and last real step, which is why the lesson uses it.
