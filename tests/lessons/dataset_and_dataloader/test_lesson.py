import math

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from lessons.dataset_and_dataloader import batch_size as bs
from lessons.dataset_and_dataloader import lesson as dl
from lessons.plotting import has_content

TOL = 1e-12  # float64 comparisons


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    return dl.write_csv(tmp_path_factory.mktemp("csv"))


@pytest.fixture(scope="module")
def sets(paths):
    train = dl.CsvDataset(paths[0])
    return train, dl.CsvDataset(paths[1], mean=train.mean, std=train.std)


@pytest.mark.parametrize("n", [0, 1, 10, 426, 569])
@pytest.mark.parametrize("b", [1, 3, 32, 426, 600])
def test_iterations_match_formula_and_dataloader(n, b):
    data = TensorDataset(torch.arange(n))
    assert dl.iterations_per_epoch(n, b) == math.ceil(n / b) == len(DataLoader(data, batch_size=b))
    dropped = len(DataLoader(data, batch_size=b, drop_last=True))
    assert dl.iterations_per_epoch(n, b, drop_last=True) == n // b == dropped


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"n": -1, "batch_size": 2}, ValueError, "n"),
        ({"n": 10, "batch_size": 0}, ValueError, "batch_size"),
        ({"n": 10, "batch_size": -4}, ValueError, "batch_size"),
        ({"n": 10, "batch_size": 2.0}, TypeError, "batch_size"),
        ({"n": 10.0, "batch_size": 2}, TypeError, "n"),
    ],
)
def test_iterations_reject_bad_args(kwargs, err, match):
    with pytest.raises(err, match=match):
        dl.iterations_per_epoch(**kwargs)


def test_iteration_table():
    lines = bs.iteration_table(426, [32, 500]).splitlines()
    assert lines[1].split() == ["32", "14", "14", "13", "13"]
    assert lines[2].split() == ["500", "1", "1", "0", "0"]


def test_write_csv_files(paths):
    train_path, test_path = paths
    header = train_path.read_text().splitlines()[0].split(",")
    assert header[0] == "x0" and header[-1] == "y" and len(header) == 31
    train = np.loadtxt(train_path, delimiter=",", skiprows=1)
    test = np.loadtxt(test_path, delimiter=",", skiprows=1)
    assert train.shape == (426, 31) and test.shape == (143, 31)
    assert set(np.unique(train[:, -1])) == {0.0, 1.0}


def test_write_csv_rejects_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="directory"):
        dl.write_csv(tmp_path / "nope")


def test_dataset_shapes_dtypes_and_labels(sets):
    train, test = sets
    assert len(train) == 426 and len(test) == 143
    x, y = train[0]
    assert x.shape == (30,) and y.shape == (1,)
    assert x.dtype == torch.float32 and y.dtype == torch.float32
    for ds in sets:
        assert set(torch.unique(ds.y).tolist()) == {0.0, 1.0}
    assert abs(train.y.mean().item() - test.y.mean().item()) < 0.01  # stratified


def test_dataset_standardizes_with_training_statistics(sets):
    train, test = sets
    assert train.x.mean(0).abs().max() < 1e-4
    assert torch.allclose(train.x.std(0, correction=0), torch.ones(30), atol=1e-3)
    np.testing.assert_array_equal(test.mean, train.mean)
    assert test.x.mean(0).abs().max() > 1e-3  # the test set keeps the training μ, s


def test_dataset_rejects_single_column_file(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("y\n0\n1\n")
    with pytest.raises(ValueError, match="path"):
        dl.CsvDataset(path)


def test_base_dataset_is_instantiable_but_empty():
    base = Dataset()
    with pytest.raises(NotImplementedError):
        base[0]
    with pytest.raises(TypeError):
        len(base)


@pytest.mark.parametrize("drop_last", [False, True])
def test_manual_batches(sets, drop_last):
    train, _ = sets
    batches = list(dl.manual_batches(train, 32, seed=0, drop_last=drop_last))
    assert len(batches) == dl.iterations_per_epoch(426, 32, drop_last)
    assert batches[0][0].shape == (32, 30) and batches[0][1].shape == (32, 1)
    assert batches[-1][0].shape[0] == (32 if drop_last else 10)
    seen = torch.cat([y for _, y in batches]).sum().item()
    assert drop_last or seen == train.y.sum().item()  # every sample exactly once


def test_manual_batches_rejects_bad_batch_size(sets):
    with pytest.raises(ValueError, match="batch_size"):
        next(dl.manual_batches(sets[0], 0))


@pytest.mark.parametrize(("drop_last", "count", "last"), [(False, 14, 10), (True, 13, 32)])
def test_loader_batch_counts_and_shapes(sets, drop_last, count, last):
    loader = dl.make_loader(sets[0], batch_size=32, drop_last=drop_last, seed=0)
    sizes = [(x.shape, y.shape) for x, y in loader]
    assert len(loader) == len(sizes) == count
    assert sizes[0] == ((32, 30), (32, 1)) and sizes[-1] == ((last, 30), (last, 1))


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"batch_size": -1}, ValueError, "batch_size"),
        ({"batch_size": 3.5}, TypeError, "batch_size"),
        ({"num_workers": -1}, ValueError, "num_workers"),
        ({"seed": -1}, ValueError, "seed"),
    ],
)
def test_make_loader_rejects_bad_args(sets, kwargs, err, match):
    with pytest.raises(err, match=match):
        dl.make_loader(sets[0], **kwargs)


