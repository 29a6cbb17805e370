"""Lecture 8, Dataset and DataLoader: epochs, batches and iterations; a CSV-backed ``Dataset``.

The data are scikit-learn's bundled breast-cancer rows (30 features, labels 0/1), written to
CSV files by :func:`write_csv` so that the ``Dataset`` has a real file to read.
Run ``python -m lessons.dataset_and_dataloader.lesson`` to train with worker processes.
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

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.printing import progress
from lessons.seeds import generator, offset_seed
from lessons.tabular_mlp import make_mlp


def _check_iterations_per_epoch(n, batch_size, **_) -> None:
    check_int("n", n, minimum=0)
    check_int("batch_size", batch_size, minimum=1)


def _check_write_csv(directory, **_) -> None:
    if not Path(directory).is_dir():
        raise ValueError(f"directory must be an existing folder, got {str(directory)!r}")


def _check_manual_batches(batch_size, **_) -> None:
    check_int("batch_size", batch_size, minimum=1)


def _check_make_loader(dataset, batch_size, num_workers, **_) -> None:
    if not isinstance(dataset, Dataset):
        raise TypeError(f"dataset must be a torch Dataset, got {type(dataset).__name__}")
    check_int("batch_size", batch_size, minimum=1)
    check_int("num_workers", num_workers, minimum=0)


def _check_epoch_orders(epochs, **_) -> None:
    check_int("epochs", epochs, minimum=1)


def _check_train_minibatch(epochs, lr, **_) -> None:
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)


@checked(_check_iterations_per_epoch)
# --8<-- [start:iterations]
def iterations_per_epoch(n: int, batch_size: int, drop_last: bool = False) -> int:
    """Return the number of iterations (parameter updates) in one epoch over ``n`` samples.

    ⌈N/B⌉ when the last, smaller batch is kept; ⌊N/B⌋ with ``drop_last=True``.
    """
    return n // batch_size if drop_last else math.ceil(n / batch_size)


# --8<-- [end:iterations]


@checked(_check_write_csv)
# --8<-- [start:write_csv]
def write_csv(directory, test_size: float = 0.25, seed: int = 0) -> tuple[Path, Path]:
    """Write ``train.csv`` and ``test.csv`` into ``directory``: a header, then one row per sample.

    Each row holds the 30 raw features followed by the label (0 or 1) in the last column.
    The split is stratified and seeded, as in the multi-dimensional-input lesson.

    Returns:
        The paths of the two files.

    """
    directory = Path(directory)
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


@checked(_check_manual_batches)
# --8<-- [start:manual_batches]
def manual_batches(dataset, batch_size: int, seed: int = 0, drop_last: bool = False):
    """Yield shuffled mini-batches by hand, as a DataLoader does: permute, chunk, fetch, stack."""
    n = len(dataset)  # __len__
    order = torch.randperm(n, generator=generator(seed)).tolist()  # a permutation of 0…N−1
    stop = n - n % batch_size if drop_last else n  # drop_last: skip the incomplete tail
    for start in range(0, stop, batch_size):
        samples = [dataset[i] for i in order[start : start + batch_size]]  # __getitem__
        yield tuple(torch.stack(field) for field in zip(*samples, strict=True))  # collate: (B, …)


# --8<-- [end:manual_batches]


@checked(_check_make_loader)
# --8<-- [start:make_loader]
def make_loader(dataset, batch_size=32, shuffle=True, drop_last=False, seed=0, num_workers=0):
    """Build a ``DataLoader`` whose shuffling is reproducible: it has its own seeded generator."""
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,  # a new permutation of the indices at the start of every epoch
        drop_last=drop_last,  # drop the last batch if it has fewer than batch_size samples
        generator=generator(seed),  # the permutations come from here, not the global RNG
        num_workers=num_workers,  # 0: load in this process; k > 0: k worker processes
    )


# --8<-- [end:make_loader]


@checked(_check_epoch_orders)
def epoch_orders(n=10, batch_size=4, epochs=2, seed=0, drop_last=False):
    """Return the batches of indices 0…n−1 that a shuffling loader yields, epoch by epoch."""
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


@checked(_check_train_minibatch)
# --8<-- [start:train]
def train_minibatch(
    train_set, batch_size=32, epochs=20, lr=0.1, seed=0, num_workers=0, device=None
):
    """Mini-batch SGD on BCE with a shuffling ``DataLoader``; one update per batch.

    Returns:
        ``(model, hist)``: ``hist["iter_loss"]`` has one loss per iteration,
        ``hist["epoch_loss"]`` the mean loss over the samples of each epoch.

    """
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
