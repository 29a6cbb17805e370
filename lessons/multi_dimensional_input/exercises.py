"""Exercises of the multi-dimensional-input lesson: scaling, leakage, stable BCE, gradients."""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from lessons.checks import check_float, check_int, checked
from lessons.multi_dimensional_input.lesson import Split, accuracy, train_logistic
from lessons.seeds import offset_seed

SCALINGS = ("train", "all", "none")


def _check_load_split_scaled(scaling, seed, **_) -> None:
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {SCALINGS}, got {scaling!r}")
    check_int("seed", seed, minimum=0)


@checked(_check_load_split_scaled)
# --8<-- [start:load_split_scaled]
def load_split_scaled(scaling: str = "train", seed: int = 0, dtype=torch.float32) -> Split:
    """The lesson's 60/20/20 stratified split, with a choice of where μ and s come from.

    Args:
        scaling: ``"train"`` (the lesson: μ, s of the training rows), ``"all"`` (μ, s of all
            569 rows: data leakage) or ``"none"`` (raw features).
        seed: Seed of the split (the same rows as ``load_split(seed=seed)``).
        dtype: Floating dtype of the tensors.

    Returns:
        The split.
    """
    x, y = load_breast_cancer(return_X_y=True)
    rest, x_te, y_rest, y_te = train_test_split(
        x, y, test_size=0.2, stratify=y, random_state=offset_seed(seed)
    )
    x_tr, x_va, y_tr, y_va = train_test_split(
        rest, y_rest, test_size=0.25, stratify=y_rest, random_state=offset_seed(seed)
    )
    source = {"train": x_tr, "all": x, "none": None}[scaling]  # the rows μ and s come from
    mu, s = (0.0, 1.0) if source is None else (source.mean(axis=0), source.std(axis=0))  # μ_j, s_j
    parts = []
    for xs, ys in ((x_tr, y_tr), (x_va, y_va), (x_te, y_te)):
        x_scaled = (xs - mu) / s  # x'_j = (x_j − μ_j)/s_j
        parts += [torch.tensor(x_scaled, dtype=dtype), torch.tensor(ys, dtype=dtype)[:, None]]
    return Split(*parts)


# --8<-- [end:load_split_scaled]


def _check_scaling_shift(seed) -> None:
    check_int("seed", seed, minimum=0)


@checked(_check_scaling_shift)
# --8<-- [start:scaling_shift]
def scaling_shift(seed: int = 0) -> tuple[float, float]:
    """How far μ and s of the training rows are from those of all 569 rows.

    Args:
        seed: Seed of the split.

    Returns:
        ``(max_j |μ_j^train − μ_j^all| / s_j^all, max_j |s_j^train / s_j^all − 1|)``.
    """
    x, y = load_breast_cancer(return_X_y=True)
    rest, _, y_rest, _ = train_test_split(
        x, y, test_size=0.2, stratify=y, random_state=offset_seed(seed)
    )
    x_tr, *_ = train_test_split(
        rest, y_rest, test_size=0.25, stratify=y_rest, random_state=offset_seed(seed)
    )
    mu, s = x.mean(axis=0), x.std(axis=0)
    d_mu = np.abs(x_tr.mean(axis=0) - mu) / s  # shift of μ_j, in units of s_j
    d_s = np.abs(x_tr.std(axis=0) / s - 1)  # relative change of s_j
    return float(d_mu.max()), float(d_s.max())


# --8<-- [end:scaling_shift]


