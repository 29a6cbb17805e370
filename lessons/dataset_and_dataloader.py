"""Lecture 8, Dataset and DataLoader: epochs, batches and iterations; a CSV-backed ``Dataset``.

The data are scikit-learn's bundled breast-cancer rows (30 features, labels 0/1), written to
CSV files by :func:`write_csv` so that the ``Dataset`` has a real file to read.
Run ``python -m lessons.dataset_and_dataloader`` to train with worker processes.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from lessons.common import check_float, check_int, generator, offset_seed, progress, resolve_device
from lessons.multi_dimensional_input import make_mlp
from lessons.plotting import subplots


# --8<-- [start:iterations]
def iterations_per_epoch(n: int, batch_size: int, drop_last: bool = False) -> int:
    """Return the number of iterations (parameter updates) in one epoch over ``n`` samples.

    ⌈N/B⌉ when the last, smaller batch is kept; ⌊N/B⌋ with ``drop_last=True``.
    """
    check_int("n", n, minimum=0)
    check_int("batch_size", batch_size, minimum=1)
    return n // batch_size if drop_last else math.ceil(n / batch_size)


# --8<-- [end:iterations]


def iteration_table(n: int, batch_sizes) -> str:
    """Compare :func:`iterations_per_epoch` with ``len(DataLoader)`` for several batch sizes."""
    data = TensorDataset(torch.arange(n))
    lines = [f"{'B':>5}{'ceil(N/B)':>11}{'len(loader)':>13}{'floor(N/B)':>12}{'drop_last':>11}"]
    for b in batch_sizes:
        keep, drop = DataLoader(data, batch_size=b), DataLoader(data, batch_size=b, drop_last=True)
        lines.append(
            f"{b:>5}{iterations_per_epoch(n, b):>11}{len(keep):>13}"
            f"{iterations_per_epoch(n, b, drop_last=True):>12}{len(drop):>11}"
        )
    return "\n".join(lines)


# --8<-- [start:write_csv]
def write_csv(directory, test_size: float = 0.25, seed: int = 0) -> tuple[Path, Path]:
    """Write ``train.csv`` and ``test.csv`` into ``directory``: a header, then one row per sample.

    Each row holds the 30 raw features followed by the label (0 or 1) in the last column.
    The split is stratified and seeded, as in the multi-dimensional-input lesson.

    Returns:
        The paths of the two files.

    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"directory must be an existing folder, got {str(directory)!r}")
    x, y = load_breast_cancer(return_X_y=True)  # x: (569, 30), y: (569,)
    parts = train_test_split(x, y, test_size=test_size, stratify=y, random_state=offset_seed(seed))
    header = ",".join([f"x{j}" for j in range(x.shape[1])] + ["y"])
    paths = directory / "train.csv", directory / "test.csv"
    for path, xs, ys in zip(paths, parts[:2], parts[2:], strict=True):
        rows = np.column_stack([xs, ys])  # (N, 31): features, then the label
        np.savetxt(path, rows, fmt="%.8g", delimiter=",", header=header, comments="")
    return paths


# --8<-- [end:write_csv]


# --8<-- [start:csv_dataset]
class CsvDataset(Dataset):
    """Map-style dataset over a CSV file: features in all columns but the last, label in the last.

    The whole file is read once in ``__init__`` (it is small); ``__getitem__`` only indexes.
    Features are standardized with ``mean``/``std`` if given (pass the training set's), else
    with this file's own statistics.
    """

    def __init__(self, path, mean=None, std=None):
        data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32, ndmin=2)
        if data.shape[1] < 2:
            raise ValueError(f"path: need >= 2 columns (features, label), got {data.shape[1]}")
        x = data[:, :-1]
        self.mean = x.mean(axis=0) if mean is None else np.asarray(mean, dtype=np.float32)  # μ
        self.std = x.std(axis=0) if std is None else np.asarray(std, dtype=np.float32)  # s
        self.x = torch.from_numpy((x - self.mean) / self.std)  # (N, d), x' = (x − μ) / s
        self.y = torch.from_numpy(data[:, -1:].copy())  # (N, 1), labels 0/1

    def __getitem__(self, index):
        """Return sample ``index`` as ``(x, y)`` with shapes (d,) and (1,)."""
        return self.x[index], self.y[index]

    def __len__(self):
        """Return N, the number of samples (the default samplers need it)."""
        return self.x.shape[0]


