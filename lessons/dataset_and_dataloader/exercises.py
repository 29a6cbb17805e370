"""Exercises of the Dataset-and-DataLoader lesson: batch counts, order, lazy loading, spawn."""

from __future__ import annotations

import contextlib
import io
import re
import runpy
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.seeds import generator
from lessons.tabular_mlp import make_mlp


def _check_loader_batch_sizes(n, batch_size, **_) -> None:
    check_int("n", n, minimum=1)
    check_int("batch_size", batch_size, minimum=1)


@checked(_check_loader_batch_sizes)
# --8<-- [start:loader_batch_sizes]
def loader_batch_sizes(n: int, batch_size: int, drop_last: bool = False) -> list[int]:
    """Sizes of the batches a real ``DataLoader`` yields over ``n`` samples.

    Args:
        n: Number of samples N.
        batch_size: Batch size B.
        drop_last: Passed to the ``DataLoader``.

    Returns:
        One size per batch, in order.
    """
    loader = DataLoader(TensorDataset(torch.arange(n)), batch_size=batch_size, drop_last=drop_last)
    return [len(batch) for (batch,) in loader]


# --8<-- [end:loader_batch_sizes]


# --8<-- [start:sorted_by_label]
def sorted_by_label(dataset: Dataset) -> Subset:
    """The samples of ``dataset`` reordered by label: all 0s first, then all 1s (stable).

    Args:
        dataset: A dataset of ``(x, y)`` pairs with ``y`` of shape (1,).

    Returns:
        A ``Subset`` view in the sorted order.
    """
    labels = torch.stack([dataset[i][1] for i in range(len(dataset))]).flatten()
    return Subset(dataset, torch.argsort(labels, stable=True).tolist())


# --8<-- [end:sorted_by_label]


def _check_train_ordered(batch_size, epochs, lr, seed, **_) -> None:
    check_int("batch_size", batch_size, minimum=1)
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("seed", seed, minimum=0)


@checked(_check_train_ordered)
# --8<-- [start:train_ordered]
def train_ordered(train_set, shuffle: bool, batch_size=32, epochs=20, lr=0.1, seed=0, device=None):
    """The lesson's ``train_minibatch``, with shuffling switched on or off.

    Args:
        train_set: Dataset of ``(x, y)`` pairs.
        shuffle: Whether the loader reshuffles every epoch.
        batch_size: Batch size B.
        epochs: Number of epochs.
        lr: Learning rate η.
        seed: Seed of the initial weights and of the shuffling.
        device: ``None`` for :func:`lessons.devices.default_device`, as ``train_minibatch``.

    Returns:
        ``(model, hist)``: the trained model; ``hist["iter_loss"]`` holds the loss of every
        batch, ``hist["epoch_loss"]`` the mean loss of each epoch.
    """
    loader = DataLoader(  # shuffle=False: the same order, batch after batch, every epoch
        train_set, batch_size=batch_size, shuffle=shuffle, generator=generator(seed)
    )
    dev = resolve_device(device)
    model = make_mlp((train_set[0][0].numel(), 16, 8, 1), seed=seed).to(dev)
    loss_fn, opt = nn.BCEWithLogitsLoss(), torch.optim.SGD(model.parameters(), lr=lr)
    hist = {"iter_loss": [], "epoch_loss": []}
    for _ in range(epochs):
        total = 0.0  # Σ over the epoch of B·L(batch)
        for x, y in loader:  # x (B, d), y (B, 1)
            x, y = x.to(dev), y.to(dev)
            loss = loss_fn(model(x), y)  # L = mean BCE over the batch
            opt.zero_grad()
            loss.backward()
            opt.step()  # w ← w − η·∇L
            total += loss.item() * len(x)
            hist["iter_loss"].append(loss.item())
        hist["epoch_loss"].append(total / len(train_set))  # mean loss per sample, over N
    return model, hist


# --8<-- [end:train_ordered]


# --8<-- [start:full_loss]
def full_loss(model: nn.Module, dataset: Dataset) -> float:
    """Mean BCE of ``model`` over the whole ``dataset``, in evaluation (no gradient).

    Args:
        model: A model that outputs logits.
        dataset: Dataset of ``(x, y)`` pairs.

    Returns:
        The mean loss.
    """
    x, y = next(iter(DataLoader(dataset, batch_size=len(dataset))))
    dev = next(model.parameters()).device
    x, y = x.to(dev), y.to(dev)
    with torch.no_grad():
        return nn.BCEWithLogitsLoss()(model(x), y).item()


# --8<-- [end:full_loss]


