"""A scalar autograd engine in the style of micrograd: ``Value``, a tiny MLP, and checks.

Used by the backpropagation lesson. Every ``Value`` holds one Python float, the nodes it
was computed from and a ``_backward`` closure that applies the node's local derivative;
:meth:`Value.backward` sorts the graph topologically and runs the closures in reverse.
Pure Python floats give the same bits on every machine and thread count.
"""

from __future__ import annotations

import math
import random
import statistics

import torch

from lessons.checks import check_float, check_int, check_ints, checked
from lessons.seeds import offset_seed

F64 = torch.float64


# --8<-- [start:value]
class Value:
    """A scalar that remembers how it was computed, so that it can be differentiated."""

    def __init__(self, data, children=()):
        self.data = float(data)  # the forward value
        self.grad = 0.0  # ∂L/∂(this value), filled in by backward()
        self._backward = lambda: None  # adds this node's share of ∂L into its inputs' .grad
        self._prev = tuple(children)  # the values this one was computed from

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))  # z = x + y

        def _backward():
            self.grad += out.grad  # ∂z/∂x = 1
            other.grad += out.grad  # ∂z/∂y = 1

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))  # z = x·y

        def _backward():
            self.grad += other.data * out.grad  # ∂z/∂x = y
            other.grad += self.data * out.grad  # ∂z/∂y = x

        out._backward = _backward
        return out

    def backward(self):
        """Fill ``.grad`` of every value this one depends on: ``∂(self)/∂v``."""
        order, seen = [], set()

        def visit(v):  # depth first: a value enters ``order`` after all its inputs
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    visit(child)
                order.append(v)

        visit(self)
        self.grad = 1.0  # ∂L/∂L = 1
        for v in reversed(order):  # from the output back to the inputs
            v._backward()  # chain rule: local derivative × ∂L/∂out, added (+=) over paths


# --8<-- [end:value]
# --8<-- [start:value_ops]
def _unary(x, data, local):
    """A node ``out = f(x)`` whose backward adds ``f'(x)·∂L/∂out`` into ``x.grad``."""
    out = Value(data, (x,))

    def _backward():
        x.grad += local * out.grad  # ∂L/∂x += f'(x)·∂L/∂out

    out._backward = _backward
    return out


Value.__pow__ = lambda x, k: _unary(x, x.data**k, k * x.data ** (k - 1))  # (xᵏ)' = k·xᵏ⁻¹
Value.exp = lambda x: _unary(x, math.exp(x.data), math.exp(x.data))  # (eˣ)' = eˣ
Value.tanh = lambda x: _unary(x, math.tanh(x.data), 1 - math.tanh(x.data) ** 2)  # 1 − tanh²
Value.relu = lambda x: _unary(x, max(x.data, 0.0), float(x.data > 0))  # 1[x > 0]
Value.__neg__ = lambda x: x * -1  # −x = x·(−1)
Value.__sub__ = lambda x, y: x + (-y)  # x − y = x + (−y)
Value.__truediv__ = lambda x, y: x * y**-1  # x / y = x·y⁻¹
Value.__radd__ = lambda x, y: x + y  # 2 + x
Value.__rmul__ = lambda x, y: x * y  # 2·x
Value.__rsub__ = lambda x, y: Value(y) - x  # 2 − x
Value.__rtruediv__ = lambda x, y: Value(y) / x  # 2 / x
Value.__repr__ = lambda x: f"Value(data={x.data:.6g}, grad={x.grad:.6g})"
# --8<-- [end:value_ops]


def _check_fan_out_values(a, b) -> None:
    check_float("a", a)
    check_float("b", b)


@checked(_check_fan_out_values)
# --8<-- [start:engine_checks]
def fan_out_values(a=2.0, b=1.0) -> dict[str, float]:
    """``e = (a + b)(b + 1)`` with :class:`Value` and with autograd (float64)."""
    a_v, b_v = Value(a), Value(b)
    e = (a_v + b_v) * (b_v + 1)  # b is used twice
    e.backward()
    a_t, b_t = (torch.tensor(v, dtype=F64, requires_grad=True) for v in (a, b))
    e_t = (a_t + b_t) * (b_t + 1)
    e_t.backward()
    return {
        "e": (e.data, e_t.item()),
        "∂e/∂a": (a_v.grad, a_t.grad.item()),
        "∂e/∂b": (b_v.grad, b_t.grad.item()),
    }


def neuron_values(x=(2.0, 0.0), w=(-3.0, 1.0), b=6.8813735870195432) -> dict[str, float]:
    """One neuron ``o = tanh(w₁x₁ + w₂x₂ + b)`` with :class:`Value` and with autograd."""
    xs, ws, b_v = [Value(v) for v in x], [Value(v) for v in w], Value(b)
    o = (xs[0] * ws[0] + xs[1] * ws[1] + b_v).tanh()  # o = tanh(wᵀx + b)
    o.backward()
    t = torch.tensor([*x, *w, b], dtype=F64, requires_grad=True)
    o_t = torch.tanh(t[0] * t[2] + t[1] * t[3] + t[4])
    o_t.backward()
    ours = [o.data] + [v.grad for v in (*xs, *ws, b_v)]
    theirs = [o_t.item(), *t.grad.tolist()]
    names = ("o", "∂o/∂x₁", "∂o/∂x₂", "∂o/∂w₁", "∂o/∂w₂", "∂o/∂b")
    return dict(zip(names, zip(ours, theirs, strict=True), strict=True))


# --8<-- [end:engine_checks]


def comparison_rows(values: dict) -> list[dict]:
    """Rows ``quantity, Value, torch, |Δ|`` for :func:`lessons.printing.table`."""
    return [
        {"": name, "Value": f"{ours:.6f}", "torch": f"{theirs:.6f}", "|Δ|": abs(ours - theirs)}
        for name, (ours, theirs) in values.items()
    ]


