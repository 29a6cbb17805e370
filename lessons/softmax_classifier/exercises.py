"""Exercises of the softmax lesson: two-class softmax, overflow, a softmax too many, confidence."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from lessons import digits
from lessons.checks import check_int, checked
from lessons.digits import make_mlp
from lessons.softmax_classifier.lesson import softmax, softmax_naive


def _check_two_class_gap(n, **_) -> None:
    check_int("n", n, minimum=1)


@checked(_check_two_class_gap)
def two_class_gap(n: int = 1000, seed: int = 0) -> float:
    """Largest |softmax(z)_1 − σ(z_1 − z_0)| over ``n`` random logit pairs, in float64.

    Args:
        n: Number of pairs (z_0, z_1), drawn from N(0, 10²).
        seed: Seed of the draw.

    Returns:
        The largest gap.
    """
    z = 10 * torch.randn(n, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    return (softmax(z)[:, 1] - torch.sigmoid(z[:, 1] - z[:, 0])).abs().max().item()


def first_nan_logit() -> float:
    """Smallest float32 logit z for which ``softmax_naive(tensor([z]))`` returns ``nan``.

    Returns:
        z, found by bisection on the float32 grid between 88 and 89 (e^z overflows near
        ln(3.4·10³⁸)); positive float32 values are ordered like their bit patterns.
    """

    def is_nan(bits: int) -> bool:
        z = np.array(bits, dtype=np.int32).view(np.float32)
        return bool(torch.isnan(softmax_naive(torch.tensor([float(z)]))).any())

    lo, hi = (int(np.float32(v).view(np.int32)) for v in (88.0, 89.0))  # is_nan(lo) false, hi true
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if is_nan(mid) else (mid, hi)
    return float(np.array(hi, dtype=np.int32).view(np.float32))


def _check_loss_floor(k) -> None:
    check_int("k", k, minimum=2)


@checked(_check_loss_floor)
def loss_floor(k: int = 10) -> float:
    """Smallest cross-entropy when the "logits" are probabilities in [0, 1]: log(1 + (k − 1)/e).

    Args:
        k: Number of classes.

    Returns:
        The floor, reached at the input (1, 0, ..., 0) for the true class 0.
    """
    return math.log(1 + (k - 1) / math.e)


def make_softmax_mlp(seed: int = 0, sizes: tuple[int, ...] = (64, 64, 32, 10)) -> nn.Module:
    """The lesson's :func:`make_mlp` followed by ``nn.Softmax(dim=1)``: a softmax too many.

    Args:
        seed: Seed of the initial weights.
        sizes: Layer sizes, as for :func:`make_mlp`.

    Returns:
        ``nn.Sequential(mlp, nn.Softmax(dim=1))``.
    """
    return nn.Sequential(make_mlp(seed, sizes), nn.Softmax(dim=1))


def _check_least_confident(n, **_) -> None:
    check_int("n", n, minimum=1)


@torch.no_grad()
@checked(_check_least_confident)
def least_confident(model: nn.Module, x: torch.Tensor, n: int = 10) -> tuple:
    """The ``n`` images of ``x`` whose predicted class has the lowest probability.

    Args:
        model: Maps images to logits.
        x: Images, (N, 64) or (N, 1, 8, 8).
        n: How many to return.

    Returns:
        ``(indices, probability of the predicted class, predicted class)``,
        least confident first, on the CPU.
    """
    model.eval()
    p = torch.softmax(model(x.to(next(model.parameters()).device)), dim=1).cpu()  # softmax(z)
    top, pred = p.max(dim=1)
    order = top.argsort()[:n]
    return order, top[order], pred[order]


def _check_error_rates(n, **_) -> None:
    check_int("n", n, minimum=1)


@checked(_check_error_rates)
def error_rates(model: nn.Module, data: digits.Digits, n: int = 10) -> tuple[float, float]:
    """Validation error among the ``n`` least confident images, and over all of them.

    Returns:
        ``(error among the n least confident, error over the validation set)``.
    """
    idx, _, pred = least_confident(model, data.x_val, n)
    low = (pred != data.y_val[idx]).float().mean().item()
    return low, 1 - digits.accuracy(model, data.x_val, data.y_val)
