"""Exercises of the advanced CNN lesson: Inception costs, a small GoogLeNet, depth and init."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from lessons.advanced_cnn.lesson import Block, DeepNet, make_deep, make_inception
from lessons.checks import check_int, checked
from lessons.conv_cost import conv_mults
from lessons.seeds import seeded


def _check_branch_mults(size, in_channels, **_) -> None:
    check_int("size", size, minimum=1)
    check_int("in_channels", in_channels, minimum=1)


@checked(_check_branch_mults)
# --8<-- [start:branch_mults]
def branch_mults(size: int = 12, in_channels: int = 10, k: int = 5) -> dict[str, int]:
    """Multiplications of each branch of :class:`Inception` on a ``size``×``size`` input.

    Args:
        size: Height and width of the input.
        in_channels: Its channels.
        k: Kernel of branch 2.

    Returns:
        ``{"1": ..., "2": ..., "3": ..., "4": ...}`` from ``conv_mults``; the 3×3 average pooling
        of branch 4 is counted as no multiplications (it sums and divides).
    """
    s, c = size, in_channels
    return {
        "1": conv_mults(s, s, c, 16, 1),
        "2": conv_mults(s, s, c, 16, 1) + conv_mults(s, s, 16, 24, k),
        "3": conv_mults(s, s, c, 16, 1) + conv_mults(s, s, 16, 24, 3) + conv_mults(s, s, 24, 24, 3),
        "4": conv_mults(s, s, c, 24, 1),
    }


# --8<-- [end:branch_mults]


def _check_counted_branch_mults(size, in_channels, **_) -> None:
    _check_branch_mults(size, in_channels)


@checked(_check_counted_branch_mults)
# --8<-- [start:counted_branch_mults]
def counted_branch_mults(size: int = 12, in_channels: int = 10, k: int = 5) -> dict[str, int]:
    """The same counts measured by ``FlopCounterMode`` on a real module (FLOPs / 2).

    Returns:
        ``{"1": ..., "2": ..., "3": ..., "4": ...}``.
    """
    m = make_inception(in_channels, k, seed=0)
    x = torch.zeros(1, in_channels, size, size)
    branches = {
        "1": lambda: m.branch1x1(x),
        "2": lambda: m.branch_k_2(m.branch_k_1(x)),
        "3": lambda: m.branch3x3_3(m.branch3x3_2(m.branch3x3_1(x))),
        "4": lambda: m.branch_pool(F.avg_pool2d(x, 3, stride=1, padding=1)),
    }
    counts = {}
    for name, run in branches.items():
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            run()
        counts[name] = counter.get_total_flops() // 2  # two FLOPs per multiply-add
    return counts


# --8<-- [end:counted_branch_mults]


# --8<-- [start:small_googlenet]
class SmallGoogLeNet(nn.Module):
    """conv 3×3 (1→10), pool, Inception, conv 3×3 (88→20), pool, Inception, Linear(88·2·2, 10)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=3, padding=1)
        self.incep1 = make_inception(10, k=3, seed=torch.randint(2**31, ()).item())
        self.conv2 = nn.Conv2d(88, 20, kernel_size=3, padding=1)
        self.incep2 = make_inception(20, k=3, seed=torch.randint(2**31, ()).item())
        self.fc = nn.Linear(88 * 2 * 2, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, 10) for images (N, 1, 8, 8)."""
        x = self.incep1(F.relu(F.max_pool2d(self.conv1(x), 2)))  # (N, 88, 4, 4)
        x = self.incep2(F.relu(F.max_pool2d(self.conv2(x), 2)))  # (N, 88, 2, 2)
        return self.fc(x.flatten(1))


def make_googlenet(seed: int = 0) -> SmallGoogLeNet:
    """Build a :class:`SmallGoogLeNet` whose initial weights depend only on ``seed``."""
    with seeded(seed):
        return SmallGoogLeNet()


# --8<-- [end:small_googlenet]


def _check_make_kaiming_plain(blocks, **_) -> None:
    check_int("blocks", blocks, minimum=1)


@checked(_check_make_kaiming_plain)
# --8<-- [start:make_kaiming_plain]
def make_kaiming_plain(seed: int = 0, blocks: int = 5) -> DeepNet:
    """The lesson's plain network with He (Kaiming) normal weights and zero biases in every conv.

    Args:
        seed: Seed of the initial weights.
        blocks: Number of blocks.

    Returns:
        The model.
    """
    model = make_deep(seed, blocks=blocks, skip=False)
    with seeded(seed):
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)  # N(0, 2 / fan_in)
                nn.init.zeros_(m.bias)
    return model


# --8<-- [end:make_kaiming_plain]


# --8<-- [start:relu_then_add]
class ReluThenAdd(nn.Module):
    """A residual :class:`Block` that activates first and adds after: ``y = ReLU(F(x)) + x``."""

    def __init__(self, block: Block) -> None:
        super().__init__()
        self.conv1, self.conv2 = block.conv1, block.conv2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Same shape as ``x``, and ≥ ``x`` in every entry."""
        y = self.conv2(F.relu(self.conv1(x)))  # F(x)
        return F.relu(y) + x  # y = ReLU(F(x)) + x


def make_relu_then_add(seed: int = 0) -> DeepNet:
    """The lesson's residual network, same initial weights, with :class:`ReluThenAdd` blocks."""
    model = make_deep(seed, skip=True)
    model.blocks = nn.Sequential(*[ReluThenAdd(b) for b in model.blocks])
    return model


# --8<-- [end:relu_then_add]


def _check_block_growth(model, **_) -> None:
    if not isinstance(model, DeepNet):
        raise TypeError(f"model must be a DeepNet, got {type(model).__name__}")


@checked(_check_block_growth)
# --8<-- [start:block_growth]
def block_growth(model: DeepNet, x: torch.Tensor) -> list[float]:
    """Mean activation after the stem and after each block, for inputs ``x``."""
    with torch.no_grad():
        h = F.relu(model.stem(x))  # h_0
        means = [h.mean().item()]
        for block in model.blocks:
            h = block(h)  # h_b = ReLU(F(h_{b-1})) + h_{b-1} ≥ h_{b-1}
            means.append(h.mean().item())
    return means


# --8<-- [end:block_growth]
