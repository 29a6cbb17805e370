"""lessons.advanced_cnn.exercises: Inception branch costs, the small GoogLeNet, the variants."""

import pytest
import torch

from lessons.advanced_cnn import exercises as ex
from lessons.advanced_cnn.lesson import make_deep, make_plain, make_residual


def test_branch_counts_match_flop_counter():
    for size, c, k in ((12, 10, 5), (4, 20, 3)):
        assert ex.branch_mults(size, c, k) == ex.counted_branch_mults(size, c, k)
    assert ex.branch_mults(12, 10, 5)["2"] == 1405440


def test_small_googlenet_shapes_and_seeding():
    net = ex.make_googlenet(1)
    assert net.fc.in_features == 352 and net(torch.zeros(3, 1, 8, 8)).shape == (3, 10)
    again = ex.make_googlenet(1)
    assert all(torch.equal(p, q) for p, q in zip(net.parameters(), again.parameters(), strict=True))


def test_kaiming_init_has_he_variance_and_zero_bias():
    model = ex.make_kaiming_plain(0)
    conv = model.blocks[2].conv1  # fan_in = 8·3·3 = 72
    assert torch.count_nonzero(conv.bias) == 0
    assert conv.weight.var().item() == pytest.approx(2 / 72, rel=0.15)  # 576 draws
    assert not torch.equal(conv.weight, make_plain(0).blocks[2].conv1.weight)


def test_relu_then_add_blocks_never_decrease_and_share_weights():
    model = ex.make_relu_then_add(0)
    assert torch.equal(model.blocks[0].conv1.weight, make_residual(0).blocks[0].conv1.weight)
    x = torch.randn(4, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    growth = ex.block_growth(model, x)
    assert len(growth) == 6 and growth == sorted(growth)
    h = torch.rand(2, 8, 8, 8)
    assert torch.all(model.blocks[0](h) >= h)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ex.branch_mults(size=0), "size"),
        (lambda: ex.counted_branch_mults(in_channels=0), "in_channels"),
        (lambda: ex.branch_mults(k=0), "k"),
        (lambda: ex.make_kaiming_plain(blocks=0), "blocks"),
        (lambda: ex.block_growth(torch.nn.Linear(2, 2), torch.zeros(1)), "model"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def test_make_deep_is_unchanged():
    assert sum(isinstance(m, torch.nn.Conv2d) for m in make_deep(0, blocks=1).modules()) == 3
