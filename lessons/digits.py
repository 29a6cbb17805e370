"""The 8×8 handwritten digits bundled with scikit-learn, as tensors, plus a shared training loop.

The course trains on MNIST (28×28), which would have to be downloaded. The lessons on
classification and CNNs use scikit-learn's bundled ``load_digits`` instead: 1797 gray
images of 8×8 pixels with values 0..16, labels 0..9 (Alpaydin and Kaynak's UCI optical
digits, test part). No network is needed.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Callable, Iterable

import torch
from matplotlib.ticker import MaxNLocator
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lessons.checks import check_float, check_int, check_ints, checked
from lessons.devices import resolve_device
from lessons.plotting import subplots
from lessons.printing import progress, table
from lessons.seeds import generator, offset_seed, seeded


@dataclasses.dataclass(frozen=True)
class Digits:
    """A train/validation/test split of the digits: images (N, 1, 8, 8) or (N, 64), labels (N,)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    mean: float  # μ of the training pixels after scaling to [0, 1]
    std: float  # σ of the training pixels after scaling to [0, 1]


def _check_load(val_size, test_size, seed, **_) -> None:
    check_float("val_size", val_size, minimum=0.0, strict=True)
    check_float("test_size", test_size, minimum=0.0, strict=True)
    if val_size + test_size >= 1:
        raise ValueError(f"val_size + test_size must be < 1, got {val_size} + {test_size}")
    check_int("seed", seed, minimum=0)


@checked(_check_load)
# --8<-- [start:load]
def load(val_size=0.2, test_size=0.2, seed=0, flat=False) -> Digits:
    """Load the digits, split them three ways (stratified, seeded), scale and normalize.

    Args:
        val_size: Fraction of the 1797 images kept for the validation set.
        test_size: Fraction kept for the test set; ``val_size + test_size < 1``.
        seed: Seed of the split.
        flat: If true, images are rows of 64 pixels; else ``(N, 1, 8, 8)`` (N, C, H, W).

    Returns:
        The split; pixels are ``(x / 16 - μ) / σ`` with μ, σ from the training set only.

    """
    images, labels = load_digits(return_X_y=True)  # (1797, 64) values 0..16, (1797,)
    rng = offset_seed(seed)  # the seed scikit-learn gets
    x, x_te, y, y_te = train_test_split(  # first the test set ...
        images / 16.0, labels, test_size=test_size, random_state=rng, stratify=labels
    )
    x_tr, x_va, y_tr, y_va = train_test_split(  # ... then the validation set from the rest
        x, y, test_size=val_size / (1 - test_size), random_state=rng, stratify=y
    )
    mean, std = float(x_tr.mean()), float(x_tr.std())  # like MNIST's Normalize(0.1307, 0.3081)
    shape = (-1, 64) if flat else (-1, 1, 8, 8)

    def to_x(a):
        return torch.tensor((a - mean) / std, dtype=torch.float32).reshape(shape)

    def to_y(a):
        return torch.tensor(a, dtype=torch.long)

    return Digits(to_x(x_tr), to_y(y_tr), to_x(x_va), to_y(y_va), to_x(x_te), to_y(y_te), mean, std)


# --8<-- [end:load]


