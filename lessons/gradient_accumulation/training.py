"""Gradient accumulation in training: K micro-batches of B against one batch of K·B.

Used by the gradient-accumulation lesson after :mod:`lessons.gradient_accumulation.lesson` has
shown that the gradients agree: the loss curves agree too, and raising η by K (the notes'
advice) diverges.
"""

from __future__ import annotations

import torch
from torch import nn

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.gradient_accumulation.lesson import F64, make_data, make_mlp
from lessons.printing import progress
from lessons.seeds import generator


# --8<-- [start:train]
def train(x, y, batch_size, accumulation_steps=1, lr=0.2, epochs=15, seed=0, device=None):
    """SGD on the MSE with one optimizer step per K micro-batches of size B.

    Returns:
        The loss J of every optimizer step (mean over its K·B samples, before the step).

    """
    k, size = accumulation_steps, accumulation_steps * batch_size  # K and K·B
    dev = resolve_device(device)
    model = make_mlp(x.shape[1], seed=seed).to(dev)
    opt, g, losses = torch.optim.SGD(model.parameters(), lr=lr), generator(seed), []
    for _ in progress(range(epochs)):
        perm = torch.randperm(x.shape[0], generator=g)  # the same order for every (B, K)
        for s in range(0, x.shape[0] - size + 1, size):
            xs, ys, total = x[perm[s : s + size]].to(dev), y[perm[s : s + size]].to(dev), 0.0
            for xb, yb in zip(xs.chunk(k), ys.chunk(k), strict=True):
                loss = nn.functional.mse_loss(model(xb), yb) / k  # ℓ_k / K
                loss.backward()  # adds ∇ℓ_k / K into .grad
                total += loss.item()
            opt.step()  # θ ← θ − η·Σ_k ∇ℓ_k / K
            opt.zero_grad()
            losses.append(total)
    return losses


# --8<-- [end:train]


def _check_compare_training(lr, **_) -> None:
    check_float("lr", lr, minimum=0.0, strict=True)


@checked(_check_compare_training)
def compare_training(lr=0.2, seed=0, device=None):
    """Train on 512 samples with K·B = 64: one batch, 8 × 8 with η, and 8 × 8 with 8η.

    Returns the curves (label → J per step) and rows: J_1, J_T and max |J − J_{K=1}|.
    """
    x, y = make_data(512, seed=seed)
    runs = {r"$K=1,\ B=64,\ \eta$": (64, 1, lr), r"$K=8,\ B=8,\ \eta$": (8, 8, lr)}
    runs[r"$K=8,\ B=8,\ 8\eta$"] = (8, 8, 8 * lr)  # the notes' advice: raise η by K
    curves = {k: train(x, y, *a, seed=seed, device=device) for k, a in runs.items()}
    ref, rows = torch.tensor(next(iter(curves.values())), dtype=F64), []
    for name, c in curves.items():
        gap = (torch.tensor(c, dtype=F64) - ref).abs().nan_to_num(float("inf")).max().item()
        label = name.strip("$").replace(r"\ ", " ").replace(r"\eta", "η")
        rows.append({"run": label, "J_1": c[0], "J_T": c[-1], "max|ΔJ|": gap})
    return curves, rows


def _check_training_over_seeds(seeds, epochs, lr) -> None:
    if not seeds:
        raise ValueError("seeds must not be empty")
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)


@checked(_check_training_over_seeds)
def training_over_seeds(seeds=range(5), epochs=1, lr=0.2) -> list[dict]:
    """Over several seeds: max |J_{K=8} − J_{K=1}| at η, and whether 8η ends finite."""
    rows = []
    for seed in seeds:
        x, y = make_data(512, seed=seed)
        big, acc, raised = (train(x, y, b, k, r, epochs, seed) for b, k, r in _runs(lr))
        gap = max(abs(a - b) for a, b in zip(big, acc, strict=True))
        rows.append({"seed": seed, "max|ΔJ|": gap, "8η finite": all(v < 1e30 for v in raised)})
    return rows


def _runs(lr):  # (B, K, η) of the three runs
    return ((64, 1, lr), (8, 8, lr), (8, 8, 8 * lr))
