"""Backpropagation: the chain rule by hand, gradient descent, a NumPy network, and autograd."""

from __future__ import annotations

import numpy as np
import torch

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.seeds import generator, offset_seed

X_DATA = (1.0, 2.0, 3.0)  # x, the course's three samples
Y_DATA = (2.0, 4.0, 6.0)  # y = 2x, so the best weight is w* = 2


def format_values(values: dict[str, float]) -> str:
    """Format ``{name: number}`` as aligned ``name = number`` lines for printing."""
    width = max(len(name) for name in values)
    return "\n".join(f"{name:>{width}} = {value:.6g}" for name, value in values.items())


def _check_hand_gradient(x, y, w) -> None:
    for name, value in (("x", x), ("y", y), ("w", w)):
        check_float(name, value)


def _check_batch_gd(w, lr, epochs, xs=X_DATA, ys=Y_DATA) -> None:
    if len(xs) == 0 or len(xs) != len(ys):
        raise ValueError(f"xs and ys must be non-empty, of equal length: {len(xs)}, {len(ys)}")
    check_float("w", w)
    check_float("lr", lr, 0, strict=True)
    check_int("epochs", epochs, 1)


def _check_sgd(w, lr, epochs, xs, ys) -> None:
    _check_batch_gd(w, lr, epochs, xs, ys)  # the same arguments as batch_gd


def _check_torch_sgd(zero_grad, w, lr, epochs, **_) -> None:
    if not isinstance(zero_grad, bool):
        raise TypeError(f"zero_grad must be a bool, got {type(zero_grad).__name__}")
    _check_batch_gd(w, lr, epochs)


def _check_accumulated_grad(calls) -> None:
    check_int("calls", calls, 1)


def _check_train_numpy(steps, lr, **_) -> None:
    check_int("steps", steps, 1)
    check_float("lr", lr, 0.0, strict=True)


def _check_check_my_relu(n, **_) -> None:
    check_int("n", n, 1)


def make_network_data(seed=0, n=64, d_in=1000, h=100, d_out=10) -> dict[str, np.ndarray]:
    """Draw ``x`` (n×d_in), ``y`` (n×d_out), ``w1`` (d_in×h), ``w2`` (h×d_out) from N(0, 1)."""
    rng = np.random.default_rng(offset_seed(seed))
    shapes = {"x": (n, d_in), "y": (n, d_out), "w1": (d_in, h), "w2": (h, d_out)}
    return {name: rng.standard_normal(shape) for name, shape in shapes.items()}  # N(0, 1)


@checked(_check_hand_gradient)
# --8<-- [start:hand_gradient]
def hand_gradient(x: float, y: float, w: float) -> dict[str, float]:
    """Forward and backward pass of ``loss = (x·w − y)²`` for one sample, by the chain rule.

    Args:
        x: Input of the sample.
        y: Target of the sample.
        w: Current weight.

    Returns:
        Every node of the graph and every local derivative, by name.

    """
    y_hat = x * w  # ŷ = x·w
    r = y_hat - y  # r = ŷ − y
    loss = r**2  # ℓ = r²
    dl_dr = 2 * r  # ∂ℓ/∂r = 2r
    dr_dyhat = 1.0  # ∂r/∂ŷ = 1
    dyhat_dw = x  # ∂ŷ/∂w = x
    dl_dw = dl_dr * dr_dyhat * dyhat_dw  # ∂ℓ/∂w = 2r·1·x = 2x(xw − y)
    return {"ŷ": y_hat, "r": r, "ℓ": loss, "∂ℓ/∂r": dl_dr, "∂ŷ/∂w": dyhat_dw, "∂ℓ/∂w": dl_dw}


# --8<-- [end:hand_gradient]
# --8<-- [start:gd]
def cost(w: float, xs=X_DATA, ys=Y_DATA) -> float:
    """Cost ``J(w) = (1/N) Σ (x_n·w − y_n)²``, the mean squared error over the data."""
    return sum((x * w - y) ** 2 for x, y in zip(xs, ys, strict=True)) / len(xs)  # (ŷ_n − y_n)²