def loader(x: torch.Tensor, y: torch.Tensor, batch_size: int = 64, seed: int = 0) -> DataLoader:
    """Build a shuffling ``DataLoader`` over ``(x, y)`` whose order depends only on ``seed``.

    Args:
        x: Inputs, first dimension N.
        y: Labels, shape ``(N,)``.
        batch_size: Samples per mini-batch.
        seed: Seed of the shuffling.

    Returns:
        The loader.

    """
    data = TensorDataset(x, y)
    return DataLoader(data, batch_size=batch_size, shuffle=True, generator=generator(seed))


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of ``x`` whose largest logit is at the true label ``y``."""
    device = next(model.parameters()).device
    model.eval()
    pred = model(x.to(device)).argmax(dim=1)  # ŷ = argmax_k z_k
    return (pred.cpu() == y).float().mean().item()


# --8<-- [start:fit]
def fit(model, data, epochs=10, lr=0.1, momentum=0.9, batch_size=64, seed=0, device=None):
    """Train ``model`` with cross-entropy and SGD; record loss and validation accuracy.

    Args:
        model: Maps a batch of inputs to logits ``(B, 10)`` (no softmax at the end).
        data: The split; only its training and validation sets are used.
        epochs: Passes over the training set.
        lr: Learning rate η.
        momentum: Momentum μ of SGD (see the momentum lesson); 0 gives plain SGD.
        batch_size: Mini-batch size.
        seed: Seed of the shuffling.
        device: ``None`` picks CUDA when present, else CPU.

    Returns:
        ``{"loss": [mean training loss per epoch], "val": [validation accuracy per epoch]}``.

    """
    device = resolve_device(device)
    model.to(device)
    criterion = nn.CrossEntropyLoss()  # = LogSoftmax + NLLLoss
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    batches = loader(data.x_train, data.y_train, batch_size, seed)
    history = {"loss": [], "val": []}
    for _ in progress(range(epochs)):
        model.train()
        total = 0.0
        for x, y in batches:
            x, y = x.to(device), y.to(device)
            loss = criterion(model(x), y)  # 1. forward
            optimizer.zero_grad()
            loss.backward()  # 2. backward
            optimizer.step()  # 3. update
            total += loss.item() * len(x)
        history["loss"].append(total / len(data.x_train))
        history["val"].append(accuracy(model, data.x_val, data.y_val))  # never the test set
    return history


# --8<-- [end:fit]


def _check_seed_runs(seeds, **_) -> None:
    if not seeds:
        raise ValueError("seeds must not be empty")


@checked(_check_seed_runs)
def seed_runs(make_model: Callable, data: Digits, seeds: Iterable[int] = range(5), **fit_kwargs):
    """Train ``make_model(seed)`` with :func:`fit` once per seed (initial weights and shuffling).

    Args:
        make_model: Called with ``seed=s``; returns a fresh model.
        data: The split.
        seeds: The seeds s, at least one.
        **fit_kwargs: Passed on to :func:`fit` (epochs, lr, ...).

    Returns:
        ``(models, histories)``, one entry per seed, in the order of ``seeds``.

    """
    seeds = list(seeds)
    models = [make_model(seed=seed) for seed in seeds]
    return models, [fit(m, data, seed=s, **fit_kwargs) for m, s in zip(models, seeds, strict=True)]


def seed_stats(values: Iterable[float]) -> tuple[float, float, float]:
    """Median, minimum and maximum of ``values`` (one per seed)."""
    values = list(values)
    return statistics.median(values), min(values), max(values)


def _check_seed_table(runs, **_) -> None:
    if not runs:
        raise ValueError("runs must not be empty")


@checked(_check_seed_table)
def seed_table(runs: dict[str, list[dict]], key: str = "val") -> str:
    """One row per name: median and min–max over seeds of the last epoch's ``key``.

    Args:
        runs: ``{name: histories from seed_runs}``.
        key: ``"val"`` (validation accuracy) or ``"loss"`` (training loss).

    Returns:
        The table as text.

    """
    rows = []
    for name, histories in runs.items():
        med, lo, hi = seed_stats(h[key][-1] for h in histories)
        rows.append([name, len(histories), med, lo, hi])
    columns = [("", "<14"), ("seeds", ">6")] + [(h, ">9.4f") for h in ("median", "min", "max")]
    return table(rows, columns, sep="", note=f"   ({key}, last epoch)")


def _check_plot_history(histories) -> None:
    if not histories:
        raise ValueError("histories must not be empty")


@checked(_check_plot_history)
def plot_history(histories: dict[str, dict]):
    """Training loss ``J`` and validation accuracy ``a`` per epoch ``t``, one line per run.

    Args:
        histories: ``{legend (symbols): history from fit}``.

    Returns:
        The figure.

    """
    fig, (ax_loss, ax_acc) = subplots(1, 2, figsize=(7.2, 3.0))
    for name, hist in histories.items():
        epochs = range(1, len(hist["loss"]) + 1)
        ax_loss.plot(epochs, hist["loss"], marker="o", ms=3, label=name)
        ax_acc.plot(epochs, hist["val"], marker="o", ms=3, label=name)
    ax_loss.set(xlabel="$t$", ylabel="$J$", yscale="log")
    ax_acc.set(xlabel="$t$", ylabel="$a_{\\mathrm{val}}$", ylim=(0, 1.02))
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    if len(histories) > 1:
        ax_acc.legend()
    fig.set_label("$J$ vs $t$ | $a_{\\mathrm{val}}$ vs $t$: " + ", ".join(histories))
    return fig


# --8<-- [start:mlp]
class MLP(nn.Module):
    """Fully connected net 64 → 64 → 32 → 10 with ReLU; the last layer outputs logits."""

    def __init__(self, sizes: tuple[int, ...] = (64, 64, 32, 10)) -> None:
        super().__init__()
        layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        self.net = nn.Sequential(*layers[:-1])  # no activation after the last layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``z`` of shape (N, 10) for flat images ``x`` of shape (N, 64)."""
        return self.net(x.view(-1, 64))  # like x.view(-1, 784) for MNIST


# --8<-- [end:mlp]


def _check_make_mlp(sizes, **_) -> None:
    if len(sizes) < 2 or sizes[0] != 64 or sizes[-1] != 10:
        raise ValueError(f"sizes must start with 64 and end with 10, got {sizes}")
    check_ints("sizes", sizes, minimum=1)


@checked(_check_make_mlp)
def make_mlp(seed: int = 0, sizes: tuple[int, ...] = (64, 64, 32, 10)) -> MLP:
    """Build an :class:`MLP` whose initial weights depend only on ``seed``."""
    with seeded(seed):
        return MLP(sizes)
