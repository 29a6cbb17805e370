"""Softmax classification (lecture 9): softmax, cross-entropy by hand, and an MLP on the digits."""

from __future__ import annotations

import torch
from torch import nn

from lessons.checks import check_int, checked
from lessons.plotting import subplots


def _check_logits(z: object, y: object = None) -> None:
    if not isinstance(z, torch.Tensor) or not z.is_floating_point():
        got = z.dtype if isinstance(z, torch.Tensor) else type(z).__name__
        raise TypeError(f"z must be a floating-point tensor, got {got}")
    if y is None:
        return
    if not isinstance(y, torch.Tensor) or y.dtype != torch.long:
        raise TypeError("y must be a tensor of int64 class indices")
    if z.dim() != 2 or y.shape != z.shape[:1]:
        raise ValueError(f"y must have shape (N,) for z of shape (N, K), got {tuple(y.shape)}")
    if y.numel() and (y.min() < 0 or y.max() >= z.shape[1]):
        raise ValueError(f"y must hold classes in 0..{z.shape[1] - 1}")


def _check_softmax_naive(z) -> None:
    _check_logits(z)


def _check_softmax(z) -> None:
    _check_logits(z)


def _check_log_softmax(z) -> None:
    _check_logits(z)


def _check_cross_entropy(z, y) -> None:
    _check_logits(z, y)


def _check_cross_entropy_grad(z, y) -> None:
    _check_logits(z, y)


@checked(_check_softmax_naive)
# --8<-- [start:softmax_naive]
def softmax_naive(z: torch.Tensor) -> torch.Tensor:
    """Softmax straight from the formula: overflows for large logits ``z``."""
    e = torch.exp(z)  # e^{z_i}
    return e / e.sum(dim=-1, keepdim=True)  # p_i = e^{z_i} / Σ_j e^{z_j}


# --8<-- [end:softmax_naive]
@checked(_check_softmax)
# --8<-- [start:softmax]
def softmax(z: torch.Tensor) -> torch.Tensor:
    """Numerically stable softmax over the last dimension: shift by the max first."""
    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)  # e^{z_i - m}, all <= 1
    return e / e.sum(dim=-1, keepdim=True)


# --8<-- [end:softmax]


@checked(_check_log_softmax)
# --8<-- [start:log_softmax]
def log_softmax(z: torch.Tensor) -> torch.Tensor:
    """``log p_i = z_i - m - log Σ_j e^{z_j - m}`` with ``m = max_j z_j`` (stable)."""
    m = z.max(dim=-1, keepdim=True).values
    return z - m - torch.log(torch.exp(z - m).sum(dim=-1, keepdim=True))


