import math

import pytest
import torch

from lessons.momentum import noise as mn

SEEDS = (0, 1, 2, 3, 4)  # the page's


@pytest.fixture(scope="module")
def runs():
    return mn.compare_under_noise(lrs=mn.LRS, mu=0.9, seeds=SEEDS)  # the page's grid


def ratios(by_seed):
    return [mn.stationary(b) / mn.stationary(a) for a, b in by_seed.values()]


def test_small_lr_momentum_behaves_like_sgd_with_lr_over_one_minus_mu(runs):
    """η ≤ 0.02: settled losses agree within 20% for every seed (page: 0.959 to 1.16)."""
    for lr in (0.001, 0.002, 0.005, 0.01, 0.02):
        assert all(0.9 < r < 1.2 for r in ratios(runs[lr])), lr


def test_medium_lr_plain_sgd_settles_higher(runs):
    """η = 0.05 and 0.1: plain SGD at 10η settles higher than momentum, every seed."""
    for lr in (0.05, 0.1):
        assert all(r > 1.0 for r in ratios(runs[lr])), lr


def test_momentum_at_large_lr_is_bounded_but_does_not_converge(runs):
    """η = 0.2: for two of five seeds the settled level is above the excess loss at w = 0."""
    above = [
        mn.stationary(mom) > mn.start_excess(*mn.noisy_least_squares(seed=s))
        for s, (mom, _) in runs[0.2].items()
    ]
    assert sum(above) == 2
    assert mn.start_table(runs, lr=0.2).count(" yes") == 2


def test_each_method_at_its_best_lr(runs):
    """Tuned: best settled losses within 10% (medians), plain SGD fewer median steps to 0.05."""
    rows = mn.tuned_table(runs, mu=0.9, target=0.05).splitlines()[2:]
    mom, sgd = (r.split() for r in rows)
    assert (mom[1], sgd[1]) == ("0.002", "0.02")  # η and η/(1−μ): the same effective step
    assert abs(float(mom[2]) / float(sgd[2]) - 1) < 0.1
    assert float(sgd[-3]) < float(mom[-3])  # median steps to the target


def test_steps_to_target():
    assert mn.steps_to([3.0, 0.2, 0.04, 0.01], target=0.05) == 12
    assert mn.steps_to([3.0, 0.2], target=0.05) == math.inf


def test_step_noise_matches_closed_form_and_the_page_claims():
    """Per step: variance η²σ²/(1−μ²) ≈ 5.26 against 100; over n ≫ 1/(1−μ) the ratio → 1.
    Simulated within 6% of the formula (4000 runs: standard error about 2.2%)."""
    sim = mn.step_noise(mu=0.9, spans=(1, 10, 100, 1000), trials=4000, seed=0)
    for n, (mom, sgd) in sim.items():
        mom_th, sgd_th = mn.step_noise_theory(0.9, n)
        assert mom == pytest.approx(mom_th, rel=0.06) and sgd == pytest.approx(sgd_th, rel=0.06)
    assert mn.step_noise_theory(0.9, 1) == pytest.approx((1 / 0.19, 100.0), rel=1e-12)
    ratios = [a / b for a, b in (mn.step_noise_theory(0.9, n) for n in (1, 10, 100, 1000))]
    assert ratios == sorted(ratios) and ratios[0] < 0.06 and ratios[-1] > 0.99


def test_step_noise_theory_by_brute_force():
    """The closed form equals the double sum Σ_{s,t} μ^|s−t|/(1−μ²), float64, rel 1e-12."""
    mu = 0.7
    for n in (1, 2, 5, 17):
        brute = sum(mu ** abs(s - t) for s in range(n) for t in range(n)) / (1 - mu**2)
        assert mn.step_noise_theory(mu, n)[0] == pytest.approx(brute, rel=1e-12)


def test_step_noise_uses_momentum_step():
    """One trial by hand with torch.optim.SGD in float64 (tolerance 1e-12)."""
    xi = torch.randn(30, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    q = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([q], lr=1.0, momentum=0.9)
    p, v = torch.zeros(1, dtype=torch.float64), None
    for g in xi:
        p, v = mn.momentum_step(p, v, g.reshape(1), 1.0, 0.9)
        q.grad = g.reshape(1).clone()
        opt.step()
    assert abs(p - q.detach()).item() < 1e-12


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
    assert len(mn.noise_table(runs).splitlines()) == 1 + len(mn.LRS)
    assert "0.053" in mn.step_noise_table(spans=(1,), trials=100)
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
        (lambda: mn.tuned_table({}), ValueError, "runs"),
        (lambda: mn.tuned_table({0.1: {}}, mu=1.0), ValueError, "mu"),
        (lambda: mn.tuned_table({0.1: {}}, target=0.0), ValueError, "target"),
        (lambda: mn.start_table({0.1: {}}, lr=0.2), ValueError, "lr"),
        (lambda: mn.step_noise_table(mu=1.0), ValueError, "mu"),
        (lambda: mn.step_noise_table(spans=()), ValueError, "spans"),
        (lambda: mn.step_noise_table(spans=(0,)), ValueError, "spans"),
        (lambda: mn.step_noise_table(trials=1), ValueError, "trials"),
        (lambda: mn.step_noise_table(seed=-1), ValueError, "seed"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
