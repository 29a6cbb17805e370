"""lessons.gradient_accumulation.exercises: Adam, checkpointing, memory, GroupNorm, 'sum'."""

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


def test_partial_checkpoint_lies_between_none_and_all():
    half, every = ex.partial_checkpoint(2), ex.partial_checkpoint(1)
    plain, ckpt = step_memory(1), step_memory(1, checkpointed=True)
    assert half["checkpointed"] == 2 and every["checkpointed"] == 4
    assert every["M_fwd"] == pytest.approx(ckpt["M_fwd"]) and every["GFLOP"] == ckpt["GFLOP"]
    assert half["M_fwd"] == pytest.approx(7.0, abs=0.01)  # 1 + 2·2 + 2 tensors of 1 MiB
    extra = (half["GFLOP"] - plain["GFLOP"]) / (ckpt["GFLOP"] - plain["GFLOP"])
    assert extra == pytest.approx(0.5, rel=1e-9)  # half the blocks recomputed


def test_memory_by_hand_matches_step_memory():
    row = step_memory(4, width=512)
    assert row["M_fwd"] == pytest.approx(ex.saved_bytes_by_hand(256) / 2**20, abs=0.01)
    assert row["M_∇θ"] == pytest.approx(ex.parameter_bytes() / 2**20, rel=1e-12)
    shares = {k: (r := step_memory(k, width=512))["M_∇θ"] / r["M_peak"] for k in (4, 8)}
    assert shares[4] < 0.5 < shares[8]


def test_group_norm_keeps_accumulation_exact():
    assert ex.group_norm_gap() < 1e-12


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ex.train_variant(*make_data(8), 0), "batch_size"),
        (lambda: ex.train_variant(*make_data(8), 4, 0), "accumulation_steps"),
        (lambda: ex.train_variant(*make_data(8), 4, optimizer="rmsprop"), "optimizer"),
        (lambda: ex.train_variant(*make_data(8), 4, lr=0.0), "lr"),
        (lambda: ex.partial_checkpoint(every=0), "every"),
        (lambda: ex.partial_checkpoint(accumulation_steps=0), "accumulation_steps"),
        (lambda: ex.saved_bytes_by_hand(0), "samples"),
        (lambda: ex.group_norm_gap(groups=0), "groups"),
        (lambda: ex.group_norm_gap(accumulation_steps=3), "accumulation_steps"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
