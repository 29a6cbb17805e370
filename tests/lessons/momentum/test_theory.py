import math

import pytest
import torch

from lessons.momentum import lesson as m
from lessons.momentum import theory as th

F64 = torch.float64


@pytest.mark.parametrize(
    ("lr", "mu", "nesterov"), [(0.01, 0.9, False), (0.01, 0.9, True), (0.05, 0.5, False)]
)
@pytest.mark.parametrize("angle", [0.5, 2.0])
def test_rotated_iterates_are_the_rotated_axis_aligned_ones(lr, mu, nesterov, angle):
    """x_t = U·y_t in float64: tolerance 1e-12 (the page prints gaps of order 1e-16)."""
    assert th.rotation_gap(lr, mu, nesterov, steps=200, angle=angle) < 1e-12


def test_rotation_is_orthogonal_and_q_has_the_eigenvalues():
    u = th.rotation(0.7)
    torch.testing.assert_close(u @ u.T, torch.eye(2, dtype=F64), rtol=0, atol=1e-15)
    q = u @ torch.diag(torch.tensor([1.0, 25.0], dtype=F64)) @ u.T
    torch.testing.assert_close(torch.linalg.eigvalsh(q), torch.tensor([1.0, 25.0], dtype=F64))


def test_lessard_function_is_smooth_and_strongly_convex():
    """f and ∇f are continuous at the joints, ∇f = autograd's, curvature in [1, 25], min at 0."""
    x = torch.linspace(-3, 4, 701, dtype=F64, requires_grad=True)
    th.lessard_f(x).sum().backward()
    torch.testing.assert_close(th.lessard_grad(x.detach()), x.grad, rtol=0, atol=1e-12)
    for joint in (1.0, 2.0):
        below, above = torch.tensor([joint - 1e-9], dtype=F64), torch.tensor([joint], dtype=F64)
        assert abs(th.lessard_f(below) - th.lessard_f(above)).item() < 1e-6
        assert abs(th.lessard_grad(below) - th.lessard_grad(above)).item() < 1e-6
    slopes = torch.diff(th.lessard_grad(x.detach())) / torch.diff(x.detach())
    assert slopes.min().item() >= 1 - 1e-9 and slopes.max().item() <= 25 + 1e-9
    assert th.lessard_f(torch.tensor([0.0], dtype=F64)).item() == 0.0


def test_heavy_ball_cycles_and_gradient_descent_converges_on_lessard():
    """From x_0 = 3.3: a 3-cycle through -1.802, 2.116, 0.647; GD's |x_300| < 1e-9."""
    heavy = th.run_1d(th.lessard_grad, 3.3, 1 / 9, 4 / 9, 300)
    for t in range(250, 298):
        assert heavy[t + 3] == pytest.approx(heavy[t], abs=1e-9)  # period 3
    assert sorted(heavy[-3:]) == pytest.approx([-1.802449, 0.646531, 2.115918], abs=1e-6)
    assert min(abs(x) for x in heavy[-30:]) > 0.6  # never near the minimizer 0
    plain = th.run_1d(th.lessard_grad, 3.3, 2 / 26, 0.0, 300)
    assert abs(plain[-1]) < 1e-9
    assert "-1.802449" in th.lessard_table(x0=3.3, steps=300)


def test_run_1d_matches_torch_sgd():
    """The 1-D runner is momentum_step, i.e. torch.optim.SGD, in float64 (tolerance 1e-12)."""
    q = torch.tensor([3.3], dtype=F64, requires_grad=True)
    opt = torch.optim.SGD([q], lr=1 / 9, momentum=4 / 9)
    ours = th.run_1d(th.lessard_grad, 3.3, 1 / 9, 4 / 9, 40)
    for t in range(1, 41):
        opt.zero_grad()
        th.lessard_f(q).sum().backward()
        opt.step()
        assert abs(q.item() - ours[t]) < 1e-12


def test_rates_and_gd_prediction():
    """The page's numbers: 790.8 (exact rate, the table's 791) and 794.7 (linearized)."""
    exact, linear = th.gd_steps_prediction(lr=0.01)
    assert exact == pytest.approx(790.77, abs=0.01) and linear == pytest.approx(794.75, abs=0.01)
    assert math.ceil(exact) == int(m.steps_table(lr=0.01).splitlines()[2].split()[-1])
    assert th.root_modulus(0.01, 0.9, 1.0) == pytest.approx(math.sqrt(0.9), abs=1e-12)
    assert th.root_modulus(0.01, 0.9, 25.0) == pytest.approx(math.sqrt(0.9), abs=1e-12)
    assert th.root_modulus(0.01, 0.0, 1.0) == pytest.approx(0.99, abs=1e-12)
    rows = th.rate_table(lr=0.01).splitlines()
    assert rows[1].split()[-1] == "0.0101" and rows[2].split()[-1] == "0.0527"


