import multiprocessing

import pytest

from lessons.gradient_accumulation import distributed as da


def test_ddp_no_sync_equals_one_process_and_saves_k_minus_1_all_reduces():
    result = da.ddp_accumulate(world=2, accumulation_steps=4, batch_size=8, timeout=120)
    assert result["world·K·B"] == 64
    assert result["max|g_ddp − g_full|"] <= 1e-12  # float64
    assert result["all-reduces, no_sync"] == 1 and result["all-reduces, every micro-batch"] == 4
    assert not multiprocessing.active_children()  # every worker joined


def test_timeout_terminates_the_workers():
    with pytest.raises(TimeoutError, match="timeout"):
        da.ddp_accumulate(timeout=1)  # importing torch alone takes longer than 1 s
    assert not multiprocessing.active_children()


def test_free_port_is_a_port():
    assert 0 < da.free_port() < 65536


@pytest.mark.parametrize("name", ["world", "accumulation_steps", "batch_size", "timeout"])
def test_argument_errors(name):
    with pytest.raises(ValueError, match=name):
        da.ddp_accumulate(**{name: 0})
