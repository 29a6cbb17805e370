"""Exercises of the backpropagation lesson: bias, divergence, hidden bias, sigmoids, zeroing."""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch

from lessons.backpropagation.lesson import X_DATA, Y_DATA, make_network_data
from lessons.backpropagation.scalar import Value
from lessons.checks import check_float, check_int, checked
from lessons.seeds import generator, offset_seed

F64 = torch.float64


def _check_bias_gradients(x, y, w, b) -> None:
    for name, value in (("x", x), ("y", y), ("w", w), ("b", b)):
        check_float(name, value)


@checked(_check_bias_gradients)
# --8<-- [start:bias_gradients]
def bias_gradients(x: float = 2.0, y: float = 4.0, w: float = 1.0, b: float = 0.0) -> dict:
    """∂ℓ/∂w and ∂ℓ/∂b of ℓ = (x·w + b − y)², by hand and by autograd (float64).

    Returns:
        ``{"hand": (dw, db), "autograd": (dw, db)}``.
    """
    r = x * w + b - y  # residual ŷ − y
    hand = (2 * x * r, 2 * r)  # ∂ℓ/∂w = 2x·r, ∂ℓ/∂b = 2r
    w_t = torch.tensor(w, dtype=F64, requires_grad=True)
    b_t = torch.tensor(b, dtype=F64, requires_grad=True)
    ((x * w_t + b_t - y) ** 2).backward()
    return {"hand": hand, "autograd": (w_t.grad.item(), b_t.grad.item())}


# --8<-- [end:bias_gradients]
def _check_error_factors(lr, epochs, w) -> None:
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("epochs", epochs, minimum=1)
    check_float("w", w)


@checked(_check_error_factors)
# --8<-- [start:error_factors]
def error_factors(lr: float, epochs: int = 6, w: float = 1.0) -> list[float]:
    """Ratios (w_{t+1} − 2)/(w_t − 2) of batch gradient descent on the course data.

    Each should equal 1 − 28α/3 (float64, the lesson's update ``w ← w − α·∂J/∂w``).
    """
    errors = [w - 2.0]
    for _ in range(epochs):
        grad = (
            sum(2 * x * (x * (errors[-1] + 2.0) - y) for x, y in zip(X_DATA, Y_DATA, strict=True))
            / 3
        )
        errors.append(errors[-1] - lr * grad)  # e ← e − α·∂J/∂w
    return [b / a for a, b in zip(errors, errors[1:], strict=False)]


# --8<-- [end:error_factors]
# --8<-- [start:hidden_bias]
def forward_backward_bias(x, y, w1, b1, w2) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """``(ℓ, ∂ℓ/∂W1, ∂ℓ/∂b1, ∂ℓ/∂W2)`` for ℓ = Σ(ReLU(x·W1 + b1)·W2 − y)², backward by hand."""
    h = x @ w1 + b1  # h = x·W1 + b1      (N×H, b1 broadcast over rows)
    a = np.maximum(h, 0)  # a = ReLU(h)
    y_pred = a @ w2  # ŷ = a·W2
    grad_y_pred = 2 * (y_pred - y)  # ∂ℓ/∂ŷ
    grad_h = grad_y_pred @ w2.T  # ∂ℓ/∂a
    grad_h[h < 0] = 0  # ∂ℓ/∂h = ∂ℓ/∂a ⊙ 1[h ≥ 0]
    loss = float(np.square(y_pred - y).sum())
    return loss, x.T @ grad_h, grad_h.sum(axis=0), a.T @ grad_y_pred  # ∂ℓ/∂b1 = Σ_rows ∂ℓ/∂h


def bias_differences(seed: int = 0) -> dict[str, float]:
    """Relative max |hand − autograd| of ℓ and the three gradients, hidden bias b1 ~ N(0, 1)."""
    data = make_network_data(seed)
    b1 = np.random.default_rng(offset_seed(seed) + 1).standard_normal(data["w1"].shape[1])
    hand = forward_backward_bias(data["x"], data["y"], data["w1"], b1, data["w2"])
    x, y, w1, b, w2 = (
        torch.tensor(a, dtype=F64) for a in (data["x"], data["y"], data["w1"], b1, data["w2"])
    )
    for leaf in (w1, b, w2):
        leaf.requires_grad_()
    loss = (torch.relu(x @ w1 + b) @ w2 - y).pow(2).sum()
    loss.backward()
    auto = (loss.item(), w1.grad.numpy(), b.grad.numpy(), w2.grad.numpy())
    names = ("ℓ", "∂ℓ/∂W1", "∂ℓ/∂b1", "∂ℓ/∂W2")
    return {
        n: float(np.max(np.abs(np.subtract(p, q))) / np.max(np.abs(p)))
        for n, p, q in zip(names, hand, auto, strict=True)
    }