@pytest.mark.parametrize(
    ("h", "mu", "expected", "tol"),
    [
        (0.01, 0.9, math.sqrt(0.9), 1e-12),  # complex roots: √μ
        (0.25, 0.9, math.sqrt(0.9), 1e-12),
        (0.5, 0.0, 0.5, 1e-12),  # μ = 0: gradient descent, |1 − ηλ|
        (2.5, 0.0, 1.5, 1e-12),
        (0.2, 0.1, (0.9 + math.sqrt(0.41)) / 2, 1e-12),  # real roots: (s + √(s² − 4μ))/2
        (3.0, 0.1, (1.9 + math.sqrt(3.21)) / 2, 1e-12),  # s < 0: the negative root
        (3.0, 0.5, 1.0, 1e-12),  # ηλ = 2(1 + μ): a root at z = −1
        (1 / 9, 4 / 9, 2 / 3, 1e-7),  # μ = (1 − √(ηλ))²: double root, √(rounding) ≈ 1e-8
    ],
)
def test_root_modulus_agrees_with_the_closed_forms(h, mu, expected, tol):
    """The function behind the phase diagram, float64, tolerance 1e-12 (1e-7 at a double root)."""
    assert th.root_modulus(h, mu, 1.0) == pytest.approx(expected, abs=tol)
    assert th.root_modulus(h / 4, mu, 4.0) == pytest.approx(expected, abs=tol)  # only ηλ counts


def test_phase_diagram_regions():
    """Above μ = (1 − √h)² the rate is √μ; right of h = 2(1 + μ) it exceeds 1."""
    for h in (0.1, 0.5, 1.0, 2.0, 3.0):
        edge = (1 - math.sqrt(h)) ** 2
        for mu in (edge + 0.01, edge + 0.2):
            if mu < 1 and h < 2 * (1 + mu):
                assert th.root_modulus(h, mu, 1.0) == pytest.approx(math.sqrt(mu), abs=1e-12)
    for mu in (0.0, 0.3, 0.9):
        assert th.root_modulus(2 * (1 + mu) + 0.01, mu, 1.0) > 1
        assert th.root_modulus(2 * (1 + mu) - 0.01, mu, 1.0) < 1
    fig = th.plot_phase_diagram(points=20)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "$\\eta\\lambda$" and ax.get_ylabel() == "$\\mu$"
    assert len(fig.axes) == 2 and len(ax.images) == 1  # the heat map and its colorbar
    assert fig.get_label().startswith("$\\max|z|$")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: th.rotation_gap(0.01, 0.9, steps=-1), ValueError, "steps"),
        (lambda: th.rotation_gap(0.01, 0.9, angle="a"), TypeError, "angle"),
        (lambda: th.rotation_gap(0.01, 0.9, steps=0), ValueError, "steps"),
        (lambda: th.rotation_gap(0.0, 0.9), ValueError, "lr"),
        (lambda: th.rotation_gap(0.01, 1.0), ValueError, "mu"),
        (lambda: th.rotation_gap(0.01, 0.9, nesterov="yes"), TypeError, "nesterov"),
        (lambda: th.rotation_gap(0.01, 0.0, nesterov=True), ValueError, "nesterov"),
        (lambda: th.lessard_table(x0=None), TypeError, "x0"),
        (lambda: th.lessard_table(steps=3, show=6), ValueError, "steps"),
        (lambda: th.lessard_table(show=0), ValueError, "show"),
        (lambda: th.root_modulus(0.0, 0.5, 1.0), ValueError, "lr"),
        (lambda: th.root_modulus(0.1, -0.5, 1.0), ValueError, "mu"),
        (lambda: th.root_modulus(0.1, 0.5, 0.0), ValueError, "lam"),
        (lambda: th.gd_steps_prediction(lr=0.0), ValueError, "lr"),
        (lambda: th.gd_steps_prediction(lr=2.0), ValueError, "lr"),
        (lambda: th.gd_steps_prediction(tol=0.0), ValueError, "tol"),
        (lambda: th.gd_steps_prediction(x1="x"), TypeError, "x1"),
        (lambda: th.plot_phase_diagram(points=1), ValueError, "points"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
