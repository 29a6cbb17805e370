"""Advanced CNN (lecture 11): an Inception module, the cost of 1×1 convolutions, residual blocks."""

from __future__ import annotations

import statistics

import torch
import torch.nn.functional as F
from torch import nn

from lessons.checks import check_int, checked
from lessons.plotting import subplots
from lessons.printing import table
from lessons.seeds import seeded


# --8<-- [start:inception]
class Inception(nn.Module):
    """Four parallel branches whose outputs are concatenated along the channels.

    The course's ``InceptionA`` (for 28×28 MNIST) uses a 5×5 branch; for the small
    maps of 8×8 digits ``k=3`` fits better. Output: ``16 + 24 + 24 + 24 = 88`` channels.
    """

    def __init__(self, in_channels: int, k: int = 3) -> None:
        super().__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch_k_1 = nn.Conv2d(in_channels, 16, kernel_size=1)  # 1×1 first: fewer channels
        self.branch_k_2 = nn.Conv2d(16, 24, kernel_size=k, padding=k // 2)  # keeps H×W
        self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)
        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) → (N, 88, H, W): every branch keeps H and W, so they can be stacked."""
        b1 = self.branch1x1(x)
        b2 = self.branch_k_2(self.branch_k_1(x))
        b3 = self.branch3x3_3(self.branch3x3_2(self.branch3x3_1(x)))
        b4 = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return torch.cat([b1, b2, b3, b4], dim=1)  # dim 1 = channels


# --8<-- [end:inception]


def _check_make_inception(in_channels, k, **_) -> None:
    check_int("in_channels", in_channels, minimum=1)
    check_int("k", k, minimum=1)
    if k % 2 == 0:
        raise ValueError(f"k must be odd so that padding k // 2 keeps H×W, got {k}")


@checked(_check_make_inception)
def make_inception(in_channels: int = 10, k: int = 3, seed: int = 0) -> Inception:
    """Build an :class:`Inception` module with kernel ``k`` (odd) in branch 2, seeded."""
    with seeded(seed):
        return Inception(in_channels, k)


# --8<-- [start:residual]
class Block(nn.Module):
    """Two 3×3 convolutions; with ``skip`` the input is added back: ``y = ReLU(F(x) + x)``."""

    def __init__(self, channels: int, skip: bool = True) -> None:
        super().__init__()
        self.skip = skip
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map (N, C, H, W) to the same shape, so that ``F(x) + x`` is defined."""
        y = self.conv2(F.relu(self.conv1(x)))  # F(x)
        return F.relu(y + x) if self.skip else F.relu(y)  # add first, then activate


# --8<-- [end:residual]


# --8<-- [start:deep_net]
class DeepNet(nn.Module):
    """A stem conv, ``blocks`` blocks (2 convs each), max pooling and a linear classifier."""

    def __init__(self, channels: int = 8, blocks: int = 5, skip: bool = True) -> None:
        super().__init__()
        self.stem = nn.Conv2d(1, channels, kernel_size=3, padding=1)  # 1×8×8 → C×8×8
        self.blocks = nn.Sequential(*[Block(channels, skip) for _ in range(blocks)])
        self.fc = nn.Linear(channels * 4 * 4, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, 10) for images (N, 1, 8, 8)."""
        x = self.blocks(F.relu(self.stem(x)))  # (N, C, 8, 8)
        x = F.max_pool2d(x, 2)  # (N, C, 4, 4)
        return self.fc(x.flatten(1))


# --8<-- [end:deep_net]


def make_deep(seed: int = 0, channels: int = 8, blocks: int = 5, skip: bool = True) -> DeepNet:
    """Build a :class:`DeepNet` whose initial weights depend only on ``seed`` (not on ``skip``)."""
    with seeded(seed):
        return DeepNet(channels, blocks, skip)


def make_plain(seed: int = 0) -> DeepNet:
    """The plain 11-convolution :class:`DeepNet` (``skip=False``) of the lesson, seeded."""
    return make_deep(seed, skip=False)


def make_residual(seed: int = 0) -> DeepNet:
    """The residual 11-convolution :class:`DeepNet` (``skip=True``) of the lesson, seeded."""
    return make_deep(seed, skip=True)


def _check_make_pair(channels, blocks, **_) -> None:
    check_int("channels", channels, minimum=1)
    check_int("blocks", blocks, minimum=1)


@checked(_check_make_pair)
def make_pair(channels: int = 8, blocks: int = 5, seed: int = 0) -> tuple[DeepNet, DeepNet]:
    """Build a plain and a residual :class:`DeepNet` with identical initial weights.

    Returns:
        ``(plain, residual)``; they differ only in the skip connections.

    """
    return make_deep(seed, channels, blocks, False), make_deep(seed, channels, blocks, True)


def _check_conv_grad_norms(model, **_) -> None:
    if not isinstance(model, DeepNet):
        raise TypeError(f"model must be a DeepNet, got {type(model).__name__}")


@checked(_check_conv_grad_norms)
def conv_grad_norms(model: DeepNet, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    """‖∂J/∂W_l‖ of every conv layer l (input side first) for one batch, without an update."""
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    norms = [conv.weight.grad.norm().item() for conv in convs]
    model.zero_grad()
    return norms


def grad_norm_table(x: torch.Tensor, y: torch.Tensor, seeds=range(5)) -> str:
    """Median and min–max over seeds of ‖∂J/∂W_l‖ at initialization, first and last conv layer."""
    norms = {"plain": ([], []), "residual": ([], [])}  # name → (layer 1, layer 11) per seed
    for seed in seeds:
        for name, model in zip(norms, make_pair(seed=seed), strict=True):
            grads = conv_grad_norms(model, x, y)
            norms[name][0].append(grads[0])  # l = 1, next to the input
            norms[name][1].append(grads[-1])  # l = 11, next to the classifier
    rows = []
    for name, (first, last) in norms.items():
        for layer, values in ((1, first), (11, last)):
            rows.append([name, layer, statistics.median(values), min(values), max(values)])
    columns = [("", "<10"), ("layer", ">6")] + [(h, ">10.1e") for h in ("median", "min", "max")]
    return table(rows, columns, sep="")


def _check_plot_grad_norms(plain, residual) -> None:
    if len(plain) != len(residual) or not plain:
        raise ValueError("plain and residual must be non-empty lists of the same length")


@checked(_check_plot_grad_norms)
def plot_grad_norms(plain: list[float], residual: list[float]):
    """‖∂J/∂W_l‖ against layer l for both nets, on a log scale."""
    fig, ax = subplots(figsize=(5.6, 3.0))
    layers = range(1, len(plain) + 1)
    ax.semilogy(layers, plain, marker="o", label="$y = F(x)$")
    ax.semilogy(layers, residual, marker="s", label="$y = F(x) + x$")
    ax.set(xlabel="$l$", ylabel="$\\|\\partial J / \\partial W_l\\|$", xticks=list(layers))
    ax.legend()
    fig.set_label("$\\|\\partial J / \\partial W_l\\|$ vs $l$")
    return fig
