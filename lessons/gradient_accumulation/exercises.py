"""Exercises of the gradient-accumulation lesson: Adam, DataLoader, memory, GroupNorm, 'sum'."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lessons.checks import check_float, check_int, checked
from lessons.gradient_accumulation.lesson import (
    F64,
    _steps_of_64,
    accumulate,
    accumulated_grad,
    make_data,
    make_mlp,
)
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
    """max_t |a_t/scale − b_t| (∞ if a value is not finite)."""
    gap = (torch.tensor(a, dtype=F64) / scale - torch.tensor(b, dtype=F64)).abs()
    return gap.nan_to_num(float("inf")).max().item()


def _check_loader_steps(n, batch_size, accumulation_steps, **_) -> None:
    check_int("n", n, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    check_int("accumulation_steps", accumulation_steps, minimum=1)


@checked(_check_loader_steps)
def loader_steps(n=76, batch_size=8, accumulation_steps=4, seed=0) -> list[dict]:
    """A DataLoader loop (``drop_last=False``) that weights micro-batch k of group G by n_k/N_G.

    Before each optimizer step the accumulated gradient is compared with the gradient of one
    batch of the group's samples (float64, SGD with η = 0.1 between steps).

    Returns:
        Per step: ``{"N_G": samples, "micro-batches": count, "max|Δg|": gap}``.
    """
    x, y = make_data(n, seed=seed, dtype=F64)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size)
    model = make_mlp(seed=seed, dtype=F64)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    batches, rows, k = list(loader), [], accumulation_steps
    for start in range(0, len(batches), k):
        group = batches[start : start + k]  # the last group may hold fewer micro-batches
        n_g = sum(len(xb) for xb, _ in group)  # N_G
        xg, yg = torch.cat([xb for xb, _ in group]), torch.cat([yb for _, yb in group])
        full = accumulate(model, [(xg, yg)], [1.0])  # one batch of the same samples
        acc = accumulate(model, group, [len(xb) / n_g for xb, _ in group])  # w_k = n_k/N_G
        rows.append(
            {"N_G": n_g, "micro-batches": len(group), "max|Δg|": (acc - full).abs().max().item()}
        )
        opt.step()  # θ ← θ − η·g (with the accumulated gradient, now in .grad)
    return rows


def _check_saved_bytes_by_hand(samples, **_) -> None:
    check_int("samples", samples, minimum=1)


@checked(_check_saved_bytes_by_hand)
def saved_bytes_by_hand(samples: int, d_in: int = 16, hidden: int = 8192, itemsize: int = 4) -> int:
    """Bytes autograd keeps for ``samples`` samples: the first layer's input and the ReLU output."""
    return samples * (d_in + hidden) * itemsize


def parameter_bytes(d_in: int = 16, hidden: int = 8192, d_out: int = 1, itemsize: int = 4) -> int:
    """M_θ + M_∇θ: weights and biases of d_in → hidden → d_out, and as many gradients."""
    count = d_in * hidden + hidden + hidden * d_out + d_out
    return 2 * count * itemsize


def _check_group_norm_gap(accumulation_steps, groups, **_) -> None:
    _steps_of_64(accumulation_steps)
    check_int("groups", groups, minimum=1)


@checked(_check_group_norm_gap)
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
