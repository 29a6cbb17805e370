import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lessons import digits
from lessons.basic_cnn import lesson as bc
from lessons.plotting import has_content
from lessons.seeds import generator

TOL = 1e-12  # float64: the loops agree with PyTorch to rounding error


@pytest.mark.parametrize("w", [5, 8, 28])
@pytest.mark.parametrize(
    ("k", "p", "s"),
    [(1, 0, 1), (3, 0, 1), (3, 1, 1), (5, 2, 1), (3, 0, 2), (3, 1, 2), (5, 0, 3), (2, 0, 2)],
)
def test_output_size_matches_conv2d_and_pooling(w, k, p, s):
    if k > w + 2 * p:
        pytest.skip("kernel larger than the input")
    x = torch.zeros(1, 1, w, w)
    assert (
        bc.output_size(w, k, p, s)
        == F.conv2d(x, torch.zeros(1, 1, k, k), stride=s, padding=p).shape[-1]
    )
    if p <= k // 2:
        assert bc.output_size(w, k, p, s) == F.max_pool2d(x, k, stride=s, padding=p).shape[-1]


def test_shape_table_agrees():
    rows = bc.shape_table(8).splitlines()[1:]
    assert len(rows) == len(bc.CONFIGS)
    for row in rows:
        formula, actual = row.split("|")[1].split()
        assert formula == actual


@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (1, 1), (2, 1), (2, 0), (3, 2)])
def test_conv2d_matches_torch(stride, padding):
    g = generator(1)
    x = torch.randn(2, 3, 8, 7, generator=g, dtype=torch.float64)
    w = torch.randn(4, 3, 3, 3, generator=g, dtype=torch.float64)
    b = torch.randn(4, generator=g, dtype=torch.float64)
    mine = bc.conv2d(x, w, b, stride=stride, padding=padding)
    assert torch.allclose(mine, F.conv2d(x, w, b, stride=stride, padding=padding), rtol=0, atol=TOL)
    assert torch.allclose(bc.conv2d(x, w), F.conv2d(x, w), rtol=0, atol=TOL)


def test_conv2d_gradients_match_torch():
    g = generator(2)
    x = torch.randn(2, 2, 6, 6, generator=g, dtype=torch.float64, requires_grad=True)
    w = torch.randn(3, 2, 3, 3, generator=g, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(2, 3, 3, 3, generator=g, dtype=torch.float64)
    grads = []
    for conv in (bc.conv2d, F.conv2d):
        (conv(x, w, stride=2, padding=1) * upstream).sum().backward()
        grads.append((x.grad.clone(), w.grad.clone()))
        x.grad, w.grad = None, None
    for mine, ref in zip(*grads, strict=True):
        assert torch.allclose(mine, ref, rtol=0, atol=TOL)


def test_course_convolution_example():
    x5 = torch.tensor(
        [[3, 4, 6, 5, 7], [2, 4, 6, 8, 2], [1, 6, 7, 8, 4], [9, 7, 4, 6, 2], [3, 7, 5, 4, 1]]
    )
    k3 = torch.arange(1.0, 10.0).view(1, 1, 3, 3)
    out = bc.conv2d(x5.float().view(1, 1, 5, 5), k3, padding=1)
    assert out[0, 0, 0].tolist() == [91, 168, 224, 215, 127]
    assert out[0, 0, 4].tolist() == [96, 112, 110, 68, 31]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_max_pool_matches_torch(k):
    x = torch.randn(2, 3, 8, 7, generator=generator(3), dtype=torch.float64)
    assert torch.equal(bc.max_pool2d(x, k), F.max_pool2d(x, k))
    x4 = (
        torch.tensor([[3, 4, 6, 5], [2, 4, 6, 8], [1, 6, 7, 8], [9, 7, 4, 6]])
        .float()
        .view(1, 1, 4, 4)
    )
    assert bc.max_pool2d(x4, 2).flatten().tolist() == [4, 8, 9, 8]


def test_cnn_shapes_and_feature_maps():
    model = bc.make_cnn(seed=0)
    assert model(torch.zeros(3, 1, 8, 8)).shape == (3, 10)
    assert sum(p.numel() for p in model.parameters()) == 2730
    maps = bc.feature_maps(model, torch.randn(1, 8, 8, generator=generator(0)))
    assert maps.shape == (10, 8, 8) and maps.min() >= 0
    fig = bc.plot_feature_maps(torch.zeros(1, 8, 8), maps)
    assert has_content(fig) and fig.get_label()
    plt.close(fig)


def test_cnn_reaches_accuracy_floor():
    data = digits.load()
    model = bc.make_cnn(seed=0)
    history = digits.fit(model, data, epochs=12, lr=0.05, seed=0, device="cpu")
    assert history["val"][-1] >= 0.95  # the seeded run reaches 0.9611 on validation
    assert digits.accuracy(model, data.x_test, data.y_test) >= 0.95  # and 0.9611 on test
    assert history["loss"][-1] < 0.05


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"w": 0, "k": 1}, ValueError, "w must"),
        ({"w": 8.0, "k": 3}, TypeError, "w must"),
        ({"w": 8, "k": 0}, ValueError, "k must"),
        ({"w": 8, "k": 9}, ValueError, "k=9"),
        ({"w": 8, "k": 3, "p": -1}, ValueError, "p must"),
        ({"w": 8, "k": 3, "s": 0}, ValueError, "s must"),
        ({"w": 8, "k": 3, "s": True}, TypeError, "s must"),
    ],
)
def test_output_size_rejects_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        bc.output_size(**kwargs)


