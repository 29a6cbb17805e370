"""``DynamicNet``: a network whose depth is drawn anew at every call, and its regression problem.

Used by two lessons: :mod:`lessons.nn_module` (control flow in ``forward``) and
:mod:`lessons.momentum` (a network that plain SGD trains slowly).
"""

from __future__ import annotations

import random

import torch
from torch import nn

from lessons.common import (
    check_float,
    check_int,
    generator,
    offset_seed,
    progress,
    resolve_device,
    seeded,
)


# --8<-- [start:dynamic_net]
class DynamicNet(nn.Module):
    """input_linear → ReLU → (middle_linear → ReLU) × k → output_linear, k drawn per call.

    Args:
        d_in, h, d_out: Layer sizes.
        rng: A ``random.Random`` that draws the depth k ∈ {0, …, max_depth}.
        max_depth: Largest number of times ``middle_linear`` is reused.

    """

    def __init__(self, d_in: int, h: int, d_out: int, rng: random.Random, max_depth: int = 3):
        super().__init__()
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        self.input_linear = nn.Linear(check_int("d_in", d_in, 1), check_int("h", h, 1))
        self.middle_linear = nn.Linear(h, h)  # one layer, shared by all k uses
        self.output_linear = nn.Linear(h, check_int("d_out", d_out, 1))
        self.rng, self.max_depth = rng, check_int("max_depth", max_depth, 0)
        self.last_depth = 0

    def forward(self, x: torch.Tensor, depth: int | None = None) -> torch.Tensor:
        """Run the net; ``depth`` fixes k, ``None`` draws it from ``self.rng``."""
        k = self.rng.randint(0, self.max_depth) if depth is None else check_int("depth", depth, 0)
        h = self.input_linear(x).clamp(min=0)  # h = ReLU(W_in x + b_in)
        for _ in range(k):  # ordinary Python control flow
            h = self.middle_linear(h).clamp(min=0)  # h ← ReLU(W_mid h + b_mid), same W_mid
        self.last_depth = k
        return self.output_linear(h)


# --8<-- [end:dynamic_net]


def make_data(n=64, d_in=1000, d_out=10, seed=0, device=None):
    """Random regression data x ~ N(0, 1)^(n×d_in), y ~ N(0, 1)^(n×d_out), drawn on the CPU.

    Returns:
        ``(x, y)`` on ``device``; the same numbers on every device.

    """
    n, d_in, d_out = (check_int(k, v, 1) for k, v in (("n", n), ("d_in", d_in), ("d_out", d_out)))
    g = generator(seed)
    x, y = torch.randn(n, d_in, generator=g), torch.randn(n, d_out, generator=g)
    return x.to(resolve_device(device)), y.to(resolve_device(device))


# --8<-- [start:train_dynamic]
def train_dynamic(mu=0.9, lr=1e-4, steps=500, seed=0, device=None):
    """Train ``DynamicNet(1000, 100, 10)`` on :func:`make_data` with ``SGD(lr, momentum=mu)``.

    Returns:
        ``(model, losses, depths)``: the trained net, the loss and the depth k of every step.

    """
    check_int("steps", steps, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    if check_float("mu", mu, minimum=0.0) >= 1.0:
        raise ValueError(f"mu must be < 1, got {mu}")
    dev = resolve_device(device)
    x, y = make_data(seed=seed, device=dev)
    with seeded(seed):  # nn.Linear draws its initial weights from the global RNG
        model = DynamicNet(1000, 100, 10, rng=random.Random(offset_seed(seed))).to(dev)
    loss_fn = nn.MSELoss(reduction="sum")  # not size_average=False: that is gone
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=mu)
    losses, depths = [], []
    for _ in progress(range(steps), "step"):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        depths.append(model.last_depth)
    return model, losses, depths


# --8<-- [end:train_dynamic]
