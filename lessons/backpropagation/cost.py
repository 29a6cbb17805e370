"""What a backward pass costs: floating-point operations and the memory autograd keeps.

Used by the backpropagation lesson. Both are counted, not timed, so the page prints the
same numbers on every machine: FLOPs analytically and with ``torch.utils.flop_counter``,
memory with :func:`lessons.saved_tensors.saved_bytes`. :func:`time_forward_backward`
measures the time, which depends on the machine.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from lessons.backpropagation.lesson import make_network_data, numpy_forward_backward
from lessons.checks import check_int, check_ints, checked
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
    check_ints("depths", depths, minimum=1)
    check_ints("batches", batches, minimum=1)
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


# --8<-- [start:modes]
def numpy_loss(x, y, w1, w2) -> float:
    """One forward pass of the lesson's NumPy network: ``ℓ = Σ(ReLU(x·W1)·W2 − y)²``."""
    return float(np.square(np.maximum(x @ w1, 0) @ w2 - y).sum())


def numpy_jvp(x, y, w1, w2, dw1, dw2) -> float:
    """Forward mode: ``ℓ̇``, the change of ℓ along the direction ``(dW1, dW2)``, in one pass."""
    h, dh = x @ w1, x @ dw1  # h = x·W1, ḣ = x·Ẇ1
    a, da = np.maximum(h, 0), dh * (h >= 0)  # a = ReLU(h), ȧ = ḣ ⊙ 1[h ≥ 0]
    y_pred, dy = a @ w2, da @ w2 + a @ dw2  # ŷ = a·W2, ẏ = ȧ·W2 + a·Ẇ2
    return float((2 * (y_pred - y) * dy).sum())  # ℓ̇ = Σ 2(ŷ − y) ⊙ ẏ


def gradient_three_ways(data: dict, eps: float = 1e-6) -> dict[str, tuple[np.ndarray, int]]:
    """``∂ℓ/∂(W1, W2)`` flattened, by finite differences, forward mode and reverse mode.

    Returns:
        ``{method: (gradient, passes through the network)}``.
    """
    x, y, w1, w2 = data["x"], data["y"], data["w1"], data["w2"]
    theta = np.concatenate([w1.ravel(), w2.ravel()])  # θ: all P weights in one vector

    def split(t):  # a vector of P numbers as the two matrices (W1, W2)
        return t[: w1.size].reshape(w1.shape), t[w1.size :].reshape(w2.shape)

    fd, fwd = np.zeros_like(theta), np.zeros_like(theta)
    for i in range(theta.size):
        e_i = np.zeros_like(theta)
        e_i[i] = 1.0  # the i-th direction
        up = numpy_loss(x, y, *split(theta + eps * e_i))  # ℓ(θ + εe_i)
        down = numpy_loss(x, y, *split(theta - eps * e_i))  # ℓ(θ − εe_i)
        fd[i] = (up - down) / (2 * eps)  # ∂ℓ/∂θ_i ≈ (ℓ(θ + εe_i) − ℓ(θ − εe_i)) / 2ε
        fwd[i] = numpy_jvp(x, y, w1, w2, *split(e_i))  # ∂ℓ/∂θ_i = ℓ̇ along e_i
    _, grad_w1, grad_w2 = numpy_forward_backward(x, y, w1, w2)  # one forward, one backward
    rev = np.concatenate([grad_w1.ravel(), grad_w2.ravel()])
    return {"fd": (fd, 2 * theta.size), "forward": (fwd, theta.size), "reverse": (rev, 1)}


# --8<-- [end:modes]


def _check_mode_costs(n, d_in, h, d_out) -> None:
    for name, value in (("n", n), ("d_in", d_in), ("h", h), ("d_out", d_out)):
        check_int(name, value, minimum=1)


@checked(_check_mode_costs)
# --8<-- [start:mode_costs]
def mode_costs(n=64, d_in=1000, h=100, d_out=10) -> list[dict]:
    """Passes and matrix-product FLOPs for all ``P`` gradients of the NumPy network, three ways."""
    p = d_in * h + h * d_out  # P: the number of weights
    forward = 2 * n * d_in * h + 2 * n * h * d_out  # x·W1, a·W2
    tangent = 2 * n * d_in * h + 2 * (2 * n * h * d_out)  # x·Ẇ1; ȧ·W2 and a·Ẇ2
    backward = 2 * n * d_in * h + 2 * (2 * n * h * d_out)  # xᵀ·∂ℓ/∂h; aᵀ·G and G·W2ᵀ
    reverse = forward + backward
    rows = [
        ("(ℓ(θ+εe_i) − ℓ(θ−εe_i))/2ε", f"2P = {2 * p:,}", 2 * p * forward),
        ("ℓ̇ along e_i", f"P = {p:,}", p * (forward + tangent)),
        ("backward()", "1 + 1", reverse),
    ]
    return [
        {"method": m, "passes": k, "FLOPs": f"{f:.3g}", "÷ reverse": f"{f / reverse:,.0f}"}
        for m, k, f in rows
    ]


# --8<-- [end:mode_costs]


def _check_three_ways_rows(seed, n, d_in, h, d_out) -> None:
    _check_mode_costs(n, d_in, h, d_out)


@checked(_check_three_ways_rows)
def three_ways_rows(seed=0, n=8, d_in=6, h=5, d_out=3) -> list[dict]:
    """:func:`gradient_three_ways` on a small network: passes and distance to reverse mode."""
    grads = gradient_three_ways(make_network_data(seed, n, d_in, h, d_out))
    reverse = grads["reverse"][0]
    labels = {"fd": "(ℓ(θ+εe_i) − ℓ(θ−εe_i))/2ε", "forward": "ℓ̇ along e_i", "reverse": "backward()"}
    return [
        {
            "method": labels[name],
            "passes": passes,
            "max|Δ| / max|∂ℓ/∂θ|": float(np.abs(g - reverse).max() / np.abs(reverse).max()),
        }
        for name, (g, passes) in grads.items()
    ]
