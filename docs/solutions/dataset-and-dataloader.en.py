# %% [markdown]
# # Dataset and DataLoader: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code, and the answer. The
# functions that solve them live in `lessons/dataset_and_dataloader/exercises.py`; each is shown in
# full right before the cell that calls it. Wherever an answer is definite, an `assert` checks it
# with a stated tolerance; claims about training runs are checked over several seeds.
#
# The first cell imports the modules the exercises' code uses and builds the training and test sets
# as in the lesson.


# %%
import contextlib
import io
import runpy
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset

from lessons.dataset_and_dataloader.batch_size import batch_table, iteration_table
from lessons.dataset_and_dataloader.exercises import error_summary
from lessons.dataset_and_dataloader.lesson import CsvDataset, accuracy, train_minibatch, write_csv
from lessons.devices import resolve_device
from lessons.seeds import generator
from lessons.tabular_mlp import make_mlp

folder = tempfile.TemporaryDirectory()
train_path, test_path = write_csv(folder.name)
train_set = CsvDataset(train_path)
test_set = CsvDataset(test_path, mean=train_set.mean, std=train_set.std)
print(len(train_set), len(test_set))


# %% [markdown]
# ## Exercise 1
#
# For $N = 569$ and $B = 16, 50, 100, 600$, compute $\lceil N/B\rceil$, $\lfloor N/B\rfloor$ and the
# size
# of the last batch by hand, then check them with `iteration_table`.
#
# By hand: the last batch holds $N - (\lceil N/B\rceil - 1)B$ samples, that is $N$ mod $B$ (or $B$
# when
# $B$ divides $N$).
#
# | $B$ | $N/B$ | $\lceil N/B\rceil$ | $\lfloor N/B\rfloor$ | last batch |
# |---:|---:|---:|---:|---:|
# | 16 | 35.56 | 36 | 35 | $569 - 35\cdot16 = 9$ |
# | 50 | 11.38 | 12 | 11 | $569 - 11\cdot50 = 19$ |
# | 100 | 5.69 | 6 | 5 | $569 - 5\cdot100 = 69$ |
# | 600 | 0.95 | 1 | 0 | $569$ |
#
# With $B = 600 > N$ there is a single batch holding all 569 samples; `drop_last=True` drops it, and
# an epoch makes no update at all. `loader_batch_sizes` lets a real `DataLoader` run over $N$
# indices and records the size of each batch; we check the hand computation with it and with
# `iteration_table`.


# %%
--8<-- "lessons/dataset_and_dataloader/exercises.py:loader_batch_sizes"


# %%
print(iteration_table(569, [16, 50, 100, 600]))
by_hand = {16: (36, 35, 9), 50: (12, 11, 19), 100: (6, 5, 69), 600: (1, 0, 569)}
for b, (ceil_nb, floor_nb, last) in by_hand.items():
    sizes = loader_batch_sizes(569, b)
    dropped = loader_batch_sizes(569, b, drop_last=True)
    print(
        f"B = {b}: {len(sizes)} batches, last of size {sizes[-1]}; drop_last: {len(dropped)} batches"
    )
    assert (len(sizes), len(dropped), sizes[-1]) == (ceil_nb, floor_nb, last)


# %% [markdown]
# Answer: the hand computation agrees with `iteration_table` ($\lceil N/B\rceil$ with
# `len(DataLoader)`,
# $\lfloor N/B\rfloor$ with `drop_last=True`) and with the batches a `DataLoader` actually yields.


