"""Tests of lessons.dataset_and_dataloader.exercises: batch sizes, order, lazy CSV, scripts."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import TensorDataset

from lessons.dataset_and_dataloader import exercises as ex
from lessons.dataset_and_dataloader.lesson import CsvDataset, train_minibatch, write_csv


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    return write_csv(tmp_path_factory.mktemp("csv"))


def test_loader_batch_sizes():
    assert ex.loader_batch_sizes(569, 16)[-1] == 9 and len(ex.loader_batch_sizes(569, 16)) == 36
    assert ex.loader_batch_sizes(569, 600) == [569]
    assert ex.loader_batch_sizes(569, 600, drop_last=True) == []


def test_sorted_by_label():
    data = TensorDataset(torch.zeros(5, 2), torch.tensor([[1.0], [0.0], [1.0], [0.0], [0.0]]))
    view = ex.sorted_by_label(data)
    assert [view[i][1].item() for i in range(5)] == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert view.indices == [1, 3, 4, 0, 2]  # stable


def test_train_ordered_with_shuffle_is_train_minibatch(paths):
    train_set = CsvDataset(paths[0])
    _, hist = ex.train_ordered(train_set, True, batch_size=64, epochs=2, lr=0.1, seed=1)
    _, expected = train_minibatch(train_set, batch_size=64, epochs=2, lr=0.1, seed=1)
    assert hist["iter_loss"] == expected["iter_loss"]
    assert hist["epoch_loss"] == pytest.approx(expected["epoch_loss"], rel=1e-6)  # float32 sums


def test_full_loss(paths):
    train_set = CsvDataset(paths[0])
    model, _ = ex.train_ordered(train_set, False, batch_size=426, epochs=1)
    assert 0 < ex.full_loss(model, train_set) < 1


def test_lazy_dataset_matches_csv_dataset(paths):
    lazy = ex.LazyCsvDataset(paths[0])
    raw = CsvDataset(paths[0], mean=np.zeros(30), std=np.ones(30))
    assert len(lazy) == len(raw) == 426
    for i in (0, 1, 200, 425):
        assert torch.equal(lazy[i][0], raw[i][0]) and torch.equal(lazy[i][1], raw[i][1])
    with pytest.raises(IndexError, match="index"):
        lazy[426]
    assert ex.epoch_seconds(raw, batch_size=64) > 0


def test_spawn_scripts():
    assert "main()\n" in ex.spawn_script(False) and "__main__" not in ex.spawn_script(False)
    assert 'if __name__ == "__main__":' in ex.spawn_script(True)


def test_import_as_worker_runs_only_top_level_code(tmp_path):
    printed, names = ex.import_as_worker(ex.spawn_script(True), tmp_path)
    assert printed == "" and "main" in names
    child = 'if __name__ == "__mp_main__":\n    print("child")\n'
    printed, _ = ex.import_as_worker(child, tmp_path)
    assert printed == "child\n"


def test_run_script(tmp_path):
    done = ex.run_script("print('hi')\n", tmp_path)
    assert done.returncode == 0 and done.stdout == "hi\n"


def test_error_summary():
    text = "  raise RuntimeError(\nRuntimeError: worker (pid 12) exited\nother\n"
    assert ex.error_summary(text) == ["RuntimeError: worker (pid …) exited"]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ex.loader_batch_sizes(0, 4), "n"),
        (lambda: ex.loader_batch_sizes(4, 0), "batch_size"),
        (lambda: ex.train_ordered(None, True, batch_size=0), "batch_size"),
        (lambda: ex.train_ordered(None, True, epochs=0), "epochs"),
        (lambda: ex.train_ordered(None, True, lr=0.0), "lr"),
        (lambda: ex.train_ordered(None, True, seed=-1), "seed"),
        (lambda: ex.epoch_seconds(None, num_workers=-1), "num_workers"),
        (lambda: ex.run_script("", ".", timeout=0), "timeout"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
