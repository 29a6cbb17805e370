"""lessons.basic_cnn.exercises: convolution by unfold, multiplication counts, the variants."""

import pytest
import torch
from torch import nn

from lessons.basic_cnn import exercises as ex
from lessons.basic_cnn.lesson import conv2d, make_cnn
from lessons.conv_cost import conv_mults


def test_unfold_matches_the_loop_and_nn_conv2d_in_float64():
    """Tolerance 1e-12: float64, only the order of the additions differs."""
    for stride, padding in ((1, 0), (1, 1), (2, 1), (3, 2)):
        assert ex.unfold_gap(seed=1, stride=stride, padding=padding) < 1e-12
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, 2, 5, 7, generator=g, dtype=torch.float64)
    w = torch.randn(3, 2, 3, 3, generator=g, dtype=torch.float64)
    b = torch.randn(3, generator=g, dtype=torch.float64)
    ours = ex.conv2d_unfold(x, w, b, stride=2, padding=1)
    assert torch.allclose(ours, conv2d(x, w, b, stride=2, padding=1), rtol=0, atol=1e-12)


def test_layer_mults_follow_the_formula():
    counts = ex.layer_mults(make_cnn(0), torch.zeros(3, 1, 8, 8))
    assert counts == {
        "conv1": conv_mults(8, 8, 1, 10, 3),
        "conv2": conv_mults(4, 4, 10, 20, 3),
        "fc": 800,
    }
    assert not make_cnn(0).conv1._forward_hooks  # hooks are removed


def test_variants_keep_the_shapes_and_the_initial_weights():
    x = torch.zeros(2, 1, 8, 8)
    avg = ex.make_avg_cnn(3)
    assert isinstance(avg.pooling, nn.AvgPool2d)
    assert torch.equal(avg.conv1.weight, make_cnn(3).conv1.weight)
    cnn5 = ex.make_cnn5(0)
    assert cnn5.conv1.kernel_size == (5, 5) and cnn5(x).shape == (2, 10)
    assert torch.equal(cnn5.conv2.weight, ex.make_cnn5(0).conv2.weight)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ex.conv2d_unfold(torch.zeros(1, 1, 4, 4), torch.zeros(1, 2, 3, 3)), "weight"),
        (lambda: ex.conv2d_unfold(torch.zeros(4, 4), torch.zeros(1, 1, 3, 3)), "x"),
        (
            lambda: ex.conv2d_unfold(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 3, 3), stride=0),
            "stride",
        ),
        (
            lambda: ex.conv2d_unfold(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 3, 3), padding=-1),
            "padding",
        ),
        (lambda: ex.make_cnn5(c1=0), "c1"),
        (lambda: ex.make_cnn5(c2=1.5), "c2"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
