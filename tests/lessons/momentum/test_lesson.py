import pytest
import torch

from engine import pages
from lessons.momentum import lesson as m
from lessons.plotting import plot_curves
from lessons.printing import loss_table

EXPLORER_JSON = pages.ROOT / "docs/assets/data/momentum-explorer.json"

TOL = 1e-12  # float64: our update and torch.optim.SGD agree to rounding error


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_heavy_ball_matches_sgd_on_quadratic(mu):
    assert max(m.compare_with_sgd(lr=0.01, mu=mu, steps=30)) < TOL


@pytest.mark.parametrize("mu", [0.3, 0.9])
def test_nesterov_matches_sgd_on_quadratic(mu):
    assert max(m.compare_with_sgd(lr=0.02, mu=mu, nesterov=True, steps=30)) < TOL


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_step_matches_sgd_on_least_squares(nesterov):
    """A random least-squares problem in float64, gradients from autograd on both sides."""
    g = torch.Generator().manual_seed(3)
    a, y = torch.randn(20, 5, generator=g, dtype=torch.float64), torch.randn(20, generator=g)
    y = y.double()
    w_ref = torch.zeros(5, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w_ref], lr=0.01, momentum=0.8, nesterov=nesterov)
    w, v = torch.zeros(5, dtype=torch.float64), None
    for _ in range(25):
        w_leaf = w.clone().requires_grad_()
        ((a @ w_leaf - y) ** 2).sum().backward()
        w, v = m.momentum_step(w, v, w_leaf.grad, 0.01, 0.8, nesterov)
        opt.zero_grad()
        ((a @ w_ref - y) ** 2).sum().backward()
        opt.step()
        torch.testing.assert_close(w, w_ref.detach(), rtol=0, atol=TOL)
        torch.testing.assert_close(v, opt.state[w_ref]["momentum_buffer"], rtol=0, atol=TOL)


def test_first_step_uses_v_equal_g_and_leaves_inputs_alone():
    p, g = torch.tensor([1.0, 2.0], dtype=torch.float64), torch.tensor([0.5, -1.0]).double()
    p0 = p.clone()
    p1, v = m.momentum_step(p, None, g, lr=0.1, mu=0.9)
    torch.testing.assert_close(v, g)
    torch.testing.assert_close(p1, p0 - 0.1 * g)
    torch.testing.assert_close(p, p0)
    p2, v2 = m.momentum_step(p1, v, g, lr=0.1, mu=0.9)
    torch.testing.assert_close(v2, 0.9 * g + g)  # v ← μ·v + g


def test_quadratic_grad_matches_autograd():
    x = torch.tensor([-1.3, 0.7], dtype=torch.float64, requires_grad=True)
    m.quadratic(x, 2.0, 30.0).backward()
    torch.testing.assert_close(m.quadratic_grad(x.detach(), 2.0, 30.0), x.grad, rtol=0, atol=TOL)


def test_trajectory_without_momentum_is_geometric():
    path = m.trajectory(lr=0.01, mu=0.0, steps=50)
    assert path.shape == (51, 2) and path.dtype == torch.float64
    t = torch.arange(51, dtype=torch.float64)
    expected = torch.stack((-4.0 * 0.99**t, 1.0 * 0.75**t), dim=1)  # x_t = (1 − lr·λ)^t x_0
    torch.testing.assert_close(path, expected, rtol=1e-12, atol=1e-14)


def test_steps_table_ranks_the_settings():
    rows = m.steps_table(lr=0.01).splitlines()[2:]
    steps = [int(r.split()[-1]) for r in rows]
    assert steps == sorted(steps, reverse=True)  # μ=0 > 0.5 > 0.9 > Nesterov 0.9
    assert steps[0] > 5 * steps[2]
    assert ">50" in m.steps_table(lr=0.01, max_steps=50)


def test_nesterov_is_faster_in_the_page_tables_but_diverges_first():
    """Summary: Nesterov (μ = 0.9) needs fewer steps at η = 0.01 and 0.05, and diverges at 0.07."""
    for lr in (0.01, 0.05):
        rows = m.steps_table(lr=lr).splitlines()[-2:]  # μ = 0.9 heavy ball, then Nesterov
        heavy, nesterov = (int(r.split()[-1]) for r in rows)
        assert nesterov < heavy
    rows = m.steps_table(lr=0.07).splitlines()[-2:]
    assert rows[0].split()[-1].isdigit() and rows[1].split()[-1] == ">2000"