def nll_loss(log_p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Negative log-likelihood: ``-(1/N) Σ_n log p_{n, y_n}`` (picks the true class)."""
    return -log_p[torch.arange(len(y)), y].mean()


# --8<-- [end:log_softmax]
@checked(_check_cross_entropy)
# --8<-- [start:cross_entropy]
def cross_entropy(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of logits ``z`` (N, K) and labels ``y`` (N,): NLL of log-softmax."""
    return nll_loss(log_softmax(z), y)


# --8<-- [end:cross_entropy]
@checked(_check_cross_entropy_grad)
# --8<-- [start:cross_entropy_grad]
def cross_entropy_grad(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Gradient of :func:`cross_entropy` w.r.t. ``z``: ``(softmax(z) - onehot(y)) / N``."""
    onehot = torch.nn.functional.one_hot(y, z.shape[1]).to(z.dtype)
    return (softmax(z) - onehot) / len(y)


# --8<-- [end:cross_entropy_grad]


def _check_distributions(p, q=None) -> None:
    for name, d in (("p", p), ("q", q)):
        if d is None:
            continue
        if not isinstance(d, torch.Tensor) or not d.is_floating_point():
            raise TypeError(f"{name} must be a floating-point tensor")
        if (d < 0).any() or not torch.allclose(d.sum(-1), torch.ones((), dtype=d.dtype)):
            raise ValueError(f"{name} must be a probability vector: entries >= 0, sum 1")
    if q is not None and p.shape != q.shape:
        raise ValueError(
            f"p and q must have the same shape, got {tuple(p.shape)}, {tuple(q.shape)}"
        )


def _check_entropy(p) -> None:
    _check_distributions(p)


def _check_cross_entropy_pq(p, q) -> None:
    _check_distributions(p, q)


def _check_kl_divergence(p, q) -> None:
    _check_distributions(p, q)


@checked(_check_entropy)
# --8<-- [start:entropy]
def entropy(p: torch.Tensor) -> torch.Tensor:
    """Entropy ``H(p) = -Σ_i p_i log p_i = Σ_i p_i log(1 / p_i)`` in nats (with 0 log 0 = 0)."""
    return torch.special.xlogy(p, 1 / p).sum(dim=-1)  # mean surprise log(1/p_i)


# --8<-- [end:entropy]
@checked(_check_cross_entropy_pq)
# --8<-- [start:cross_entropy_pq]
def cross_entropy_pq(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Cross-entropy ``H(p, q) = -Σ_i p_i log q_i`` of a model ``q`` against the truth ``p``."""
    return -torch.special.xlogy(p, q).sum(dim=-1)


# --8<-- [end:cross_entropy_pq]
@checked(_check_kl_divergence)
# --8<-- [start:kl_divergence]
def kl_divergence(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """KL divergence ``KL(p‖q) = Σ_i p_i log(p_i / q_i) = H(p, q) - H(p)``."""
    return (torch.special.xlogy(p, p) - torch.special.xlogy(p, q)).sum(dim=-1)


# --8<-- [end:kl_divergence]


def _check_confusion_matrix(k, **_) -> None:
    check_int("k", k, minimum=2)


@torch.no_grad()
@checked(_check_confusion_matrix)
def confusion_matrix(model: nn.Module, x: torch.Tensor, y: torch.Tensor, k: int = 10):
    """Count ``C[i, j]``, the samples of true class ``i`` predicted as class ``j``."""
    model.eval()
    device = next(model.parameters()).device
    pred = model(x.to(device)).argmax(dim=1).cpu()  # ŷ = argmax_k z_k
    return torch.bincount(y * k + pred, minlength=k * k).reshape(k, k)


def _check_plot_confusion(cm) -> None:
    if not isinstance(cm, torch.Tensor) or cm.dim() != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError("cm must be a square 2-D tensor")


@checked(_check_plot_confusion)
def plot_confusion(cm: torch.Tensor):
    """Heat map of a confusion matrix with the count written in every cell."""
    k = cm.shape[0]
    fig, ax = subplots(figsize=(4.4, 4.0))
    ax.imshow(cm.numpy(), cmap="Blues")
    for i in range(k):
        for j in range(k):
            color = "white" if cm[i, j] > cm.max() / 2 else "black"
            ax.text(j, i, int(cm[i, j]), ha="center", va="center", fontsize=8, color=color)
    ax.set(xticks=range(k), yticks=range(k), xlabel="$\\hat y$", ylabel="$y$")
    ax.grid(False)
    fig.set_label("$C_{y,\\hat y}$")
    return fig


def _check_plot_samples(n, **_) -> None:
    check_int("n", n, minimum=1)


@checked(_check_plot_samples)
def plot_samples(x: torch.Tensor, y: torch.Tensor, n: int = 10):
    """Plot the first ``n`` images of ``x`` (N, 1, 8, 8) or (N, 64), titled with their label."""
    n = min(n, len(x))
    fig, axes = subplots(1, n, figsize=(0.8 * n, 1.2), squeeze=False)
    for ax, img, label in zip(axes[0], x[:n], y[:n], strict=True):
        ax.imshow(img.reshape(8, 8).numpy(), cmap="gray_r")
        ax.set_title(f"${int(label)}$")
        ax.axis("off")
    fig.set_label("$x \\in \\mathbb{R}^{8 \\times 8}$, $y$")
    return fig


def _check_plot_softmax(z) -> None:
    _check_logits(z)


@checked(_check_plot_softmax)
def plot_softmax(z: torch.Tensor):
    """Bars of logits ``z`` next to the probabilities ``softmax(z)``."""
    fig, (ax_z, ax_p) = subplots(1, 2, figsize=(6.4, 2.6))
    k = range(len(z))
    ax_z.bar(k, z.tolist(), color="C0")
    ax_z.set(xlabel="$i$", ylabel="$z_i$", xticks=k)
    ax_p.bar(k, softmax(z).tolist(), color="C1")
    ax_p.set(xlabel="$i$", ylabel="$p_i$", xticks=k, ylim=(0, 1))
    fig.set_label("$z_i$ | $p_i = e^{z_i} / \\sum_j e^{z_j}$")
    return fig
