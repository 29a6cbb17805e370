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

from lessons.common import check_float, check_int, offset_seed, progress, resolve_device, seeded
from lessons.plotting import subplots

ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}
KEYS = ("loss_train", "loss_test", "acc_train", "acc_test")  # what train_mlp records per epoch


def describe_data() -> str:
    """Summarize the raw data: shape, class counts, and how different the feature scales are."""
    x, y = load_breast_cancer(return_X_y=True)
    s = x.std(axis=0)  # s_j, the spread of feature j
    counts = tuple(int((y == c).sum()) for c in (0, 1))
    return (
        f"X: {x.shape}, y: {y.shape}, class counts (0, 1): {counts}\n"
        f"feature std s_j from {s.min():.4g} to {s.max():.4g} (ratio {s.max() / s.min():.0f})"
    )


# --8<-- [start:load_split]
@dataclasses.dataclass
class Split:
    """Standardized tensors: ``x_*`` has shape (N, 30), ``y_*`` has shape (N, 1) with values 0/1."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


def load_split(test_size: float = 0.25, seed: int = 0, dtype=torch.float32) -> Split:
    """Load breast-cancer data, split it stratified, and standardize with training statistics.

    Args:
        test_size: Fraction of rows held out for the test set, in (0, 1).
        seed: Seed of the shuffled, stratified split.
        dtype: Floating dtype of the returned tensors.

    Returns:
        The standardized train/test split.

    """
    check_float("test_size", test_size, minimum=0.0, strict=True)
    if test_size >= 1.0:
        raise ValueError(f"test_size must be < 1, got {test_size}")
    check_int("seed", seed, minimum=0)
    x, y = load_breast_cancer(return_X_y=True)  # x: (569, 30), y: (569,)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=test_size, stratify=y, random_state=offset_seed(seed)
    )
    mu, s = x_tr.mean(axis=0), x_tr.std(axis=0)  # μ_j, s_j from the training rows only
    tensor = functools.partial(torch.tensor, dtype=dtype)
    return Split(
        tensor((x_tr - mu) / s),  # x'_ij = (x_ij − μ_j) / s_j
        tensor(y_tr).unsqueeze(1),  # (N,) → (N, 1), the shape of the model's output
        tensor((x_te - mu) / s),  # the test set uses the *training* μ and s
        tensor(y_te).unsqueeze(1),
    )


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


def train_logistic(split: Split, epochs: int = 100, lr: float = 0.5):
    """Full-batch gradient descent on logistic regression with the hand-written gradient.

    Returns:
        ``(w, b, losses)``: the weights (d, 1), the bias (1,) and the loss before each step.

    """
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    d = split.x_train.shape[1]
    w, b = torch.zeros(d, 1, dtype=split.x_train.dtype), torch.zeros(1, dtype=split.x_train.dtype)
    losses = []
    for _ in progress(range(epochs)):
        loss, dw, db = logistic_grad(split.x_train, split.y_train, w, b)
        w, b = w - lr * dw, b - lr * db  # w ← w − η ∂L/∂w,  b ← b − η ∂L/∂b
        losses.append(loss.item())
    return w, b, losses


# --8<-- [end:scratch]


def grad_check(split: Split, seed: int = 0) -> float:
    """Largest |hand-written − autograd| gradient entry of :func:`logistic_grad`, in float64."""
    g = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    x, y = split.x_train.double(), split.y_train.double()
    w = torch.randn(x.shape[1], 1, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(1, generator=g, dtype=torch.float64, requires_grad=True)
    loss, dw, db = logistic_grad(x, y, w.detach(), b.detach())
    nn.BCEWithLogitsLoss()(x @ w + b, y).backward()  # autograd's ∂L/∂w, ∂L/∂b
    return max((dw - w.grad).abs().max().item(), (db - b.grad).abs().max().item())


def accuracy(z: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows where the prediction (z > 0, i.e. ŷ = σ(z) > 0.5) equals the label."""
    return ((z > 0).to(y.dtype) == y).float().mean().item()


# --8<-- [start:mlp]
def make_mlp(sizes=(30, 16, 8, 1), activation: str = "relu", seed: int = 0) -> nn.Sequential:
    """Stack ``Linear`` layers ``sizes[0] → … → 1`` with ``activation`` (relu/sigmoid) between.

    The last layer outputs a logit z; σ is left to the loss (``BCEWithLogitsLoss``).
    """
    if not isinstance(sizes, (tuple, list)) or len(sizes) < 2 or sizes[-1] != 1:
        raise ValueError(f"sizes must be a sequence of >= 2 widths ending in 1, got {sizes!r}")
    for width in sizes:
        check_int("sizes", width, minimum=1)
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    layers: list[nn.Module] = []
    with seeded(seed):  # nn.Linear draws its initial weights from the global RNG
        for d_in, d_out in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [nn.Linear(d_in, d_out), ACTIVATIONS[activation]()]  # h = act(hW + b)
    return nn.Sequential(*layers[:-1])  # no activation after the last layer: it outputs z


