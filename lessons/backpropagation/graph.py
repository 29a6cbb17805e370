"""The computational graph autograd records: drawn from ``grad_fn``, fan-out, and its lifetime.

Used by the backpropagation lesson: the graph of ``ℓ = (x·w − y)²`` drawn by walking
``grad_fn.next_functions``, the lecture's fan-out example ``e = (a + b)(b + 1)``, what
happens to the graph after ``backward`` (``retain_graph``, ``detach``, ``create_graph``)
and a Hessian-vector product checked against the exact Hessian.
"""

from __future__ import annotations

import torch

from lessons.checks import check_float, check_int, checked
from lessons.plotting import subplots
from lessons.seeds import generator

F64 = torch.float64
OPS = {
    "Mul": r"\times",
    "Add": "+",
    "Sub": "-",
    "Pow": r"(\cdot)^2",
    "Div": "/",
}  # grad_fn → symbol


def _check_graph_nodes(output) -> None:
    if not isinstance(output, torch.Tensor) or output.grad_fn is None:
        raise TypeError("output must be a tensor computed from tensors that require grad")


@checked(_check_graph_nodes)
# --8<-- [start:graph_nodes]
def graph_nodes(output: torch.Tensor) -> tuple[dict, list]:
    """Walk the graph backward from ``output`` through ``grad_fn.next_functions``.

    Returns:
        ``depth`` (node → steps from the output, the longest path) and the edges
        ``(input node, node)`` in the direction data flow in the forward pass.
    """
    depth, edges, stack = {output.grad_fn: 0}, [], [output.grad_fn]
    while stack:
        node = stack.pop()
        for parent, _ in node.next_functions:  # the nodes that made node's inputs
            if parent is None:  # an input that does not require grad (a constant)
                continue
            edges.append((parent, node))
            if depth.get(parent, -1) < depth[node] + 1:
                depth[parent] = depth[node] + 1
                stack.append(parent)
    return depth, edges


# --8<-- [end:graph_nodes]


def _node_symbol(node, leaves: dict) -> str:
    """A leaf (``AccumulateGrad``) gets its tensor's name; an operation gets its symbol."""
    if hasattr(node, "variable"):  # AccumulateGrad holds the leaf it accumulates into
        return next(f"${n}$" for n, t in leaves.items() if t is node.variable)
    name = type(node).__name__.removesuffix("Backward0").removesuffix("Backward1")
    return f"${OPS.get(name, name)}$"


def plot_graph(output: torch.Tensor, leaves: dict, results: dict | None = None):
    """Draw the graph of ``output`` as autograd recorded it: inputs left, output right.

    When ``output.backward()`` has run (with ``retain_grad()`` on the named results), every
    node is annotated: its forward value above it, its gradient ``∂output/∂node`` below it in red.

    Args:
        output: A tensor with a ``grad_fn``.
        leaves: ``{symbol: tensor}`` for every leaf that requires grad (``"w"``).
        results: ``{symbol: tensor}`` naming intermediate results (``"r"``), written
            beside the node that computed them.

    Returns:
        The figure (symbols and numbers only).
    """
    depth, edges = graph_nodes(output)
    results = results or {}
    named = {t.grad_fn: s for s, t in results.items()}
    tensors = {t.grad_fn: t for t in results.values()}
    left, columns = max(depth.values()), {}
    for node, d in sorted(depth.items(), key=lambda item: -item[1]):
        columns.setdefault(left if hasattr(node, "variable") else d, []).append(node)  # leaves left
    xy = {
        n: (-d, 1.2 * (i - (len(c) - 1) / 2)) for d, c in columns.items() for i, n in enumerate(c)
    }
    fig, ax = subplots(figsize=(6.4, 2.9))
    fig.set_layout_engine("none")  # no axes decorations to lay out
    ax.set_position((0.0, 0.0, 1.0, 1.0))
    arrow = {"arrowstyle": "->", "shrinkA": 14, "shrinkB": 14}
    for parent, node in edges:  # arrows in the forward direction
        ax.annotate("", xy=xy[node], xytext=xy[parent], arrowprops=arrow)
    alt, points = [], {"textcoords": "offset points", "fontsize": 10}
    for node, (x, y) in xy.items():
        leaf = hasattr(node, "variable")
        ax.plot(x, y, "s" if leaf else "o", ms=26, mfc="white", mec="C0" if leaf else "C1")
        ax.text(x, y, _node_symbol(node, leaves), ha="center", va="center", fontsize=11)
        if node in named:
            ax.annotate(f"${named[node]}$", (x, y), xytext=(14, 8), **points, ha="left")
        tensor = node.variable if leaf else tensors.get(node)
        if tensor is not None and tensor.grad is not None:  # value above, gradient below
            value, grad = f"{tensor.item():g}", f"{tensor.grad.item():g}"
            ax.annotate(f"${value}$", (x, y), xytext=(0, 16), **points, ha="center", va="bottom")
            ax.annotate(
                f"${grad}$", (x, y), xytext=(0, -16), **points, ha="center", va="top", color="C3"
            )
            symbol = _node_symbol(node, leaves) if leaf else f"${named[node]}$"
            alt.append(f"{symbol} = {value}, ∂ = {grad}")
    ax.set_axis_off()
    ax.margins(0.16, 0.45)
    symbols = ", ".join(f"${s}$" for s in {**leaves, **results})
    fig.set_label("graph: " + ("; ".join(alt) if alt else symbols))
    return fig


