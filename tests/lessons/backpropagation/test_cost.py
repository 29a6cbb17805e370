import numpy as np
import pytest

from lessons.backpropagation import cost as bc


@pytest.mark.parametrize(("n", "d_in", "d_out"), [(64, 1000, 100), (3, 5, 7)])
def test_flops_by_hand_match_the_counter(n, d_in, d_out):
    by_hand = bc.linear_flops(n, d_in, d_out)
    assert by_hand == bc.counted_flops(n, d_in, d_out)
    assert by_hand["backward"] == 2 * by_hand["forward"]


def test_saved_bytes_grow_linearly_with_depth_and_batch():
    rows = bc.saved_table(depths=(1, 2, 4, 8), batches=(32, 128))
    assert len(rows) == 8
    for row in rows:
        assert row["bytes"] == row["4·B·(d_in+L·width)"] == 4 * row["B"] * (64 + 256 * row["L"])


def test_time_forward_backward_runs():
    result = bc.time_forward_backward(n=64, d_in=64, d_out=64, repeats=3)
    assert result["forward_s"] > 0 and result["backward_s"] > 0 and result["ratio"] > 0


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: bc.linear_flops(0, 1, 1), "n"),
        (lambda: bc.counted_flops(1, 0, 1), "d_in"),
        (lambda: bc.saved_table(width=0), "width"),
        (lambda: bc.saved_table(depths=(0,)), "depths"),
        (lambda: bc.saved_table(batches=(0,)), "batches"),
    ],
)
def test_argument_errors(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def _flops(fn):
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        out = fn()
    return counter.get_total_flops(), out


def test_mode_costs_count_the_same_flops_as_pytorch():
    """Forward and backward FLOPs of the NumPy network, as FlopCounterMode counts them."""
    import torch

    n, d_in, h, d_out = 8, 12, 6, 3
    x, y = torch.randn(n, d_in), torch.randn(n, d_out)
    w1 = torch.randn(d_in, h, requires_grad=True)
    w2 = torch.randn(h, d_out, requires_grad=True)
    forward, loss = _flops(lambda: (torch.relu(x @ w1) @ w2 - y).pow(2).sum())
    backward, _ = _flops(loss.backward)
    p = d_in * h + h * d_out
    rows = bc.mode_costs(n, d_in, h, d_out)
    assert float(rows[2]["FLOPs"]) == pytest.approx(forward + backward, rel=1e-2)
    assert float(rows[0]["FLOPs"]) == pytest.approx(2 * p * forward, rel=1e-2)


def test_mode_costs_on_the_lesson_network():
    rows = bc.mode_costs()
    assert [r["passes"] for r in rows] == ["2P = 202,000", "P = 101,000", "1 + 1"]
    for row in rows[:2]:  # "about 100,000 passes"
        assert 1e5 <= int(row["÷ reverse"].replace(",", "")) <= 1.02e5


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_numpy_jvp_matches_forward_mode_autograd():
    """Forward-mode autograd imports torch.jit.script, deprecated in this torch."""
    import torch
    from torch.autograd import forward_ad

    from lessons.backpropagation.lesson import make_network_data

    data = make_network_data(seed=2, n=6, d_in=5, h=4, d_out=3)
    rng = np.random.default_rng(7)
    dw1, dw2 = rng.standard_normal(data["w1"].shape), rng.standard_normal(data["w2"].shape)
    ours = bc.numpy_jvp(**data, dw1=dw1, dw2=dw2)
    x, y = torch.tensor(data["x"]), torch.tensor(data["y"])

    def loss(w1, w2):
        return (torch.relu(x @ w1) @ w2 - y).pow(2).sum()

    primals = (torch.tensor(data["w1"]), torch.tensor(data["w2"]))
    with forward_ad.dual_level():  # forward-mode autograd: tangents carried with the values
        duals = [
            forward_ad.make_dual(p, torch.tensor(d))
            for p, d in zip(primals, (dw1, dw2), strict=True)
        ]
        theirs = forward_ad.unpack_dual(loss(*duals)).tangent
    assert ours == pytest.approx(theirs.item(), rel=1e-12)
    assert bc.numpy_loss(**data) == pytest.approx(loss(*primals).item(), rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_three_ways_give_one_gradient(seed):
    rows = bc.three_ways_rows(seed=seed)
    assert [r["passes"] for r in rows] == [90, 45, 1]  # 2P, P, one forward and one backward
    fd, forward, reverse = (r["max|Δ| / max|∂ℓ/∂θ|"] for r in rows)
    assert reverse == 0 and forward <= 1e-12 and fd <= 1e-7
    if seed == 0:
        assert fd < 1e-9  # the page: better than 1e-9 relative


def test_mode_argument_errors():
    with pytest.raises(ValueError, match="n"):
        bc.mode_costs(n=0)
    with pytest.raises(ValueError, match="h"):
        bc.three_ways_rows(h=0)
