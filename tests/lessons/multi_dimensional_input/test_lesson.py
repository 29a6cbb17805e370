import statistics

import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from lessons.multi_dimensional_input import architectures as mc
from lessons.multi_dimensional_input import lesson as mdi
from lessons.plotting import has_content
from lessons.tabular_mlp import make_mlp

TOL = 1e-12  # float64: hand-written and autograd gradients agree to rounding


@pytest.fixture(scope="module")
def split():
    return mdi.load_split(val_size=0.2, test_size=0.2, seed=0)


def test_split_shapes_labels_and_stratification(split):
    assert split.x_train.shape == (341, 30)
    assert split.x_val.shape == split.x_test.shape == (114, 30)
    assert split.y_train.shape == (341, 1) and split.y_val.shape == split.y_test.shape == (114, 1)
    assert split.x_train.dtype == torch.float32
    for y in (split.y_train, split.y_val, split.y_test):
        assert set(y.unique().tolist()) == {0.0, 1.0}
        assert abs(split.y_train.mean().item() - y.mean().item()) < 0.01  # stratified
    rows = torch.cat([split.x_train, split.x_val, split.x_test])
    assert len(torch.unique(rows, dim=0)) == 569  # disjoint, and together all rows


def test_standardized_with_training_statistics(split):
    assert split.x_train.mean(0).abs().max() < 1e-5
    assert torch.allclose(split.x_train.std(0, correction=0), torch.ones(30), atol=1e-4)
    assert split.x_test.mean(0).abs().max() > 1e-3  # test set is not re-standardized
    assert split.x_val.mean(0).abs().max() > 1e-3  # nor is the validation set


def test_split_is_reproducible_and_seed_dependent(split):
    again = mdi.load_split(seed=0, dtype=torch.float64)
    assert torch.equal(again.x_train.float(), split.x_train)
    assert not torch.equal(mdi.load_split(seed=1).y_train, split.y_train)


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"test_size": 0.0}, ValueError, "test_size"),
        ({"test_size": 1.0}, ValueError, "test_size"),
        ({"test_size": "0.2"}, TypeError, "test_size"),
        ({"val_size": 0.0}, ValueError, "val_size"),
        ({"val_size": 0.5, "test_size": 0.5}, ValueError, "val_size"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 0.5}, TypeError, "seed"),
    ],
)
def test_load_split_rejects_bad_args(kwargs, err, match):
    with pytest.raises(err, match=match):
        mdi.load_split(**kwargs)


def test_describe_data():
    text = mdi.describe_data()
    assert "(569, 30)" in text and "(212, 357)" in text


def test_bce_with_logits_matches_pytorch():
    g = torch.Generator().manual_seed(0)
    z = 3 * torch.randn(
        50, 1, generator=g, dtype=torch.float64
    )  # moderate z: literal form is exact
    y = torch.randint(0, 2, (50, 1), generator=g).double()
    expected = nn.functional.binary_cross_entropy(torch.sigmoid(z), y)
    assert torch.allclose(mdi.bce_with_logits(z, y), expected, rtol=0, atol=1e-12)
    z = 10 * z  # large |z|: compare with PyTorch's own stable version
    assert torch.allclose(mdi.bce_with_logits(z, y), nn.BCEWithLogitsLoss()(z, y), atol=1e-12)
    big = torch.tensor([[40.0]])  # float32 σ(40) = 1: the literal formula gives inf
    assert torch.isfinite(mdi.bce_with_logits(big, torch.zeros(1, 1)))


def test_logistic_grad_matches_autograd(split):
    assert mdi.grad_check(split, seed=0) < TOL
    assert mdi.grad_check(split, seed=3) < TOL


def test_logistic_grad_shapes(split):
    w, b = torch.zeros(30, 1), torch.zeros(1)
    loss, dw, db = mdi.logistic_grad(split.x_train, split.y_train, w, b)
    assert dw.shape == (30, 1) and db.shape == (1,)
    assert loss.item() == pytest.approx(torch.log(torch.tensor(2.0)).item(), abs=1e-6)


def test_train_logistic_first_step_equals_sgd(split):
    x, y = split.x_train.double(), split.y_train.double()
    s64 = mdi.Split(x, y, split.x_val.double(), split.y_val.double(), x[:0], y[:0])
    w, b, _ = mdi.train_logistic(s64, epochs=1, lr=0.5)
    wt = torch.zeros(30, 1, dtype=torch.float64, requires_grad=True)
    bt = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([wt, bt], lr=0.5)
    nn.BCEWithLogitsLoss()(x @ wt + bt, y).backward()
    opt.step()
    assert torch.allclose(w, wt.detach(), rtol=0, atol=TOL)
    assert torch.allclose(b, bt.detach(), rtol=0, atol=TOL)