def draw_sample_graph(x=2.0, y=4.0, w=1.0):
    """Draw the graph of ``ℓ = (x·w − y)²`` with every value and every gradient ``∂ℓ/∂·``."""
    x, y, w = (torch.tensor(float(v), dtype=F64, requires_grad=True) for v in (x, y, w))
    y_hat = x * w  # ŷ = x·w
    r = y_hat - y  # r = ŷ − y
    loss = r**2  # ℓ = r²
    for t in (y_hat, r, loss):
        t.retain_grad()  # keep ∂ℓ/∂ŷ, ∂ℓ/∂r, ∂ℓ/∂ℓ for the figure
    loss.backward()
    return plot_graph(loss, {"x": x, "w": w, "y": y}, {r"\hat y": y_hat, "r": r, r"\ell": loss})


def draw_fan_out_graph(a=2.0, b=1.0):
    """Draw the graph of ``e = (a + b)(b + 1)``, two arrows leaving ``b``, values and gradients."""
    a, b, c, d, e = fan_out_graph(a, b)
    for t in (c, d, e):
        t.retain_grad()
    e.backward()
    return plot_graph(e, {"a": a, "b": b}, {"c": c, "d": d, "e": e})


def _check_fan_out(a, b) -> None:
    check_float("a", a)
    check_float("b", b)


@checked(_check_fan_out)
# --8<-- [start:fan_out]
def fan_out(a=2.0, b=1.0) -> dict[str, float]:
    """``e = (a + b)(b + 1)``: ``b`` reaches ``e`` along two paths; by hand and by autograd."""
    c, d = a + b, b + 1  # c = a + b, d = b + 1
    by_hand = {"e": c * d, "∂e/∂a": d * 1, "∂e/∂b": d * 1 + c * 1}  # sum over paths b→c→e, b→d→e
    a_t, b_t = (torch.tensor(v, dtype=F64, requires_grad=True) for v in (a, b))
    e_t = (a_t + b_t) * (b_t + 1)
    e_t.backward()  # autograd adds the contributions of both paths into b.grad
    return by_hand | {"autograd ∂e/∂a": a_t.grad.item(), "autograd ∂e/∂b": b_t.grad.item()}


# --8<-- [end:fan_out]


def _check_backward_twice(retain_graph) -> None:
    if not isinstance(retain_graph, bool):
        raise TypeError(f"retain_graph must be a bool, got {type(retain_graph).__name__}")


def _check_detached_grad(which) -> None:
    if which not in ("c", "d"):
        raise ValueError(f"which must be 'c' or 'd', got {which!r}")


# --8<-- [start:lifetime]
def fan_out_graph(a=2.0, b=1.0) -> tuple[torch.Tensor, ...]:
    """Build ``e = (a + b)(b + 1)`` in float64; return the leaves ``a, b`` and ``c, d, e``."""
    a, b = (torch.tensor(v, dtype=F64, requires_grad=True) for v in (a, b))
    c, d = a + b, b + 1
    return a, b, c, d, c * d


# --8<-- [end:lifetime]
@checked(_check_backward_twice)
# --8<-- [start:backward_twice]
def backward_twice(retain_graph: bool) -> float:
    """Call ``e.backward()`` twice; the first call frees the graph unless ``retain_graph``."""
    _, b, _, _, e = fan_out_graph()
    e.backward(retain_graph=retain_graph)  # keeps the saved tensors c, d for another pass
    e.backward()  # without retain_graph: RuntimeError, the saved tensors are gone
    return b.grad.item()  # 5 + 5: the second pass adds to .grad


# --8<-- [end:backward_twice]
@checked(_check_detached_grad)
# --8<-- [start:detached_grad]
def detached_grad(which: str) -> float:
    """``∂e/∂b`` when the path through ``c`` or ``d`` is cut with ``detach()``."""
    a, b, c, d, _ = fan_out_graph()
    e = c.detach() * d if which == "c" else c * d.detach()  # a detached tensor is a constant
    e.backward()
    return b.grad.item()


# --8<-- [end:detached_grad]


