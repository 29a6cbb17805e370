import math

import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from lessons import digits
from lessons.advanced_cnn import lesson as ac
from lessons.conv_cost import conv_mults
from lessons.plotting import has_content
from lessons.seeds import generator, seeded


def test_course_cost_numbers():
    assert conv_mults(28, 28, 192, 32, 5) == 120_422_400
    bottleneck = conv_mults(28, 28, 192, 16, 1) + conv_mults(28, 28, 16, 32, 5)
    assert bottleneck == 12_443_648


def test_conv_mults_matches_flop_counter():
    conv = nn.Conv2d(6, 4, kernel_size=3, padding=1)
    with FlopCounterMode(display=False) as counter:
        conv(torch.zeros(1, 6, 7, 5))
    assert counter.get_total_flops() == 2 * conv_mults(7, 5, 6, 4, 3)  # 2 FLOPs per multiply-add


@pytest.mark.parametrize(("k", "size"), [(3, 4), (5, 4), (3, 8), (5, 12), (1, 2)])
def test_inception_keeps_size_and_has_88_channels(k, size):
    module = ac.make_inception(in_channels=10, k=k, seed=0)
    assert module(torch.zeros(2, 10, size, size)).shape == (2, 88, size, size)


def test_inception_concatenates_its_branches():
    module = ac.make_inception(in_channels=3, seed=0)
    x = torch.randn(1, 3, 4, 4, generator=generator(0))
    out = module(x)
    assert torch.equal(out[:, :16], module.branch1x1(x))
    pooled = F.avg_pool2d(x, 3, stride=1, padding=1)
    assert torch.equal(out[:, 64:], module.branch_pool(pooled))


def test_residual_block_is_identity_when_f_is_zero():
    with seeded(0):
        residual, plain = ac.Block(4, skip=True), ac.Block(4, skip=False)
    for block in (residual, plain):
        nn.init.zeros_(block.conv2.weight)
        nn.init.zeros_(block.conv2.bias)
    x = torch.randn(2, 4, 5, 5, generator=generator(1), dtype=torch.float32, requires_grad=True)
    assert torch.equal(residual(x), F.relu(x))
    assert torch.equal(plain(x), torch.zeros_like(x))
    residual(x).sum().backward()  # ∂y/∂x = I + ∂F/∂x = I here, masked by the ReLU
    assert torch.equal(x.grad, (x > 0).float())


def test_residual_block_matches_formula():
    with seeded(0):
        block = ac.Block(3).double()
    x = torch.randn(2, 3, 4, 4, generator=generator(2), dtype=torch.float64)
    f = F.conv2d(
        F.relu(F.conv2d(x, block.conv1.weight, block.conv1.bias, padding=1)),
        block.conv2.weight,
        block.conv2.bias,
        padding=1,
    )
    assert torch.allclose(block(x), F.relu(f + x), rtol=0, atol=1e-12)


def test_pair_has_identical_weights_and_depth():
    plain, residual = ac.make_pair(channels=8, blocks=5, seed=0)
    assert all(
        torch.equal(p, q) for p, q in zip(plain.parameters(), residual.parameters(), strict=True)
    )
    assert sum(isinstance(m, nn.Conv2d) for m in plain.modules()) == 11
    assert plain(torch.zeros(3, 1, 8, 8)).shape == (3, 10)
    assert not plain.blocks[0].skip and residual.blocks[0].skip


def test_gradients_vanish_without_skips():
    data = digits.load()
    plain, residual = ac.make_pair(seed=0)
    xb, yb = data.x_train[:64], data.y_train[:64]
    g_plain, g_res = ac.conv_grad_norms(plain, xb, yb), ac.conv_grad_norms(residual, xb, yb)
    assert len(g_plain) == len(g_res) == 11
    assert g_plain[0] < 1e-4 < 1e-2 < g_res[0]
    assert g_plain[0] < g_plain[-1] / 100
    assert all(p.grad is None or not p.grad.any() for p in plain.parameters())  # no leftovers
    fig = ac.plot_grad_norms(g_plain, g_res)
    assert has_content(fig) and fig.get_label()
    plt.close(fig)


def test_residual_trains_and_plain_does_not():
    data = digits.load()
    plain, residual = ac.make_pair(seed=0)
    h_plain = digits.fit(plain, data, epochs=3, lr=0.05, seed=0, device="cpu")
    h_res = digits.fit(residual, data, epochs=3, lr=0.05, seed=0, device="cpu")
    assert h_res["val"][-1] >= 0.945  # the seeded run reaches 0.9611 on validation
    assert digits.accuracy(residual, data.x_test, data.y_test) >= 0.955  # and 0.9722 on test
    assert h_plain["val"][-1] <= 0.2  # stuck at chance level (0.1000)
    assert abs(h_plain["loss"][-1] - math.log(10)) < 0.01  # J ≈ ln 10, a uniform guess


def test_make_plain_and_residual_share_initial_weights():
    plain, residual = ac.make_plain(seed=3), ac.make_residual(seed=3)
    assert not plain.blocks[0].skip and residual.blocks[0].skip
    pairs = zip(plain.parameters(), residual.parameters(), strict=True)
    assert all(torch.equal(p, q) for p, q in pairs)


def test_gradient_claims_hold_for_five_seeds():
    """The page's claims about gradients at initialization hold for seeds 0..4, not just seed 0."""
    data = digits.load()
    xb, yb = data.x_train[:64], data.y_train[:64]
    for seed in range(5):
        plain, residual = ac.make_pair(seed=seed)
        g_plain, g_res = ac.conv_grad_norms(plain, xb, yb), ac.conv_grad_norms(residual, xb, yb)
        assert g_plain[0] < 2e-5 and g_plain[-1] > 3e-3  # printed: max 1.9e-05, min 3.4e-03
        assert g_plain[0] < g_plain[-1] / 100  # more than a hundred times smaller
        assert 0.2 < g_res[0] < 0.3 and g_res[0] >= g_res[-1]  # no smaller than the last layer
    table = ac.grad_norm_table(xb, yb, seeds=range(2))
    assert table.count("\n") == 4 and "residual" in table


@pytest.mark.parametrize(
    ("args", "error", "name"),
    [
        ((0, 28, 192, 32, 5), ValueError, "h must"),
        ((28, 28.0, 192, 32, 5), TypeError, "w must"),
        ((28, 28, 0, 32, 5), ValueError, "c_in must"),
        ((28, 28, 192, -1, 5), ValueError, "c_out must"),
        ((28, 28, 192, 32, "5"), TypeError, "k must"),
    ],
)
def test_conv_mults_rejects_bad_arguments(args, error, name):
    with pytest.raises(error, match=name):
        conv_mults(*args)


def test_argument_checks():
    with pytest.raises(ValueError, match="k must be odd"):
        ac.make_inception(10, k=4)
    with pytest.raises(ValueError, match="in_channels must"):
        ac.make_inception(0)
    with pytest.raises(TypeError, match="k must"):
        ac.make_inception(10, k=3.0)
    with pytest.raises(ValueError, match="channels must"):
        ac.make_pair(channels=0)
    with pytest.raises(TypeError, match="blocks must"):
        ac.make_pair(blocks="5")
    with pytest.raises(ValueError, match="seed must"):
        ac.make_pair(seed=-2)
    with pytest.raises(TypeError, match="model must"):
        ac.conv_grad_norms(nn.Linear(2, 2), torch.zeros(1, 2), torch.zeros(1, dtype=torch.long))
    with pytest.raises(ValueError, match="plain and residual"):
        ac.plot_grad_norms([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="plain and residual"):
        ac.plot_grad_norms([], [])