# %% [markdown]
# ## Exercise 2
#
# Set `shuffle=False` and train with the same settings as `train_minibatch` ($B = 32$, 20 epochs,
# $\eta = 0.1$). The training set was already shuffled once by `write_csv`; does it make much
# difference? What happens if you first sort the training set by label (all 0s, then all 1s) and
# turn
# shuffling off?
#
# Reasoning: `train_ordered` is the lesson's training loop with a `shuffle` switch; with
# `shuffle=True` it is exactly `train_minibatch`. Without shuffling, every epoch visits the samples
# in
# the same order. On data that were shuffled once, each batch is still roughly a random sample, just
# the same one every epoch. Sorted by label (`sorted_by_label`), the first 4 batches hold only 0s,
# the fifth 31 0s and one 1, and the remaining 9 only 1s, so every batch is a biased sample: in each epoch the model is
# first pushed towards "always 0", then towards "always 1". For 5 seeds (0 to 4; initial weights and
# shuffling) we run the three settings for 10 epochs instead of 20, to keep this file fast, and
# compare, at the end, the loss on the whole training set (`full_loss`) and the test accuracy.


# %%
--8<-- "lessons/dataset_and_dataloader/exercises.py:sorted_by_label"
--8<-- "lessons/dataset_and_dataloader/exercises.py:train_ordered"
--8<-- "lessons/dataset_and_dataloader/exercises.py:full_loss"


# %%
sorted_set = sorted_by_label(train_set)
labels = [int(sorted_set[i][1].item()) for i in range(len(sorted_set))]
print("sorted labels: first", labels[:3], "last", labels[-3:], " zeros:", labels.count(0))
settings = {
    "shuffle": (train_set, True),
    "no shuffle": (train_set, False),
    "sorted": (sorted_set, False),
}
finals = {name: [] for name in settings}
for seed in range(5):
    for name, (dataset, shuffle) in settings.items():
        model, _ = train_ordered(dataset, shuffle, batch_size=32, epochs=10, lr=0.1, seed=seed)
        finals[name].append((full_loss(model, train_set), accuracy(model, test_set)))
for name, rows in finals.items():
    losses, accs = [r[0] for r in rows], [r[1] for r in rows]
    print(
        f"{name:10s} L(train): median {statistics.median(losses):.4f} ({min(losses):.4f}-{max(losses):.4f}), "
        f"test acc: median {statistics.median(accs):.3f} ({min(accs):.3f}-{max(accs):.3f})"
    )
for a, b, c in zip(*finals.values(), strict=True):
    assert abs(b[0] / a[0] - 1) < 0.1 and abs(c[0] / a[0] - 1) < 0.1
    assert c[0] > a[0]  # sorted order: always a little worse on the training set


# %% [markdown]
# Answer: on this data set the differences are surprisingly small. On data that were shuffled once,
# not reshuffling every epoch changes the training loss by less than 10%, and the test accuracy
# stays
# in the same range. Sorted by label without shuffling, the training loss is a little higher than
# with
# shuffling for all 5 seeds, but only by a few percent (median 0.0659 against 0.0644). The problem is easy: the two classes are
# almost linearly separable, after a few epochs most samples are classified correctly, $\hat y - y$
# is small, and even a batch of only 0s or only 1s gives a small gradient, so the model is not
# pushed
# far either way. Do not generalize from this: SGD's theory assumes every batch is an unbiased
# sample
# of the whole data set, and sorted batches break that assumption. On harder problems, with larger
# learning rates, or with data stored in blocks by time or class (which is common), not shuffling
# can
# make training markedly worse or stop it from converging. Reshuffling every epoch costs next to
# nothing; keep it on.


# %% [markdown]
# ## Exercise 3
#
# Write a lazy `LazyCsvDataset`: `__init__` only records the path and the number of rows, and
# `__getitem__` reads one line with
# `numpy.loadtxt(path, skiprows=i + 1, max_rows=1, delimiter=",")`.
# Does it return the same samples as `CsvDataset`? How long does one epoch take with each? Does
# `num_workers=2` help now?
#
# Reasoning: `LazyCsvDataset` lives in `lessons/dataset_and_dataloader/exercises.py` (worker
# processes
# can only use a dataset defined in an importable module). It returns raw features, so we compare it
# with an unstandardized `CsvDataset` ($\mu = 0$, $s = 1$). Each sample it fetches means opening the
# file, skipping $i + 1$ lines and parsing one, so an epoch costs time quadratic in the number of
# rows,
# while `CsvDataset` only indexes tensors in memory. `epoch_seconds` times one pass of a
# `DataLoader`. Timings depend on the machine and its load,
# so the page prints the work each one does (lines read) and only whether the lazy epoch is at
# least 5 times slower, which the assertion checks.