# --8<-- [start:lazy_csv_dataset]
class LazyCsvDataset(Dataset):
    """Map-style dataset that reads one CSV line per ``__getitem__`` (nothing is kept in memory).

    Args:
        path: A CSV file with a header line, features, and the label in the last column.
    """

    def __init__(self, path):
        self.path = Path(path)
        with self.path.open() as f:
            self.n = sum(1 for _ in f) - 1  # lines minus the header

    def __getitem__(self, index):
        """Read line ``index + 1`` and return ``(x, y)`` with shapes (d,) and (1,), raw values."""
        if not 0 <= index < self.n:
            raise IndexError(f"index {index} out of range for {self.n} rows")
        row = np.loadtxt(self.path, skiprows=index + 1, max_rows=1, delimiter=",", dtype=np.float32)
        return torch.from_numpy(row[:-1].copy()), torch.from_numpy(row[-1:].copy())

    def __len__(self):
        """Return the number of data rows."""
        return self.n


# --8<-- [end:lazy_csv_dataset]


def _check_epoch_seconds(num_workers, **_) -> None:
    check_int("num_workers", num_workers, minimum=0)


@checked(_check_epoch_seconds)
# --8<-- [start:epoch_seconds]
def epoch_seconds(dataset: Dataset, batch_size: int = 32, num_workers: int = 0) -> float:
    """Wall-clock seconds of one pass over ``dataset`` with a ``DataLoader`` (no training).

    Args:
        dataset: The dataset.
        batch_size: Batch size.
        num_workers: Worker processes (0: load in this process).

    Returns:
        The elapsed time, including the start of the workers.
    """
    start = time.perf_counter()
    for _ in DataLoader(dataset, batch_size=batch_size, num_workers=num_workers):
        pass
    return time.perf_counter() - start


# --8<-- [end:epoch_seconds]


# --8<-- [start:spawn_script]
SCRIPT = """\
import torch
from torch.utils.data import DataLoader, TensorDataset


def main():
    data = TensorDataset(torch.arange(8.0))
    loader = DataLoader(data, batch_size=4, num_workers=1, multiprocessing_context="spawn")
    print("batches:", [batch.tolist() for (batch,) in loader])
"""


def spawn_script(guarded: bool) -> str:
    """Source of a small script that iterates a 1-worker ``spawn`` DataLoader.

    Args:
        guarded: If true, the work is in ``main()`` behind ``if __name__ == "__main__":``;
            if false, ``main()`` is called at the top level.

    Returns:
        The script's text.
    """
    call = 'if __name__ == "__main__":\n    main()\n' if guarded else "main()\n"
    return SCRIPT + "\n\n" + call


# --8<-- [end:spawn_script]


def _check_run_script(timeout, **_) -> None:
    check_float("timeout", timeout, minimum=0.0, strict=True)


@checked(_check_run_script)
# --8<-- [start:run_script]
def run_script(source: str, folder, timeout: float = 120.0) -> subprocess.CompletedProcess:
    """Write ``source`` to ``folder/script.py`` and run it with this Python interpreter.

    Args:
        source: The script.
        folder: An existing folder.
        timeout: Seconds before the run is stopped.

    Returns:
        The finished process, with ``stdout`` and ``stderr`` as text.
    """
    path = Path(folder) / "script.py"
    path.write_text(textwrap.dedent(source), encoding="utf8")
    cmd = [sys.executable, "-W", "error", str(path)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=folder)


# --8<-- [end:run_script]


# --8<-- [start:import_as_worker]
def import_as_worker(source: str, folder) -> tuple[str, list[str]]:
    """Run ``source`` in this process the way a spawn worker imports the main script.

    The worker imports it under the name ``__mp_main__``, so a guarded ``main()`` is not called.

    Args:
        source: The script.
        folder: An existing folder.

    Returns:
        ``(what it printed, the names it defined that do not start with "_")``.
    """
    path = Path(folder) / "script.py"
    path.write_text(textwrap.dedent(source), encoding="utf8")
    with contextlib.redirect_stdout(io.StringIO()) as out:
        names = runpy.run_path(str(path), run_name="__mp_main__")
    return out.getvalue(), sorted(n for n in names if not n.startswith("_"))


# --8<-- [end:import_as_worker]


def error_summary(stderr: str) -> list[str]:
    """The informative lines of a failed run: ``RuntimeError`` lines and the spawn explanation.

    Args:
        stderr: The captured standard error.

    Returns:
        Distinct lines, in order of first appearance, stripped, with process ids elided.
    """
    keep = ("RuntimeError", "An attempt has been made", "bootstrapping phase", "__main__")
    lines = []
    for line in stderr.splitlines():
        text = re.sub(r"pid(\(s\))? \d+", r"pid\1 …", line.strip())  # process ids vary per run
        if any(k in text for k in keep) and not text.startswith("raise") and text not in lines:
            lines.append(text)
    return lines
