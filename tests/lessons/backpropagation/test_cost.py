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
