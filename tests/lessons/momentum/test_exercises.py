"""lessons.momentum.exercises: closed forms, bounds, the dampened step against PyTorch."""

import math

import numpy as np
import pytest
import torch

from lessons.momentum import exercises as ex
from lessons.momentum.lesson import steps_table

ZERO = torch.zeros(1)


def test_optimal_pair_and_closed_form_match_the_table():
    lr, mu, rate = ex.optimal_heavy_ball(1.0, 25.0)
    assert (lr, mu, rate) == pytest.approx((1 / 9, 4 / 9, 2 / 3), abs=1e-15)
    table = steps_table(lr=1 / 9, settings=((4 / 9, False),))
    assert table.split()[-1] == str(ex.double_root_steps()) == "30"
    assert ex.rate_only_steps() == pytest.approx(math.log(20.5e6) / (2 * math.log(1.5)), rel=1e-12)


def test_nesterov_modulus_is_the_largest_root():
    h, mu = 0.3, 0.9
    roots = np.roots([1, -(1 + mu) * (1 - h), mu * (1 - h)])
    assert ex.nesterov_modulus(h, mu, 1.0) == pytest.approx(np.abs(roots).max(), rel=1e-12)


def test_recursions_and_bounds():
    for nesterov in (False, True):
        assert ex.recursion_residual(0.05, 0.9, 25.0, nesterov) < 1e-12
    assert ex.bound_mismatches(mus=(0.5, 0.9), points=50) == 0


def test_dampened_step_matches_torch_sgd_in_float64():
    """Tolerance 1e-12: float64 rounding over 30 steps."""
    for d in (0.0, 0.3, 0.9):
        assert ex.dampening_gap(dampening=d, steps=30) < 1e-12


def test_effective_step_sizes():
    assert ex.constant_gradient_step(0.01, 0.9, 0.0) == pytest.approx(0.1, abs=1e-9)
    assert ex.constant_gradient_step(0.01, 0.9, 0.9) == pytest.approx(0.01, abs=1e-9)


def test_lr_change_runs_agree_until_the_change():
    f_v, f_delta = ex.lr_change_runs(steps=60, change_at=20).values()
    assert max(abs(a - b) for a, b in zip(f_v[:21], f_delta[:21], strict=True)) < 1e-12
    assert abs(f_v[21] - f_delta[21]) > 1e-6
    assert ex.plot_lr_change({"$v_t$": f_v}).get_label() == "$f(x_t)$ vs $t$"


def test_sharpness_is_the_largest_hessian_eigenvalue():
    """Power iteration against the full Hessian (double backward) + eigvalsh, float64, rel 1e-6."""
    import random

    from lessons.dynamic_net import DynamicNet

    g = torch.Generator().manual_seed(0)
    net = DynamicNet(3, 4, 2, rng=random.Random(0)).double()
    x = torch.randn(6, 3, generator=g, dtype=torch.float64)
    y = torch.randn(6, 2, generator=g, dtype=torch.float64)
    params = list(net.parameters())
    grad = torch.autograd.grad(((net(x, depth=2) - y) ** 2).sum(), params, create_graph=True)
    flat = torch.cat([a.flatten() for a in grad])
    rows = [torch.autograd.grad(gi, params, retain_graph=True) for gi in flat]
    hessian = torch.stack([torch.cat([a.flatten() for a in row]) for row in rows])
    lam = torch.linalg.eigvalsh(hessian)
    top = lam[lam.abs().argmax()].item()
    assert top > 0  # power iteration finds the largest |λ|; here it is the largest λ
    assert ex.sharpness(net, x, y, depth=2, iters=500) == pytest.approx(top, rel=1e-6)


def test_train_with_sharpness_repeats_train_dynamic():
    """Same losses as train_dynamic, bit for bit: measuring draws no depth and moves no weight."""
    from lessons.dynamic_net import train_dynamic

    losses, sharp = ex.train_with_sharpness(0.9, 1e-4, steps=6, seed=1, at=(0, 6))
    assert losses == train_dynamic(0.9, 1e-4, 6, 1)[1] and sorted(sharp) == [0, 6]
    assert 1000 < sharp[0] < 2000  # η·λ_max ≈ 1.5 at η = 1e-3, as the solution prints


def test_best_momentum_is_on_the_boundary():
    for h in (0.01, 0.25, 2.25):
        mu, rate = ex.best_momentum(h, points=1000)
        assert (
            abs(mu - (1 - math.sqrt(h)) ** 2) <= 1e-3 and abs(rate - abs(1 - math.sqrt(h))) <= 1e-3
        )


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ex.optimal_heavy_ball(a=0.0), "a"),
        (lambda: ex.optimal_heavy_ball(a=2.0, b=1.0), "b"),
        (lambda: ex.double_root_steps(tol=0.0), "tol"),
        (lambda: ex.double_root_steps(max_steps=1), "max_steps"),
        (lambda: ex.nesterov_modulus(0.1, 1.0, 1.0), "mu"),
        (lambda: ex.nesterov_modulus(0.0, 0.5, 1.0), "lr"),
        (lambda: ex.recursion_residual(0.1, 0.5, 1.0, False, steps=2), "steps"),
        (lambda: ex.bound_mismatches(points=1), "points"),
        (lambda: ex.train_with_sharpness(1.0, 1e-4), "mu"),
        (lambda: ex.train_with_sharpness(0.9, 0.0), "lr"),
        (lambda: ex.train_with_sharpness(0.9, 1e-4, steps=0), "steps"),
        (lambda: ex.train_with_sharpness(0.9, 1e-4, steps=10, at=(11,)), "at"),
        (lambda: ex.best_momentum(4.0), "h"),
        (lambda: ex.best_momentum(0.5, points=1), "points"),
        (lambda: ex.lr_change_runs(steps=10, change_at=10), "change_at"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
