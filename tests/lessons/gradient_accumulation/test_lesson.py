import math

import pytest
import torch
from matplotlib.figure import Figure
from torch.utils.data import DataLoader, TensorDataset

from lessons.gradient_accumulation import lesson as ga
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


def test_linear_gap_is_about_machine_epsilon():
    for dtype in (torch.float64, torch.float32):
        eps = torch.finfo(dtype).eps
        assert 0 < ga.linear_gap(8, dtype) <= 4 * eps  # "about ε" on entries of order one
    x, y = ga.make_data(64, dtype=F64)
    w, b = torch.full((8, 1), 0.1, dtype=F64), torch.zeros(1, dtype=F64)
    assert 0.1 < ga.linear_grad(w, b, x, y)[0].abs().max().item() < 10


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
    assert ga.grad_gap(4, torch.float32)["max|Δg|"] < torch.finfo(torch.float32).eps
    assert ga.grad_gap(4, norm="layer")["max|Δg|"] < TOL64  # per-sample normalisation
    bn = ga.grad_gap(4, norm="batch")
    assert bn["max|Δg|"] > 1e-2 and bn["max|Δrunning|"] > 1e-2  # BatchNorm breaks it
    assert ga.grad_gap(4)["max|Δrunning|"] == 0.0


@pytest.mark.parametrize(("n", "b", "k"), [(76, 8, 4), (64, 8, 4), (50, 7, 3), (9, 4, 8)])
def test_accumulation_epoch_equals_full_batch_sgd_steps(n, b, k):
    """The loop, short last group included, takes the full-batch SGD steps (float64, 1e-12)."""
    x, y = ga.make_data(n, seed=1, dtype=F64)
    loop, full = (ga.make_mlp(seed=1, dtype=F64) for _ in range(2))
    opt = torch.optim.SGD(loop.parameters(), lr=0.1)
    losses = ga.accumulation_epoch(loop, opt, DataLoader(TensorDataset(x, y), batch_size=b), k)
    opt_full, ref = torch.optim.SGD(full.parameters(), lr=0.1), []
    for xg, yg in zip(x.split(k * b), y.split(k * b), strict=True):
        loss = torch.nn.functional.mse_loss(full(xg), yg)
        loss.backward()
        opt_full.step()
        opt_full.zero_grad()
        ref.append(loss.item())
    assert len(losses) == math.ceil(n / (k * b))  # a step for the short last group too
    assert losses == pytest.approx(ref, abs=TOL64)
    for p, q in zip(loop.parameters(), full.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=TOL64)


def test_loop_gap_last_group():
    out = ga.loop_gap(n=76, batch_size=8, accumulation_steps=4)
    assert out["N_G"] == [32, 32, 12] and out["max|Δθ|"] < TOL64


def test_identity_table_facts():
    rows = ga.identity_table(4)
    by = {(r["case"], r["w_k"]): r for r in rows}
    assert len(rows) == 12
    assert by["reduction='mean'", "1/K"]["max|Δ|"] < TOL64
    assert by["reduction='mean'", "1"]["ratio"] == pytest.approx(4.0, abs=TOL64)
    assert by["reduction='sum'", "1/K"]["ratio"] == pytest.approx(0.25, abs=TOL64)
    assert by["reduction='sum'", "1"]["max|Δ|"] < 1e-13  # sums are K·B times larger
    last = "last group, n_k = 8+4"
    assert 0.4 < by[last, "1/K"]["ratio"] < 0.6  # "about half"
    assert 0.9 < by[last, "1/|G|"]["ratio"] < 1.0 and by[last, "1/|G|"]["max|Δ|"] > 0.1
    assert by[last, "n_k/N_G"]["max|Δ|"] < TOL64
    assert by["LayerNorm", "1/K"]["max|Δ|"] < TOL64
    assert by["BatchNorm", "1/K"]["max|Δ|"] > 0.1
    assert by["BatchNorm: μ_run, σ²_run", "1/K"]["max|Δ|"] > 0.1
    notes = by["notes: the same x, K times", "1/K"]
    assert notes["ratio"] == pytest.approx(1.0, abs=TOL64) and notes["max|Δ|"] < TOL64
    assert by["DataLoader loop: θ after 3 steps", "1/N_G"]["max|Δ|"] < TOL64