# --8<-- [end:hidden_bias]
# --8<-- [start:my_sigmoid]
class MySigmoid(torch.autograd.Function):
    """σ(x) with a hand-written backward that reuses the output: σ'(x) = s(1 − s)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        """``s = σ(x)``; keep ``s`` (not ``x``) for the backward pass."""
        s = torch.sigmoid(x)
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        """``∂ℓ/∂x = ∂ℓ/∂s · s(1 − s)``."""
        (s,) = ctx.saved_tensors
        return grad_output * s * (1 - s)


# --8<-- [end:my_sigmoid]
def _check_check_sigmoid(dtype, n, **_) -> None:
    if dtype not in (torch.float32, F64):
        raise ValueError(f"dtype must be torch.float32 or torch.float64, got {dtype}")
    check_int("n", n, minimum=1)


@checked(_check_check_sigmoid)
# --8<-- [start:check_sigmoid]
def check_sigmoid(dtype=F64, seed: int = 0, n: int = 10) -> tuple[bool, float]:
    """``gradcheck`` of :class:`MySigmoid` in ``dtype``, and the largest finite-difference error.

    In float32, ``gradcheck`` first warns that its input is not double precision; that warning
    is expected here and not shown.

    Returns:
        ``(passed, max |numeric − analytic|)`` with gradcheck's default ε = 10⁻⁶.
    """
    g = generator(seed)
    x = torch.randn(n, generator=g, dtype=dtype, requires_grad=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not a double precision", category=UserWarning)
        passed = torch.autograd.gradcheck(MySigmoid.apply, (x,), raise_exception=False)
    eps = 1e-6
    with torch.no_grad():
        numeric = (MySigmoid.apply(x + eps) - MySigmoid.apply(x - eps)) / (2 * eps)
        s = torch.sigmoid(x)
    return passed, (numeric - s * (1 - s)).abs().max().item()


# --8<-- [end:check_sigmoid]
def _check_sgd_epoch_zeroing(w, lr, epochs) -> None:
    check_float("w", w)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("epochs", epochs, minimum=1)


@checked(_check_sgd_epoch_zeroing)
# --8<-- [start:sgd_epoch_zeroing]
def sgd_epoch_zeroing(w: float = 1.0, lr: float = 0.01, epochs: int = 100) -> list[float]:
    """``torch_sgd`` with ``w.grad`` zeroed only at the end of each epoch; w after every step."""
    w_t = torch.tensor(w, dtype=F64, requires_grad=True)
    trajectory = []
    for _ in range(epochs):
        for x, y in zip(X_DATA, Y_DATA, strict=True):
            ((x * w_t - y) ** 2).backward()  # w.grad ← w.grad + ∂ℓ/∂w
            with torch.no_grad():
                w_t -= lr * w_t.grad  # w ← w − α·w.grad
            trajectory.append(w_t.item())
        w_t.grad.zero_()  # only here: once per epoch
    return trajectory


# --8<-- [end:sgd_epoch_zeroing]


# --8<-- [start:value_sigmoid]
def sigmoid_composed(x: Value) -> Value:
    """``σ(x) = 1 / (1 + e^(−x))`` built from the engine's own operations."""
    return 1 / (1 + (-x).exp())


def sigmoid_node(x: Value) -> Value:
    """``σ(x)`` as a single node whose backward uses ``σ'(x) = s(1 − s)``."""
    s = 1 / (1 + math.exp(-x.data))  # s = σ(x)
    out = Value(s, (x,))

    def _backward():
        x.grad += s * (1 - s) * out.grad  # ∂L/∂x += σ'(x)·∂L/∂s

    out._backward = _backward
    return out


def count_nodes(v: Value) -> int:
    """How many Values the graph of ``v`` holds (``v`` and everything it was computed from)."""
    seen, stack = set(), [v]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(node._prev)
    return len(seen)


# --8<-- [end:value_sigmoid]


def _check_sigmoid_values(x) -> None:
    check_float("x", x)


@checked(_check_sigmoid_values)
# --8<-- [start:sigmoid_values]
def sigmoid_values(x: float = 0.5) -> list[dict]:
    """``σ(x)`` and ``σ'(x)`` both ways, their distance to autograd (float64), each graph's size."""
    t = torch.tensor(x, dtype=F64, requires_grad=True)
    torch.sigmoid(t).backward()  # the reference: ∂σ/∂x by autograd
    rows = []
    for name, sigmoid in (("1/(1+exp(−x))", sigmoid_composed), ("σ node", sigmoid_node)):
        v = Value(x)
        s = sigmoid(v)
        s.backward()
        gap = abs(v.grad - t.grad.item())
        rows.append(
            {"σ": name, "s": s.data, "ds/dx": v.grad, "|Δ| torch": gap, "nodes": count_nodes(s)}
        )
    return rows


# --8<-- [end:sigmoid_values]