def test_argument_checks():
    x, w = torch.zeros(1, 2, 5, 5), torch.zeros(3, 2, 3, 3)
    with pytest.raises(TypeError, match="x must"):
        bc.conv2d([[1.0]], w)
    with pytest.raises(TypeError, match="x must"):
        bc.conv2d(torch.zeros(1, 2, 5, 5, dtype=torch.long), w)
    with pytest.raises(ValueError, match="x must"):
        bc.conv2d(torch.zeros(2, 5, 5), w)
    with pytest.raises(ValueError, match="weight has"):
        bc.conv2d(x, torch.zeros(3, 1, 3, 3))
    with pytest.raises(ValueError, match="weight must"):
        bc.conv2d(x, torch.zeros(3, 2, 3, 2))
    with pytest.raises(TypeError, match="weight must"):
        bc.conv2d(x, "w")
    with pytest.raises(ValueError, match="stride"):
        bc.conv2d(x, w, stride=0)
    with pytest.raises(TypeError, match="padding"):
        bc.conv2d(x, w, padding=1.0)
    with pytest.raises(ValueError, match="weight: a 7×7"):
        bc.conv2d(x, torch.zeros(3, 2, 7, 7), padding=0)
    with pytest.raises(ValueError, match="k must"):
        bc.max_pool2d(x, 0)
    with pytest.raises(ValueError, match="x must"):
        bc.max_pool2d(torch.zeros(5, 5), 2)
    with pytest.raises(ValueError, match="size must"):
        bc.shape_table(0)
    with pytest.raises(ValueError, match="c1 must"):
        bc.make_cnn(c1=0)
    with pytest.raises(TypeError, match="c2 must"):
        bc.make_cnn(c2=2.5)
    with pytest.raises(TypeError, match="model must"):
        bc.feature_maps(nn.Linear(2, 2), torch.zeros(1, 8, 8))
    with pytest.raises(ValueError, match="image must"):
        bc.feature_maps(bc.make_cnn(), torch.zeros(8, 8))
    with pytest.raises(ValueError, match="maps must"):
        bc.plot_feature_maps(torch.zeros(1, 8, 8), torch.zeros(8, 8))
