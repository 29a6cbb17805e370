"""``DynamicNet``: a network whose depth is drawn anew at every call, and its regression problem.

Used by two lessons: :mod:`lessons.numpy_to_nn_module.lesson` (control flow in ``forward``) and
:mod:`lessons.momentum.lesson` (a network that plain SGD trains slowly).
"""

from __future__ import annotations

import random
import statistics

import torch
from torch import nn

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.printing import progress, table
from lessons.seeds import generator, offset_seed, seeded


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
        self.input_linear = nn.Linear(d_in, h)
        self.middle_linear = nn.Linear(h, h)  # one layer, shared by all k uses
        self.output_linear = nn.Linear(h, d_out)
        self.rng, self.max_depth = rng, max_depth
        self.last_depth = 0

    def forward(self, x: torch.Tensor, depth: int | None = None) -> torch.Tensor:
        """Run the net; ``depth`` fixes k, ``None`` draws it from ``self.rng``."""
        k = self.rng.randint(0, self.max_depth) if depth is None else depth
        h = self.input_linear(x).clamp(min=0)  # h = ReLU(W_in x + b_in)
        for _ in range(k):  # ordinary Python control flow
            h = self.middle_linear(h).clamp(min=0)  # h ← ReLU(W_mid h + b_mid), same W_mid
        self.last_depth = k
        return self.output_linear(h)


# --8<-- [end:dynamic_net]


def _check_make_data(n, d_in, d_out, **_) -> None:
    for name, value in (("n", n), ("d_in", d_in), ("d_out", d_out)):
        check_int(name, value, minimum=1)


@checked(_check_make_data)
def make_data(n=64, d_in=1000, d_out=10, seed=0, device=None):
    """Random regression data x ~ N(0, 1)^(n×d_in), y ~ N(0, 1)^(n×d_out), drawn on the CPU.

    Returns:
        ``(x, y)`` on ``device``; the same numbers on every device.

    """
    g = generator(seed)
    x, y = torch.randn(n, d_in, generator=g), torch.randn(n, d_out, generator=g)
    return x.to(resolve_device(device)), y.to(resolve_device(device))


def _check_train_dynamic(mu, lr, steps, **_) -> None:
    check_int("steps", steps, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    if check_float("mu", mu, minimum=0.0) >= 1.0:
        raise ValueError(f"mu must be < 1, got {mu}")


@checked(_check_train_dynamic)
# --8<-- [start:train_dynamic]
def train_dynamic(mu=0.9, lr=1e-4, steps=500, seed=0, device=None):
    """Train ``DynamicNet(1000, 100, 10)`` on :func:`make_data` with ``SGD(lr, momentum=mu)``.

    Returns:
        ``(model, losses, depths)``: the trained net, the loss and the depth k of every step.

    """
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


def _check_runs_over_seeds(seeds, **_) -> None:
    if not seeds:
        raise ValueError("seeds must not be empty")


@checked(_check_runs_over_seeds)
def runs_over_seeds(seeds=(0, 1, 2, 3, 4), mu=0.9, lr=1e-4, steps=150, device=None) -> dict:
    """Train with μ = 0 and with ``mu`` (same η, same start) for each seed.

    Returns:
        ``{seed: (losses with μ = 0, losses with mu)}``, each a list of ``steps`` floats.

    """
    return {s: tuple(train_dynamic(m, lr, steps, s, device)[1] for m in (0.0, mu)) for s in seeds}


def _check_ratio_table(runs, last, **_) -> None:
    if not runs:
        raise ValueError("runs must not be empty")
    check_int("last", last, minimum=1)
    for seed, (plain, heavy) in runs.items():
        if last > min(len(plain), len(heavy)):
            raise ValueError(f"last: seed {seed} has fewer than {last} steps")


@checked(_check_ratio_table)
def ratio_table(runs: dict, last: int = 50) -> str:
    """Per seed: mean L_t over the last ``last`` steps with μ = 0, with μ > 0, and their ratio.

    Three more rows give the median, the minimum and the maximum of each column over the seeds.
    """
    rows, values = [], []
    for seed, (plain, heavy) in runs.items():
        a, b = sum(plain[-last:]) / last, sum(heavy[-last:]) / last  # means of the last L_t
        values.append((a, b, a / b))
        rows.append([seed, a, b, a / b])
    for name, stat in (("median", statistics.median), ("min", min), ("max", max)):
        rows.append([name, *(stat(c) for c in zip(*values, strict=True))])
    columns = [("seed", ">7"), ("mu=0", ">10.4g"), ("mu>0", ">10.4g"), ("ratio", ">9.3g")]
    return table(rows, columns, sep="")
