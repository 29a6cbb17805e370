"""lessons.backpropagation.scalar: the Value engine against autograd in float64."""

import math
import statistics

import pytest
import torch

from lessons.backpropagation import scalar as sc

TOL = 1e-12  # float64: the engine and autograd agree to rounding

UNARY = {
    "pow3": (lambda v: v**3, lambda t: t**3),
    "pow-1": (lambda v: v**-1, lambda t: t**-1),
    "exp": (lambda v: v.exp(), torch.exp),
    "tanh": (lambda v: v.tanh(), torch.tanh),
    "relu": (lambda v: v.relu(), torch.relu),
    "neg": (lambda v: -v, lambda t: -t),
    "radd": (lambda v: 2 + v, lambda t: 2 + t),
    "rmul": (lambda v: 2 * v, lambda t: 2 * t),
    "rsub": (lambda v: 2 - v, lambda t: 2 - t),
    "rdiv": (lambda v: 2 / v, lambda t: 2 / t),
}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("x", [-1.3, 0.7, 2.0])
def test_unary_operations_match_autograd(name, x):
    ours, theirs = UNARY[name]
    v = sc.Value(x)
    out = ours(v)
    out.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out_t = theirs(t)
    out_t.backward()
    assert out.data == pytest.approx(out_t.item(), rel=TOL, abs=TOL)
    assert v.grad == pytest.approx(t.grad.item(), rel=TOL, abs=TOL)


def test_binary_operations_and_a_shared_input_match_autograd():
    a, b = sc.Value(1.5), sc.Value(-0.4)
    out = (a * b + a / b - b**2) * a.tanh() - (a - b).exp()  # a and b used several times
    out.backward()
    at, bt = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (1.5, -0.4))
    out_t = (at * bt + at / bt - bt**2) * torch.tanh(at) - torch.exp(at - bt)
    out_t.backward()
    assert out.data == pytest.approx(out_t.item(), rel=TOL)
    assert a.grad == pytest.approx(at.grad.item(), rel=TOL)
    assert b.grad == pytest.approx(bt.grad.item(), rel=TOL)


def test_page_checks_agree_with_autograd():
    fan = sc.fan_out_values(2.0, 1.0)
    assert fan == {"e": (6.0, 6.0), "∂e/∂a": (2.0, 2.0), "∂e/∂b": (5.0, 5.0)}
    neuron = sc.neuron_values()
    assert neuron["o"][0] == pytest.approx(1 / math.sqrt(2), abs=TOL)  # o = 1/√2
    for ours, theirs in neuron.values():
        assert abs(ours - theirs) <= TOL
    rows = sc.comparison_rows(neuron)
    assert [r[""] for r in rows] == list(neuron) and all(r["|Δ|"] <= TOL for r in rows)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mlp_gradients_and_step_match_autograd(seed):
    model = sc.MLP((2, 4, 4, 1), seed)
    xs, ys = sc.toy_data(seed)
    loss = sc.mse(model, xs, ys)
    loss.backward()
    loss_t, grads_t = sc.mlp_torch_gradients(model, xs, ys)
    assert loss.data == pytest.approx(loss_t, rel=TOL)
    assert len(grads_t) == len(model.parameters()) == 37
    for p, g in zip(model.parameters(), grads_t, strict=True):
        assert p.grad == pytest.approx(g, rel=1e-10, abs=TOL)


def test_train_mlp_first_loss_and_update_match_autograd():
    losses, _ = sc.train_mlp(seed=0, steps=2, lr=0.3)
    model = sc.MLP((2, 4, 4, 1), 0)
    xs, ys = sc.toy_data(0)
    loss_t, grads_t = sc.mlp_torch_gradients(model, xs, ys)
    assert losses[0] == pytest.approx(loss_t, rel=TOL)
    for p, g in zip(model.parameters(), grads_t, strict=True):
        p.data -= 0.3 * g  # θ ← θ − α·∂L/∂θ with autograd's gradient
    assert losses[1] == pytest.approx(sc.mlp_torch_gradients(model, xs, ys)[0], rel=1e-10)


def test_toy_data_needs_a_curved_boundary():
    for seed in range(5):
        xs, ys = sc.toy_data(seed)
        assert len(xs) == 12 and set(ys) == {-1.0, 1.0}
        assert ys == [1.0 if a * a + b * b < 0.5 else -1.0 for a, b in xs]


def test_the_loss_falls_on_each_of_five_seeds():
    """The page: on each of five seeds the loss falls; median 1.275 → 0.396."""
    rows, curves = sc.mlp_seeds(seeds=(0, 1, 2, 3, 4), steps=40, lr=0.3, n=12)
    for losses in curves.values():
        assert len(losses) == 40 and losses[-1] < losses[0]
    assert rows[5] == {"seed": "median", "L_0": "1.275", "L_39": "0.396", "acc": "0.917"}
    firsts = [c[0] for c in curves.values()]
    assert f"{statistics.median(firsts):.3f}" == "1.275"
    assert rows[6]["seed"] == "min–max"


def test_backward_zeroes_nothing_and_accumulates_over_paths():
    x = sc.Value(3.0)
    y = x * x + x  # three uses of x: 2x + 1 = 7
    y.backward()
    assert x.grad == 7.0
    assert repr(x) == "Value(data=3, grad=7)"


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: sc.fan_out_values("2", 1.0), TypeError, "a"),
        (lambda: sc.toy_data(n=1), ValueError, "n"),
        (lambda: sc.train_mlp(steps=0), ValueError, "steps"),
        (lambda: sc.train_mlp(lr=0.0), ValueError, "lr"),
        (lambda: sc.train_mlp(seed=-1), ValueError, "seed"),
        (lambda: sc.mlp_seeds(seeds=()), ValueError, "seeds"),
        (lambda: sc.mlp_seeds(seeds=(0, -1)), ValueError, "seeds"),
        (lambda: sc.mlp_seeds(steps=0), ValueError, "steps"),
    ],
)
def test_argument_errors(call, error, name):
    with pytest.raises(error, match=name):
        call()