# --8<-- [end:csv_dataset]


# --8<-- [start:manual_batches]
def manual_batches(dataset, batch_size: int, seed: int = 0, drop_last: bool = False):
    """Yield shuffled mini-batches by hand, as a DataLoader does: permute, chunk, fetch, stack."""
    check_int("batch_size", batch_size, minimum=1)
    n = len(dataset)  # __len__
    order = torch.randperm(n, generator=generator(seed)).tolist()  # a permutation of 0…N−1
    stop = n - n % batch_size if drop_last else n  # drop_last: skip the incomplete tail
    for start in range(0, stop, batch_size):
        samples = [dataset[i] for i in order[start : start + batch_size]]  # __getitem__
        yield tuple(torch.stack(field) for field in zip(*samples, strict=True))  # collate: (B, …)


# --8<-- [end:manual_batches]


# --8<-- [start:make_loader]
def make_loader(dataset, batch_size=32, shuffle=True, drop_last=False, seed=0, num_workers=0):
    """Build a ``DataLoader`` whose shuffling is reproducible: it has its own seeded generator."""
    if not isinstance(dataset, Dataset):
        raise TypeError(f"dataset must be a torch Dataset, got {type(dataset).__name__}")
    check_int("batch_size", batch_size, minimum=1)
    check_int("num_workers", num_workers, minimum=0)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,  # a new permutation of the indices at the start of every epoch
        drop_last=drop_last,  # drop the last batch if it has fewer than batch_size samples
        generator=generator(seed),  # the permutations come from here, not the global RNG
        num_workers=num_workers,  # 0: load in this process; k > 0: k worker processes
    )


# --8<-- [end:make_loader]


def epoch_orders(n=10, batch_size=4, epochs=2, seed=0, drop_last=False):
    """Return the batches of indices 0…n−1 that a shuffling loader yields, epoch by epoch."""
    check_int("epochs", epochs, minimum=1)
    loader = make_loader(TensorDataset(torch.arange(n)), batch_size, True, drop_last, seed)
    return [[batch.tolist() for (batch,) in loader] for _ in range(epochs)]


def accuracy(model: nn.Module, dataset: Dataset, device=None) -> float:
    """Fraction of samples of ``dataset`` classified correctly (logit z > 0 ⇔ ŷ > 0.5)."""
    dev = resolve_device(device)
    correct = 0
    with torch.no_grad():
        for x, y in DataLoader(dataset, batch_size=256):  # no shuffling needed to evaluate
            correct += ((model(x.to(dev)) > 0).float() == y.to(dev)).sum().item()
    return correct / len(dataset)


# --8<-- [start:train]
def train_minibatch(
    train_set, batch_size=32, epochs=20, lr=0.1, seed=0, num_workers=0, device=None
):
    """Mini-batch SGD on BCE with a shuffling ``DataLoader``; one update per batch.

    Returns:
        ``(model, hist)``: ``hist["iter_loss"]`` has one loss per iteration,
        ``hist["epoch_loss"]`` the mean loss over the samples of each epoch.

    """
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    dev = resolve_device(device)
    loader = make_loader(train_set, batch_size, seed=seed, num_workers=num_workers)
    x0 = train_set[0][0]  # one sample fixes the input width d and the dtype
    model = make_mlp((x0.numel(), 16, 8, 1), seed=seed).to(dev, x0.dtype)
    loss_fn, opt = nn.BCEWithLogitsLoss(), torch.optim.SGD(model.parameters(), lr=lr)
    hist = {"iter_loss": [], "epoch_loss": []}
    for _ in progress(range(epochs)):  # one epoch = every sample seen once
        total, seen = 0.0, 0
        for x, y in loader:  # one iteration = one batch: x (B, d), y (B, 1)
            x, y = x.to(dev), y.to(dev)
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            hist["iter_loss"].append(loss.item())
            total, seen = total + loss.item() * len(x), seen + len(x)
        hist["epoch_loss"].append(total / seen)
    return model, hist


