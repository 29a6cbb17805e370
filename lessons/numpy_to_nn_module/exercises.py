"""Exercises of the NumPy-to-nn.Module lesson: zeroing, initialization, leaky ReLU, sharing."""

from __future__ import annotations

import copy
import math
import random

import torch
from torch import nn

from lessons.checks import check_float, check_int, checked
from lessons.dynamic_net import DynamicNet, make_data
from lessons.numpy_to_nn_module.lesson import D_IN, D_OUT, H
from lessons.seeds import generator, offset_seed, seeded


def _check_train_raw_variant(steps, lr, seed, until, **_) -> None:
    check_int("steps", steps, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("seed", seed, minimum=0)
    if until is not None:
        check_float("until", until, minimum=0.0, strict=True)


@checked(_check_train_raw_variant)
# --8<-- [start:train_raw_variant]
def train_raw_variant(steps=500, lr=1e-6, seed=0, zero_grad=True, scaled_init=False, until=None):
    """Level 1 of the lesson (``train_raw``) with two switches for the exercises.

    Args:
        steps: Maximum number of gradient steps.
        lr: Learning rate.
        seed: Seed of the data and of the weights (the same draws as ``train_raw``).
        zero_grad: If false, never reset ``.grad``, so gradients accumulate.
        scaled_init: If true, scale W₁ by 1/√D_in and W₂ by 1/√H (standard deviations).
        until: Stop after the first loss below this level (``None``: never); a non-finite
            loss also stops the run.

    Returns:
        The loss of every step, a list of floats.
    """
    x, y = make_data(seed=seed)
    g = generator(seed + 1)
    w1, w2 = torch.randn(D_IN, H, generator=g), torch.randn(H, D_OUT, generator=g)
    if scaled_init:
        w1, w2 = w1 / math.sqrt(D_IN), w2 / math.sqrt(H)  # std 1/√1000 and 1/√100
    w1, w2 = w1.to(x.device).requires_grad_(), w2.to(x.device).requires_grad_()  # on x's device
    losses = []
    for _ in range(steps):
        loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()  # L = ‖ReLU(x W₁) W₂ − y‖²
        loss.backward()  # .grad += ∂L/∂W
        with torch.no_grad():
            w1 -= lr * w1.grad  # W₁ ← W₁ − η·∂L/∂W₁
            w2 -= lr * w2.grad  # W₂ ← W₂ − η·∂L/∂W₂
            if zero_grad:  # the switch of exercise 1
                w1.grad.zero_()
                w2.grad.zero_()
        losses.append(loss.item())
        if not math.isfinite(losses[-1]) or (until is not None and losses[-1] < until):
            break
    return losses


# --8<-- [end:train_raw_variant]


# --8<-- [start:leaky_relu]
class MyLeakyReLU(torch.autograd.Function):
    """Leaky ReLU y = max(x, αx) with α = 0.01, as a custom autograd function."""

    alpha = 0.01

    @staticmethod
    def forward(ctx, x):
        """Return x where x > 0, else α·x; keep x for the backward pass."""
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, MyLeakyReLU.alpha * x)  # y = max(x, αx)

    @staticmethod
    def backward(ctx, grad_output):
        """Return ∂L/∂x = ∂L/∂y · (1 if x > 0 else α)."""
        (x,) = ctx.saved_tensors
        return torch.where(x > 0, grad_output, MyLeakyReLU.alpha * grad_output)


# --8<-- [end:leaky_relu]


def _check_shared_vs_copies(depth, **_) -> None:
    check_int("depth", depth, minimum=1)


@checked(_check_shared_vs_copies)
# --8<-- [start:shared_vs_copies]
def shared_vs_copies(seed: int = 0, depth: int = 2) -> dict[str, torch.Tensor]:
    """Gradient of ``middle_linear.weight`` in a ``DynamicNet`` at a fixed depth, two ways.

    Once with the shared layer used ``depth`` times, once with ``depth`` separate copies of
    it (same weights), in float64 on the lesson's data.

    Args:
        seed: Seed of the data and of the initial weights.
        depth: The fixed depth k.

    Returns:
        ``{"shared": G, "copies": [G_1, …, G_k]}``.
    """
    x, y = (t.double() for t in make_data(seed=seed))
    with seeded(seed):
        model = DynamicNet(D_IN, H, D_OUT, rng=random.Random(offset_seed(seed)))
    model = model.double().to(x.device)
    nn.MSELoss(reduction="sum")(model(x, depth), y).backward()  # shared: G = ∂L/∂W
    copies = [copy.deepcopy(model.middle_linear) for _ in range(depth)]
    for layer in copies:
        layer.zero_grad()
    h = model.input_linear(x).clamp(min=0)
    for layer in copies:  # the k uses, each with its own copy
        h = layer(h).clamp(min=0)
    nn.MSELoss(reduction="sum")(model.output_linear(h), y).backward()  # G_i = ∂L/∂W⁽ⁱ⁾
    return {"shared": model.middle_linear.weight.grad, "copies": [c.weight.grad for c in copies]}


# --8<-- [end:shared_vs_copies]


def _check_steps_to_reach(name, lr, steps, seed, until, **_) -> None:
    if name not in ("Adam", "SGD", "RMSprop"):
        raise ValueError(f"name must be 'Adam', 'SGD' or 'RMSprop', got {name!r}")
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("steps", steps, minimum=1)
    check_int("seed", seed, minimum=0)
    check_float("until", until, minimum=0.0, strict=True)


@checked(_check_steps_to_reach)
# --8<-- [start:steps_to_reach]
def steps_to_reach(name: str, lr: float, steps: int = 500, seed: int = 0, until: float = 1e-3):
    """Level 3 (``nn.Sequential``) with ``Adam``, ``SGD(momentum=0.9)`` or ``RMSprop``.

    Args:
        name: ``"Adam"``, ``"SGD"`` (with momentum 0.9) or ``"RMSprop"``.
        lr: Learning rate.
        steps: Maximum number of steps.
        seed: Seed of the data and of the initial weights.
        until: Target loss.

    Returns:
        The 1-based step whose loss is first below ``until``, or -1 if none (a non-finite
        loss ends the run).
    """
    x, y = make_data(seed=seed)
    with seeded(seed):
        model = nn.Sequential(nn.Linear(D_IN, H), nn.ReLU(), nn.Linear(H, D_OUT))
    model = model.to(x.device)  # make_data puts x on the lesson's device (CUDA when present)
    extra = {"momentum": 0.9} if name == "SGD" else {}
    optimizer = getattr(torch.optim, name)(model.parameters(), lr=lr, **extra)
    loss_fn = nn.MSELoss(reduction="sum")
    for t in range(1, steps + 1):
        loss = loss_fn(model(x), y)
        if loss.item() < until:
            return t
        if not math.isfinite(loss.item()):
            return -1
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return -1


# --8<-- [end:steps_to_reach]
