import pytest
import torch

from lessons.backpropagation import graph as cg
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
    fig = cg.draw_fan_out_graph()
    assert {"$a$", "$b$", "$+$", r"$\times$", "$c$", "$d$", "$e$"} <= {
        t.get_text() for t in fig.axes[0].texts
    }


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


def test_shape_matching_is_ambiguous_when_n_equals_h():
    distinct = cg.shape_candidates(n=5, h=4)
    assert [r["candidate"] for r in distinct] == ["aᵀ·G"] and distinct[0]["max|Δ|"] <= TOL
    equal = {r["candidate"]: r["max|Δ|"] for r in cg.shape_candidates(n=4, h=4)}
    assert equal["aᵀ·G"] <= TOL and equal["a·G"] > 0.1  # right shape, wrong gradient
    with pytest.raises(ValueError, match="h"):
        cg.shape_candidates(h=0)


def test_graph_and_lifetime_argument_errors():
    with pytest.raises(TypeError, match="output"):
        cg.graph_nodes(torch.ones(2))  # no grad_fn
    with pytest.raises(ValueError, match="which"):
        cg.detached_grad("e")
    with pytest.raises(TypeError, match="retain_graph"):
        cg.backward_twice(1)
