import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lessons import digits
from lessons import softmax_classifier as sc
from lessons.common import generator
from lessons.plotting import has_content

TOL = 1e-12  # float64: hand-written results agree with PyTorch to rounding error


@pytest.fixture
def batch():
    g = generator(0)
    z = torch.randn(7, 5, generator=g, dtype=torch.float64) * 3
    y = torch.randint(0, 5, (7,), generator=g)
    return z, y


def test_softmax_matches_torch(batch):
    z, _ = batch
    for fn in (sc.softmax, sc.softmax_naive):
        p = fn(z)
        assert torch.allclose(p, torch.softmax(z, dim=-1), rtol=0, atol=TOL)
        assert torch.allclose(p.sum(dim=-1), torch.ones(7, dtype=torch.float64), atol=TOL)


def test_softmax_is_stable_and_shift_invariant():
    z = torch.tensor([1000.0, 1001.0, 1002.0])
    assert torch.isnan(sc.softmax_naive(z)).all()
    assert torch.allclose(sc.softmax(z), sc.softmax(z - 1000.0))
    assert torch.allclose(sc.softmax(z), torch.softmax(z, dim=0))


def test_log_softmax_nll_and_cross_entropy_match_torch(batch):
    z, y = batch
    log_p = sc.log_softmax(z)
    assert torch.allclose(log_p, F.log_softmax(z, dim=1), rtol=0, atol=TOL)
    assert abs(sc.nll_loss(log_p, y) - F.nll_loss(log_p, y)) < TOL
    assert abs(sc.cross_entropy(z, y) - F.cross_entropy(z, y)) < TOL
    assert abs(nn.CrossEntropyLoss()(z, y) - nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), y)) < TOL


def test_cross_entropy_grad_matches_autograd(batch):
    z, y = batch
    z = z.clone().requires_grad_()
    F.cross_entropy(z, y).backward()
    assert torch.allclose(sc.cross_entropy_grad(z.detach(), y), z.grad, rtol=0, atol=TOL)


def test_course_example_numbers():
    y = torch.tensor([2, 0, 1])
    z1 = torch.tensor([[0.1, 0.2, 0.9], [1.1, 0.1, 0.2], [0.2, 2.1, 0.1]])
    z2 = torch.tensor([[0.8, 0.2, 0.3], [0.2, 0.3, 0.5], [0.2, 0.2, 0.5]])
    assert sc.cross_entropy(z1, y).item() == pytest.approx(0.4966, abs=1e-4)
    assert sc.cross_entropy(z2, y).item() == pytest.approx(1.2389, abs=1e-4)


def test_mlp_outputs_logits():
    model = sc.make_mlp(seed=0)
    assert isinstance(model.net[-1], nn.Linear)  # no activation after the last layer
    assert model(torch.zeros(5, 1, 8, 8)).shape == (5, 10)
    same = sc.make_mlp(seed=0)
    assert all(
        torch.equal(p, q) for p, q in zip(model.parameters(), same.parameters(), strict=True)
    )


def test_mlp_reaches_accuracy_floor_and_confusion_matrix():
    data = digits.load(flat=True)
    model = sc.make_mlp(seed=0)
    history = digits.fit(model, data, epochs=15, lr=0.1, seed=0, device="cpu")
    assert history["acc"][-1] >= 0.96  # the seeded run reaches 0.9756
    cm = sc.confusion_matrix(model, data.x_test, data.y_test)
    assert cm.shape == (10, 10) and cm.sum() == len(data.y_test)
    assert torch.equal(cm.sum(dim=1), torch.bincount(data.y_test, minlength=10))
    assert cm.diag().sum().item() / cm.sum().item() == pytest.approx(history["acc"][-1])
    fig = sc.plot_confusion(cm)
    assert has_content(fig) and fig.get_label()
    plt.close(fig)


def test_plots_have_content():
    data = digits.load(flat=True)
    for fig in (sc.plot_samples(data.x_train, data.y_train, 5), sc.plot_softmax(torch.randn(4))):
        assert has_content(fig) and fig.get_label()
        plt.close(fig)


def test_logit_checks():
    z = torch.zeros(3, 4)
    with pytest.raises(TypeError, match="z must"):
        sc.softmax([1.0, 2.0])
    with pytest.raises(TypeError, match="z must"):
        sc.softmax_naive(torch.tensor([1, 2]))
    with pytest.raises(TypeError, match="z must"):
        sc.log_softmax("z")
    with pytest.raises(TypeError, match="y must"):
        sc.cross_entropy(z, torch.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="y must"):
        sc.nll_loss(z, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="y must"):
        sc.cross_entropy_grad(z, torch.tensor([0, 1, 4]))
    with pytest.raises(ValueError, match="y must"):
        sc.cross_entropy(z, torch.tensor([0, -1, 2]))


def test_argument_checks():
    with pytest.raises(ValueError, match="sizes"):
        sc.make_mlp(sizes=(64, 10, 5))
    with pytest.raises(ValueError, match="sizes"):
        sc.make_mlp(sizes=(64,))
    with pytest.raises(ValueError, match="sizes"):
        sc.make_mlp(sizes=(64, 0, 10))
    with pytest.raises(TypeError, match="sizes"):
        sc.make_mlp(sizes=(64, 3.5, 10))
    with pytest.raises(ValueError, match="seed"):
        sc.make_mlp(seed=-1)
    model = sc.make_mlp()
    with pytest.raises(ValueError, match="k must"):
        sc.confusion_matrix(model, torch.zeros(2, 64), torch.tensor([0, 1]), k=1)
    with pytest.raises(ValueError, match="cm"):
        sc.plot_confusion(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="n must"):
        sc.plot_samples(torch.zeros(2, 64), torch.tensor([0, 1]), n=0)
