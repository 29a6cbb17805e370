import dataclasses

import matplotlib.pyplot as plt
import pytest
import torch
from sklearn.datasets import load_digits
from torch import nn

from lessons import digits
from lessons.seeds import seeded


@pytest.fixture(scope="module")
def data():
    return digits.load()


def test_shapes_and_labels(data):
    assert data.x_train.shape == (1077, 1, 8, 8)
    assert data.x_val.shape == data.x_test.shape == (360, 1, 8, 8)
    assert data.y_train.shape == (1077,) and data.y_val.shape == data.y_test.shape == (360,)
    assert data.x_train.dtype == torch.float32 and data.y_train.dtype == torch.long
    for y in (data.y_train, data.y_val, data.y_test):
        assert y.min() == 0 and y.max() == 9
    # stratified: every class has 35..37 validation and test images (about 20 % of 174..183)
    for y in (data.y_val, data.y_test):
        counts = torch.bincount(y, minlength=10)
        assert counts.min() >= 35 and counts.max() <= 37


def test_the_three_sets_are_disjoint_and_cover_the_data(data):
    rows = [
        tuple(r)
        for x in (data.x_train, data.x_val, data.x_test)
        for r in x.reshape(-1, 64).tolist()
    ]
    images = load_digits().data
    assert len(rows) == len(images) == 1797
    # duplicates exist among the raw images, so compare multisets of rows
    restored = sorted(tuple(round((v * data.std + data.mean) * 16) for v in r) for r in rows)
    assert restored == sorted(tuple(int(v) for v in r) for r in images)


def test_flat_is_the_same_data(data):
    flat = digits.load(flat=True)
    assert flat.x_train.shape == (1077, 64)
    assert torch.equal(flat.x_train, data.x_train.reshape(-1, 64))
    assert torch.equal(flat.x_val, data.x_val.reshape(-1, 64))
    assert torch.equal(flat.y_test, data.y_test)


def test_scaling_and_normalization(data):
    x = data.x_train.double()
    assert abs(x.mean().item()) < 1e-6 and abs(x.std().item() - 1) < 1e-3
    pixels = torch.cat([data.x_train, data.x_val, data.x_test]) * data.std + data.mean  # x / 16
    assert pixels.min() >= -1e-6 and pixels.max() <= 1 + 1e-6
    assert 0 < data.mean < 1 and 0 < data.std < 1


def test_split_is_seeded():
    a, b, c = digits.load(seed=3), digits.load(seed=3), digits.load(seed=4)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    assert torch.equal(a.y_val, b.y_val)
    assert not torch.equal(a.y_test, c.y_test)
    half = digits.load(val_size=0.25, test_size=0.5)
    assert len(half.y_test) in (898, 899) and len(half.y_val) in (449, 450)


def test_loader_is_seeded_and_batched(data):
    def first_labels(seed):
        return next(iter(digits.loader(data.x_train, data.y_train, 64, seed)))[1]

    x, y = next(iter(digits.loader(data.x_train, data.y_train, 64, 0)))
    assert x.shape == (64, 1, 8, 8) and y.shape == (64,)
    assert torch.equal(first_labels(0), first_labels(0))
    assert not torch.equal(first_labels(0), first_labels(1))
    assert len(digits.loader(data.x_train, data.y_train, 64, 0)) == 17  # ceil(1077 / 64)


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
    assert len(history["loss"]) == len(history["val"]) == 2
    assert history["loss"][1] < history["loss"][0]
    assert history["val"][-1] == digits.accuracy(model, data.x_val, data.y_val)
    fig = digits.plot_history({"$a$": history, "$b$": history})
    assert len(fig.axes) == 2 and fig.get_label()
    plt.close(fig)


class SealedTestSet(digits.Digits):
    """The digits, with a test set that raises when anything reads it."""

    def __getattribute__(self, name):
        if name in ("x_test", "y_test"):
            raise AssertionError(f"the test set was read: {name}")
        return super().__getattribute__(name)


def test_fit_never_looks_at_the_test_set(data):
    fields = {f.name: getattr(data, f.name) for f in dataclasses.fields(data)}
    sealed = SealedTestSet(**fields)
    with pytest.raises(AssertionError, match="the test set was read"):
        sealed.x_test  # noqa: B018 (the seal holds)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    history = digits.fit(model, sealed, epochs=1, lr=0.05, seed=0)
    assert history["val"]  # it trained and validated, without the test set


def test_fit_with_zero_momentum_is_plain_sgd(data):
    """Momentum μ = 0: one step of fit equals w ← w − η ∇J on the first batch (float64)."""
    x, y = next(iter(digits.loader(data.x_train, data.y_train, 64, 0)))
    small = dataclasses.replace(data, x_train=x.double(), y_train=y, x_val=x.double(), y_val=y)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10)).double()
    w0 = [p.detach().clone() for p in model.parameters()]
    nn.functional.cross_entropy(model(x.double()), y).backward()
    expected = [w - 0.1 * p.grad for w, p in zip(w0, model.parameters(), strict=True)]  # w − η∇J
    digits.fit(model, small, epochs=1, lr=0.1, momentum=0.0, batch_size=64, seed=0)
    for p, e in zip(model.parameters(), expected, strict=True):
        assert torch.allclose(p.cpu(), e.cpu(), rtol=0, atol=1e-12)  # fit moves it to a GPU


def test_seed_runs_and_table(data):
    def make(seed):
        with seeded(seed):
            return nn.Sequential(nn.Flatten(), nn.Linear(64, 10))

    models, runs = digits.seed_runs(make, data, seeds=[0, 1], epochs=1, lr=0.05)
    assert len(models) == len(runs) == 2 and runs[0] != runs[1]
    assert runs[0] == digits.fit(make(seed=0), data, epochs=1, lr=0.05, seed=0)
    assert digits.seed_stats([0.5, 0.9, 0.7]) == (0.7, 0.5, 0.9)
    table = digits.seed_table({"lin": runs})
    assert "median" in table and f"{runs[0]['val'][-1]:.4f}" in table
    with pytest.raises(ValueError, match="seeds"):
        digits.seed_runs(make, data, seeds=[])
    with pytest.raises(ValueError, match="runs"):
        digits.seed_table({})


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"test_size": 0}, ValueError, "test_size"),
        ({"test_size": 1.0}, ValueError, "test_size"),
        ({"val_size": 0}, ValueError, "val_size"),
        ({"val_size": 0.5, "test_size": 0.5}, ValueError, "val_size"),
        ({"val_size": None}, TypeError, "val_size"),
        ({"test_size": "0.2"}, TypeError, "test_size"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
    ],
)
def test_load_rejects_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        digits.load(**kwargs)


def test_fit_rejects_a_bad_device(data):
    with pytest.raises(TypeError, match="device"):
        digits.fit(nn.Linear(64, 10), data, device=3)


@pytest.mark.skipif(torch.cuda.is_available(), reason="only meaningful without a GPU")
def test_fit_rejects_cuda_without_gpu(data):
    with pytest.raises(ValueError, match="device"):
        digits.fit(nn.Linear(64, 10), data, device="cuda")


def test_plot_history_rejects_empty():
    with pytest.raises(ValueError, match="histories"):
        digits.plot_history({})
