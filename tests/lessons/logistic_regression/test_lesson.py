"""Tests of lessons/logistic_regression/lesson.py: BCE and its gradient vs PyTorch, training,
errors.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure

from lessons.logistic_regression import lesson as lg

TOL64 = 1e-12  # float64 hand-written vs autograd / torch.nn / torch.optim
F64 = torch.float64


def test_course_data():
    x, y = lg.make_data()
    assert x.shape == y.shape == (3, 1)
    assert y.squeeze(1).tolist() == [0.0, 0.0, 1.0]


def test_exam_data_shapes_labels_and_seeding():
    x, y = lg.make_exam_data(n=50, seed=1)
    assert x.shape == y.shape == (50, 1)
    assert set(y.squeeze(1).tolist()) <= {0.0, 1.0}
    assert float(x.min()) >= 0.0 and float(x.max()) < 10.0
    x2, y2 = lg.make_exam_data(n=50, seed=1)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert not torch.equal(x, lg.make_exam_data(n=50, seed=2)[0])


def test_sigmoid_and_bce_match_torch_float64():
    z = torch.linspace(-8, 8, 17, dtype=F64)
    assert torch.allclose(lg.sigmoid(z), torch.sigmoid(z), rtol=0, atol=TOL64)
    p = torch.sigmoid(z)
    for label in (0.0, 1.0):
        y = torch.full_like(p, label)
        ref = torch.nn.BCELoss(reduction="none")(p, y)
        assert torch.allclose(lg.bce(p, y), ref, rtol=0, atol=1e-10)


def test_notes_formula_is_wrong_only_for_positive_labels():
    p = torch.linspace(0.01, 0.99, 99, dtype=F64)
    zero, one = torch.zeros_like(p), torch.ones_like(p)
    assert torch.equal(lg.bce_notes(p, zero), lg.bce(p, zero))
    assert lg.bce_notes(torch.tensor(0.9), torch.tensor(1.0)) > lg.bce_notes(
        torch.tensor(0.1), torch.tensor(1.0)
    )
    assert p[lg.bce_notes(p, one).argmin()].item() == pytest.approx(1 / 3, abs=0.01)
    z = torch.tensor([-1.0, 0.5, 2.0], dtype=F64, requires_grad=True)
    y = torch.tensor([1.0, 1.0, 0.0], dtype=F64)
    lg.bce_notes(torch.sigmoid(z), y).sum().backward()
    s = torch.sigmoid(z.detach())
    assert torch.allclose(z.grad, s * (1 + 2 * y) - y, rtol=0, atol=TOL64)  # ∂ℓ/∂z = σ(1+2y) − y


def test_bce_grad_matches_autograd_float64():
    x, y = lg.make_data(F64)
    w = torch.tensor(0.8, dtype=F64, requires_grad=True)
    b = torch.tensor(-1.3, dtype=F64, requires_grad=True)
    loss, dw, db = lg.bce_grad(w.detach(), b.detach(), x, y)
    ref = torch.nn.BCELoss(reduction="sum")(torch.sigmoid(w * x + b), y)
    ref.backward()
    assert abs(loss.item() - ref.item()) < TOL64
    assert abs(dw.item() - w.grad.item()) < TOL64
    assert abs(db.item() - b.grad.item()) < TOL64


def test_fit_by_hand_matches_torch_sgd_float64():
    x, y = lg.make_data(F64)
    model = lg.make_model(seed=4).double()
    w0, b0 = model.linear.weight.item(), model.linear.bias.item()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(10):
        opt.zero_grad()
        torch.nn.BCELoss(reduction="sum")(model(x), y).backward()
        opt.step()
    w, b, losses = lg.fit_by_hand(x, y, w0, b0, epochs=10, lr=0.05)
    assert len(losses) == 10
    assert abs(w - model.linear.weight.item()) < TOL64
    assert abs(b - model.linear.bias.item()) < TOL64


def test_course_training():
    x, y = lg.make_data()
    model = lg.make_model(seed=0)
    w0, b0 = model.linear.weight.item(), model.linear.bias.item()
    losses = lg.train(model, x, y, epochs=1000, lr=0.01, reduction="sum", device="cpu")
    w, b, _ = lg.fit_by_hand(x, y, w0, b0, epochs=1000, lr=0.01)
    assert abs(model.linear.weight.item() - w) < 1e-5 and abs(model.linear.bias.item() - b) < 1e-5
    assert losses[-1] < losses[0]
    assert lg.accuracy(model, x, y) == 1.0
    assert 2.0 < lg.decision_boundary(model) < 3.0
    probs = lg.predict_proba(model, x, ndigits=4)
    assert probs == sorted(probs) and probs[2] > 0.5 > probs[1]


def test_notes_loss_misclassifies_the_positive_sample():
    x, y = lg.make_data()
    model = lg.make_model(seed=0)
    lg.train(model, x, y, epochs=1000, lr=0.01, criterion=lg.notes_loss)
    assert max(lg.predict_proba(model, x)) < 0.5
    assert lg.accuracy(model, x, y) == pytest.approx(2 / 3)


def test_exam_accuracy_floor():
    x, y = lg.make_exam_data(n=200, seed=0)
    model = lg.make_model(seed=0)
    lg.train(model, x, y, epochs=2000, lr=0.1, reduction="mean")
    assert lg.accuracy(model, x, y) >= 0.88  # seeded run: 0.910
    assert abs(lg.decision_boundary(model) - 5.0) < 0.3  # true boundary x = 5


def test_bce_with_logits_equals_sigmoid_bce():
    z = torch.linspace(-6, 6, 13, dtype=F64)
    y = (torch.arange(13) % 2).to(F64)
    two_step = torch.nn.BCELoss()(torch.sigmoid(z), y)
    fused = torch.nn.BCEWithLogitsLoss()(z, y)
    assert abs(two_step.item() - fused.item()) < TOL64


def test_tables_and_plots():
    text = lg.bce_table([(1, 0.9), (0, 0.1)])
    assert text.count("\n") == 2 and "4.7105" in text
    x, y = lg.make_data()
    model = lg.make_model(seed=0)
    lg.train(model, x, y, epochs=10)
    figs = [lg.plot_sigmoid(), lg.plot_bce_vs_notes(), lg.plot_probability(model, x, y)]
    assert all(isinstance(f, Figure) and f.get_label() for f in figs)
    plt.close("all")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"model": None}, TypeError, "model"),
        ({"x": [[1.0]]}, TypeError, "x"),
        ({"y": torch.tensor([[0.0], [2.0], [1.0]])}, ValueError, "y"),
        ({"y": torch.ones(3)}, ValueError, "y"),
        ({"x": torch.ones(4, 1)}, ValueError, "x and y"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": "5"}, TypeError, "epochs"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"lr": None}, TypeError, "lr"),
        ({"reduction": "none"}, ValueError, "reduction"),
        ({"device": "tpu"}, ValueError, "device"),
    ],
)
def test_train_bad_arguments(kwargs, error, match):
    x, y = lg.make_data()
    args = {"model": lg.make_model(0), "x": x, "y": y, "epochs": 1, "lr": 0.01, **kwargs}
    with pytest.raises(error, match=match):
        lg.train(**args)


def test_other_bad_arguments():
    x, y = lg.make_data()
    model = lg.make_model(0)
    with pytest.raises(ValueError, match="n"):
        lg.make_exam_data(n=0)
    with pytest.raises(TypeError, match="seed"):
        lg.make_exam_data(n=5, seed=0.5)
    with pytest.raises(TypeError, match="w0"):
        lg.fit_by_hand(x, y, None, 0.0)
    with pytest.raises(ValueError, match="lr"):
        lg.fit_by_hand(x, y, 0.0, 0.0, lr=0)
    with pytest.raises(ValueError, match="pairs"):
        lg.bce_table([])
    with pytest.raises(TypeError, match="pairs"):
        lg.bce_table([(1, "0.5")])
    with pytest.raises(ValueError, match="ndigits"):
        lg.predict_proba(model, x, ndigits=-1)
    with pytest.raises(ValueError, match="x_max"):
        lg.plot_probability(model, x, y, x_max=0)
    with torch.no_grad():
        model.linear.weight.zero_()
    with pytest.raises(ValueError, match="model"):
        lg.decision_boundary(model)
    with pytest.raises(ValueError, match="y"):
        lg.accuracy(model, x, torch.full((3, 1), 0.5))
