"""Lecture 7, multi-dimensional input: a sample is a row of features, a layer is a matrix product.

The course uses a diabetes CSV (8 features) that cannot be downloaded here; this module uses
scikit-learn's bundled breast-cancer data instead: 569 rows, 30 numeric features, labels 0/1.
"""

from __future__ import annotations

import dataclasses
import functools

import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch import nn

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.printing import progress
from lessons.seeds import offset_seed

KEYS = ("loss_train", "loss_val", "acc_train", "acc_val")  # what train_mlp records per epoch


def describe_data() -> str:
    """Summarize the raw data: shape, class counts, and how different the feature scales are."""
    x, y = load_breast_cancer(return_X_y=True)
    s = x.std(axis=0)  # s_j, the spread of feature j
    counts = tuple(int((y == c).sum()) for c in (0, 1))
    return (
        f"X: {x.shape}, y: {y.shape}, class counts (0, 1): {counts}\n"
        f"feature std s_j from {s.min():.4g} to {s.max():.4g} (ratio {s.max() / s.min():.0f})"
    )


def _check_load_split(val_size, test_size, seed, **_) -> None:
    check_float("val_size", val_size, minimum=0.0, strict=True)
    check_float("test_size", test_size, minimum=0.0, strict=True)
    if val_size + test_size >= 1.0:
        raise ValueError(f"val_size + test_size must be < 1, got {val_size} + {test_size}")
    check_int("seed", seed, minimum=0)


def _check_train_logistic(epochs, lr, **_) -> None:
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)


def _check_grad_check(seed, **_) -> None:
    check_int("seed", seed, minimum=0)


def _check_train_mlp(epochs, lr, **_) -> None:
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)


# --8<-- [start:Split]
@dataclasses.dataclass
class Split:
    """Standardized tensors: ``x_*`` has shape (N, 30), ``y_*`` has shape (N, 1) with values 0/1."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


# --8<-- [end:Split]
@checked(_check_load_split)
# --8<-- [start:load_split]
def load_split(val_size=0.2, test_size=0.2, seed=0, dtype=torch.float32) -> Split:
    """Load breast-cancer data, split it three ways (stratified), standardize with training μ, s.

    Args:
        val_size: Fraction of the 569 rows held out for the validation set.
        test_size: Fraction held out for the test set; ``val_size + test_size < 1``.
        seed: Seed of the shuffled, stratified split.
        dtype: Floating dtype of the returned tensors.

    Returns:
        The standardized train/validation/test split.

    """
    x, y = load_breast_cancer(return_X_y=True)  # x: (569, 30), y: (569,)
    rest, x_te, y_rest, y_te = train_test_split(
        x, y, test_size=test_size, stratify=y, random_state=offset_seed(seed)
    )
    x_tr, x_va, y_tr, y_va = train_test_split(
        rest,
        y_rest,
        test_size=val_size / (1 - test_size),
        stratify=y_rest,
        random_state=offset_seed(seed),
    )
    mu, s = x_tr.mean(axis=0), x_tr.std(axis=0)  # μ_j, s_j from the training rows only
    tensor = functools.partial(torch.tensor, dtype=dtype)
    parts = []
    for xs, ys in ((x_tr, y_tr), (x_va, y_va), (x_te, y_te)):  # all three use the *training* μ, s
        parts += [tensor((xs - mu) / s), tensor(ys).unsqueeze(1)]  # x' = (x − μ) / s; y: (N, 1)
    return Split(*parts)


# --8<-- [end:load_split]


# --8<-- [start:scratch]
def bce_with_logits(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy computed from logits ``z`` (stable: no log of 0).

    With ŷ = σ(z): −[y log ŷ + (1−y) log(1−ŷ)] = softplus(z) − y·z.
    """
    return (F.softplus(z) - y * z).mean()  # L = (1/N) Σ_i [softplus(z_i) − y_i z_i]