# %%
--8<-- "lessons/dataset_and_dataloader/exercises.py:lazy_csv_dataset"
--8<-- "lessons/dataset_and_dataloader/exercises.py:epoch_seconds"


# %%
lazy_set = LazyCsvDataset(train_path)
raw_set = CsvDataset(train_path, mean=np.zeros(30), std=np.ones(30))
same = all(
    torch.equal(lazy_set[i][0], raw_set[i][0]) and torch.equal(lazy_set[i][1], raw_set[i][1])
    for i in range(len(raw_set))
)
print(f"{len(lazy_set)} rows; same samples as CsvDataset: {same}")
assert len(lazy_set) == len(raw_set) == 426 and same
n = len(lazy_set)
print(
    f"lines read per epoch: CsvDataset 0 (read once, {n + 1} lines), "
    f"LazyCsvDataset {sum(i + 2 for i in range(n))}"
)
slower = epoch_seconds(lazy_set) > 5 * epoch_seconds(raw_set)
print(f"LazyCsvDataset at least 5 times slower per epoch: {slower}")
assert slower
folder.cleanup()


# %% [markdown]
# Answer: `LazyCsvDataset` returns the same 426 samples as `CsvDataset`, bit for bit (both parse the
# same text as float32). But it is much slower: one epoch reads 91,377 lines of text instead of
# none (the assertion requires it to take at least 5 times as long), and the gap grows with the
# number of rows, since sample $i$ first skips $i$ lines. Whether `num_workers=2` helps depends on
# the machine, so this page prints no timings: starting two worker processes and shipping data
# between processes has a fixed cost, which only slows down the in-memory `CsvDataset`;
# `LazyCsvDataset` gets faster only if reading samples takes much longer than that overhead and
# the machine really has idle CPU cores (time it on yours with `epoch_seconds`). The better fix
# removes the cause: read the file once (when the data fit in memory), or use a format with random
# access (a binary file indexed by offsets, a
# memory-mapped `.npy`, shards) rather than hiding an $O(N^2)$ read behind more processes.


# %% [markdown]
# ## Exercise 4
#
# In `compare_batch_sizes`, make the learning rate proportional to the batch size
# ($\eta = 0.1\cdot B/32$) and compare the four curves again. Does the disadvantage of large batches
# per
# epoch shrink? Is this learning rate still stable for $B = 426$?
#
# Reasoning: with batch size $B$ and learning rate $\eta$, an epoch makes $N/B$ updates, each a step
# of $\eta$ along a mean gradient. If the gradient changes little within an epoch, the epoch moves
# the
# parameters by about $(N/B)\,\eta\,\bar g$, so with $\eta \propto B$ every batch size travels the
# same
# distance per epoch. This is the "linear scaling rule" (Goyal et al., 2017). It only holds while
# $\eta$ stays below the stability limit: for $B = 426$, $\eta = 0.1 \times 426/32 \approx 1.33$.
# For
# $B = 32$ the rate is still $0.1$, as in the lesson; as a control we also train $B = 128$ and $426$
# at
# the lesson's $\eta = 0.1$. `compare_batch_sizes` calls `train_minibatch` once per batch size and
# seed; every setting runs with 5 seeds (0 to 4).


# %%
--8<-- "lessons/dataset_and_dataloader/batch_size.py:compare_batch_sizes"


# %%
scaled = {}
for b in (16, 32, 128, 426):
    scaled.update(compare_batch_sizes(train_set, [b], epochs=20, lr=0.1 * b / 32, seeds=range(5)))
