import math

import pytest
import torch
from matplotlib.figure import Figure

from lessons.gradient_accumulation import lesson as ga
from lessons.gradient_accumulation import memory as am
from lessons.gradient_accumulation import training as at
from lessons.plotting import has_content, plot_curves_and_gap
from lessons.printing import table

F64 = torch.float64
TOL64 = 1e-12  # float64: sums in another order differ by a few ulps (ε ≈ 2.2e-16)
TOL32 = 1e-6  # float32: ε ≈ 1.2e-7, gradients of size < 1


def test_make_data_shapes_and_seed():
    x, y = ga.make_data(76, d_in=5, seed=3)
    assert x.shape == (76, 5) and y.shape == (76, 1) and x.dtype == torch.float32
    x2, y2 = ga.make_data(76, d_in=5, seed=3)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert not torch.equal(x, ga.make_data(76, d_in=5, seed=4)[0])


def test_linear_grad_matches_autograd():
    x, y = ga.make_data(32, seed=1, dtype=F64)
    w = torch.linspace(-1, 1, 8, dtype=F64).reshape(8, 1).requires_grad_()
    b = torch.tensor([0.3], dtype=F64, requires_grad=True)
    torch.nn.functional.mse_loss(x @ w + b, y).backward()
    gw, gb = ga.linear_grad(w.detach(), b.detach(), x, y)
    torch.testing.assert_close(gw, w.grad, rtol=0, atol=TOL64)
    torch.testing.assert_close(gb, b.grad, rtol=0, atol=TOL64)


@pytest.mark.parametrize("k", [1, 2, 4, 8, 16])
def test_accumulate_linear_equals_full_batch(k):
    assert ga.linear_gap(k, F64) < TOL64


def test_linear_gap_float32_is_small():
    assert ga.linear_gap(8, torch.float32) < TOL32


@pytest.mark.parametrize("k", [1, 2, 4, 8])
def test_accumulated_grad_equals_autograd_on_big_batch(k):
    x, y = ga.make_data(64, seed=2, dtype=F64)
    model = ga.make_mlp(seed=2, dtype=F64)
    loss = torch.nn.functional.mse_loss(model(x), y)  # one batch of K·B, reduction='mean'
    ref = torch.cat([g.flatten() for g in torch.autograd.grad(loss, list(model.parameters()))])
    acc = ga.accumulated_grad(model, x, y, k)
    torch.testing.assert_close(acc, ref, rtol=0, atol=TOL64)


def test_grad_gap_rows():
    assert ga.grad_gap(4, F64)["max|Δg|"] < TOL64
    assert ga.grad_gap(4, torch.float32)["max|Δg|"] < TOL32
    assert ga.grad_gap(4, norm="layer")["max|Δg|"] < TOL64  # per-sample normalisation
    bn = ga.grad_gap(4, norm="batch")
    assert bn["max|Δg|"] > 1e-2 and bn["max|Δrunning|"] > 1e-2  # BatchNorm breaks it
    assert ga.grad_gap(4)["max|Δrunning|"] == 0.0


def test_training_curves_coincide_and_raised_lr_diverges():
    curves, rows = at.compare_training()
    big, acc, raised = curves.values()
    assert len(big) == len(acc) == 120
    assert max(abs(a - b) for a, b in zip(big, acc, strict=True)) < 1e-5
    assert big[-1] < 0.6 * big[0]  # it learns
    assert not all(math.isfinite(v) for v in raised)  # 8η: divergence
    assert rows[1]["max|ΔJ|"] < 1e-5 and rows[2]["max|ΔJ|"] == math.inf


def test_training_is_reproducible():
    x, y = ga.make_data(128)
    assert at.train(x, y, 8, 4, epochs=2) == at.train(x, y, 8, 4, epochs=2)


def test_notes_loop_is_one_big_step_per_k_iterations():
    out = ga.notes_loop_gap(iterations=16, accumulation_steps=8)
    assert out["max|Δθ|"] < TOL64
    assert (out["backward_notes"], out["backward_plain"]) == (16, 2)


def test_sum_vs_mean_ratios():
    ratios = [r["ratio"] for r in ga.sum_vs_mean(4)]
    assert ratios == pytest.approx([1.0, 4.0, 0.25, 1.0], abs=TOL64)


