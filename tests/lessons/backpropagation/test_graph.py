import pytest
import torch

from lessons.backpropagation import graph as cg
from lessons.backpropagation.scalar import Value
from lessons.plotting import has_content

TOL = 1e-12  # float64


def test_graph_nodes_walk_the_recorded_graph():
    a, b, c, d, e = cg.fan_out_graph()
    depth, edges = cg.graph_nodes(e)
    names = {type(n).__name__ for n in depth}
    assert names == {"MulBackward0", "AddBackward0", "AccumulateGrad"}
    assert len(depth) == 5 and len(edges) == 5  # a, b, c, d, e; b feeds two nodes
    leaves = [n for n in depth if hasattr(n, "variable")]
    assert {id(n.variable) for n in leaves} == {id(a), id(b)}
    assert sum(parent.variable is b for parent, _ in edges if hasattr(parent, "variable")) == 2


def test_graph_figures():
    fig = cg.draw_sample_graph(2.0, 4.0, 1.0)
    assert has_content(fig) and fig.get_label() and not fig.axes[0].axison
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"$x$", "$w$", "$y$", r"$\times$", "$-$", r"$(\cdot)^2$", r"$\hat y$", "$r$"} <= texts
    assert {"$2$", "$1$", "$4$", "$-2$", "$-4$", "$-8$"} <= texts  # values and gradients
    fig = cg.draw_fan_out_graph()
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"$a$", "$b$", "$+$", r"$\times$", "$c$", "$d$", "$e$"} <= texts
    assert {"$6$", "$5$", "$3$", "$2$"} <= texts and "∂e/∂b" not in fig.get_label()
    assert "$b$ = 1, ∂ = 5" in fig.get_label() and "$e$ = 6, ∂ = 1" in fig.get_label()


@pytest.mark.parametrize(("a", "b"), [(2.0, 1.0), (-1.5, 0.25), (3, -2)])
def test_fan_out_sums_both_paths(a, b):
    values = cg.fan_out(a, b)
    assert values["∂e/∂b"] == pytest.approx((b + 1) + (a + b), abs=TOL)
    assert values["autograd ∂e/∂b"] == pytest.approx(values["∂e/∂b"], abs=TOL)
    assert values["autograd ∂e/∂a"] == pytest.approx(values["∂e/∂a"], abs=TOL)


def test_fan_out_course_numbers():
    assert cg.fan_out(2.0, 1.0) == {
        "e": 6.0,
        "∂e/∂a": 2.0,
        "∂e/∂b": 5.0,
        "autograd ∂e/∂a": 2.0,
        "autograd ∂e/∂b": 5.0,
    }
    with pytest.raises(TypeError, match="a"):
        cg.fan_out("2", 1.0)


def test_graph_lifetime():
    with pytest.raises(RuntimeError, match="second time"):
        cg.backward_twice(retain_graph=False)
    assert cg.backward_twice(retain_graph=True) == 10.0  # 5 + 5
    assert cg.detached_grad("c") == 3.0 and cg.detached_grad("d") == 2.0  # the two paths


def test_hessian_vector_product_matches_exact_hessian():
    result = cg.hvp_check(n=5, seed=0)
    assert result["max|Δ|"] <= 1e-12 * result["max|Hv|"]
    g = torch.Generator().manual_seed(1)
    x, v = (
        torch.randn(4, dtype=torch.float64, generator=g),
        torch.randn(4, dtype=torch.float64, generator=g),
    )
    a = torch.eye(4, dtype=torch.float64)
    full = torch.autograd.functional.hessian(lambda t: cg.quartic(t, a), x)
    assert torch.allclose(cg.hessian_vector_product(x, a, v), full @ v, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="n"):
        cg.hvp_check(n=0)


def _brute_force(n, h, d_out):
    """Names of the products of {a, aᵀ} with {G, Gᵀ}, either order, whose shape is h×d_out."""
    shapes = {"a": (n, h), "aᵀ": (h, n), "G": (n, d_out), "Gᵀ": (d_out, n)}
    return {
        f"{p}·{q}"
        for p in shapes
        for q in shapes
        if p[0] != q[0]
        and shapes[p][1] == shapes[q][0]
        and (shapes[p][0], shapes[q][1]) == (h, d_out)
    }


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("h", [1, 2, 3, 4])
@pytest.mark.parametrize("d_out", [1, 2, 3, 4])
def test_shape_candidates_lists_every_product_of_the_right_shape(n, h, d_out):
    rows = cg.shape_candidates(n=n, h=h, d_out=d_out)
    names = [r["candidate"] for r in rows]
    assert len(names) == len(set(names)) and set(names) == _brute_force(n, h, d_out)
    right = {r["candidate"]: r["max|Δ|"] for r in rows}["aᵀ·G"]
    assert right <= TOL  # aᵀG is always there, and always right
    assert (len(rows) == 1) == (len({n, h, d_out}) == 3)  # unique only when all three differ
    if n == h == d_out:
        assert len(rows) == 8


def test_shape_candidates_page_cases():
    """The page's sentence: which impostor appears for which coincidence, all wrong."""
    cases = {
        (5, 4, 3): {"aᵀ·G"},
        (3, 4, 3): {"aᵀ·G", "aᵀ·Gᵀ"},  # D_out = N
        (5, 4, 4): {"aᵀ·G", "Gᵀ·a"},  # D_out = H
        (4, 4, 3): {"aᵀ·G", "a·G"},  # N = H
    }
    for (n, h, d_out), expected in cases.items():
        rows = cg.shape_candidates(n=n, h=h, d_out=d_out)
        assert {r["candidate"] for r in rows} == expected
        for r in rows:
            assert (r["max|Δ|"] <= TOL) == (r["candidate"] == "aᵀ·G")
            assert r["candidate"] == "aᵀ·G" or r["max|Δ|"] > 0.1  # right shape, wrong values
    with pytest.raises(ValueError, match="h"):
        cg.shape_candidates(h=0)
    with pytest.raises(ValueError, match="d_out"):
        cg.shape_candidates(d_out=0)


def test_gate_patterns_match_the_value_engine():
    rows = {r["gate"]: r for r in cg.gate_patterns(x=2.0, y=-3.0, upstream=(5.0, -2.0))}
    got = {g: (r["∂L/∂x"], r["∂L/∂y"]) for g, r in rows.items()}
    assert got == {
        "z = x + y": ("5", "5"),  # add distributes
        "z = x·y": ("-15", "10"),  # mul swaps
        "z = max(x, y)": ("5", "0"),  # max routes
        "z₁ = z₂ = x": ("3", "0"),  # fan-out sums
    }
    x, y = Value(2.0), Value(-3.0)
    for z, expected in [(x + y, (5, 5)), (x * y, (-15, 10)), ((x - y).relu() + y, (5, 0))]:
        x.grad = y.grad = 0.0
        (z * 5.0).backward()
        assert (x.grad, y.grad) == expected
    x.grad = 0.0
    (x * 5.0 + x * -2.0).backward()
    assert x.grad == 3.0


def test_gate_patterns_argument_errors():
    with pytest.raises(ValueError, match="x"):
        cg.gate_patterns(x=1.0, y=1.0)
    with pytest.raises(TypeError, match="y"):
        cg.gate_patterns(y="3")


def test_graph_and_lifetime_argument_errors():
    with pytest.raises(TypeError, match="output"):
        cg.graph_nodes(torch.ones(2))  # no grad_fn
    with pytest.raises(ValueError, match="which"):
        cg.detached_grad("e")
    with pytest.raises(TypeError, match="retain_graph"):
        cg.backward_twice(1)
