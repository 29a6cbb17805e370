import numpy as np
import pytest
import torch

from lessons.backpropagation import lesson as bp

TOL = 1e-12  # float64: hand-written and autograd gradients agree to rounding


@pytest.mark.parametrize(
    "x, y, w", [(2.0, 4.0, 1.0), (1.0, 2.0, -0.5), (3.0, 6.0, 2.7), (-1.5, 0.3, 4)]
)
def test_hand_gradient_matches_autograd(x, y, w):
    by_hand = bp.hand_gradient(x, y, w)
    w_t = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
    loss = (x * w_t - y) ** 2
    loss.backward()
    assert by_hand["ℓ"] == pytest.approx(loss.item(), rel=TOL, abs=TOL)
    assert by_hand["∂ℓ/∂w"] == pytest.approx(w_t.grad.item(), rel=TOL, abs=TOL)
    assert by_hand["∂ℓ/∂w"] == pytest.approx(2 * x * (x * w - y), rel=TOL, abs=TOL)


def test_hand_gradient_course_sample():
    values = bp.hand_gradient(2.0, 4.0, 1.0)
    assert values == {"ŷ": 2.0, "r": -2.0, "ℓ": 4.0, "∂ℓ/∂r": -4.0, "∂ŷ/∂w": 2.0, "∂ℓ/∂w": -8.0}


@pytest.mark.parametrize("name", ["x", "y", "w"])
def test_hand_gradient_rejects_non_numbers(name):
    args = {"x": 2.0, "y": 4.0, "w": 1.0, name: "1"}
    with pytest.raises(TypeError, match=name):
        bp.hand_gradient(**args)


def test_batch_gd_and_sgd_reproduce_the_notes_exactly():
    w_gd, costs_gd = bp.batch_gd()
    w_sgd, costs_sgd = bp.sgd()
    assert 4 * w_gd == 7.999777758621207  # exact float, as printed in seed 004
    assert 4 * w_sgd == 7.9999999999996945
    assert len(costs_gd) == len(costs_sgd) == 100
    assert costs_gd[0] == costs_sgd[0] == bp.cost(1.0) == pytest.approx(14 / 3)
    assert all(b < a for a, b in zip(costs_gd, costs_gd[1:], strict=False))
    assert costs_sgd[-1] < costs_gd[-1]


def test_gd_step_matches_torch_optim():
    w_t = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w_t], lr=0.01)
    xs, ys = (
        torch.tensor(bp.X_DATA, dtype=torch.float64),
        torch.tensor(bp.Y_DATA, dtype=torch.float64),
    )
    for _ in range(5):
        opt.zero_grad()
        ((xs * w_t - ys) ** 2).mean().backward()
        opt.step()
    assert bp.batch_gd(epochs=5)[0] == pytest.approx(w_t.item(), rel=TOL)


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"lr": 0.0}, ValueError, "lr"),
        ({"lr": "0.1"}, TypeError, "lr"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": 2.5}, TypeError, "epochs"),
        ({"w": None}, TypeError, "w"),
        ({"xs": (1.0, 2.0)}, ValueError, "xs"),
        ({"xs": (), "ys": ()}, ValueError, "xs"),
    ],
)
@pytest.mark.parametrize("fn", [bp.batch_gd, bp.sgd])
def test_gd_validation(fn, kwargs, error, name):
    with pytest.raises(error, match=name):
        fn(**kwargs)


def test_torch_sgd_matches_pure_python_and_forgetting_zero_grad_oscillates():
    with_zero = bp.torch_sgd(zero_grad=True, device="cpu")
    without = bp.torch_sgd(zero_grad=False)
    assert len(with_zero) == len(without) == 300
    assert 4 * with_zero[-1] == pytest.approx(4 * bp.sgd()[0], abs=TOL)
    tail = without[-60:]
    assert max(tail) > 2.5 and min(tail) < 1.5  # w keeps swinging around w* = 2
    assert min(without) == pytest.approx(0.94, abs=0.005)  # the page: "between about 0.94
    assert max(without) == pytest.approx(3.06, abs=0.005)  # and 3.06"


def test_torch_sgd_validation():
    with pytest.raises(TypeError, match="zero_grad"):
        bp.torch_sgd(zero_grad=1)
    with pytest.raises(ValueError, match="lr"):
        bp.torch_sgd(lr=-1.0)
    with pytest.raises(ValueError, match="device"):
        bp.torch_sgd(device="nonsense")


