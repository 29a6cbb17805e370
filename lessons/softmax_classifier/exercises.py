"""Exercises of the softmax lesson: two-class softmax, overflow, a softmax too many, confidence."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from lessons import digits
from lessons.checks import check_int, checked
from lessons.digits import make_mlp
from lessons.seeds import generator
from lessons.softmax_classifier.lesson import softmax, softmax_naive


def _check_two_class_gap(n, **_) -> None:
    check_int("n", n, minimum=1)


@checked(_check_two_class_gap)
# --8<-- [start:two_class_gap]
def two_class_gap(n: int = 1000, seed: int = 0) -> float:
    """Largest |softmax(z)_1 − σ(z_1 − z_0)| over ``n`` random logit pairs, in float64.

    Args:
        n: Number of pairs (z_0, z_1), drawn from N(0, 10²).
        seed: Seed of the draw.

    Returns:
        The largest gap.
    """
    z = 10 * torch.randn(n, 2, dtype=torch.float64, generator=generator(seed))  # z ~ N(0, 10²)
    gap = softmax(z)[:, 1] - torch.sigmoid(z[:, 1] - z[:, 0])  # softmax(z)_1 − σ(z_1 − z_0)
    return gap.abs().max().item()


# --8<-- [end:two_class_gap]


# --8<-- [start:first_nan_logit]
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


# --8<-- [end:first_nan_logit]


def _check_loss_floor(k) -> None:
    check_int("k", k, minimum=2)


@checked(_check_loss_floor)
# --8<-- [start:loss_floor]
def loss_floor(k: int = 10) -> float:
    """Smallest cross-entropy when the "logits" are probabilities in [0, 1]: log(1 + (k − 1)/e).

    Args:
        k: Number of classes.

    Returns:
        The floor, reached at the input (1, 0, ..., 0) for the true class 0.
    """
    return math.log(1 + (k - 1) / math.e)


# --8<-- [end:loss_floor]


# --8<-- [start:make_softmax_mlp]
def make_softmax_mlp(seed: int = 0, sizes: tuple[int, ...] = (64, 64, 32, 10)) -> nn.Module:
    """The lesson's :func:`make_mlp` followed by ``nn.Softmax(dim=1)``: a softmax too many.

    Args:
        seed: Seed of the initial weights.
        sizes: Layer sizes, as for :func:`make_mlp`.

    Returns:
        ``nn.Sequential(mlp, nn.Softmax(dim=1))``.
    """
    return nn.Sequential(make_mlp(seed, sizes), nn.Softmax(dim=1))


# --8<-- [end:make_softmax_mlp]


def _check_least_confident(n, **_) -> None:
    check_int("n", n, minimum=1)


@checked(_check_least_confident)
# --8<-- [start:least_confident]
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
    with torch.no_grad():
        z = model(x.to(next(model.parameters()).device))  # logits z, (N, 10)
        p = torch.softmax(z, dim=1).cpu()  # p = softmax(z)
    top, pred = p.max(dim=1)  # max_k p_k and ŷ = argmax_k p_k
    order = top.argsort()[:n]  # the n smallest max_k p_k
    return order, top[order], pred[order]


# --8<-- [end:least_confident]


def _check_error_rates(n, **_) -> None:
    check_int("n", n, minimum=1)


@checked(_check_error_rates)
# --8<-- [start:error_rates]
def error_rates(model: nn.Module, data: digits.Digits, n: int = 10) -> tuple[float, float]:
    """Validation error among the ``n`` least confident images, and over all of them.

    Returns:
        ``(error among the n least confident, error over the validation set)``.
    """
    idx, _, pred = least_confident(model, data.x_val, n)
    low = (pred != data.y_val[idx]).float().mean().item()  # share of ŷ ≠ y among the n
    return low, 1 - digits.accuracy(model, data.x_val, data.y_val)


# --8<-- [end:error_rates]