# --8<-- [end:gd]
@checked(_check_batch_gd)
# --8<-- [start:batch_gd]
def batch_gd(w=1.0, lr=0.01, epochs=100, xs=X_DATA, ys=Y_DATA) -> tuple[float, list[float]]:
    """Batch GD: one step per epoch along the mean gradient; return final w and J(w) per epoch."""
    costs = []
    for _ in range(epochs):
        costs.append(cost(w, xs, ys))
        grad = 0.0
        for x, y in zip(xs, ys, strict=True):
            grad += 2 * x * (x * w - y)  # Σ ∂ℓ_n/∂w
        w -= lr * (grad / len(xs))  # w ← w − α·∂J/∂w
    return w, costs


# --8<-- [end:batch_gd]
@checked(_check_sgd)
# --8<-- [start:sgd]
def sgd(w=1.0, lr=0.01, epochs=100, xs=X_DATA, ys=Y_DATA) -> tuple[float, list[float]]:
    """SGD: one step per sample, in order; return final w and J(w) at the start of each epoch."""
    costs = []
    for _ in range(epochs):
        costs.append(cost(w, xs, ys))
        for x, y in zip(xs, ys, strict=True):
            w -= lr * (2 * x * (x * w - y))  # w ← w − α·∂ℓ_n/∂w
    return w, costs


# --8<-- [end:sgd]


@checked(_check_torch_sgd)
# --8<-- [start:torch_sgd]
def torch_sgd(zero_grad=True, w=1.0, lr=0.01, epochs=100, device=None) -> list[float]:
    """SGD on ``y = w·x`` with autograd in float64; return ``w`` after every step (3 per epoch)."""
    dev = resolve_device(device)
    w_t = torch.tensor(w, dtype=torch.float64, device=dev, requires_grad=True)
    trajectory = []
    for _ in range(epochs):
        for x, y in zip(X_DATA, Y_DATA, strict=True):
            loss = (x * w_t - y) ** 2  # ℓ = (x·w − y)²
            loss.backward()  # w.grad ← w.grad + ∂ℓ/∂w  (it adds!)
            with torch.no_grad():  # the update is not part of the graph
                w_t -= lr * w_t.grad  # w ← w − α·w.grad
            if zero_grad:
                w_t.grad.zero_()  # w.grad ← 0
            trajectory.append(w_t.item())
    return trajectory