def test_last_group_weighting():
    rows = {r["w_k"]: r for r in ga.last_group(76, 8, 4)}
    assert rows["n_k/N_G"]["rel_error"] < TOL64
    assert rows["1/K"]["rel_error"] > 0.3 and rows["1/K"]["ratio"] < 0.6
    assert rows["1/|G|"]["rel_error"] > 0.1  # unequal micro-batches: 8 and 4 samples


def test_format_table():
    text = table([{"K": 1, "x": 0.5}, {"K": 16, "x": 1e-9}])
    assert text.splitlines() == [" K      x", " 1    0.5", "16  1e-09"]


def test_plots_return_figures():
    curves, _ = at.compare_training()
    fig = plot_curves_and_gap(curves, "$J$", ylim=(0.1, 10))
    assert isinstance(fig, Figure) and has_content(fig) and fig.get_label()
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 3


@pytest.mark.parametrize("bad", [0, -1])
def test_steps_value_errors(bad):
    calls = [
        lambda: ga.check_steps(bad, 64),
        lambda: ga.notes_loop_gap(accumulation_steps=bad),
        lambda: am.step_memory(64, bad),
        lambda: ga.last_group(accumulation_steps=bad),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="accumulation_steps"):
            call()


def test_steps_must_divide_the_batch():
    with pytest.raises(ValueError, match="accumulation_steps=3 must divide"):
        am.step_memory(64, 3)


def test_last_group_needs_an_incomplete_group():
    with pytest.raises(ValueError, match="accumulation_steps=5 leaves no incomplete group"):
        ga.last_group(80, 8, 5)


@pytest.mark.parametrize(
    ("call", "kind", "name"),
    [
        (lambda: ga.notes_loop_gap(iterations=4), ValueError, "iterations"),
        (lambda: ga.notes_loop_gap(accumulation_steps=2.0), TypeError, "accumulation_steps"),
        (lambda: ga.last_group(batch_size=0), ValueError, "batch_size"),
        (lambda: ga.make_data(0), ValueError, "n"),
        (lambda: ga.make_data(8, d_in=0), ValueError, "d_in"),
        (lambda: ga.linear_gap(0), ValueError, "accumulation_steps"),
        (lambda: ga.linear_gap(3), ValueError, "accumulation_steps"),
        (lambda: ga.linear_gap(8.0), TypeError, "accumulation_steps"),
        (lambda: ga.grad_gap(3), ValueError, "accumulation_steps"),
        (lambda: ga.grad_gap(4, norm="group"), ValueError, "norm"),
        (lambda: ga.grad_gap(64, norm="batch"), ValueError, "accumulation_steps"),
        (lambda: ga.sum_vs_mean(accumulation_steps=5), ValueError, "accumulation_steps"),
        (lambda: ga.sum_vs_mean(accumulation_steps=True), TypeError, "accumulation_steps"),
        (lambda: at.compare_training(lr=0.0), ValueError, "lr"),
        (lambda: at.compare_training(lr="0.2"), TypeError, "lr"),
        (lambda: at.training_over_seeds(seeds=()), ValueError, "seeds"),
        (lambda: at.training_over_seeds(epochs=0), ValueError, "epochs"),
        (lambda: at.training_over_seeds(lr=-0.2), ValueError, "lr"),
    ],
)
def test_argument_errors(call, kind, name):
    with pytest.raises(kind, match=name):
        call()


def test_training_over_seeds_matches_and_raised_lr_diverges():
    rows = at.training_over_seeds(seeds=range(5), epochs=1)
    assert len(rows) == 5
    for row in rows:
        assert row["max|ΔJ|"] < 2e-7  # float32 rounding: the page says "within float32 rounding"
        assert row["8η finite"] is False  # 8η diverges on every seed


def test_linear_gap_is_about_machine_epsilon():
    for dtype in (torch.float64, torch.float32):
        eps = torch.finfo(dtype).eps
        assert 0 < ga.linear_gap(8, dtype) <= 4 * eps  # "about ε" on entries of order one
    x, y = ga.make_data(64, dtype=F64)
    w, b = torch.full((8, 1), 0.1, dtype=F64), torch.zeros(1, dtype=F64)
    assert 0.1 < ga.linear_grad(w, b, x, y)[0].abs().max().item() < 10


def test_grad_gap_below_epsilon():
    for dtype in (torch.float64, torch.float32):
        assert ga.grad_gap(4, dtype)["max|Δg|"] < torch.finfo(dtype).eps
