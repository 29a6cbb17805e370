import pytest
import torch
from matplotlib.figure import Figure

from lessons.gradient_accumulation import lesson as ga
from lessons.gradient_accumulation import memory as am
from lessons.plotting import has_content
from lessons.saved_tensors import saved_bytes


def test_saved_bytes_counts_activations():
    model = ga.make_mlp(16, 64)
    x = torch.randn(10, 16, generator=torch.Generator().manual_seed(0))
    out, nbytes = saved_bytes(model, x)
    assert out.shape == (10, 1)
    assert nbytes == 10 * (16 + 64) * 4  # input of layer 1 and ReLU output, float32


def test_step_memory_scales_with_micro_batch():
    rows = [am.step_memory(256, k, hidden=256) for k in (1, 2, 4)]
    assert [r["B"] for r in rows] == [256, 128, 64]
    assert rows[0]["M_act"] == pytest.approx(2 * rows[1]["M_act"]) == 4 * rows[2]["M_act"]
    assert rows[0]["M_θ+M_∇θ"] == rows[2]["M_θ+M_∇θ"]


def test_plot_memory():
    fig = am.plot_memory([am.step_memory(64, k, hidden=32) for k in (1, 2)])
    assert isinstance(fig, Figure) and has_content(fig) and fig.get_label()


def test_step_memory_checks_its_arguments():
    with pytest.raises(ValueError, match="hidden"):
        am.step_memory(64, 1, hidden=0)
    with pytest.raises(ValueError, match="accumulation_steps"):
        am.step_memory(64, 3)  # K must divide K·B
