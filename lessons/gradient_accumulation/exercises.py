"""Exercises of the gradient-accumulation lesson: Adam, checkpointing, memory, GroupNorm, 'sum'."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from lessons.checks import check_float, check_int, checked
from lessons.gradient_accumulation.lesson import (
    F64,
    _steps_of_64,
    accumulate,
    accumulated_grad,
    make_data,
    make_mlp,
)
from lessons.gradient_accumulation.memory import MiB, PeakMemory, make_deep
from lessons.seeds import generator, seeded


def _check_train_variant(batch_size, accumulation_steps, lr, epochs, options, **_) -> None:
    check_int("accumulation_steps", accumulation_steps, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    optimizer = options.get("optimizer", "sgd")
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got {optimizer!r}")
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("epochs", epochs, minimum=1)


@checked(_check_train_variant)
# --8<-- [start:train_variant]
def train_variant(x, y, batch_size, accumulation_steps=1, lr=0.2, epochs=15, seed=0, **options):
    """``accumulation_training.train`` with more options.

    Options: ``optimizer`` ("sgd" or "adam"), ``reduction`` ("mean" or "sum") and ``divide``
    (weight each micro-batch loss by 1/K, the default).

    Returns:
        The loss of every optimizer step: Σ_k w_k·ℓ_k before the step.
    """
    k, size = accumulation_steps, accumulation_steps * batch_size  # K and K·B
    model = make_mlp(x.shape[1], seed=seed)
    kind = torch.optim.SGD if options.get("optimizer", "sgd") == "sgd" else torch.optim.Adam
    opt = kind(model.parameters(), lr=lr)
    weight = 1 / k if options.get("divide", True) else 1.0  # w_k
    g, losses = generator(seed), []
    for _ in range(epochs):
        perm = torch.randperm(x.shape[0], generator=g)  # the same order for every (B, K)
        for s in range(0, x.shape[0] - size + 1, size):
            xs, ys, total = x[perm[s : s + size]], y[perm[s : s + size]], 0.0
            for xb, yb in zip(xs.chunk(k), ys.chunk(k), strict=True):
                loss = weight * nn.functional.mse_loss(
                    model(xb), yb, reduction=options.get("reduction", "mean")
                )
                loss.backward()  # .grad ← .grad + w_k·∇ℓ_k
                total += loss.item()
            opt.step()
            opt.zero_grad()
            losses.append(total)
    return losses


def max_gap(a, b, scale: float = 1.0) -> float:
    """Return max_t |a_t/scale − b_t| (∞ if a value is not finite)."""
    gap = (torch.tensor(a, dtype=F64) / scale - torch.tensor(b, dtype=F64)).abs()
    return gap.nan_to_num(float("inf")).max().item()


# --8<-- [end:train_variant]


def _check_partial_checkpoint(every, accumulation_steps, **_) -> None:
    check_int("every", every, minimum=1)
    check_int("accumulation_steps", accumulation_steps, minimum=1)


@checked(_check_partial_checkpoint)
# --8<-- [start:partial_checkpoint]
def partial_checkpoint(every=2, accumulation_steps=1, total_batch=1024, seed=0) -> dict:
    """``step_memory`` with only every ``every``-th block of the model checkpointed."""
    k, model = accumulation_steps, make_deep(seed=seed)
    blocks = list(model)[1:-1]  # the Blocks between the input and the output layer
    for i, block in enumerate(blocks, start=1):
        block.checkpointed = i % every == 0  # blocks every, 2·every, …
    x, y = make_data(total_batch, 16, seed)
    m_fwd = 0
    with PeakMemory() as mem, FlopCounterMode(display=False) as flops:
        for xb, yb in zip(x.chunk(k), y.chunk(k), strict=True):
            before = mem.now
            loss = nn.functional.mse_loss(model(xb), yb) / k
            m_fwd = max(m_fwd, mem.now - before)  # what the forward pass keeps
            loss.backward()
            del loss
            mem.collect()
    row = {"every": every, "checkpointed": sum(b.checkpointed for b in blocks)}
    row |= {"M_fwd": m_fwd / MiB, "M_peak": mem.peak / MiB}
    return row | {"GFLOP": flops.get_total_flops() / 1e9}


# --8<-- [end:partial_checkpoint]


def _check_saved_bytes_by_hand(samples, **_) -> None:
    check_int("samples", samples, minimum=1)


@checked(_check_saved_bytes_by_hand)
# --8<-- [start:by_hand]
def saved_bytes_by_hand(samples: int, width: int = 512, depth: int = 4, itemsize: int = 4) -> int:
    """Bytes a forward pass of ``make_deep`` keeps for ``samples`` samples.

    The input layer's output (the first block's input), and in every block the pre-activation
    (for GELU') and the GELU output (the next layer's input): 1 + 2·depth tensors of width W.
    """
    return (1 + 2 * depth) * samples * width * itemsize


def parameter_bytes(width: int = 512, depth: int = 4, itemsize: int = 4) -> int:
    """M_∇θ: as many gradient entries as parameters in 16 → W, depth × (W → W), W → 1."""
    count = 16 * width + width + depth * (width * width + width) + width + 1
    return count * itemsize


# --8<-- [end:by_hand]


def _check_group_norm_gap(accumulation_steps, groups, **_) -> None:
    _steps_of_64(accumulation_steps)
    check_int("groups", groups, minimum=1)


@checked(_check_group_norm_gap)
# --8<-- [start:group_norm]
def group_norm_gap(accumulation_steps=4, groups=4, seed=0) -> float:
    """Max |g_acc − g_full| for the lesson's MLP with ``GroupNorm(groups, 32)`` (float64)."""
    x, y = make_data(64, seed=seed, dtype=F64)
    models = []
    for _ in range(2):
        model = make_mlp(seed=seed, dtype=F64)
        with seeded(seed):
            model[1] = nn.GroupNorm(groups, 32).to(F64)  # per sample
        models.append(model)
    acc = accumulated_grad(models[0], x, y, accumulation_steps)  # K forward passes
    full = accumulate(models[1], [(x, y)], [1.0])  # one forward pass
    return (acc - full).abs().max().item()


# --8<-- [end:group_norm]