def logistic_grad(x: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor):
    """Loss and hand-written gradients of logistic regression ŷ = σ(Xw + b) under BCE.

    Args:
        x: Inputs, shape (N, d).
        y: Labels 0/1, shape (N, 1).
        w: Weights, shape (d, 1).
        b: Bias, shape (1,).

    Returns:
        ``(loss, dw, db)`` with ``dw`` of shape (d, 1) and ``db`` of shape (1,).

    """
    z = x @ w + b  # z = Xw + b: (N, d)·(d, 1) → (N, 1); b is broadcast to every row
    r = (torch.sigmoid(z) - y) / x.shape[0]  # ∂L/∂z_i = (ŷ_i − y_i) / N
    return bce_with_logits(z, y), x.T @ r, r.sum(0)  # ∂L/∂w = Xᵀr, ∂L/∂b = Σ_i r_i


# --8<-- [end:scratch]
@checked(_check_train_logistic)
# --8<-- [start:train_logistic]
def train_logistic(split: Split, epochs: int = 100, lr: float = 0.5):
    """Full-batch gradient descent on logistic regression with the hand-written gradient.

    Returns:
        ``(w, b, losses)``: the weights (d, 1), the bias (1,) and the loss before each step.

    """
    d = split.x_train.shape[1]
    w, b = torch.zeros(d, 1, dtype=split.x_train.dtype), torch.zeros(1, dtype=split.x_train.dtype)
    losses = []
    for _ in progress(range(epochs)):
        loss, dw, db = logistic_grad(split.x_train, split.y_train, w, b)
        w, b = w - lr * dw, b - lr * db  # w ← w − η ∂L/∂w,  b ← b − η ∂L/∂b
        losses.append(loss.item())
    return w, b, losses


# --8<-- [end:train_logistic]


@checked(_check_grad_check)
def grad_check(split: Split, seed: int = 0) -> float:
    """Largest |hand-written − autograd| gradient entry of :func:`logistic_grad`, in float64."""
    g = torch.Generator().manual_seed(seed)
    x, y = split.x_train.double(), split.y_train.double()
    w = torch.randn(x.shape[1], 1, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(1, generator=g, dtype=torch.float64, requires_grad=True)
    loss, dw, db = logistic_grad(x, y, w.detach(), b.detach())
    nn.BCEWithLogitsLoss()(x @ w + b, y).backward()  # autograd's ∂L/∂w, ∂L/∂b
    return max((dw - w.grad).abs().max().item(), (db - b.grad).abs().max().item())


def accuracy(z: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows where the prediction (z > 0, i.e. ŷ = σ(z) > 0.5) equals the label."""
    return ((z > 0).to(y.dtype) == y).float().mean().item()


@checked(_check_train_mlp)
# --8<-- [start:train]
def train_mlp(split: Split, model: nn.Module, epochs: int = 300, lr: float = 0.1, device=None):
    """Train ``model`` with full-batch SGD on BCE; record loss and accuracy per epoch.

    Returns:
        A dict of lists: ``loss_train``, ``loss_val``, ``acc_train``, ``acc_val``.

    """
    dev = resolve_device(device)
    model = model.to(dev)
    x_tr, y_tr, x_va, y_va = (t.to(dev) for t in dataclasses.astuple(split)[:4])  # no test set
    loss_fn = nn.BCEWithLogitsLoss()  # σ + BCE in one stable step
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    hist: dict[str, list[float]] = {k: [] for k in KEYS}
    for _ in progress(range(epochs)):
        z = model(x_tr)  # forward pass: (N, 30) → (N, 1)
        loss = loss_fn(z, y_tr)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():  # evaluate the updated model on training and validation sets
            z_tr, z_va = model(x_tr), model(x_va)
            hist["loss_train"].append(loss_fn(z_tr, y_tr).item())
            hist["loss_val"].append(loss_fn(z_va, y_va).item())
            hist["acc_train"].append(accuracy(z_tr, y_tr))
            hist["acc_val"].append(accuracy(z_va, y_va))
    return hist


# --8<-- [end:train]
