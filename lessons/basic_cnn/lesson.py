"""Basic CNN (lecture 10): convolution and max pooling by hand, output sizes, a CNN on digits."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from lessons.checks import check_int, checked
from lessons.plotting import subplots
from lessons.printing import table
from lessons.seeds import seeded


def _check_input(x: object, name: str = "x") -> None:
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        got = x.dtype if isinstance(x, torch.Tensor) else type(x).__name__
        raise TypeError(f"{name} must be a floating-point tensor, got {got}")
    if x.dim() != 4:
        raise ValueError(f"{name} must have shape (N, C, H, W), got {tuple(x.shape)}")


def _check_output_size(w, k, p, s, **_) -> None:
    check_int("w", w, minimum=1)
    check_int("k", k, minimum=1)
    check_int("p", p, minimum=0)
    check_int("s", s, minimum=1)
    if k > w + 2 * p:
        raise ValueError(f"k={k} is larger than the padded input w + 2p = {w + 2 * p}")


def _check_conv2d(x, weight, stride, padding, **_) -> None:
    _check_input(x)
    _check_input(weight, "weight")
    if weight.shape[1] != x.shape[1]:
        raise ValueError(f"weight has {weight.shape[1]} input channels, x has {x.shape[1]}")
    if weight.shape[2] != weight.shape[3]:
        raise ValueError(f"weight must hold square K×K kernels, got {tuple(weight.shape[2:])}")
    check_int("stride", stride, minimum=1)
    check_int("padding", padding, minimum=0)
    if weight.shape[-1] > min(x.shape[2:]) + 2 * padding:
        raise ValueError(
            f"weight: a {weight.shape[-1]}×{weight.shape[-1]} kernel exceeds the padded x"
        )


def _check_max_pool2d(x, k) -> None:
    _check_input(x)
    check_int("k", k, minimum=1)


@checked(_check_output_size)
# --8<-- [start:output_size]
def output_size(w: int, k: int, p: int = 0, s: int = 1) -> int:
    """Output width of a convolution or pooling: ``⌊(W − K + 2P) / S⌋ + 1``.

    Args:
        w: Input width W (or height).
        k: Kernel size K.
        p: Padding P on each side.
        s: Stride S.

    Returns:
        The output width.

    """
    return (w - k + 2 * p) // s + 1


# --8<-- [end:output_size]


@checked(_check_conv2d)
# --8<-- [start:conv2d]
def conv2d(x: torch.Tensor, weight: torch.Tensor, bias=None, stride: int = 1, padding: int = 0):
    """2-D convolution (cross-correlation, as in PyTorch) with explicit loops over positions.

    Args:
        x: Input (N, C, H, W).
        weight: Kernels (O, C, K, K): one kernel of C channels per output channel.
        bias: Optional (O,).
        stride: Stride S.
        padding: Zero padding P on every side.

    Returns:
        Output (N, O, H_out, W_out).

    """
    k = weight.shape[-1]
    h_out = output_size(x.shape[2], k, padding, stride)
    w_out = output_size(x.shape[3], k, padding, stride)
    x = F.pad(x, (padding,) * 4)  # zeros around H and W
    out = x.new_zeros(x.shape[0], weight.shape[0], h_out, w_out)
    for i in range(h_out):
        for j in range(w_out):
            patch = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k]
            out[:, :, i, j] = torch.einsum("nckl,ockl->no", patch, weight)  # Σ_c Σ_kl x·w
    return out if bias is None else out + bias.view(1, -1, 1, 1)


# --8<-- [end:conv2d]


@checked(_check_max_pool2d)
# --8<-- [start:max_pool2d]
def max_pool2d(x: torch.Tensor, k: int = 2) -> torch.Tensor:
    """Max pooling with a K×K window and stride K, per channel (no weights)."""
    h_out, w_out = output_size(x.shape[2], k, 0, k), output_size(x.shape[3], k, 0, k)
    out = x.new_empty(x.shape[0], x.shape[1], h_out, w_out)
    for i in range(h_out):
        for j in range(w_out):
            window = x[:, :, i * k : (i + 1) * k, j * k : (j + 1) * k]
            out[:, :, i, j] = window.amax(dim=(2, 3))  # max over the K×K window
    return out


# --8<-- [end:max_pool2d]


CONFIGS = ((3, 0, 1), (3, 1, 1), (5, 0, 1), (5, 2, 1), (3, 0, 2), (3, 1, 2))  # (K, P, S)


def _check_shape_table(size, **_) -> None:
    check_int("size", size, minimum=1)


@checked(_check_shape_table)
def shape_table(size: int = 8, configs: tuple = CONFIGS) -> str:
    """Tabulate formula vs ``nn.Conv2d``'s real output width for each (K, P, S)."""
    rows = []
    for k, p, s in configs:
        with seeded(0):  # Conv2d draws its weights from the global RNG
            conv = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)
        actual = conv(torch.zeros(1, 1, size, size)).shape[-1]
        rows.append(["", k, p, s, "|", output_size(size, k, p, s), actual])
    columns = [(f"W={size}", "<5"), ("K", ">3"), ("P", ">3"), ("S", ">3"), ("|", ">2")]
    columns += [("formula", ">8"), ("Conv2d", ">8")]
    return table(rows, columns, sep="")


