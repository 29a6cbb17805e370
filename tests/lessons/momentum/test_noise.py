import math

import pytest
import torch

from lessons.momentum import noise as mn

SEEDS = (0, 1, 2, 3, 4)  # the page's


@pytest.fixture(scope="module")
def runs():
    return mn.compare_under_noise(lrs=(0.005, 0.05, 0.2), mu=0.9, seeds=SEEDS)


def ratios(by_seed):
    return [mn.stationary(b) / mn.stationary(a) for a, b in by_seed.values()]


def test_small_lr_momentum_behaves_like_sgd_with_lr_over_one_minus_mu(runs):
    """η = 0.005: settled losses agree within 15% for every seed (page prints 0.959 to 1.08)."""
    assert all(0.85 < r < 1.15 for r in ratios(runs[0.005]))


def test_medium_lr_plain_sgd_settles_higher(runs):
    """η = 0.05: plain SGD at 0.5 settles higher than momentum, every seed (page: 1.05 to 1.54)."""
    assert all(r > 1.0 for r in ratios(runs[0.05]))


def test_large_lr_plain_sgd_diverges_and_momentum_does_not(runs):
    """η = 0.2: plain SGD at 2.0 diverges for every seed; momentum settles below 10."""
    for mom, sgd in runs[0.2].values():
        assert sgd[-1] == math.inf and mn.stationary(sgd) == math.inf
        assert mn.stationary(mom) < 10 and math.inf not in mom
    assert "inf [inf, inf]" in mn.noise_table(runs).splitlines()[-1]


def test_largest_curvature_is_about_one():
    """The page's λ_max ≈ 1 (so 2/λ_max ≈ 2): within [0.9, 1.1] for every page seed."""
    for seed in SEEDS:
        x, _ = mn.noisy_least_squares(seed=seed)
        lam = torch.linalg.eigvalsh(x.T @ x / len(x))
        assert 0.9 < lam[-1].item() < 1.1 and lam[0].item() > 0.2


def test_minibatch_gradient_matches_autograd():
    """The hand-written minibatch gradient xᵀ(xw − y)/B equals autograd's, float64, tol 1e-12."""
    x, y = mn.noisy_least_squares(n=50, d=4, seed=3)
    w = torch.randn(4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    w.requires_grad_()
    (0.5 * ((x @ w - y) ** 2).mean()).backward()
    torch.testing.assert_close(x.T @ (x @ w.detach() - y) / len(x), w.grad, rtol=0, atol=1e-12)


def test_minibatch_sgd_is_reproducible_and_uses_the_same_batches():
    x, y = mn.noisy_least_squares(n=100, d=3, seed=1)
    a = mn.minibatch_sgd(x, y, 0.01, 0.9, steps=40, seed=5)
    assert len(a) == 10 and a == mn.minibatch_sgd(x, y, 0.01, 0.9, steps=40, seed=5)
    assert a != mn.minibatch_sgd(x, y, 0.01, 0.9, steps=40, seed=6)
    assert min(a) >= 0.0  # an excess loss


def test_minibatch_sgd_repeats_bit_for_bit_wherever_its_tensors_lie():
    """Its L* once came from ``torch.linalg.lstsq``, whose QR gave 57 different last bits in
    500 calls on this data, depending on where memory was allocated; XᵀX w = Xᵀy gives one."""
    x, y = mn.noisy_least_squares(n=1000, d=10, seed=1)
    first, kept = mn.minibatch_sgd(x, y, 0.01, 0.9, steps=200, seed=5, every=200), []
    for i in range(50):
        kept.append(torch.empty(i % 23 + 1, dtype=torch.float64))  # move later allocations
        assert mn.minibatch_sgd(x.clone(), y.clone(), 0.01, 0.9, 200, seed=5, every=200) == first, i


def test_plot_and_table(runs):
    fig = mn.plot_noise(runs, seed=0)
    assert len(fig.axes) == 3 and fig.get_label().startswith("$L(w_t)-L^*$")
    assert len(mn.noise_table(runs).splitlines()) == 4
    assert mn.stationary([1.0, 3.0, 5.0, 7.0]) == 6.0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: mn.compare_under_noise(lrs=()), ValueError, "lrs"),
        (lambda: mn.compare_under_noise(lrs=(-0.1,)), ValueError, "lrs"),
        (lambda: mn.compare_under_noise(mu=1.0), ValueError, "mu"),
        (lambda: mn.compare_under_noise(steps=0), ValueError, "steps"),
        (lambda: mn.compare_under_noise(steps=3), ValueError, "steps"),  # no loss recorded
        (lambda: mn.compare_under_noise(steps=600.0), TypeError, "steps"),
        (lambda: mn.compare_under_noise(batch=0), ValueError, "batch"),
        (lambda: mn.compare_under_noise(batch=8.0), TypeError, "batch"),
        (lambda: mn.noise_table({}), ValueError, "runs"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
