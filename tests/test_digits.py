import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

from lessons import digits


@pytest.fixture(scope="module")
def data():
    return digits.load()


def test_shapes_and_labels(data):
    assert data.x_train.shape == (1347, 1, 8, 8) and data.x_test.shape == (450, 1, 8, 8)
    assert data.y_train.shape == (1347,) and data.y_test.shape == (450,)
    assert data.x_train.dtype == torch.float32 and data.y_train.dtype == torch.long
    for y in (data.y_train, data.y_test):
        assert y.min() == 0 and y.max() == 9
    # stratified: every class has 43..46 test images (about 25 % of 174..183)
    counts = torch.bincount(data.y_test, minlength=10)
    assert counts.min() >= 43 and counts.max() <= 46


def test_flat_is_the_same_data(data):
    flat = digits.load(flat=True)
    assert flat.x_train.shape == (1347, 64)
    assert torch.equal(flat.x_train, data.x_train.reshape(-1, 64))
    assert torch.equal(flat.y_test, data.y_test)


def test_scaling_and_normalization(data):
    x = data.x_train.double()
    assert abs(x.mean().item()) < 1e-6 and abs(x.std().item() - 1) < 1e-3
    pixels = torch.cat([data.x_train, data.x_test]) * data.std + data.mean  # back to x / 16
    assert pixels.min() >= -1e-6 and pixels.max() <= 1 + 1e-6
    assert 0 < data.mean < 1 and 0 < data.std < 1


def test_split_is_seeded():
    a, b, c = digits.load(seed=3), digits.load(seed=3), digits.load(seed=4)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.y_test, c.y_test)
    assert len(digits.load(test_size=0.5).y_test) in (898, 899)


def test_loader_is_seeded_and_batched(data):
    def first_labels(seed):
        return next(iter(digits.loader(data.x_train, data.y_train, 64, seed)))[1]

    x, y = next(iter(digits.loader(data.x_train, data.y_train, 64, 0)))
    assert x.shape == (64, 1, 8, 8) and y.shape == (64,)
    assert torch.equal(first_labels(0), first_labels(0))
    assert not torch.equal(first_labels(0), first_labels(1))
    assert len(digits.loader(data.x_train, data.y_train, 64, 0)) == 22  # ceil(1347 / 64)


def test_accuracy_of_a_constant_model(data):
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    with torch.no_grad():
        model[1].weight.zero_()
        model[1].bias.copy_(torch.arange(10.0) == 3)  # always predicts 3
    expected = (data.y_test == 3).float().mean().item()
    assert digits.accuracy(model, data.x_test, data.y_test) == pytest.approx(expected)


def test_fit_records_history(data):
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    history = digits.fit(model, data, epochs=2, lr=0.05, seed=0, device="cpu")
    assert len(history["loss"]) == len(history["acc"]) == 2
    assert history["loss"][1] < history["loss"][0]
    fig = digits.plot_history({"$a$": history, "$b$": history})
    assert len(fig.axes) == 2 and fig.get_label()
    plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"test_size": 0}, ValueError, "test_size"),
        ({"test_size": 1.0}, ValueError, "test_size"),
        ({"test_size": "0.2"}, TypeError, "test_size"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
    ],
)
def test_load_rejects_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        digits.load(**kwargs)


def test_loader_rejects_bad_arguments(data):
    with pytest.raises(ValueError, match="batch_size"):
        digits.loader(data.x_train, data.y_train, 0)
    with pytest.raises(TypeError, match="batch_size"):
        digits.loader(data.x_train, data.y_train, 6.4)
    with pytest.raises(ValueError, match="x and y"):
        digits.loader(data.x_train, data.y_test)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": 1.0}, TypeError, "epochs"),
        ({"lr": 0.0}, ValueError, "lr"),
        ({"lr": "0.1"}, TypeError, "lr"),
        ({"device": 3}, TypeError, "device"),
    ],
)
def test_fit_rejects_bad_arguments(data, kwargs, error, name):
    with pytest.raises(error, match=name):
        digits.fit(nn.Linear(64, 10), data, **kwargs)


@pytest.mark.skipif(torch.cuda.is_available(), reason="only meaningful without a GPU")
def test_fit_rejects_cuda_without_gpu(data):
    with pytest.raises(ValueError, match="device"):
        digits.fit(nn.Linear(64, 10), data, device="cuda")


def test_plot_history_rejects_empty():
    with pytest.raises(ValueError, match="histories"):
        digits.plot_history({})
