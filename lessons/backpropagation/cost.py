"""What a backward pass costs: floating-point operations and the memory autograd keeps.

Used by the backpropagation lesson. Both are counted, not timed, so the page prints the
same numbers on every machine: FLOPs analytically and with ``torch.utils.flop_counter``,
memory with :func:`lessons.saved_tensors.saved_bytes`. :func:`time_forward_backward`
measures the time, which depends on the machine.
"""

from __future__ import annotations

import time

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from lessons.checks import check_int, checked
from lessons.saved_tensors import saved_bytes
from lessons.seeds import generator, seeded


def _check_linear_flops(n, d_in, d_out) -> None:
    for name, value in (("n", n), ("d_in", d_in), ("d_out", d_out)):
        check_int(name, value, minimum=1)


@checked(_check_linear_flops)
# --8<-- [start:linear_flops]
def linear_flops(n: int, d_in: int, d_out: int) -> dict[str, int]:
    """FLOPs of ``y = x·W`` (x: n×d_in, W: d_in×d_out), forward and backward, by hand.

    A product of an (n×k) and a (k×m) matrix costs 2·n·k·m FLOPs (a multiply and an add).
    """
    forward = 2 * n * d_in * d_out  # y = x·W
    grad_x = 2 * n * d_out * d_in  # ∂ℓ/∂x = ∂ℓ/∂y·Wᵀ   (n×d_out)·(d_out×d_in)
    grad_w = 2 * d_in * n * d_out  # ∂ℓ/∂W = xᵀ·∂ℓ/∂y   (d_in×n)·(n×d_out)
    return {"forward": forward, "backward": grad_x + grad_w}


# --8<-- [end:linear_flops]


def _check_counted_flops(n, d_in, d_out, **_) -> None:
    _check_linear_flops(n, d_in, d_out)


@checked(_check_counted_flops)
def counted_flops(n: int, d_in: int, d_out: int, seed: int = 0) -> dict[str, int]:
    """The same FLOPs counted by ``FlopCounterMode`` while PyTorch runs both passes."""
    g = generator(seed)
    x = torch.randn(n, d_in, generator=g).requires_grad_()
    w = torch.randn(d_in, d_out, generator=g).requires_grad_()
    with FlopCounterMode(display=False) as forward:
        y = x @ w
    with FlopCounterMode(display=False) as backward:
        y.sum().backward()  # computes x.grad and w.grad
    return {"forward": forward.get_total_flops(), "backward": backward.get_total_flops()}


def make_stack(depth: int, width: int = 256, d_in: int = 64, seed: int = 0) -> nn.Sequential:
    """``depth`` blocks Linear → ReLU of ``width`` units, then a Linear to one output."""
    with seeded(seed):
        layers, size = [], d_in
        for _ in range(depth):
            layers += [nn.Linear(size, width), nn.ReLU()]
            size = width
        return nn.Sequential(*layers, nn.Linear(size, 1))


def _check_saved_table(depths, batches, width, d_in, **_) -> None:
    for depth in depths:
        check_int("depths", depth, minimum=1)
    for batch in batches:
        check_int("batches", batch, minimum=1)
    check_int("width", width, minimum=1)
    check_int("d_in", d_in, minimum=1)


@checked(_check_saved_table)
def saved_table(depths=(1, 2, 4, 8), batches=(32, 64, 128), width=256, d_in=64, seed=0):
    """Bytes autograd saves for one forward pass of :func:`make_stack`, per depth and batch.

    Returns:
        Rows ``{"L": depth, "B": batch, "bytes": measured, "4·B·(d_in + L·width)": predicted}``.
    """
    rows = []
    for depth in depths:
        model = make_stack(depth, width, d_in, seed)
        for batch in batches:
            x = torch.randn(batch, d_in, generator=generator(seed))
            _, nbytes = saved_bytes(model, x)
            predicted = 4 * batch * (d_in + depth * width)  # float32: each input and ReLU output
            rows.append({"L": depth, "B": batch, "bytes": nbytes, "4·B·(d_in+L·width)": predicted})
    return rows


def time_forward_backward(n=512, d_in=1024, d_out=1024, repeats=20, seed=0) -> dict[str, float]:
    """Median seconds of a forward and of a backward pass of ``y = x·W`` (machine-dependent).

    Run it on your machine: the ratio is near 2 when the matrix products dominate.
    """
    g = generator(seed)
    x = torch.randn(n, d_in, generator=g).requires_grad_()
    w = torch.randn(d_in, d_out, generator=g).requires_grad_()
    forward, backward = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        y = x @ w
        middle = time.perf_counter()
        y.backward(torch.ones_like(y))
        forward.append(middle - start)
        backward.append(time.perf_counter() - middle)
    med = sorted(forward)[len(forward) // 2], sorted(backward)[len(backward) // 2]
    return {"forward_s": med[0], "backward_s": med[1], "ratio": med[1] / med[0]}
