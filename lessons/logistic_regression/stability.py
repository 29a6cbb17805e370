"""Where ``BCELoss(sigmoid(z))`` breaks in float32, and why ``BCEWithLogitsLoss(z)`` does not."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from lessons.checks import check_float, checked
from lessons.printing import table


def _check_pairs(logits, labels) -> None:
    if len(logits) != len(labels) or not logits:
        raise ValueError("logits and labels must be non-empty and of the same length")
    for z in logits:
        check_float("logits", z)
    for y in labels:
        if y not in (0, 1):
            raise ValueError(f"labels must be 0 or 1, got {y!r}")


def _check_logits_table(logits, labels) -> None:
    _check_pairs(logits, labels)


@checked(_check_logits_table)
def logits_table(logits: Sequence[float], labels: Sequence[float]) -> str:
    """Compare ``BCELoss(sigmoid(z))`` with ``BCEWithLogitsLoss(z)`` (float32) for each (z, y).

    Args:
        logits: The logits z.
        labels: The labels y, 0 or 1, one per logit.

    Returns:
        A text table with the loss of each route.
    """
    rows = []
    for z_val, y_val in zip(logits, labels, strict=True):
        z, y = torch.tensor([float(z_val)]), torch.tensor([float(y_val)])
        two_step = torch.nn.BCELoss()(torch.sigmoid(z), y).item()
        fused = torch.nn.BCEWithLogitsLoss()(z, y).item()
        rows.append([z_val, y_val, two_step, fused])
    columns = [("z", ">6g"), ("y", ">3g"), ("BCELoss(σ(z))", ">16.7f"), ("BCEWithLogits", ">16.7f")]
    return table(rows, columns, sep="")


# --8<-- [start:two_routes]
def two_routes(z: float, y: float) -> dict[str, float]:
    """Gradients of one sample's loss in float32, through BCELoss(σ(z)) and BCEWithLogitsLoss(z)."""
    z1 = torch.tensor([z], requires_grad=True)
    y_hat = torch.sigmoid(z1)  # ŷ = σ(z), rounded to float32
    y_hat.retain_grad()  # keep ∂ℓ/∂ŷ, an intermediate gradient
    torch.nn.BCELoss()(y_hat, torch.tensor([y])).backward()  # ∂ℓ/∂ŷ = (ŷ−y)/max(ŷ(1−ŷ), 1e-12)
    z2 = torch.tensor([z], requires_grad=True)
    torch.nn.BCEWithLogitsLoss()(z2, torch.tensor([y])).backward()  # ∂ℓ/∂z = σ(z) − y
    return {
        "y_hat": y_hat.item(),
        "dl_dyhat": y_hat.grad.item(),
        "dl_dz_bce": z1.grad.item(),  # ∂ℓ/∂ŷ · σ'(z), with σ' = ŷ(1 − ŷ)
        "dl_dz_logits": z2.grad.item(),
    }


# --8<-- [end:two_routes]


def _check_gradient_table(logits, labels) -> None:
    _check_pairs(logits, labels)


@checked(_check_gradient_table)
def gradient_table(logits: Sequence[float], labels: Sequence[float]) -> str:
    """Tabulate :func:`two_routes` for each (z, y), next to the exact σ(z) − y in float64.

    Args:
        logits: The logits z.
        labels: The labels y, 0 or 1, one per logit.

    Returns:
        A text table: ŷ, ∂ℓ/∂ŷ and ∂ℓ/∂z of both routes, and the exact ∂ℓ/∂z.
    """
    rows = []
    for z_val, y_val in zip(logits, labels, strict=True):
        r = two_routes(float(z_val), float(y_val))
        exact = torch.sigmoid(torch.tensor(float(z_val), dtype=torch.float64)).item() - y_val
        grads = [r["y_hat"], r["dl_dyhat"], r["dl_dz_bce"], r["dl_dz_logits"]]
        rows.append([z_val, y_val, *grads, exact])
    columns = [
        ("z", ">5g"),
        ("y", ">3g"),
        ("ŷ (float32)", ">16.9g"),
        ("∂ℓ/∂ŷ", ">11.3g"),
        ("∂ℓ/∂z BCE", ">12.4g"),
        ("∂ℓ/∂z logits", ">14.4g"),
        ("exact", ">11.4g"),
    ]
    return table(rows, columns, sep="")