def test_committed_explorer_json_is_explorer_data():
    """The site's data come from lessons/momentum/lesson.py, byte for byte. To regenerate:
    python -c "from lessons.momentum.lesson import explorer_json as j; print(j(), end='')" > FILE
    """
    text = EXPLORER_JSON.read_text("utf8")
    assert text == m.explorer_json()
    assert len(text.encode()) < 110_000  # 9 × 8 settings, twice, 3 significant digits


def test_explorer_data_grid():
    data = m.explorer_data()
    assert data["lrs"] == list(m.EXPLORER_LRS) and data["mus"] == list(m.EXPLORER_MUS)
    paths = data["paths"]
    assert len(paths) == 2 and all(len(p) == 9 and all(len(r) == 8 for r in p) for p in paths)
    # the page's sliders: η index 1 is 0.01, μ index 6 is 0.9 with 0.8 below it, η index 3 is 0.04
    assert (m.EXPLORER_LRS[1], m.EXPLORER_LRS[3]) == (0.01, 0.04)
    assert m.EXPLORER_MUS[5:7] == (0.8, 0.9)
    i, j = m.EXPLORER_LRS.index(0.01), m.EXPLORER_MUS.index(0.9)
    full = m.trajectory(0.01, 0.9, False, 60).flatten().tolist()
    assert paths[0][i][j] == pytest.approx(full, rel=5e-3, abs=1e-12)  # 3 significant digits
    assert paths[1][i][0] == paths[0][i][0]  # Nesterov with μ = 0 is plain GD
    i = m.EXPLORER_LRS.index(0.06)
    assert len(paths[0][i][j]) == 122 and len(paths[1][i][j]) < 122  # Nesterov diverges first
    assert max(abs(c) for c in paths[1][i][j][-2:]) > 100


def test_plots_and_table():
    fig = m.plot_trajectories(lr=0.01, mus=(0.0, 0.9), steps=5)
    assert fig.get_label().startswith("$x_2$") and len(fig.axes[0].lines) == 3
    curves = m.convergence_curves(lr=0.01, steps=10)
    assert list(curves) == ["$\\mu=0.0$", "$\\mu=0.5$", "$\\mu=0.9$", "$\\mu=0.9$, N"]
    assert all(len(c) == 11 for c in curves.values())
    assert plot_curves({"$a$": [3.0, 2.0, 1.0]}, "$L$").axes[0].get_yscale() == "log"
    table = loss_table({"x": list(range(1, 501))})
    assert "(1) x" not in table and "475.5" in table
    assert "(1) x" in loss_table({"x": list(range(1, 501))}, numbered=True)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: m.compare_with_sgd(steps=0), ValueError, "steps"),
        (lambda: m.steps_table(tol=0.0), ValueError, "tol"),
        (lambda: m.steps_table(lr=0.0), ValueError, "lr"),
        (lambda: m.steps_table(settings=((1.0, False),)), ValueError, "mu"),
        (lambda: m.steps_table(settings=((0.0, True),)), ValueError, "nesterov"),
        (lambda: m.steps_table(settings=((0.9, 1),)), TypeError, "nesterov"),
        (lambda: m.steps_table(settings=(0.9, True)), TypeError, "settings"),
        (lambda: m.steps_table(max_steps=0), ValueError, "max_steps"),
        (lambda: m.steps_table(a=0.0), ValueError, "^a must"),
        (lambda: m.steps_table(b=-1.0), ValueError, "^b must"),
        (lambda: m.plot_trajectories(lr="0.1"), TypeError, "lr"),
        (lambda: m.plot_trajectories(mus=(0.0, 1.0)), ValueError, "mu"),
        (lambda: m.plot_trajectories(steps=0), ValueError, "steps"),
        (lambda: m.plot_trajectories(a=-1.0), ValueError, "^a must"),
        (lambda: m.plot_trajectories(b=0.0), ValueError, "^b must"),
        (lambda: m.convergence_curves(lr=-0.1), ValueError, "lr"),
        (lambda: m.convergence_curves(settings=((-0.5, False),)), ValueError, "mu"),
        (lambda: m.convergence_curves(settings=((0.0, True),)), ValueError, "nesterov"),
        (lambda: m.convergence_curves(steps=1.5), TypeError, "steps"),
        (lambda: m.convergence_curves(a=0.0), ValueError, "^a must"),
        (lambda: m.convergence_curves(b=0.0), ValueError, "^b must"),
        (lambda: m.compare_with_sgd(mu=1.0), ValueError, "mu"),
        (lambda: plot_curves({}, "$L$"), ValueError, "curves"),
        (lambda: loss_table({}), ValueError, "curves"),
        (lambda: loss_table({"x": [1.0] * 10}), ValueError, "at"),
        (lambda: loss_table({"x": [1.0] * 500}, last=0), ValueError, "last"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
