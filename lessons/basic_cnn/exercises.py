"""Exercises of the basic CNN lesson: convolution by unfold, multiplication counts, variants."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from lessons.basic_cnn.lesson import CNN, make_cnn
from lessons.checks import check_int, checked
from lessons.seeds import generator, seeded


def _check_conv2d_unfold(x, weight, stride, padding, **_) -> None:
    for name, t in (("x", x), ("weight", weight)):
        if not isinstance(t, torch.Tensor) or t.dim() != 4:
            raise ValueError(f"{name} must be a 4-D tensor")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(f"weight must have {x.shape[1]} input channels, got {weight.shape[1]}")
    check_int("stride", stride, minimum=1)
    check_int("padding", padding, minimum=0)


@checked(_check_conv2d_unfold)
# --8<-- [start:conv2d_unfold]
def conv2d_unfold(x: torch.Tensor, weight: torch.Tensor, bias=None, stride=1, padding=0):
    """2-D convolution without Python loops: ``F.unfold`` and one matrix product.

    Args:
        x: Input (N, C, H, W).
        weight: Kernels (O, C, K, K).
        bias: Optional (O,).
        stride: Stride S.
        padding: Zero padding P.

    Returns:
        Output (N, O, H_out, W_out).
    """
    n, _, h, w = x.shape
    o, _, k, _ = weight.shape
    cols = F.unfold(x, k, padding=padding, stride=stride)  # (N, C·K², L)
    out = weight.view(o, -1) @ cols  # (O, C·K²) @ (N, C·K², L) → (N, O, L)
    if bias is not None:
        out = out + bias.view(1, -1, 1)  # + b_o at every position
    h_out = (h - k + 2 * padding) // stride + 1  # H_out = ⌊(H − K + 2P)/S⌋ + 1
    w_out = (w - k + 2 * padding) // stride + 1  # W_out, the same formula; L = H_out·W_out
    return out.view(n, o, h_out, w_out)


# --8<-- [end:conv2d_unfold]


# --8<-- [start:unfold_gap]
def unfold_gap(seed: int = 0, stride: int = 2, padding: int = 1) -> float:
    """Largest |conv2d_unfold − nn.Conv2d| on random float64 inputs (N=2, C=3, O=4, K=3, 8×8).

    Returns:
        The gap.
    """
    g = generator(seed)
    x = torch.randn(2, 3, 8, 8, generator=g, dtype=torch.float64)
    with seeded(seed):
        conv = nn.Conv2d(3, 4, 3, stride=stride, padding=padding).double()
    ours = conv2d_unfold(x, conv.weight, conv.bias, stride=stride, padding=padding)
    return (ours - conv(x)).abs().max().item()


# --8<-- [end:unfold_gap]


# --8<-- [start:layer_mults]
def layer_mults(model: nn.Module, x: torch.Tensor) -> dict[str, int]:
    """Multiplications per image of every ``Conv2d`` and ``Linear`` layer, from a forward pass.

    A convolution computes each of its outputs with C·K·K products; a linear layer computes
    ``in·out`` products.

    Args:
        model: The network.
        x: One batch of inputs (its first dimension is the batch).

    Returns:
        ``{layer name: multiplications per image}``, in the order the layers run.
    """
    counts, hooks = {}, []

    def hook(name):
        def count(module, _inputs, output):
            per_output = module.weight[0].numel()  # C·K·K, or the input size of a Linear
            counts[name] = output[0].numel() * per_output

        return count

    for name, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            hooks.append(module.register_forward_hook(hook(name)))
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return counts


# --8<-- [end:layer_mults]


# --8<-- [start:make_avg_cnn]
def make_avg_cnn(seed: int = 0) -> CNN:
    """The lesson's CNN, same initial weights, with ``nn.AvgPool2d(2)`` instead of max pooling.

    Args:
        seed: Seed of the initial weights.

    Returns:
        The model.
    """
    model = make_cnn(seed)
    model.pooling = nn.AvgPool2d(2)
    return model


# --8<-- [end:make_avg_cnn]


def _check_make_cnn5(c1, c2, **_) -> None:
    check_int("c1", c1, minimum=1)
    check_int("c2", c2, minimum=1)


@checked(_check_make_cnn5)
# --8<-- [start:make_cnn5]
def make_cnn5(seed: int = 0, c1: int = 10, c2: int = 20) -> CNN:
    """The course's 5×5 kernels with ``padding=2``: 8 → 8 → 4 → 4 → 2, so ``Linear(c2·2·2, 10)``.

    Args:
        seed: Seed of the initial weights.
        c1: Channels of the first convolution.
        c2: Channels of the second convolution.

    Returns:
        The model.
    """
    with seeded(seed):
        model = CNN(c1, c2)
        model.conv1 = nn.Conv2d(1, c1, kernel_size=5, padding=2)  # 1×8×8 → c1×8×8
        model.conv2 = nn.Conv2d(c1, c2, kernel_size=5, padding=2)  # c1×4×4 → c2×4×4
    return model


# --8<-- [end:make_cnn5]
