"""From NumPy to nn.Module: one regression problem at every level of abstraction.

The problem (N, D_in, H, D_out = 64, 1000, 100, 10) and the control-flow network
``DynamicNet`` come from :mod:`lessons.dynamic_net`; the NumPy version with a hand-written
backward pass lives in the backpropagation lesson.
"""

from __future__ import annotations

import torch
from torch import nn

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.dynamic_net import make_data
from lessons.plotting import plot_curves, subplots
from lessons.seeds import generator, seeded

D_IN, H, D_OUT = 1000, 100, 10


def _check_train_raw(steps, lr, relu, **_) -> None:
    check_int("steps", steps, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    if relu is not None and not callable(relu):
        raise TypeError(f"relu must be callable, got {type(relu).__name__}")


@checked(_check_train_raw)
# --8<-- [start:train_raw]
def train_raw(steps=500, lr=1e-6, relu=None, seed=0, device=None):
    """Level 1: weight tensors with ``requires_grad``, autograd, and a hand-written update.

    Args:
        steps: Number of gradient steps.
        lr: Learning rate.
        relu: The activation, a callable; ``None`` means ``z.clamp(min=0)``.
        seed: Seed of the data and of the weights.
        device: ``None`` for CUDA when present, else CPU.

    Returns:
        The loss of every step, a list of floats.

    """
    relu = relu or (lambda z: z.clamp(min=0))
    dev = resolve_device(device)  # never torch.device('cuda') hard-coded
    x, y = make_data(seed=seed, device=dev)  # data: no requires_grad
    g = generator(seed + 1)
    w1 = torch.randn(D_IN, H, generator=g).to(dev).requires_grad_()  # W₁, 1000×100
    w2 = torch.randn(H, D_OUT, generator=g).to(dev).requires_grad_()  # W₂, 100×10
    losses = []
    for _ in range(steps):
        loss = (relu(x.mm(w1)).mm(w2) - y).pow(2).sum()  # L = ‖ReLU(x W₁) W₂ − y‖²
        loss.backward()  # fills w1.grad = ∂L/∂W₁, w2.grad = ∂L/∂W₂
        with torch.no_grad():  # the update itself must not be recorded in the graph
            w1 -= lr * w1.grad  # W ← W − lr·∂L/∂W
            w2 -= lr * w2.grad
            w1.grad.zero_()  # backward() adds to .grad: reset it
            w2.grad.zero_()
        losses.append(loss.item())
    return losses


# --8<-- [end:train_raw]


# --8<-- [start:my_relu]
class MyReLU(torch.autograd.Function):
    """ReLU as a custom autograd function: our own forward and backward."""

    @staticmethod
    def forward(ctx, x):
        """Return max(x, 0), keeping x for the backward pass."""
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        """Return ∂L/∂x = ∂L/∂y · 1[x ≥ 0]."""
        (x,) = ctx.saved_tensors
        grad_x = grad_output.clone()
        grad_x[x < 0] = 0  # no gradient flows where the unit was off
        return grad_x


# --8<-- [end:my_relu]


# --8<-- [start:fit]
def _fit(model, optimizer, x, y, steps):
    loss_fn = nn.MSELoss(reduction="sum")  # Σ (ŷ − y)², not the mean
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()  # the update rule lives in the optimizer
        losses.append(loss.item())
    return losses


# --8<-- [end:fit]


def _check_train_sequential(steps, lr, **_) -> None:
    check_int("steps", steps, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)


@checked(_check_train_sequential)
# --8<-- [start:train_sequential]
def train_sequential(steps=500, lr=1e-4, seed=0, device=None):
    """Level 2: ``nn.Sequential`` holds the weights, the update is still by hand.

    Returns:
        The loss of every step, a list of floats.

    """
    dev = resolve_device(device)
    x, y = make_data(seed=seed, device=dev)
    with seeded(seed):  # nn.Linear draws its initial weights from the global RNG
        model = nn.Sequential(nn.Linear(D_IN, H), nn.ReLU(), nn.Linear(H, D_OUT)).to(dev)
    loss_fn = nn.MSELoss(reduction="sum")
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():  # W₁, b₁, W₂, b₂
                param -= lr * param.grad  # θ ← θ − lr·∂L/∂θ
        losses.append(loss.item())
    return losses


# --8<-- [end:train_sequential]


def _check_train_adam(steps, lr, **_) -> None:
    check_int("steps", steps, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)


@checked(_check_train_adam)
# --8<-- [start:train_adam]
def train_adam(steps=500, lr=1e-4, seed=0, device=None):
    """Level 3: the same ``nn.Sequential``, updated by ``torch.optim.Adam``.

    Returns:
        The loss of every step, a list of floats.

    """
    dev = resolve_device(device)
    x, y = make_data(seed=seed, device=dev)
    with seeded(seed):
        model = nn.Sequential(nn.Linear(D_IN, H), nn.ReLU(), nn.Linear(H, D_OUT)).to(dev)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    return _fit(model, optimizer, x, y, steps)


# --8<-- [end:train_adam]


# --8<-- [start:two_layer_net]
class TwoLayerNet(nn.Module):
    """ŷ = W₂ ReLU(W₁ x + b₁) + b₂, as our own ``nn.Module``."""

    def __init__(self, d_in: int, h: int, d_out: int):
        super().__init__()  # same as super(TwoLayerNet, self).__init__()
        self.linear1 = nn.Linear(d_in, h)  # registered as a sub-module: its parameters too
        self.linear2 = nn.Linear(h, d_out)

    def forward(self, x):
        """Map inputs x (N×d_in) to predictions ŷ (N×d_out)."""
        h_relu = self.linear1(x).clamp(min=0)
        return self.linear2(h_relu)


# --8<-- [end:two_layer_net]


def _check_train_module(steps, lr, **_) -> None:
    check_int("steps", steps, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)


@checked(_check_train_module)
# --8<-- [start:train_module]
def train_module(steps=500, lr=1e-4, seed=0, device=None):
    """Level 4: our ``TwoLayerNet`` with ``torch.optim.SGD``.

    Returns:
        The loss of every step, a list of floats.

    """
    dev = resolve_device(device)
    x, y = make_data(seed=seed, device=dev)
    with seeded(seed):
        model = TwoLayerNet(D_IN, H, D_OUT).to(dev)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return _fit(model, optimizer, x, y, steps)


# --8<-- [end:train_module]


def plot_levels(curves: dict):
    """Loss curves L_t of the levels (label → losses), numbered (1), (2), … in the legend."""
    return plot_curves({f"$({i})$": v for i, v in enumerate(curves.values(), 1)}, "$L_t$")


def depth_losses(model, seed=0) -> list[float]:
    """Loss L(k) of a trained ``DynamicNet`` on its training data for each fixed depth k.

    Returns:
        ``[L(0), …, L(max_depth)]``, rounded to 4 significant digits for printing.

    """
    x, y = make_data(seed=seed, device=next(model.parameters()).device)
    with torch.no_grad():
        losses = [((model(x, k) - y) ** 2).sum().item() for k in range(model.max_depth + 1)]
    return [float(f"{v:.4g}") for v in losses]


def _check_max_gap(a, b) -> None:
    if len(a) != len(b):
        raise ValueError(f"b must be as long as a ({len(a)}), got {len(b)}")


@checked(_check_max_gap)
def max_gap(a: list, b: list) -> float:
    """Return max_t |a_t − b_t| of two equally long loss curves."""
    return max(abs(u - v) for u, v in zip(a, b, strict=True))


def _check_plot_depths(losses, depths, **_) -> None:
    if len(losses) != len(depths):
        raise ValueError("depths must have one entry per loss")


@checked(_check_plot_depths)
def plot_depths(losses: list, depths: list, final: list):
    """Left: training loss L_t colored by the depth k used; right: final L for each fixed k."""
    fig, (ax1, ax2) = subplots(1, 2, figsize=(6.4, 3.0), width_ratios=(2, 1))
    for k in range(len(final)):
        ts = [t for t, d in enumerate(depths) if d == k]
        ax1.plot(ts, [losses[t] for t in ts], ".", ms=3, label=f"$k={k}$", color=f"C{k}")
    ax1.set(yscale="log", xlabel="$t$", ylabel="$L_t$")
    ax1.legend(fontsize=8, markerscale=2)
    ax2.bar(range(len(final)), final, color=[f"C{k}" for k in range(len(final))])
    ax2.set(xlabel="$k$", ylabel="$L$", xticks=range(len(final)))
    fig.set_label("$L_t$ vs $t$ by $k$; $L$ vs $k$")
    return fig