# --8<-- [end:train]


def compare_batch_sizes(train_set, batch_sizes, epochs=20, lr=0.1, seed=0):
    """Train once per batch size with the same seed, epochs and learning rate."""
    return {b: train_minibatch(train_set, b, epochs, lr, seed)[1] for b in batch_sizes}


def plot_iterations(n: int):
    """⌈N/B⌉ and ⌊N/B⌋ against the batch size B, on log axes."""
    fig, ax = subplots()
    bs = list(range(1, n + 1))
    ax.step(bs, [iterations_per_epoch(n, b) for b in bs], where="post", label=r"$\lceil N/B\rceil$")
    floor = [iterations_per_epoch(n, b, drop_last=True) for b in bs]
    ax.step(bs, floor, "--", where="post", label=r"$\lfloor N/B\rfloor$")
    ax.set(xscale="log", yscale="log", xlabel="$B$", ylabel="$K$", title=f"$N={n}$")
    ax.legend()
    fig.set_label(r"$K$ vs $B$; $\lceil N/B\rceil$, $\lfloor N/B\rfloor$")
    return fig


def plot_training(hist, per_epoch: int):
    """Plot the loss per iteration k and each epoch's mean loss (at the epoch's last iteration)."""
    fig, ax = subplots()
    k = range(1, len(hist["iter_loss"]) + 1)
    ax.plot(k, hist["iter_loss"], lw=0.6, alpha=0.6, label=r"$L_k$")
    ends = [per_epoch * (e + 1) for e in range(len(hist["epoch_loss"]))]
    ax.plot(ends, hist["epoch_loss"], "o-", ms=3, label=r"$\bar L_t$")
    ax.set(xlabel="$k$", ylabel="$L$", yscale="log")
    ax.legend()
    fig.set_label(r"$L_k$ vs $k$; $\bar L_t$")
    return fig


def plot_batch_sizes(results, n: int):
    """Mean loss per epoch for several batch sizes, against epochs and against iterations."""
    fig, (ax1, ax2) = subplots(1, 2, figsize=(8, 3.2), sharey=True)
    for b, hist in results.items():
        epochs = range(1, len(hist["epoch_loss"]) + 1)
        ax1.plot(epochs, hist["epoch_loss"], label=f"$B={b}$")
        ax2.plot([e * iterations_per_epoch(n, b) for e in epochs], hist["epoch_loss"])
    ax1.set(xlabel="$t$", ylabel=r"$\bar L_t$", yscale="log")
    ax2.set(xlabel="$k$", xscale="log")
    ax1.legend()
    fig.set_label(r"$\bar L_t$ vs $t$ | $\bar L_t$ vs $k$; $B$")
    return fig


# --8<-- [start:main]
def main(num_workers: int = 2, batch_size: int = 32, epochs: int = 5) -> None:
    """Script entry point: write the CSVs to a temporary folder, train with worker processes."""
    with tempfile.TemporaryDirectory() as folder:
        train_path, test_path = write_csv(folder)
        train_set = CsvDataset(train_path)
        test_set = CsvDataset(test_path, train_set.mean, train_set.std)
        model, hist = train_minibatch(train_set, batch_size, epochs, num_workers=num_workers)
    print(f"epoch losses: {[round(v, 4) for v in hist['epoch_loss']]}")
    print(f"train acc {accuracy(model, train_set):.3f}, test acc {accuracy(model, test_set):.3f}")


# --8<-- [end:main]

if __name__ == "__main__":  # True only when run as a script, False when imported
    main()