# --8<-- [start:hvp]
def quartic(x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """``f(x) = ¼·Σ x_i⁴ + ½·xᵀAx``, whose Hessian is ``diag(3x²) + A`` (A symmetric)."""
    return (x**4).sum() / 4 + x @ a @ x / 2


def hessian_vector_product(x, a, v) -> torch.Tensor:
    """``H·v`` by differentiating the gradient once more: ``∇(∇f·v)``."""
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(quartic(x, a), x, create_graph=True)  # g = ∇f, with its graph
    (hv,) = torch.autograd.grad(g @ v, x)  # ∇(gᵀv) = H·v
    return hv


# --8<-- [end:hvp]


def _check_hvp_check(n, **_) -> None:
    check_int("n", n, 1)


@checked(_check_hvp_check)
def hvp_check(n=5, seed=0) -> dict[str, float]:
    """Compare :func:`hessian_vector_product` with the exact ``(diag(3x²) + A)·v`` in float64."""
    g = generator(seed)
    x, v, m = (torch.randn(*s, dtype=F64, generator=g) for s in ((n,), (n,), (n, n)))
    a = (m + m.T) / 2  # A = Aᵀ
    exact = (torch.diag(3 * x**2) + a) @ v  # H·v with the Hessian by hand
    hv = hessian_vector_product(x, a, v)
    return {"max|Hv|": exact.abs().max().item(), "max|Δ|": (hv - exact).abs().max().item()}


def _check_shape_candidates(n, h, d_out, **_) -> None:
    for name, value in (("n", n), ("h", h), ("d_out", d_out)):
        check_int(name, value, 1)


@checked(_check_shape_candidates)
# --8<-- [start:shapes]
def shape_candidates(n=4, h=4, d_out=3, seed=0) -> list[dict]:
    """Every product of ``a`` (n×h) with ``G = ∂ℓ/∂ŷ`` (n×d_out) that has the shape h×d_out.

    The candidates are the eight products ``X·Y`` with one factor from ``a, aᵀ`` and the other
    from ``G, Gᵀ``, in either order. Returns one row per product whose shapes chain and whose
    result is h×d_out, with its largest distance to autograd's ``∂ℓ/∂W2``.
    """
    g = generator(seed)
    a = torch.randn(n, h, dtype=F64, generator=g)
    grad_y = torch.randn(n, d_out, dtype=F64, generator=g)
    w2 = torch.zeros(h, d_out, dtype=F64, requires_grad=True)
    ((a @ w2) * grad_y).sum().backward()  # ŷ = a·W2 with upstream gradient G: ∂ℓ/∂W2
    from_a = {"a": a, "aᵀ": a.T}
    from_g = {"G": grad_y, "Gᵀ": grad_y.T}
    pairs = [(p, q) for p in from_a.items() for q in from_g.items()]
    pairs += [(q, p) for p, q in pairs]  # both orders: a-factor first, then G-factor first
    rows = []
    for (left_name, left), (right_name, right) in pairs:
        if left.shape[1] == right.shape[0] and (left.shape[0], right.shape[1]) == (h, d_out):
            gap = (left @ right - w2.grad).abs().max().item()
            rows.append(
                {
                    "N": n,
                    "H": h,
                    "D_out": d_out,
                    "candidate": f"{left_name}·{right_name}",
                    "max|Δ|": gap,
                }
            )
    return rows


# --8<-- [end:shapes]


def _check_gate_patterns(x, y, **_) -> None:
    check_float("x", x)
    check_float("y", y)
    if x == y:
        raise ValueError("x and y must differ, or max(x, y) has no single route")


@checked(_check_gate_patterns)
# --8<-- [start:gates]
def gate_patterns(x=2.0, y=-3.0, upstream=(5.0, -2.0)) -> list[dict]:
    """What four gates do with the gradient arriving from above, computed by autograd (float64).

    Each gate gets ``∂L/∂z = upstream[0]`` (the fan-out ``x → (z₁, z₂)`` gets one per copy)
    and passes ``∂L/∂x`` and ``∂L/∂y`` down.
    """
    gates = {
        "z = x + y": lambda x, y: [x + y],  # add: distributes g to both inputs
        "z = x·y": lambda x, y: [x * y],  # mul: swaps, x gets g·y and y gets g·x
        "z = max(x, y)": lambda x, y: [torch.maximum(x, y)],  # max: routes g to the larger
        "z₁ = z₂ = x": lambda x, y: [x, x],  # fan-out: the copies' gradients add up
    }
    rows = []
    for name, gate in gates.items():
        xt, yt = (torch.tensor(v, dtype=F64, requires_grad=True) for v in (x, y))
        outputs = gate(xt, yt)
        grads = upstream[: len(outputs)]  # ∂L/∂z for each output
        sum(g * z for g, z in zip(grads, outputs, strict=True)).backward()  # L = Σ gᵢ·zᵢ
        dy = "0" if yt.grad is None else f"{yt.grad.item():g}"  # y unused: no gradient
        rows.append(
            {
                "gate": name,
                "x": f"{x:g}",
                "y": f"{y:g}",
                "∂L/∂z": ", ".join(f"{g:g}" for g in grads),
                "∂L/∂x": f"{xt.grad.item():g}",
                "∂L/∂y": dy,
            }
        )
    return rows


# --8<-- [end:gates]
