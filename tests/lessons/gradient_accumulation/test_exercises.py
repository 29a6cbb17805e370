"""lessons.gradient_accumulation.exercises: accumulation identities, memory, GroupNorm."""

import pytest

from lessons.gradient_accumulation import exercises as ex
from lessons.gradient_accumulation.lesson import make_data
from lessons.gradient_accumulation.memory import step_memory


def test_accumulated_training_matches_the_large_batch():
    """Tolerance 1e-5: float32 rounding of losses around 0.5 over 30 steps."""
    x, y = make_data(128, seed=0)
    ref = ex.train_variant(x, y, 64, 1, epochs=15)
    assert ex.max_gap(ex.train_variant(x, y, 16, 4, epochs=15), ref) < 1e-5
    adam = ex.train_variant(x, y, 64, 1, lr=0.01, epochs=15, optimizer="adam")
    no_div = ex.train_variant(x, y, 16, 4, lr=0.01, epochs=15, optimizer="adam", divide=False)
    assert ex.max_gap(no_div, adam, scale=4) < 1e-5
    summed = ex.train_variant(x, y, 64, 1, lr=0.2 / 64, epochs=15, reduction="sum")
    assert ex.max_gap(summed, ref, scale=64) < 1e-5


def test_loader_steps_weight_the_last_group():
    steps = ex.loader_steps(n=76)
    assert [s["N_G"] for s in steps] == [32, 32, 12]
    assert max(s["max|Δg|"] for s in steps) < 1e-12


def test_memory_by_hand_matches_step_memory():
    row = step_memory(512, 4, hidden=8192)
    assert row["M_act"] == pytest.approx(ex.saved_bytes_by_hand(128) / 2**20, abs=1e-9)
    assert row["M_θ+M_∇θ"] == pytest.approx(ex.parameter_bytes() / 2**20, rel=1e-3)


def test_group_norm_keeps_accumulation_exact():
    assert ex.group_norm_gap() < 1e-12


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ex.train_variant(*make_data(8), 0), "batch_size"),
        (lambda: ex.train_variant(*make_data(8), 4, 0), "accumulation_steps"),
        (lambda: ex.train_variant(*make_data(8), 4, optimizer="rmsprop"), "optimizer"),
        (lambda: ex.train_variant(*make_data(8), 4, lr=0.0), "lr"),
        (lambda: ex.loader_steps(n=0), "n"),
        (lambda: ex.saved_bytes_by_hand(0), "samples"),
        (lambda: ex.group_norm_gap(groups=0), "groups"),
        (lambda: ex.group_norm_gap(accumulation_steps=3), "accumulation_steps"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
