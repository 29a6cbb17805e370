import pytest
import torch

from lessons.gradient_accumulation import practice as ap

TOL = 1e-12  # float64


def test_clip_once_is_the_big_batch_and_per_micro_batch_is_not():
    grads = ap.clipped_grads(max_norm=0.1, accumulation_steps=4)
    assert (grads["once"] - grads["big batch"]).abs().max() <= TOL
    assert grads["once"].norm().item() == pytest.approx(0.1, rel=1e-5)  # clip uses c/(‖g‖ + 1e-6)
    assert (grads["each"] - grads["big batch"]).abs().max() > 1e-3  # clearly different
    rows = {r["clip"]: r for r in ap.clipping_table()}
    assert 0.04 < rows["each"]["‖g‖"] < 0.06  # "half the norm": K clipped vectors, averaged


def test_clip_each_clips_every_micro_gradient_at_c():
    """The 'each' vector is the mean of the K micro-gradients ∇J_k, each clipped at c (1e-12)."""
    from lessons.gradient_accumulation.lesson import F64, accumulate, make_data, make_mlp

    x, y = make_data(64, dtype=F64)
    model, parts = make_mlp(dtype=F64), []
    for batch in zip(x.chunk(4), y.chunk(4), strict=True):
        g = accumulate(model, [batch], [1.0])
        assert g.norm() > 0.1  # every micro-gradient is longer than c
        parts.append(g * min(1.0, 0.1 / (g.norm().item() + 1e-6)))
    expected = torch.stack(parts).mean(0)
    torch.testing.assert_close(ap.clipped_grads()["each"], expected, rtol=0, atol=1e-12)


def test_scheduler_counts_optimizer_steps():
    assert ap.lr_schedule(False) == [1.0] * 4 + [0.5] * 4
    wrong = ap.lr_schedule(True)  # K = 4 scheduler steps per optimizer step: halves every step
    assert wrong == [0.5**t for t in range(8)]


def test_mixed_precision_trains_close_to_float32():
    for seed in range(5):
        bf16, fp32 = ap.train_amp(True, seed=seed), ap.train_amp(False, seed=seed)
        assert len(bf16) == 24 and bf16[-1] < bf16[0] and fp32[-1] < fp32[0]
        assert 0 < abs(bf16[-1] - fp32[-1]) < 0.01 * fp32[-1]  # close, not equal
    rows = ap.amp_table(seeds=range(5))
    assert all(0 < r["|ΔJ_T|"] < 0.01 and r["J_T bf16"] < r["J_1"] for r in rows)


def test_bfloat16_stores_7_mantissa_bits():
    eps = torch.finfo(torch.bfloat16).eps  # 2^-7: 7 stored bits after the implicit one
    assert eps == 2.0**-7 and torch.finfo(torch.float32).eps == 2.0**-23


def test_token_normalization_matches_the_big_batch():
    rows, counts = ap.token_table(accumulation_steps=4)
    gaps = {r["scale"]: r["max|g − g_big|"] for r in rows}
    assert gaps["ℓ_k/N"] <= TOL and gaps["ℓ_k/(n_k·K)"] > 1e-3
    assert len(set(counts)) > 1  # micro-batches hold different numbers of tokens


def test_tuned_learning_rates_and_cost_table():
    for k, lr in ap.TUNED_LR.items():
        assert ap.tune_lr(k) == lr
    small, acc = ap.cost_table(seeds=range(5))
    assert small["steps"] == 8 * acc["steps"] and small["passes"] == acc["passes"]
    assert small["samples"] == acc["samples"] == 768
    assert abs(small["J_last median"] - acc["J_last median"]) < 0.05  # "close"
    per_seed = [
        ap.run_cost(1, seed=s)["J_last"] < ap.run_cost(8, seed=s)["J_last"] for s in range(5)
    ]
    assert any(per_seed) and not all(per_seed)  # neither wins on every seed


def test_bench_cost_measures_both():
    times = ap.bench_cost(repeats=1)
    assert set(times) == {"K=1", "K=8"} and all(t > 0 for t in times.values())


@pytest.mark.parametrize(
    ("call", "kind", "name"),
    [
        (lambda: ap.lr_schedule(1), TypeError, "per_micro_batch"),
        (lambda: ap.lr_schedule(False, steps=0), ValueError, "steps"),
        (lambda: ap.train_amp("yes"), TypeError, "bf16"),
        (lambda: ap.train_amp(True, lr=-1.0), ValueError, "lr"),
        (lambda: ap.clipping_table(max_norm=0.0), ValueError, "max_norm"),
        (lambda: ap.clipping_table(accumulation_steps=3), ValueError, "accumulation_steps"),
        (lambda: ap.token_table(accumulation_steps=0), ValueError, "accumulation_steps"),
        (lambda: ap.token_table(accumulation_steps=2.0), TypeError, "accumulation_steps"),
        (lambda: ap.amp_table(seeds=()), ValueError, "seeds"),
    ],
)
def test_argument_errors(call, kind, name):
    with pytest.raises(kind, match=name):
        call()
