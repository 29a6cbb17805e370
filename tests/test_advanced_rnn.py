import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from lessons import advanced_rnn as ar
from lessons import names
from lessons.common import generator, seeded
from lessons.plotting import has_content

TOL = 1e-12  # float64: hand-written and PyTorch differ only by rounding
CODES = sorted(names.SOURCES)
DEMO_NAMES = ["kurosawa", "sierpinski", "kolmogorov", "riemann", "galois", "lindqvist", "smetana"]


@pytest.fixture(scope="module")
def split():
    return names.stratified_split(names.load_names(), seed=0)


@pytest.fixture(scope="module")
def trained(split):
    train, _ = split
    return {bi: ar.train_classifier(train, CODES, bidirectional=bi, seed=0) for bi in (False, True)}


def test_gru_cell_matches_torch():
    with seeded(0):
        cell = nn.GRUCell(3, 5).double()
    g = generator(1)
    x = torch.randn(4, 3, generator=g, dtype=torch.float64)
    h = torch.randn(4, 5, generator=g, dtype=torch.float64)
    mine = ar.gru_cell(x, h, *[p.detach() for p in cell.parameters()])
    torch.testing.assert_close(mine, cell(x, h), rtol=0, atol=TOL)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_batch_equals_one_name_at_a_time(bidirectional):
    """Packing makes padding invisible: a batch scores each name as if it were alone."""
    with seeded(0):
        model = ar.NameClassifier(len(CODES), bidirectional=bidirectional).double()
    batch = ["li", "van der berg", "rossi", "o'neil"]  # unsorted lengths
    x, lengths = names.encode(batch)
    together = model(x, lengths)
    for i, name in enumerate(batch):
        alone = model(*names.encode([name]))
        torch.testing.assert_close(together[i], alone[0], rtol=0, atol=TOL)
    unpacked = model(x, lengths, packed=False)  # the "last output" reads padding
    assert not torch.allclose(unpacked[0], together[0])
    if not bidirectional:  # the longest name has no padding: there the two paths agree
        torch.testing.assert_close(unpacked[1], together[1], rtol=0, atol=TOL)


def test_accuracy_floors(trained, split):
    _, test = split
    accuracy = {bi: ar.evaluate(model, test, CODES)[0] for bi, (model, _) in trained.items()}
    assert accuracy[False] >= 0.63  # seeded run: 0.647
    assert accuracy[True] >= 0.65  # seeded run: 0.673
    naive = ar.evaluate(trained[False][0], test, CODES, packed=False)[0]
    assert naive < 0.3  # the last padded output is close to useless
    for _, losses in trained.values():
        assert len(losses) == 6 and losses[-1] < losses[0] / 2


def test_per_class_and_predict(trained, split):
    model = trained[True][0]
    acc, per_class = ar.evaluate(model, split[1], CODES)
    assert list(per_class) == CODES and all(0 <= a <= 1 for a in per_class.values())
    assert per_class["ru"] >= 0.8 and 0 < acc < 1
    top = ar.predict(model, ["ivanov", "rossi"], CODES, k=3)
    assert [t[0][0] for t in top] == ["ru", "it"]
    for row in top:
        probs = [p for _, p in row]
        assert len(row) == 3 and probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-6
    text = ar.format_predictions(["ivanov", "rossi"], top)
    assert text.splitlines()[0].startswith("ivanov") and "ru 0." in text
    with pytest.raises(ValueError, match="k"):
        ar.predict(model, ["rossi"], CODES, k=0)
    with pytest.raises(ValueError, match="k"):
        ar.predict(model, ["rossi"], CODES, k=len(CODES) + 1)


def test_demo_names_are_not_in_the_data_set():
    every_name = {n for n, _ in names.load_names(max_per_class=10**6)}
    assert not every_name & set(DEMO_NAMES)


def test_training_is_reproducible(split):
    small = split[0][::20]
    a = ar.train_classifier(small, CODES, epochs=2, batch_size=64, seed=3)
    b = ar.train_classifier(small, CODES, epochs=2, batch_size=64, seed=3)
    assert a[1] == b[1]
    for p, q in zip(a[0].parameters(), b[0].parameters(), strict=True):
        assert torch.equal(p, q)


def test_train_checks(split):
    small = split[0][:10]
    with pytest.raises(ValueError, match="pairs"):
        ar.train_classifier(small, ["de", "fr"])
    with pytest.raises(ValueError, match="pairs"):
        ar.train_classifier([], CODES)
    for name, bad, error in (
        ("epochs", 0, ValueError),
        ("epochs", 1.0, TypeError),
        ("batch_size", 0, ValueError),
        ("lr", -1.0, ValueError),
        ("lr", "0.1", TypeError),
        ("seed", -1, ValueError),
        ("device", "nonsense", ValueError),
    ):
        with pytest.raises(error, match=name):
            ar.train_classifier(small, CODES, **{name: bad})


def test_tables_and_figures(trained, split):
    _, uni = ar.evaluate(trained[False][0], split[1], CODES)
    _, bi = ar.evaluate(trained[True][0], split[1], CODES)
    counts = {c: sum(1 for _, k in split[1] if k == c) for c in CODES}
    lines = ar.format_accuracy(uni, bi, counts).splitlines()
    assert len(lines) == len(CODES) + 1 and lines[1].split()[0] == "cs"
    figs = [
        ar.plot_losses(trained[False][1], trained[True][1]),
        ar.plot_per_class_accuracy(uni, bi),
    ]
    for fig in figs:
        assert isinstance(fig, Figure) and has_content(fig) and fig.get_label()
    ticks = [t.get_text() for t in figs[1].axes[0].get_xticklabels()]
    assert ticks == CODES
