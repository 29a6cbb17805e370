import pytest
import torch
from matplotlib.figure import Figure

from lessons.gradient_accumulation import memory as am
from lessons.plotting import has_content

MIB = 2**20


def test_peak_memory_counts_new_tensors_until_freed():
    a = torch.ones(1000)  # made before: not counted
    with am.PeakMemory() as mem:
        b = a * 2  # 4000 bytes
        c = b.view(10, 100)  # a view: no new memory
        b.mul_(3)  # in place: no new memory
        d = b + 1  # 4000 more
        assert mem.now == 8000
        del b, c  # the last references to b's storage
        assert mem.now == 4000
        del d
    assert mem.peak == 8000 and mem.now == 0


def test_peak_memory_frees():
    with am.PeakMemory() as mem:
        t = torch.ones(256) + 1  # ones (1024 bytes, freed at once) and the sum
        del t
        assert mem.now == 0
        u = torch.ones(128) + 1
    assert mem.peak == 2048 and mem.now == 512
    del u


@pytest.mark.parametrize("checkpointed", [False, True])
def test_step_memory_is_the_same_under_1_and_4_threads(checkpointed):
    before = torch.get_num_threads()
    rows = []
    try:
        for threads in (1, 4):
            torch.set_num_threads(threads)
            rows.append([am.step_memory(k, checkpointed=checkpointed) for k in (1, 4)])
    finally:
        torch.set_num_threads(before)
    assert rows[0] == rows[1]


def test_step_memory_facts_the_page_states():
    plain = [am.step_memory(k) for k in (1, 2, 4, 8)]
    ckpt = [am.step_memory(k, checkpointed=True) for k in (1, 2, 4, 8)]
    tensor = 1024 * 256 * 4 / MIB  # one B×W float32 tensor at K=1: 1 MiB
    assert plain[0]["M_fwd"] == pytest.approx(9 * tensor, abs=0.01)  # 1 + 2·depth tensors
    assert ckpt[0]["M_fwd"] == pytest.approx(5 * tensor, abs=0.01)  # 1 + depth tensors
    for a, b in zip(plain, plain[1:], strict=False):
        assert b["M_fwd"] == pytest.approx(a["M_fwd"] / 2, rel=1e-3)  # halving B halves it
        assert a["M_peak"] > b["M_peak"] > b["M_∇θ"]  # falls, but stays above the gradients
    assert plain[-1]["M_∇θ"] / plain[-1]["M_peak"] > 0.4  # "a large share" at K = 8
    assert {r["GFLOP"] for r in plain} == {plain[0]["GFLOP"]}  # FLOPs do not depend on K
    assert ckpt[0]["GFLOP"] / plain[0]["GFLOP"] == pytest.approx(4 / 3, rel=0.01)  # "a third more"
    assert all(c["M_peak"] < p["M_peak"] for p, c in zip(plain, ckpt, strict=True))
    assert min(r["M_peak"] for r in plain + ckpt) == ckpt[-1]["M_peak"]  # both levers: smallest


def test_checkpointed_gradients_equal_plain_ones():
    """Recomputation repeats the same operations: equal in float64 (tolerance 0)."""
    assert am.checkpoint_gap(4) == 0.0
    x = torch.randn(8, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    grads = []
    for checkpointed in (False, True):
        model = am.make_deep(32, 2, checkpointed, dtype=torch.float64)
        model(x).sum().backward()
        grads.append(torch.cat([p.grad.flatten() for p in model.parameters()]))
    torch.testing.assert_close(grads[0], grads[1], rtol=0, atol=1e-12)


def test_plot_memory():
    rows = [am.step_memory(k, 64, c, width=32, depth=2) for c in (False, True) for k in (1, 2)]
    fig = am.plot_memory(rows)
    assert isinstance(fig, Figure) and has_content(fig) and fig.get_label()
    assert len(fig.axes[0].lines) == 5


@pytest.mark.parametrize(
    ("kwargs", "kind", "name"),
    [
        ({"accumulation_steps": 3}, ValueError, "accumulation_steps"),
        ({"accumulation_steps": 0}, ValueError, "accumulation_steps"),
        ({"accumulation_steps": 1, "total_batch": 0}, ValueError, "total_batch"),
        ({"accumulation_steps": 1, "checkpointed": 1}, TypeError, "checkpointed"),
        ({"accumulation_steps": 1, "width": 0}, ValueError, "width"),
        ({"accumulation_steps": 1, "depth": 0}, ValueError, "depth"),
    ],
)
def test_step_memory_checks_its_arguments(kwargs, kind, name):
    with pytest.raises(kind, match=name):
        am.step_memory(**kwargs)


def test_checkpoint_gap_checks_its_arguments():
    with pytest.raises(ValueError, match="accumulation_steps"):
        am.checkpoint_gap(accumulation_steps=5)