def test_make_loader_rejects_non_dataset():
    with pytest.raises(TypeError, match="dataset"):
        dl.make_loader([1, 2, 3])


def test_shuffling_is_seeded_and_changes_each_epoch():
    a, b = dl.epoch_orders(10, 4, 2, seed=0), dl.epoch_orders(10, 4, 2, seed=0)
    assert a == b and a != dl.epoch_orders(10, 4, 2, seed=1)
    for epoch in a:
        assert sorted(i for batch in epoch for i in batch) == list(range(10))
    assert a[0] != a[1]
    dropped = dl.epoch_orders(10, 4, 1, seed=0, drop_last=True)[0]
    assert [len(batch) for batch in dropped] == [4, 4]
    with pytest.raises(ValueError, match="epochs"):
        dl.epoch_orders(epochs=0)


def test_worker_processes_give_the_same_batches():
    data = TensorDataset(torch.arange(20.0).reshape(10, 2), torch.arange(10.0))
    single = [y.tolist() for _, y in dl.make_loader(data, 4, seed=3, num_workers=0)]
    workers = [y.tolist() for _, y in dl.make_loader(data, 4, seed=3, num_workers=2)]
    assert single == workers


def test_first_iteration_matches_a_manual_sgd_step(sets):
    train, _ = sets
    model, hist = dl.train_minibatch(train, batch_size=32, epochs=1, lr=0.1, seed=0)
    x, y = next(iter(dl.make_loader(train, 32, seed=0)))  # the same first batch
    ref = dl.make_mlp((30, 16, 8, 1), seed=0)
    loss = nn.BCEWithLogitsLoss()(ref(x), y)
    assert hist["iter_loss"][0] == pytest.approx(loss.item(), abs=1e-6)
    ref64 = dl.make_mlp((30, 16, 8, 1), seed=0).double()
    nn.BCEWithLogitsLoss()(ref64(x.double()), y.double()).backward()
    with torch.no_grad():
        for p in ref64.parameters():
            p -= 0.1 * p.grad  # θ ← θ − η ∇L, SGD by hand
    one, _ = dl.train_minibatch(TensorDataset(x.double(), y.double()), 32, 1, 0.1, seed=0)
    for p, q in zip(one.parameters(), ref64.parameters(), strict=True):
        assert torch.allclose(p.cpu(), q, rtol=0, atol=TOL)  # trained on the GPU, if present


def test_training_history_and_accuracy_floor(sets):
    train, test = sets
    model, hist = dl.train_minibatch(train, batch_size=32, epochs=20, lr=0.1, seed=0)
    assert len(hist["iter_loss"]) == 20 * 14 and len(hist["epoch_loss"]) == 20
    assert hist["epoch_loss"][-1] < hist["epoch_loss"][0]
    assert dl.accuracy(model, train) >= 0.97  # seeded run: 0.991
    assert dl.accuracy(model, test) >= 0.92  # seeded run: 0.944
    _, again = dl.train_minibatch(train, batch_size=32, epochs=20, lr=0.1, seed=0)
    assert again == hist  # bit for bit on CPU


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"epochs": 0}, ValueError, "epochs"),
        ({"lr": 0.0}, ValueError, "lr"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"device": "tpu9"}, ValueError, "device"),
    ],
)
def test_train_minibatch_rejects_bad_args(sets, kwargs, err, match):
    with pytest.raises(err, match=match):
        dl.train_minibatch(sets[0], **kwargs)


def test_main_runs_and_prints(capsys):
    dl.main(num_workers=0, batch_size=64, epochs=1)
    out = capsys.readouterr().out
    assert "epoch losses" in out and "test acc" in out


def test_plots(sets):
    results = bs.compare_batch_sizes(sets[0], [64, 426], epochs=2, seeds=[0, 1])
    assert set(results) == {64, 426} and len(results[64]) == 2
    assert len(results[64][0]["iter_loss"]) == 2 * 7 and results[64][0] != results[64][1]
    table = bs.batch_table(results)
    assert "median" in table and len(table.splitlines()) == 3
    with pytest.raises(ValueError, match="seeds"):
        bs.compare_batch_sizes(sets[0], [64], epochs=1, seeds=[])
    figs = [bs.plot_iterations(50), bs.plot_training(results[64][0], 7)]
    figs.append(bs.plot_batch_sizes(results, 426))
    for fig in figs:
        assert isinstance(fig, Figure) and has_content(fig) and fig.get_label()