print("eta = 0.1 * B / 32")
print(batch_table(scaled))
control = compare_batch_sizes(train_set, [128, 426], epochs=20, lr=0.1, seeds=range(5))
print("eta = 0.1")
print(batch_table(control))
last = {b: [h["epoch_loss"][-1] for h in runs] for b, runs in scaled.items()}
rises = [
    sum(v > u for u, v in zip(h["epoch_loss"][:-1], h["epoch_loss"][1:], strict=True))
    for h in scaled[426]
]
print("B = 426, eta = 1.33: epochs whose mean loss rose, per seed:", rises)
medians = [statistics.median(v) for v in last.values()]
assert max(medians) < 1.2 * min(medians)
for b in (128, 426):
    assert max(last[b]) < min(h["epoch_loss"][-1] for h in control[b])
assert rises == [0] * 5


# %% [markdown]
# Answer: with $\eta = 0.1\cdot B/32$, all four batch sizes end 20 epochs at nearly the same mean
# loss (medians between $0.041$ and $0.044$; the largest is within 10% of the smallest, and the assert
# allows 20%): the
# per-epoch
# disadvantage of large batches has essentially disappeared. In the control at a fixed $\eta = 0.1$,
# $B = 128$ and $426$ end much higher, for every seed. For $B = 426$ (full batch),
# $\eta \approx 1.33$
# is still stable: for all 5 seeds the mean loss falls in every epoch. Linear scaling does not hold
# without limit: there is always a stability limit on the learning rate, large-batch training
# usually
# also needs a warm-up (small learning rates at first), and the larger the batch, the fewer updates
# per epoch and the sooner the rule breaks. Here, it lets large batches reach the same loss with far
# fewer updates.


# %% [markdown]
# ## Exercise 5
#
# Write a script without the guard that creates
# `DataLoader(..., num_workers=2, multiprocessing_context="spawn")` at the top level and iterates
# over
# it, and read the error message; then move the code into `main()`, add the guard, and run it again.
#
# Reasoning: a worker started with spawn is a fresh Python interpreter that imports the main script
# again to find the definitions it needs. Without the guard, importing the main script runs the
# top-level `main()`, so the child creates a `DataLoader` and tries to start workers of its own, and
# multiprocessing stops it with an error. `spawn_script` writes both versions; `run_script` writes
# the unguarded one to a temporary folder and runs it with the current Python interpreter (with `-W error` too), and we print the exit code
# and the key lines of the error. Each child process imports torch again, so this cell is slower than
# the others; to start fewer interpreters, the script uses `num_workers=1`, and one worker is enough
# to trigger the same error. The guarded version is not started as a process: `import_as_worker`
# imports it in this process the way a worker does (under the module name `__mp_main__`) and look at what the import
# runs.


# %%
--8<-- "lessons/dataset_and_dataloader/exercises.py:spawn_script"
--8<-- "lessons/dataset_and_dataloader/exercises.py:run_script"
--8<-- "lessons/dataset_and_dataloader/exercises.py:import_as_worker"


# %%
with tempfile.TemporaryDirectory() as scratch:
    print(spawn_script(guarded=False))
    unguarded = run_script(spawn_script(guarded=False), scratch)
    print("exit code:", unguarded.returncode)
    print("\n".join(error_summary(unguarded.stderr)))
    printed, names = import_as_worker(spawn_script(guarded=True), scratch)
    print("with the guard, imported as __mp_main__: printed", repr(printed), "| defined", names)
assert unguarded.returncode != 0 and "bootstrapping phase" in unguarded.stderr
assert printed == "" and "main" in names  # main() is defined but not called


# %% [markdown]
# Answer: without the guard the script ends with a non-zero exit code. The error in the child is
# multiprocessing's `RuntimeError` with the message "An attempt has been made to start a new process
# before the current process has finished its bootstrapping phase",
# with the advice to use the `if __name__ == '__main__':` idiom in the main module; the parent then
# reports `RuntimeError: DataLoader worker (pid ...) exited unexpectedly`, and the real cause is
# only
# visible in the child's output. With the code in `main()` behind the guard, importing the script the
# way a worker does only defines `main` and the imported names: it runs and prints nothing, so the
# worker does not try to start workers of its own.