# --8<-- [start:cnn]
class CNN(nn.Module):
    """Two conv + max-pool stages and a linear classifier, for 1×8×8 images."""

    def __init__(self, c1: int = 10, c2: int = 20) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, c1, kernel_size=3, padding=1)  # 1×8×8 → c1×8×8
        self.conv2 = nn.Conv2d(c1, c2, kernel_size=3, padding=1)  # c1×4×4 → c2×4×4
        self.pooling = nn.MaxPool2d(2)  # halves H and W
        self.fc = nn.Linear(c2 * 2 * 2, 10)  # c2×2×2 → 10 logits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, 10) for images (N, 1, 8, 8)."""
        x = F.relu(self.pooling(self.conv1(x)))  # (N, c1, 4, 4)
        x = F.relu(self.pooling(self.conv2(x)))  # (N, c2, 2, 2)
        return self.fc(x.view(x.size(0), -1))  # flatten, no activation: logits


# --8<-- [end:cnn]


def _check_make_cnn(c1, c2, **_) -> None:
    check_int("c1", c1, minimum=1)
    check_int("c2", c2, minimum=1)


@checked(_check_make_cnn)
def make_cnn(seed: int = 0, c1: int = 10, c2: int = 20) -> CNN:
    """Build a :class:`CNN` whose initial weights depend only on ``seed``."""
    with seeded(seed):
        return CNN(c1, c2)


def _check_feature_maps(model, image) -> None:
    if not isinstance(model, CNN):
        raise TypeError(f"model must be a CNN, got {type(model).__name__}")
    if not isinstance(image, torch.Tensor) or image.shape != (1, 8, 8):
        raise ValueError("image must be a tensor of shape (1, 8, 8)")


@torch.no_grad()
@checked(_check_feature_maps)
def feature_maps(model: CNN, image: torch.Tensor) -> torch.Tensor:
    """ReLU of the first conv layer's output for one image (1, 8, 8): shape (c1, 8, 8)."""
    device = next(model.parameters()).device
    return F.relu(model.conv1(image[None].to(device)))[0].cpu()


def _check_plot_feature_maps(maps, **_) -> None:
    if maps.dim() != 3:
        raise ValueError(f"maps must have shape (C, H, W), got {tuple(maps.shape)}")


@checked(_check_plot_feature_maps)
def plot_feature_maps(image: torch.Tensor, maps: torch.Tensor):
    """Plot the input image, then each feature map, in a grid of images."""
    cols = (len(maps) + 2) // 2
    fig, axes = subplots(2, cols, figsize=(1.3 * cols, 2.9))
    panels = [(image.reshape(8, 8), "$x$")]
    panels += [(m, f"$a_{{{c}}}$") for c, m in enumerate(maps, start=1)]
    for ax, (img, title) in zip(axes.flat, panels, strict=False):
        ax.imshow(img.numpy(), cmap="gray_r" if title == "$x$" else "viridis")
        ax.set_title(title)
    for ax in axes.flat:
        ax.axis("off")
    fig.set_label("$x$, $a_c = \\mathrm{ReLU}(w_c * x + b_c)$")
    return fig
