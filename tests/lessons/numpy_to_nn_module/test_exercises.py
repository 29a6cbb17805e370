"""Tests of :mod:`lessons.numpy_to_nn_module.exercises`.

Raw training switches, leaky ReLU, sharing, optimizers.
"""

from __future__ import annotations

import math

import pytest
import torch

from lessons.numpy_to_nn_module import exercises as ex
from lessons.numpy_to_nn_module.lesson import train_raw
from lessons.seeds import generator


def test_variant_defaults_reproduce_train_raw():
    assert ex.train_raw_variant(steps=5, seed=1) == train_raw(steps=5, lr=1e-6, seed=1)


def test_without_zeroing_grad_is_the_running_sum():
    """Two backward passes without zero_() leave g1 + g2 in .grad (float64)."""
    w = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    (w**2).sum().backward()
    g1 = w.grad.clone()
    (w**3).sum().backward()
    assert torch.allclose(w.grad, g1 + 3 * w.detach() ** 2, rtol=1e-15)


def test_variant_switches():
    kept = ex.train_raw_variant(steps=3, seed=0, zero_grad=False)
    assert kept[:2] == train_raw(steps=2, lr=1e-6, seed=0)
    scaled = ex.train_raw_variant(steps=1, seed=0, scaled_init=True)
    assert 500 < scaled[0] < 2000
    assert len(ex.train_raw_variant(steps=50, lr=1e-3, scaled_init=True, until=100.0)) < 50
    diverged = ex.train_raw_variant(steps=50, lr=1e-2, scaled_init=True)
    assert len(diverged) < 50 and not math.isfinite(diverged[-1])


def test_my_leaky_relu_gradcheck_and_torch():
    x = torch.randn(4, 5, dtype=torch.float64, generator=generator(3)).requires_grad_()
    assert torch.autograd.gradcheck(ex.MyLeakyReLU.apply, (x,))
    x0 = torch.tensor([-2.0, 0.0, 3.0], dtype=torch.float64, requires_grad=True)
    x1 = x0.detach().clone().requires_grad_()
    ex.MyLeakyReLU.apply(x0).sum().backward()
    torch.nn.functional.leaky_relu(x1, 0.01).sum().backward()
    assert torch.equal(x0.grad, x1.grad)


def test_shared_gradient_is_sum_of_copies():
    grads = ex.shared_vs_copies(seed=1, depth=3)
    total = sum(grads["copies"])
    assert len(grads["copies"]) == 3
    assert torch.allclose(grads["shared"], total, rtol=1e-10, atol=1e-12)  # float64


def test_steps_to_reach():
    assert ex.steps_to_reach("SGD", 3e-4, steps=300, seed=0) == 116  # the solution's number
    assert ex.steps_to_reach("Adam", 1e-4, steps=3, seed=0) == -1


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ex.train_raw_variant(steps=0), "steps"),
        (lambda: ex.train_raw_variant(lr=0.0), "lr"),
        (lambda: ex.train_raw_variant(seed=-1), "seed"),
        (lambda: ex.train_raw_variant(until=-1.0), "until"),
        (lambda: ex.shared_vs_copies(depth=0), "depth"),
        (lambda: ex.steps_to_reach("Foo", 1e-3), "name"),
        (lambda: ex.steps_to_reach("SGD", 0.0), "lr"),
        (lambda: ex.steps_to_reach("SGD", 1e-3, steps=0), "steps"),
        (lambda: ex.steps_to_reach("SGD", 1e-3, seed=-2), "seed"),
        (lambda: ex.steps_to_reach("SGD", 1e-3, until=0.0), "until"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
