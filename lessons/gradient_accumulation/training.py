"""Gradient accumulation in training: K micro-batches of B against one batch of K·B.

Used by the gradient-accumulation lesson after :mod:`lessons.gradient_accumulation.lesson` has
shown that the gradients agree: the loss curves agree too, over several seeds, and raising η by
K (the notes' advice) diverges.
"""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader, TensorDataset

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.gradient_accumulation.lesson import F64, accumulation_epoch, make_data, make_mlp
from lessons.printing import progress
from lessons.seeds import generator


# --8<-- [start:train]
def train(x, y, batch_size, accumulation_steps=1, lr=0.2, epochs=15, seed=0, device=None):
    """SGD on the MSE, one step per K micro-batches of B, with :func:`accumulation_epoch`.

    Returns:
        The loss J of every optimizer step (mean over its samples, before the step).

    """
    model = make_mlp(x.shape[1], seed=seed).to(resolve_device(device))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    data = TensorDataset(x, y)  # the shuffled order depends on the seed only, not on (B, K)
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, generator=generator(seed))
    return [
        j
        for _ in progress(range(epochs))
        for j in accumulation_epoch(model, opt, loader, accumulation_steps)
    ]


# --8<-- [end:train]

RUNS = {  # label → (B, K, factor of η, epochs or None for all): one batch, accumulation, K·η
    r"$K=1,\ B=64,\ \eta$": (64, 1, 1, None),
    r"$K=8,\ B=8,\ \eta$": (8, 8, 1, None),
    r"$K=8,\ B=8,\ 8\eta$": (8, 8, 8, 1),  # the notes' advice: raise η by K (one epoch)
}


def _check_compare_training(seeds, lr, epochs, **_) -> None:
    if not seeds:
        raise ValueError("seeds must not be empty")
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("epochs", epochs, minimum=1)


@checked(_check_compare_training)
def compare_training(seeds=range(5), lr=0.2, epochs=8, device=None):
    """Train on 512 samples with K·B = 64 three ways (:data:`RUNS`) for every seed.

    Returns:
        The curves of the first seed (label → J per step) and a row per seed: J_1 and J_T of
        the large batch, max_t |J_{K=8} − J_{K=1}| at η, and J after the first epoch at 8η.
    """
    rows, first = [], None
    for seed in seeds:
        x, y = make_data(512, seed=seed)
        curves = {
            label: train(x, y, b, k, f * lr, e or epochs, seed, device)
            for label, (b, k, f, e) in RUNS.items()
        }
        big, acc, raised = curves.values()
        gap = (torch.tensor(acc, dtype=F64) - torch.tensor(big, dtype=F64)).abs().max().item()
        rows.append({"seed": seed, "J_1": big[0], "J_T": big[-1], "max|ΔJ|, η": gap})
        rows[-1][f"J_{len(raised)}, 8η"] = raised[-1]
        first = first or curves
    return first, rows
