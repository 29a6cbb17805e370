"""Tests of lessons/linear_regression/lesson.py: hand-written gradients vs autograd, training,
errors.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure

from lessons.linear_regression import lesson as lr

TOL64 = 1e-12  # float64 hand-written vs autograd / torch.optim


def test_make_data_shapes_and_values():
    x, y = lr.make_data()
    assert x.shape == y.shape == (3, 1)
    assert x.dtype == y.dtype == torch.float32
    assert torch.equal(y, 2 * x)
    assert lr.make_data(torch.float64)[0].dtype == torch.float64


def test_mse_sum_grad_matches_autograd_float64():
    x, y = lr.make_data(torch.float64)
    w = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-0.7, dtype=torch.float64, requires_grad=True)
    loss, dw, db = lr.mse_sum_grad(w.detach(), b.detach(), x, y)
    ref = ((w * x + b - y) ** 2).sum()
    ref.backward()
    assert abs(loss.item() - ref.item()) < TOL64
    assert abs(dw.item() - w.grad.item()) < TOL64
    assert abs(db.item() - b.grad.item()) < TOL64


def test_fit_by_hand_step_matches_torch_sgd_float64():
    x, y = lr.make_data(torch.float64)
    model = lr.make_model(seed=3).double()
    w0, b0 = model.linear.weight.item(), model.linear.bias.item()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(5):
        opt.zero_grad()
        torch.nn.MSELoss(reduction="sum")(model(x), y).backward()
        opt.step()
    w, b, losses = lr.fit_by_hand(x, y, w0, b0, epochs=5, lr=0.01)
    assert len(losses) == 5
    assert abs(w - model.linear.weight.item()) < TOL64
    assert abs(b - model.linear.bias.item()) < TOL64


def test_train_matches_hand_loop_and_converges():
    x, y = lr.make_data()
    model = lr.make_model(seed=0)
    w0, b0 = model.linear.weight.item(), model.linear.bias.item()
    losses = lr.train(model, x, y, epochs=1000, lr=0.01, device="cpu")
    w, b, hand = lr.fit_by_hand(x, y, w0, b0, epochs=1000, lr=0.01)
    assert abs(model.linear.weight.item() - w) < 1e-6  # float32, same arithmetic
    assert abs(model.linear.bias.item() - b) < 1e-6
    assert max(abs(p - q) for p, q in zip(losses, hand, strict=True)) < 1e-4
    assert losses[-1] < 1e-5 < losses[0]
    assert abs(lr.predict(model, 4.0) - 8.0) < 1e-2


def test_model_forward_shape_and_seeding():
    a, b = lr.make_model(seed=1), lr.make_model(seed=1)
    assert torch.equal(a.linear.weight, b.linear.weight)
    assert a(torch.zeros(5, 1)).shape == (5, 1)
    state = torch.random.get_rng_state()
    lr.make_model(seed=2)
    assert torch.equal(state, torch.random.get_rng_state())  # global RNG untouched


def test_legacy_demos():
    text = lr.legacy_loss_warning()
    assert "reduction='sum'" in text and "UserWarning" in text
    demo = lr.legacy_constructor_demo()
    assert "torch.tensor(3)        shape=()" in demo


def test_fit_with_closure_sgd_equals_train():
    x, y = lr.make_data()
    m1, m2 = lr.make_model(seed=0), lr.make_model(seed=0)
    expected = lr.train(m1, x, y, epochs=20, lr=0.01)
    got = lr.fit_with_closure(m2, x, y, torch.optim.SGD(m2.parameters(), lr=0.01), 20)
    assert got == expected


def test_plots_return_figures():
    x, y = lr.make_data()
    model = lr.make_model(seed=0)
    losses = lr.train(model, x, y, epochs=10)
    fig1 = lr.plot_training(model, x, y, losses)
    fig2 = lr.plot_optimizers({"SGD": losses, "Adam": losses})
    assert isinstance(fig1, Figure) and isinstance(fig2, Figure)
    assert fig1.get_label() and fig2.get_label()
    plt.close("all")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"model": "m"}, TypeError, "model"),
        ({"x": [[1.0]]}, TypeError, "x"),
        ({"y": torch.ones(3)}, ValueError, "y"),
        ({"x": torch.ones(2, 1)}, ValueError, "x and y"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": 1.5}, TypeError, "epochs"),
        ({"lr": 0.0}, ValueError, "lr"),
        ({"lr": "0.1"}, TypeError, "lr"),
        ({"device": 3}, TypeError, "device"),
        ({"device": "tpu"}, ValueError, "device"),
    ],
)
def test_train_bad_arguments(kwargs, error, match):
    x, y = lr.make_data()
    args = {"model": lr.make_model(0), "x": x, "y": y, "epochs": 1, "lr": 0.01, **kwargs}
    with pytest.raises(error, match=match):
        lr.train(**args)


@pytest.mark.skipif(torch.cuda.is_available(), reason="only meaningful without a GPU")
def test_train_cuda_without_gpu():
    x, y = lr.make_data()
    with pytest.raises(ValueError, match="device"):
        lr.train(lr.make_model(0), x, y, epochs=1, device="cuda")


def test_other_bad_arguments():
    x, y = lr.make_data()
    with pytest.raises(TypeError, match="w0"):
        lr.fit_by_hand(x, y, "0", 0.0)
    with pytest.raises(TypeError, match="b0"):
        lr.fit_by_hand(x, y, 0.0, None)
    with pytest.raises(ValueError, match="epochs"):
        lr.fit_by_hand(x, y, 0.0, 0.0, epochs=-1)
    with pytest.raises(ValueError, match="lr"):
        lr.fit_by_hand(x, y, 0.0, 0.0, lr=-0.1)
    with pytest.raises(TypeError, match="x_new"):
        lr.predict(lr.make_model(0), "4")