# --8<-- [end:mlp]


# --8<-- [start:train]
def train_mlp(split: Split, model: nn.Module, epochs: int = 300, lr: float = 0.1, device=None):
    """Train ``model`` with full-batch SGD on BCE; record loss and accuracy per epoch.

    Returns:
        A dict of lists: ``loss_train``, ``loss_test``, ``acc_train``, ``acc_test``.

    """
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    dev = resolve_device(device)
    model = model.to(dev)
    x_tr, y_tr, x_te, y_te = (t.to(dev) for t in dataclasses.astuple(split))
    loss_fn = nn.BCEWithLogitsLoss()  # σ + BCE in one stable step
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    hist: dict[str, list[float]] = {k: [] for k in KEYS}
    for _ in progress(range(epochs)):
        z = model(x_tr)  # forward pass: (N, 30) → (N, 1)
        loss = loss_fn(z, y_tr)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():  # evaluate the updated model on both sets
            z_tr, z_te = model(x_tr), model(x_te)
            hist["loss_train"].append(loss_fn(z_tr, y_tr).item())
            hist["loss_test"].append(loss_fn(z_te, y_te).item())
            hist["acc_train"].append(accuracy(z_tr, y_tr))
            hist["acc_test"].append(accuracy(z_te, y_te))
    return hist


# --8<-- [end:train]


def compare_architectures(split: Split, configs, epochs: int = 300, lr: float = 0.1, seed: int = 0):
    """Train one model per ``(sizes, activation)``; return rows ``(sizes, act, acc_tr, acc_te)``."""
    rows = []
    for sizes, activation in configs:
        hist = train_mlp(split, make_mlp(sizes, activation, seed), epochs=epochs, lr=lr)
        rows.append((tuple(sizes), activation, hist["acc_train"][-1], hist["acc_test"][-1]))
    return rows


def format_table(rows) -> str:
    """Format :func:`compare_architectures` rows as an aligned text table."""
    lines = [f"{'sizes':<18}{'activation':<12}{'train acc':>10}{'test acc':>10}"]
    for sizes, activation, acc_tr, acc_te in rows:
        name, act = "→".join(map(str, sizes)), activation if len(sizes) > 2 else "-"
        lines.append(f"{name:<18}{act:<12}{acc_tr:>10.3f}{acc_te:>10.3f}")
    return "\n".join(lines)


def plot_history(hist):
    """Two panels: BCE and accuracy per epoch, train and test."""
    fig, (ax1, ax2) = subplots(1, 2, figsize=(8, 3.2))
    t = range(1, len(hist["loss_train"]) + 1)
    ax1.plot(t, hist["loss_train"], label=r"$\mathcal{D}$")
    ax1.plot(t, hist["loss_test"], "--", label=r"$\mathcal{D}'$")
    ax1.set(xlabel="$t$", ylabel="$L$", yscale="log")
    ax2.plot(t, hist["acc_train"], label=r"$\mathcal{D}$")
    ax2.plot(t, hist["acc_test"], "--", label=r"$\mathcal{D}'$")
    ax2.set(xlabel="$t$", ylabel=r"$P(\hat y = y)$", ylim=(0.8, 1.005))
    ax2.legend(loc="lower right")
    fig.set_label(r"$L$ vs $t$ | $P(\hat y = y)$ vs $t$; $\mathcal{D}$, $\mathcal{D}'$")
    return fig


def plot_losses(losses):
    """BCE of the from-scratch logistic regression per gradient-descent step."""
    fig, ax = subplots()
    ax.plot(range(len(losses)), losses)
    ax.axhline(torch.log(torch.tensor(2.0)).item(), color="gray", ls=":", label=r"$\ln 2$")
    ax.set(xlabel="$t$", ylabel="$L(w, b)$", yscale="log")
    ax.legend()
    fig.set_label("$L(w, b)$ vs $t$")
    return fig


def plot_architectures(rows):
    """Plot grouped bars of train and test accuracy per architecture (x tick = widths)."""
    fig, ax = subplots(figsize=(7, 3.4))
    names = ["-".join(map(str, s)) + ("$^\\sigma$" if a == "sigmoid" else "") for s, a, *_ in rows]
    pos = torch.arange(len(rows), dtype=torch.float64).tolist()
    ax.bar([p - 0.2 for p in pos], [r[2] for r in rows], 0.4, label=r"$\mathcal{D}$")
    ax.bar([p + 0.2 for p in pos], [r[3] for r in rows], 0.4, label=r"$\mathcal{D}'$")
    ax.set_xticks(pos, names, fontsize=8)
    ax.set(ylabel=r"$P(\hat y = y)$", ylim=(0.85, 1.0))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    fig.set_label(r"$P(\hat y = y)$ vs $d_0-d_1-\dots-1$; $\mathcal{D}$, $\mathcal{D}'$")
    return fig