def test_leaf_demo():
    w, y_hat = bp.leaf_demo()
    assert w.is_leaf and not y_hat.is_leaf
    assert w.grad.item() == -8.0
    with pytest.raises(UserWarning, match="not a leaf"):
        _ = y_hat.grad  # warnings are errors in the tests
    _, y_hat = bp.leaf_demo(retain=True)
    assert y_hat.grad.item() == -4.0  # ∂ℓ/∂ŷ = 2(ŷ − y)


def test_accumulated_grad():
    assert [bp.accumulated_grad(k) for k in (1, 2, 3)] == [-8.0, -16.0, -24.0]
    with pytest.raises(ValueError, match="calls"):
        bp.accumulated_grad(0)
    with pytest.raises(TypeError, match="calls"):
        bp.accumulated_grad(1.0)


def test_nonscalar_backward():
    assert torch.equal(bp.nonscalar_backward(torch.ones(3)), torch.full((3,), 12.0))
    g = torch.tensor([2.0, 1.0, 0.5])
    assert torch.equal(bp.nonscalar_backward(g), 12 * g)
    with pytest.raises(RuntimeError, match="scalar outputs"):
        bp.nonscalar_backward()


def test_network_data_shapes_and_seeds():
    data = bp.make_network_data(seed=3)
    shapes = {k: v.shape for k, v in data.items()}
    assert shapes == {"x": (64, 1000), "y": (64, 10), "w1": (1000, 100), "w2": (100, 10)}
    assert all(v.dtype == np.float64 for v in data.values())
    again, other = bp.make_network_data(seed=3), bp.make_network_data(seed=4)
    assert all(np.array_equal(data[k], again[k]) for k in data)
    assert not np.array_equal(data["x"], other["x"])


@pytest.mark.parametrize("relu", [None, bp.MyReLU.apply])
def test_numpy_backward_matches_autograd(relu):
    data = bp.make_network_data(seed=1, n=8, d_in=20, h=15, d_out=4)
    loss, g1, g2 = bp.numpy_forward_backward(**data)
    loss_t, t1, t2 = bp.autograd_gradients(**data, relu=relu)
    assert loss == pytest.approx(loss_t, rel=TOL)
    np.testing.assert_allclose(g1, t1, rtol=0, atol=TOL * np.abs(g1).max())
    np.testing.assert_allclose(g2, t2, rtol=0, atol=TOL * np.abs(g2).max())


def test_gradient_differences_full_size():
    diffs = bp.gradient_differences()
    for name in ("ℓ", "∂ℓ/∂W1", "∂ℓ/∂W2"):
        assert diffs[f"max|Δ {name}|"] <= TOL * diffs[f"max|{name}|"]


def test_train_numpy_decreases_and_is_reproducible():
    losses = bp.train_numpy(steps=500)
    assert len(losses) == 500
    assert losses[-1] < 1e-3 and losses[0] > 1e6
    assert bp.train_numpy(steps=20) == losses[:20]


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"steps": 0}, ValueError, "steps"),
        ({"lr": 0}, ValueError, "lr"),
        ({"seed": "0"}, TypeError, "seed"),
    ],
)
def test_train_numpy_validation(kwargs, error, name):
    with pytest.raises(error, match=name):
        bp.train_numpy(**kwargs)


def test_my_relu_gradcheck_and_values():
    assert bp.check_my_relu(seed=0) and bp.check_my_relu(seed=5, n=30)
    x = torch.linspace(-2, 2, 9, dtype=torch.float64, requires_grad=True)
    y = bp.MyReLU.apply(x)
    assert torch.equal(y, torch.relu(x))
    y.sum().backward()
    assert torch.equal(x.grad, (x >= 0).double())  # like the notes: slope 1 taken at x = 0
    x.grad = None
    torch.relu(x).sum().backward()
    assert torch.equal(x.grad, (x > 0).double())  # torch.relu takes slope 0 at x = 0
    with pytest.raises(ValueError, match="n"):
        bp.check_my_relu(n=0)


def test_format_values():
    assert bp.format_values({"a": 1.0, "bbb": -8.0}) == "  a = 1\nbbb = -8"