# --8<-- [end:torch_sgd]
# --8<-- [start:autograd_demos]
def leaf_demo(retain: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Backward through ``ℓ = (x·w − y)²`` at x=2, y=4, w=1; return the leaf ``w`` and ``ŷ``."""
    w = torch.tensor(1.0, requires_grad=True)  # a leaf: made by us, not by an operation
    y_hat = 2.0 * w  # ŷ = x·w, a non-leaf: made by an operation
    if retain:
        y_hat.retain_grad()  # ask autograd to keep ∂ℓ/∂ŷ too
    loss = (y_hat - 4.0) ** 2  # ℓ = (ŷ − y)²
    loss.backward()
    return w, y_hat


# --8<-- [end:autograd_demos]
@checked(_check_accumulated_grad)
# --8<-- [start:accumulated_grad]
def accumulated_grad(calls: int) -> float:
    """``w.grad`` after ``calls`` backward passes of the same loss, never zeroed."""
    w = torch.tensor(1.0, requires_grad=True)
    for _ in range(calls):
        loss = (2.0 * w - 4.0) ** 2  # ℓ = (x·w − y)², ∂ℓ/∂w = −8
        loss.backward()  # w.grad ← w.grad + ∂ℓ/∂w
    return w.grad.item()


def nonscalar_backward(gradient: torch.Tensor | None = None) -> torch.Tensor:
    """Seed 003's ``v₂ = 4·(3·x)`` on three inputs; ``backward(gradient=g)`` gives ``gᵀ·∂v₂/∂x``."""
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v_1 = 3 * x  # v₁ = 3x
    v_2 = 4 * v_1  # v₂ = 4v₁ = 12x, a vector: ∂v₂/∂x = 12·I
    v_2.backward(gradient=gradient)  # same as (g · v₂).sum().backward()
    return x.grad


# --8<-- [end:accumulated_grad]


# --8<-- [start:numpy_backward]
def numpy_forward_backward(x, y, w1, w2) -> tuple[float, np.ndarray, np.ndarray]:
    """Return ``(ℓ, ∂ℓ/∂W1, ∂ℓ/∂W2)`` for ``ℓ = Σ(ReLU(x·W1)·W2 − y)²``, backward by hand."""
    h = x @ w1  # h = x·W1          (N×H)
    h_relu = np.maximum(h, 0)  # a = ReLU(h)        (N×H)
    y_pred = h_relu @ w2  # ŷ = a·W2          (N×D_out)
    loss = float(np.square(y_pred - y).sum())  # ℓ = Σ (ŷ − y)²
    grad_y_pred = 2 * (y_pred - y)  # ∂ℓ/∂ŷ = 2(ŷ − y)
    grad_w2 = h_relu.T @ grad_y_pred  # ∂ℓ/∂W2 = aᵀ·∂ℓ/∂ŷ
    grad_h_relu = grad_y_pred @ w2.T  # ∂ℓ/∂a = ∂ℓ/∂ŷ·W2ᵀ
    grad_h = grad_h_relu.copy()
    grad_h[h < 0] = 0  # ∂ℓ/∂h = ∂ℓ/∂a ⊙ 1[h ≥ 0]
    grad_w1 = x.T @ grad_h  # ∂ℓ/∂W1 = xᵀ·∂ℓ/∂h
    return loss, grad_w1, grad_w2


# --8<-- [end:numpy_backward]
@checked(_check_train_numpy)
# --8<-- [start:train_numpy]
def train_numpy(seed=0, steps=500, lr=1e-6) -> list[float]:
    """Train the two-layer network with plain gradient descent; return the loss of every step."""
    data = make_network_data(seed)
    losses = []
    for _ in range(steps):
        loss, grad_w1, grad_w2 = numpy_forward_backward(**data)
        data["w1"] -= lr * grad_w1  # W1 ← W1 − α·∂ℓ/∂W1
        data["w2"] -= lr * grad_w2  # W2 ← W2 − α·∂ℓ/∂W2
        losses.append(loss)
    return losses


# --8<-- [end:train_numpy]


# --8<-- [start:autograd_check]
def autograd_gradients(
    x, y, w1, w2, relu=None, device=None
) -> tuple[float, np.ndarray, np.ndarray]:
    """Return what :func:`numpy_forward_backward` returns, computed by autograd in float64."""
    dev = resolve_device(device)
    relu = torch.relu if relu is None else relu
    x, y, w1, w2 = (torch.tensor(a, dtype=torch.float64, device=dev) for a in (x, y, w1, w2))
    w1.requires_grad_()  # leaves whose gradients we want
    w2.requires_grad_()
    loss = (relu(x @ w1) @ w2 - y).pow(2).sum()  # ℓ = Σ (ReLU(x·W1)·W2 − y)²
    loss.backward()  # fills w1.grad and w2.grad
    return loss.item(), w1.grad.cpu().numpy(), w2.grad.cpu().numpy()


def gradient_differences(seed=0, relu=None, device=None) -> dict[str, float]:
    """Max absolute difference, hand-written backward vs autograd, next to the gradients' size."""
    data = make_network_data(seed)
    by_hand = numpy_forward_backward(**data)
    by_autograd = autograd_gradients(**data, relu=relu, device=device)
    names = ("ℓ", "∂ℓ/∂W1", "∂ℓ/∂W2")
    out = {}
    for name, a, b in zip(names, by_hand, by_autograd, strict=True):
        out[f"max|Δ {name}|"] = float(np.max(np.abs(np.subtract(a, b))))
        out[f"max|{name}|"] = float(np.max(np.abs(a)))
    return out


# --8<-- [end:autograd_check]
# --8<-- [start:my_relu]
class MyReLU(torch.autograd.Function):
    """ReLU with a hand-written backward: ``∂ℓ/∂x = ∂ℓ/∂y ⊙ 1[x ≥ 0]``."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        """``y = max(x, 0)``; keep ``x`` for the backward pass."""
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        """Pass ``∂ℓ/∂y`` through where ``x ≥ 0``, zero where ``x < 0``."""
        (x,) = ctx.saved_tensors
        grad_x = grad_output.clone()
        grad_x[x < 0] = 0  # ∂y/∂x = 0 for x < 0
        return grad_x


# --8<-- [end:my_relu]
@checked(_check_check_my_relu)
# --8<-- [start:check_my_relu]
def check_my_relu(seed=0, n=10) -> bool:
    """Compare MyReLU's backward with finite differences (``gradcheck``, float64)."""
    x = torch.randn(n, dtype=torch.float64, generator=generator(seed))
    x = (x + 0.1 * x.sign()).requires_grad_()  # keep |x| ≥ 0.1, away from the kink at 0
    return torch.autograd.gradcheck(MyReLU.apply, (x,), eps=1e-6, atol=1e-8)


# --8<-- [end:check_my_relu]