def test_compare_training_over_seeds():
    curves, rows = at.compare_training(seeds=range(5), epochs=8)
    big, acc, raised = curves.values()
    assert len(big) == len(acc) == 64 and len(raised) == 8
    assert len(rows) == 5
    for row in rows:
        assert row["max|ΔJ|, η"] < 2e-7  # "within float32 rounding" on every seed
        assert math.isnan(row["J_8, 8η"])  # 8η ends in nan on every seed


def test_train_uses_the_same_samples_for_every_split():
    x, y = ga.make_data(128)
    one = at.train(x, y, 64, 1, epochs=2)
    assert max(abs(a - b) for a, b in zip(at.train(x, y, 16, 4, epochs=2), one, strict=True)) < 2e-7
    assert at.train(x, y, 8, 4, epochs=2) == at.train(x, y, 8, 4, epochs=2)  # reproducible


def test_format_table():
    text = table([{"K": 1, "x": 0.5}, {"K": 16, "x": 1e-9}])
    assert text.splitlines() == [" K      x", " 1    0.5", "16  1e-09"]


def test_plots_return_figures():
    curves, _ = at.compare_training(seeds=[0], epochs=1)
    fig = plot_curves_and_gap(curves, "$J$", ylim=(0.1, 10))
    assert isinstance(fig, Figure) and has_content(fig) and fig.get_label()
    timeline = ga.plot_timeline(4)
    assert has_content(timeline) and "$k=1$" in timeline.get_label()
    assert len(timeline.axes[0].collections) == 2 * 4 + 1  # K forwards, K backwards, one step


@pytest.mark.parametrize("bad", [0, -1])
def test_steps_value_errors(bad):
    for call in (lambda: ga.check_steps(bad, 64), lambda: ga.loop_gap(accumulation_steps=bad)):
        with pytest.raises(ValueError, match="accumulation_steps"):
            call()


@pytest.mark.parametrize(
    ("call", "kind", "name"),
    [
        (lambda: ga.make_data(0), ValueError, "n"),
        (lambda: ga.make_data(8, d_in=0), ValueError, "d_in"),
        (lambda: ga.linear_gap(0), ValueError, "accumulation_steps"),
        (lambda: ga.linear_gap(3), ValueError, "accumulation_steps"),
        (lambda: ga.linear_gap(8.0), TypeError, "accumulation_steps"),
        (lambda: ga.grad_gap(3), ValueError, "accumulation_steps"),
        (lambda: ga.grad_gap(4, norm="group"), ValueError, "norm"),
        (lambda: ga.grad_gap(64, norm="batch"), ValueError, "accumulation_steps"),
        (lambda: ga.identity_table(accumulation_steps=5), ValueError, "accumulation_steps"),
        (lambda: ga.identity_table(accumulation_steps=True), TypeError, "accumulation_steps"),
        (lambda: ga.loop_gap(n=0), ValueError, "n"),
        (lambda: ga.loop_gap(batch_size=0), ValueError, "batch_size"),
        (lambda: ga.plot_timeline(0), ValueError, "accumulation_steps"),
        (lambda: at.compare_training(lr=0.0), ValueError, "lr"),
        (lambda: at.compare_training(lr="0.2"), TypeError, "lr"),
        (lambda: at.compare_training(seeds=()), ValueError, "seeds"),
        (lambda: at.compare_training(epochs=0), ValueError, "epochs"),
    ],
)
def test_argument_errors(call, kind, name):
    with pytest.raises(kind, match=name):
        call()