# --8<-- [start:bce]
def bce_literal(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Element-wise −[y log σ(z) + (1 − y) log(1 − σ(z))], computed literally (unstable).

    Args:
        z: Logits.
        y: Labels 0/1.

    Returns:
        The element-wise loss.
    """
    p = torch.sigmoid(z)  # ŷ = σ(z); rounds to exactly 1 for large z in float32
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p))  # log(1 − ŷ) = log 0 there


def bce_softplus(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Element-wise BCE in the stable form softplus(z) − y·z.

    Args:
        z: Logits.
        y: Labels 0/1.

    Returns:
        The element-wise loss.
    """
    return torch.nn.functional.softplus(z) - y * z  # ℓ = log(1 + e^z) − y·z


# --8<-- [end:bce]


def _check_two_layer_grads(x, w1, w2, **_) -> None:
    if x.dim() != 2 or w1.shape[0] != x.shape[1] or w2.shape[0] != w1.shape[1]:
        raise ValueError("x, w1 and w2 must have shapes (N, d), (d, h) and (h, 1)")


@checked(_check_two_layer_grads)
# --8<-- [start:two_layer_grads]
def two_layer_grads(x, y, w1, b1, w2, b2) -> dict[str, torch.Tensor]:
    """Mean BCE of z = ReLU(X W₁ + b₁) W₂ + b₂ and its gradients, by the matrix formulas.

    Args:
        x: Inputs X, shape (N, d).
        y: Labels, shape (N, 1).
        w1: W₁, shape (d, h).
        b1: b₁, shape (h,).
        w2: W₂, shape (h, 1).
        b2: b₂, shape (1,).

    Returns:
        ``loss`` and the gradients ``w1``, ``b1``, ``w2``, ``b2`` (same shapes as the inputs).
    """
    a = x @ w1 + b1  # A = X W₁ + b₁: (N, h)
    h = a.clamp(min=0)  # H = ReLU(A): (N, h)
    z = h @ w2 + b2  # z = H W₂ + b₂: (N, 1)
    g_z = (torch.sigmoid(z) - y) / x.shape[0]  # ∂L/∂z = (ŷ − y)/N: (N, 1)
    g_a = (g_z @ w2.T) * (a > 0)  # ∂L/∂A = (∂L/∂z W₂ᵀ) ⊙ 1[A > 0]: (N, h)
    loss = bce_softplus(z, y).mean()  # L = (1/N)·Σ ℓ(z_i, y_i)
    grads = {"w1": x.T @ g_a, "b1": g_a.sum(0)}  # ∂L/∂W₁ = Xᵀ G_A: (d, h); ∂L/∂b₁ = G_Aᵀ 1: (h,)
    grads |= {"w2": h.T @ g_z, "b2": g_z.sum(0)}  # ∂L/∂W₂ = Hᵀ G_z: (h, 1); ∂L/∂b₂ = 1ᵀ G_z: (1,)
    return {"loss": loss} | grads


# --8<-- [end:two_layer_grads]


def _check_steady_lrs(lrs, **_) -> None:
    if len(lrs) == 0:
        raise ValueError("lrs must not be empty")
    for lr in lrs:
        check_float("lrs", lr, minimum=0.0, strict=True)


@checked(_check_steady_lrs)
# --8<-- [start:steady_lrs]
def steady_lrs(split: Split, lrs, epochs: int = 100) -> list[dict]:
    """Train the lesson's logistic regression at each learning rate; report steadiness.

    Args:
        split: The data.
        lrs: Learning rates to try.
        epochs: Steps per run.

    Returns:
        One dict per rate: ``lr``, ``first`` and ``last`` loss, ``ups`` (how many steps
        increased the loss), ``acc_val``.
    """
    rows = []
    for lr in lrs:
        w, b, losses = train_logistic(split, epochs=epochs, lr=lr)
        ups = sum(b_ > a_ for a_, b_ in zip(losses, losses[1:], strict=False))  # L_{t+1} > L_t
        acc = accuracy(split.x_val @ w + b, split.y_val)
        finite = all(math.isfinite(v) for v in losses)
        rows.append(
            {"lr": lr, "first": losses[0], "last": losses[-1], "ups": ups}
            | {"acc_val": acc, "finite": finite}
        )
    return rows


# --8<-- [end:steady_lrs]
