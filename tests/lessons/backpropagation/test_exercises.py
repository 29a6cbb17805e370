"""lessons.backpropagation.exercises: hand-written gradients against autograd (float64)."""

import pytest
import torch

from lessons.backpropagation import exercises as ex
from lessons.backpropagation.scalar import Value


def test_bias_gradients():
    grads = ex.bias_gradients(2.0, 4.0, 1.0, 0.0)
    assert grads["hand"] == grads["autograd"] == (-8.0, -4.0)
    other = ex.bias_gradients(1.5, -2.0, 0.3, 0.7)
    assert other["hand"] == pytest.approx(other["autograd"], rel=1e-12)


def test_error_factor_is_one_minus_28_alpha_over_3():
    for lr in (0.01, 0.2, 0.22):
        assert ex.error_factors(lr) == pytest.approx([1 - 28 * lr / 3] * 6, rel=1e-12)


def test_hidden_bias_backward_matches_autograd():
    """Tolerance 1e-12 relative: float64 rounding of sums over 1000 terms."""
    assert max(ex.bias_differences(seed=0).values()) < 1e-12


def test_my_sigmoid_gradcheck():
    assert ex.check_sigmoid(torch.float64)[0]
    passed, error = ex.check_sigmoid(torch.float32)
    assert not passed and error > 1e-3


def test_epoch_zeroing_shrinks_the_error_by_a_fixed_factor():
    w = ex.sgd_epoch_zeroing(epochs=4)
    assert (w[5] - 2) / (w[2] - 2) == pytest.approx(0.624512, rel=1e-9)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ex.bias_gradients(x="2"), "x"),
        (lambda: ex.error_factors(0.0), "lr"),
        (lambda: ex.error_factors(0.1, epochs=0), "epochs"),
        (lambda: ex.check_sigmoid(torch.int64), "dtype"),
        (lambda: ex.check_sigmoid(n=0), "n"),
        (lambda: ex.sgd_epoch_zeroing(lr=-1.0), "lr"),
        (lambda: ex.sgd_epoch_zeroing(epochs=0), "epochs"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


@pytest.mark.parametrize("x", [-2.0, 0.0, 0.5, 3.0])
def test_value_sigmoids_match_autograd(x):
    """Tolerance 1e-12: float64 rounding of a handful of operations."""
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(t).backward()
    for sigmoid in (ex.sigmoid_composed, ex.sigmoid_node):
        v = Value(x)
        s = sigmoid(v)
        s.backward()
        assert s.data == pytest.approx(torch.sigmoid(t).item(), abs=1e-12)
        assert v.grad == pytest.approx(t.grad.item(), abs=1e-12)


def test_sigmoid_values_and_node_counts():
    rows = ex.sigmoid_values(0.5)
    assert [r["nodes"] for r in rows] == [9, 2]
    assert all(r["|Δ| torch"] <= 1e-12 for r in rows)
    with pytest.raises(TypeError, match="x"):
        ex.sigmoid_values("0.5")
