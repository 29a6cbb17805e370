import random

import pytest
import torch
from torch import nn

from lessons.dynamic_net import DynamicNet, train_dynamic
from lessons.numpy_to_nn_module import lesson as nm


def test_my_relu_backward_passes_gradcheck():
    """Hand-written backward against finite differences, in float64 (away from the kink)."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, 5, generator=g, dtype=torch.float64)
    x = (x + 0.1 * x.sign()).requires_grad_()  # keep |x| ≥ 0.1 so the kink at 0 is not crossed
    ok = torch.autograd.gradcheck(
        nm.MyReLU.apply, (x,), eps=1e-6, atol=1e-10, raise_exception=False
    )
    assert ok is True


class _WrongReLU(torch.autograd.Function):
    """ReLU whose backward forgets the mask: gradcheck must reject it."""

    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.clone()


def test_gradcheck_can_fail():
    """The check above can fail: a backward without the mask is caught (returns False)."""
    x = torch.tensor([-1.0, -0.5, 0.7, 2.0], dtype=torch.float64, requires_grad=True)
    ok = torch.autograd.gradcheck(
        _WrongReLU.apply, (x,), eps=1e-6, atol=1e-10, raise_exception=False
    )
    assert ok is False


def test_my_relu_matches_clamp_forward_and_backward():
    x = torch.randn(8, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
    upstream = torch.randn(8, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    nm.MyReLU.apply(a).backward(upstream)
    b.clamp(min=0).backward(upstream)
    torch.testing.assert_close(a.grad, b.grad, rtol=0, atol=1e-12)


def test_manual_update_matches_torch_optim_sgd():
    """Level 2 (hand-written θ ← θ − lr·∂L/∂θ) equals level 4 (optim.SGD) up to float32 rounding."""
    manual, optim = nm.train_sequential(steps=40), nm.train_module(steps=40)
    torch.testing.assert_close(torch.tensor(manual), torch.tensor(optim), rtol=1e-5, atol=1e-6)


def test_manual_no_grad_step_matches_sgd_in_float64():
    """The no_grad update used by train_raw, checked against optim.SGD in float64."""
    g = torch.Generator().manual_seed(4)
    x, y = torch.randn(16, 7, generator=g).double(), torch.randn(16, 3, generator=g).double()
    w = torch.randn(7, 3, generator=g, dtype=torch.float64).requires_grad_()
    w_ref = w.detach().clone().requires_grad_()
    opt = torch.optim.SGD([w_ref], lr=1e-3)
    for _ in range(10):
        (x.mm(w).clamp(min=0) - y).pow(2).sum().backward()
        with torch.no_grad():
            w -= 1e-3 * w.grad
            w.grad.zero_()
        opt.zero_grad()
        (x.mm(w_ref).clamp(min=0) - y).pow(2).sum().backward()
        opt.step()
    torch.testing.assert_close(w.detach(), w_ref.detach(), rtol=0, atol=1e-12)


def test_raw_level_learns_and_my_relu_gives_identical_losses():
    plain = nm.train_raw(steps=150)
    mine = nm.train_raw(steps=150, relu=nm.MyReLU.apply)
    assert plain == mine
    assert plain[-1] < 1e-5 * plain[0]  # seeded run: 2.9e7 → 54 after 150 steps


def test_levels_are_reproducible_and_learn():
    adam = nm.train_adam(steps=120)
    assert adam == nm.train_adam(steps=120)
    assert adam[-1] < 0.1 * adam[0]
    two = nm.train_module(steps=120)
    assert two[-1] < 0.01 * two[0]


def test_max_gap():
    assert nm.max_gap([1.0, 2.0], [1.5, 1.0]) == 1.0


def test_two_layer_net_shapes_and_parameters():
    net = nm.TwoLayerNet(5, 4, 2)
    assert net(torch.zeros(3, 5)).shape == (3, 2)
    assert [p.shape for p in net.parameters()] == [(4, 5), (4,), (2, 4), (2,)]


def test_depth_losses_and_plots():
    model, losses, depths = train_dynamic(steps=60)
    final = nm.depth_losses(model)
    assert len(final) == 4 and all(v > 0 for v in final)
    fig = nm.plot_depths(losses, depths, final)
    assert len(fig.axes) == 2
    fig = nm.plot_levels({"a": losses, "b": losses})
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["$(1)$", "$(2)$"]


def test_depth_losses_use_fixed_depth():
    x, y = nm.make_data()
    net = DynamicNet(1000, 100, 10, rng=random.Random(0)).to(x.device)  # CUDA when present
    with torch.no_grad():
        expected = nn.functional.mse_loss(net(x, 3), y, reduction="sum").item()
    assert nm.depth_losses(net)[3] == pytest.approx(expected, rel=5e-4)  # 4 significant digits


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: nm.train_raw(steps=0), ValueError, "steps"),
        (lambda: nm.train_raw(steps=1.5), TypeError, "steps"),
        (lambda: nm.train_raw(lr=-1e-6), ValueError, "lr"),
        (lambda: nm.train_raw(relu="relu"), TypeError, "relu"),
        (lambda: nm.train_raw(seed=-1), ValueError, "seed"),
        (lambda: nm.train_raw(device="cuda:x"), ValueError, "device"),
        (lambda: nm.train_sequential(lr=0), ValueError, "lr"),
        (lambda: nm.train_adam(steps=0), ValueError, "steps"),
        (lambda: nm.train_module(lr="1e-4"), TypeError, "lr"),
        (lambda: nm.plot_depths([1.0], [], [1.0]), ValueError, "depths"),
        (lambda: nm.max_gap([1.0], [1.0, 2.0]), ValueError, "b"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("seed", [1, 2])
def test_sequential_and_two_layer_net_coincide_for_other_seeds(seed):
    """Levels (2) and (4) lie on top of each other for seeds other than 0 (float32, abs 1e-3)."""
    seq = nm.train_sequential(steps=30, lr=1e-4, seed=seed)
    two = nm.train_module(steps=30, lr=1e-4, seed=seed)
    assert nm.max_gap(seq, two) < 1e-3


def test_raw_initial_loss_near_its_expectation():
    """Initial loss ≈ N·D_out·H·D_in/2 = 3.2e7 for any seed (N(0,1) weights); within 25%."""
    for seed in range(3):
        first = nm.train_raw(steps=1, lr=1e-6, seed=seed)[0]
        assert first == pytest.approx(64 * 10 * 100 * 1000 / 2, rel=0.25)