def test_scratch_logistic_accuracy_floor(split):
    w, b, losses = mdi.train_logistic(split, epochs=100, lr=0.5)
    assert losses[-1] < losses[0]
    assert mdi.accuracy(split.x_train @ w + b, split.y_train) >= 0.97  # seeded run: 0.982
    assert mdi.accuracy(split.x_val @ w + b, split.y_val) >= 0.97  # seeded run: 0.982


@pytest.mark.parametrize(("kwargs", "match"), [({"epochs": 0}, "epochs"), ({"lr": 0.0}, "lr")])
def test_train_logistic_rejects_bad_args(split, kwargs, match):
    with pytest.raises(ValueError, match=match):
        mdi.train_logistic(split, **kwargs)


def test_make_mlp_structure_and_seed():
    model = make_mlp((30, 16, 8, 1), "sigmoid", seed=0)
    assert [type(m) for m in model] == [nn.Linear, nn.Sigmoid, nn.Linear, nn.Sigmoid, nn.Linear]
    assert model(torch.zeros(5, 30)).shape == (5, 1)
    same = make_mlp((30, 16, 8, 1), "sigmoid", seed=0)
    assert all(
        torch.equal(p, q) for p, q in zip(model.parameters(), same.parameters(), strict=True)
    )
    assert len(make_mlp((30, 1))) == 1  # logistic regression: no activation


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"sizes": (30,)}, ValueError, "sizes"),
        ({"sizes": (30, 8, 2)}, ValueError, "sizes"),
        ({"sizes": (30, 0, 1)}, ValueError, "sizes"),
        ({"sizes": (30, 8.0, 1)}, TypeError, "sizes"),
        ({"sizes": "30-1"}, ValueError, "sizes"),
        ({"activation": "tanh"}, ValueError, "activation"),
        ({"seed": -1}, ValueError, "seed"),
    ],
)
def test_make_mlp_rejects_bad_args(kwargs, err, match):
    with pytest.raises(err, match=match):
        make_mlp(**kwargs)


def test_mlp_accuracy_floor_and_reproducibility(split):
    hist = mdi.train_mlp(split, make_mlp(seed=0), epochs=300, lr=0.3, device="cpu")
    assert set(hist) == set(mdi.KEYS) and all(len(v) == 300 for v in hist.values())
    assert hist["acc_train"][-1] >= 0.98  # seeded run: 1.000
    assert hist["acc_val"][-1] >= 0.97  # seeded run: 0.991
    assert hist["loss_train"][-1] == pytest.approx(0.0103, abs=5e-5)  # quoted on the page
    assert hist["loss_val"][-1] == pytest.approx(0.0245, abs=5e-5)
    again = mdi.train_mlp(split, make_mlp(seed=0), epochs=300, lr=0.3, device="cpu")
    assert again == hist  # bit for bit on CPU


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [({"epochs": 0}, ValueError, "epochs"), ({"lr": -1.0}, ValueError, "lr"),
     ({"device": 3}, TypeError, "device")],
)  # fmt: skip
def test_train_mlp_rejects_bad_args(split, kwargs, err, match):
    with pytest.raises(err, match=match):
        mdi.train_mlp(split, make_mlp(), **kwargs)


def test_compare_table_and_plots(split):
    configs = [((30, 1), "relu"), ((30, 4, 1), "sigmoid")]
    rows = mc.compare_architectures(split, configs, 20, 0.3, seeds=[0, 1])
    assert [r[:2] for r in rows] == [((30, 1), "relu"), ((30, 4, 1), "sigmoid")]
    assert all(len(r[2]) == len(r[3]) == 2 for r in rows)
    with pytest.raises(ValueError, match="seeds"):
        mc.compare_architectures(split, configs, 20, 0.3, seeds=[])
    table = mc.architecture_table(rows)
    assert "30→1" in table and "sigmoid" in table and len(table.splitlines()) == 3
    hist = mdi.train_mlp(split, make_mlp(), epochs=5)
    for fig in (mc.plot_history(hist), mc.plot_losses([0.7, 0.5]), mc.plot_architectures(rows)):
        assert isinstance(fig, Figure) and has_content(fig) and fig.get_label()


def test_architecture_claims_hold_over_five_seeds(split):
    """Claims of the page: big nets fit the training set in every seed, validation does not gain."""
    configs = [((30, 1), "relu"), ((30, 64, 32, 1), "relu"), ((30, 64, 64, 64, 1), "relu")]
    rows = mc.compare_architectures(split, configs, epochs=300, lr=0.3, seeds=range(5))
    (_, _, lr_tr, lr_va), *big = rows
    assert statistics.median(lr_tr) == pytest.approx(0.982, abs=5e-4)
    assert statistics.median(lr_va) == pytest.approx(0.991, abs=5e-4)
    for _, _, acc_tr, acc_va in big:
        assert min(acc_tr) == 1.0  # memorized, every seed
        assert statistics.median(acc_va) <= statistics.median(lr_va)  # not better than 30→1
