"""The MLP for rows of features: lecture 7's network, trained again in lecture 8."""

from __future__ import annotations

from torch import nn

from lessons.checks import check_ints, checked
from lessons.seeds import seeded

ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}


def _check_make_mlp(sizes, activation, **_) -> None:
    if not isinstance(sizes, (tuple, list)) or len(sizes) < 2 or sizes[-1] != 1:
        raise ValueError(f"sizes must be a sequence of >= 2 widths ending in 1, got {sizes!r}")
    check_ints("sizes", sizes, minimum=1)
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")


@checked(_check_make_mlp)
# --8<-- [start:mlp]
def make_mlp(sizes=(30, 16, 8, 1), activation: str = "relu", seed: int = 0) -> nn.Sequential:
    """Stack ``Linear`` layers ``sizes[0] → … → 1`` with ``activation`` (relu/sigmoid) between.

    The last layer outputs a logit z; σ is left to the loss (``BCEWithLogitsLoss``).
    """
    layers: list[nn.Module] = []
    with seeded(seed):  # nn.Linear draws its initial weights from the global RNG
        for d_in, d_out in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [nn.Linear(d_in, d_out), ACTIVATIONS[activation]()]  # h = act(hW + b)
    return nn.Sequential(*layers[:-1])  # no activation after the last layer: it outputs z


# --8<-- [end:mlp]