# --8<-- [start:mlp]
class Neuron:
    """``tanh(wᵀx + b)`` (or ``wᵀx + b`` without the nonlinearity) on lists of Values."""

    def __init__(self, n_in, rng, nonlinear=True):
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(n_in)]  # w ~ U(−1, 1)
        self.b = Value(0.0)
        self.nonlinear = nonlinear

    def __call__(self, x):
        """The neuron's output for the inputs ``x``."""
        s = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)  # s = wᵀx + b
        return s.tanh() if self.nonlinear else s

    def parameters(self):
        """The weights, then the bias."""
        return [*self.w, self.b]


class MLP:
    """Layers of neurons; ``sizes = (2, 4, 4, 1)`` gives 2 inputs, two tanh layers, 1 output."""

    def __init__(self, sizes, seed=0):
        rng = random.Random(offset_seed(seed))
        last = len(sizes) - 2
        self.layers = [
            [Neuron(n_in, rng, nonlinear=i < last) for _ in range(n_out)]
            for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:], strict=False))
        ]

    def __call__(self, x):
        """The network's single output for the inputs ``x``."""
        for layer in self.layers:
            x = [neuron(x) for neuron in layer]
        return x[0]

    def parameters(self):
        """Every weight and bias, layer by layer."""
        return [p for layer in self.layers for neuron in layer for p in neuron.parameters()]


def mse(model, xs, ys):
    """``L = (1/N)·Σ (ŷ_n − y_n)²`` as a Value."""
    return sum((model(x) - y) ** 2 for x, y in zip(xs, ys, strict=True)) / len(xs)


# --8<-- [end:mlp]


def _check_toy_data(n, **_) -> None:
    check_int("n", n, 2)


@checked(_check_toy_data)
def toy_data(seed=0, n=12) -> tuple[list[list[float]], list[float]]:
    """``n`` points uniform in the square [−1, 1]², label +1 inside the circle r² < 0.5, else −1."""
    rng = random.Random(offset_seed(seed) + 1)  # not the stream the weights come from
    xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(n)]
    ys = [1.0 if x1 * x1 + x2 * x2 < 0.5 else -1.0 for x1, x2 in xs]  # y = ±1
    return xs, ys


def _check_train_mlp(seed, steps, lr, n, **_) -> None:
    check_int("steps", steps, 1)
    check_float("lr", lr, 0.0, strict=True)
    check_int("n", n, 2)


@checked(_check_train_mlp)
# --8<-- [start:train_mlp]
def train_mlp(seed=0, steps=40, lr=0.3, n=12, sizes=(2, 4, 4, 1)) -> tuple[list[float], float]:
    """Full-batch gradient descent on :func:`toy_data`; return ``L`` per step and the accuracy."""
    xs, ys = toy_data(seed, n)
    model = MLP(sizes, seed)
    losses = []
    for _ in range(steps):
        loss = mse(model, xs, ys)  # a new graph every step
        for p in model.parameters():
            p.grad = 0.0  # zero the gradients: backward() adds
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad  # θ ← θ − α·∂L/∂θ
        losses.append(loss.data)
    correct = sum((model(x).data > 0) == (y > 0) for x, y in zip(xs, ys, strict=True))
    return losses, correct / n


# --8<-- [end:train_mlp]


def _check_mlp_seeds(seeds, steps, **_) -> None:
    if len(seeds) < 1:
        raise ValueError("seeds must not be empty")
    check_ints("seeds", seeds, minimum=0)
    check_int("steps", steps, 1)


@checked(_check_mlp_seeds)
def mlp_seeds(seeds=(0, 1, 2, 3, 4), steps=40, lr=0.3, n=12) -> tuple[list[dict], dict]:
    """:func:`train_mlp` over several seeds: one row per seed, then median and min–max.

    Returns:
        ``(rows, curves)``: rows for :func:`lessons.printing.table`, and ``{"$s=k$": losses}``.
    """
    rows, curves, summary = [], {}, {"L_0": [], f"L_{steps - 1}": [], "acc": []}
    for seed in seeds:
        losses, accuracy = train_mlp(seed, steps, lr, n)
        curves[f"$s={seed}$"] = losses
        for key, value in zip(summary, (losses[0], losses[-1], accuracy), strict=True):
            summary[key].append(value)
        rows.append({"seed": str(seed), **{k: f"{v[-1]:.3f}" for k, v in summary.items()}})
    rows.append(
        {"seed": "median", **{k: f"{statistics.median(v):.3f}" for k, v in summary.items()}}
    )
    rows.append(
        {"seed": "min–max", **{k: f"{min(v):.3f}–{max(v):.3f}" for k, v in summary.items()}}
    )
    return rows, curves


def mlp_torch_gradients(model: MLP, xs, ys) -> tuple[float, list[float]]:
    """The loss and ``∂L/∂θ`` of :func:`mse` for the same weights, by autograd in float64."""
    params = torch.tensor([p.data for p in model.parameters()], dtype=F64, requires_grad=True)
    x = torch.tensor(xs, dtype=F64)
    h, k = x, 0
    for i, layer in enumerate(model.layers):
        n_in, n_out = len(layer[0].w), len(layer)
        block = params[k : k + n_out * (n_in + 1)].view(n_out, n_in + 1)  # rows: w then b
        k += n_out * (n_in + 1)
        h = h @ block[:, :n_in].T + block[:, n_in]
        if i < len(model.layers) - 1:
            h = torch.tanh(h)
    loss = ((h[:, 0] - torch.tensor(ys, dtype=F64)) ** 2).mean()
    loss.backward()
    return loss.item(), params.grad.tolist()
