import pytest
import torch
from matplotlib.figure import Figure

from lessons.advanced_rnn import lesson as ar
from lessons.advanced_rnn import names
from lessons.advanced_rnn import reports as nr
from lessons.plotting import has_content
from lessons.seeds import seeded

TOL = 1e-12  # float64: a batch and one name at a time differ only by rounding
CODES = sorted(names.SOURCES)
DEMO_NAMES = ["kurosawa", "sierpinski", "kolmogorov", "riemann", "galois", "lindqvist", "smetana"]


@pytest.fixture(scope="module")
def split():
    """The page's split: 20 % test, then 25 % of the rest for validation (60/20/20)."""
    train_val, test = names.stratified_split(names.load_names(), test_fraction=0.2, seed=0)
    train, val = names.stratified_split(train_val, test_fraction=0.25, seed=0)
    return train, val, test


@pytest.fixture(scope="module")
def trained(split):
    """The page's three seed-0 runs: name → (model, losses)."""
    return {
        name: ar.train_classifier(split[0], CODES, cell, bidirectional, epochs=6, seed=0)
        for name, (cell, bidirectional) in ar.MODELS.items()
    }


def test_split_sizes(split):
    train, val, test = split
    assert (len(train), len(val), len(test)) == (2556, 854, 853)
    assert not (set(train) & set(val)) and not (set(val) & set(test))


@pytest.mark.parametrize("name", list(ar.MODELS))
def test_packed_batch_equals_one_name_at_a_time(name):
    """Packing makes padding invisible: a batch scores each name as if it were alone."""
    cell, bidirectional = ar.MODELS[name]
    with seeded(0):
        model = ar.NameClassifier(len(CODES), bidirectional=bidirectional, cell=cell).double()
    batch = ["li", "van der berg", "rossi", "o'neil"]  # unsorted lengths
    x, lengths = names.encode(batch)
    together = model(x, lengths)
    assert together.shape == (4, len(CODES))
    for i, n in enumerate(batch):
        alone = model(*names.encode([n]))
        torch.testing.assert_close(together[i], alone[0], rtol=0, atol=TOL)
    unpacked = model(x, lengths, packed=False)  # the "last output" reads padding
    assert not torch.allclose(unpacked[0], together[0])
    if not bidirectional:  # the longest name has no padding: there the two paths agree
        torch.testing.assert_close(unpacked[1], together[1], rtol=0, atol=TOL)


def test_lstm_model_shapes():
    with seeded(0):
        model = ar.NameClassifier(len(CODES), hidden_size=7, cell="lstm")
    assert isinstance(model.rnn, torch.nn.LSTM) and model.fc.in_features == 7
    out, (h_n, c_n) = model.rnn(model.embedding(names.encode(["abc", "de"])[0]))
    assert out.shape == (2, 3, 7) and h_n.shape == c_n.shape == (1, 2, 7)


def test_validation_accuracy_floors(trained, split):
    """Seeded runs (page): GRU 0.600, LSTM 0.604, BiGRU 0.630 on validation."""
    _, val, _ = split
    accuracy = {name: ar.evaluate(model, val, CODES)[0] for name, (model, _) in trained.items()}
    assert accuracy["GRU"] >= 0.58 and accuracy["LSTM"] >= 0.58 and accuracy["BiGRU"] >= 0.61
    for model, _ in trained.values():
        assert ar.evaluate(model, val, CODES, packed=False)[0] < 0.3  # the last padded output
    assert ar.evaluate(trained["BiGRU"][0], val, CODES, packed=False)[0] < 0.12  # ≈ largest class
    for _, losses in trained.values():
        assert len(losses) == 6 and losses[-1] < losses[0] / 2


def test_page_claims_for_seed_0(trained, split):
    """What the page says about its seed-0 runs."""
    train, val, test = split
    loss = {name: losses for name, (_, losses) in trained.items()}
    for e in range(6):  # "lowest (BiGRU) and highest (LSTM) training loss at every epoch"
        assert loss["BiGRU"][e] < loss["GRU"][e] < loss["LSTM"][e]
    gap = {  # overfitting: train accuracy well above validation, most for the BiGRU
        n: ar.evaluate(m, train, CODES)[0] - ar.evaluate(m, val, CODES)[0]
        for n, (m, _) in trained.items()
    }
    assert min(gap.values()) > 0.1 and max(gap, key=gap.get) == "BiGRU"
    per_class = nr.per_class_accuracy({n: m for n, (m, _) in trained.items()}, val, CODES)
    for accuracy in per_class.values():  # same three best and five weakest classes
        ranked = sorted(accuracy, key=accuracy.get)
        assert set(ranked[-3:]) == {"ru", "fi", "sv"}
        assert set(ranked[:5]) == {"ja", "tr", "pt", "cs", "en"}
    best, val_accuracy, test_accuracy = ar.select_and_test(
        {n: m for n, (m, _) in trained.items()}, val, test, CODES
    )
    assert best == "BiGRU" and val_accuracy == pytest.approx(0.630, abs=5e-4)
    assert test_accuracy == pytest.approx(0.615, abs=5e-4)  # the one test number the page shows


def test_per_class_and_predict(trained, split):
    model = trained["BiGRU"][0]
    acc, per_class = ar.evaluate(model, split[1], CODES)
    assert list(per_class) == CODES and all(0 <= a <= 1 for a in per_class.values())
    assert per_class["ru"] >= 0.8 and 0 < acc < 1
    top = ar.predict(model, ["ivanov", "rossi"], CODES, k=3)
    assert [t[0][0] for t in top] == ["ru", "it"]
    for row in top:
        probs = [p for _, p in row]
        assert len(row) == 3 and probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-6
    text = nr.format_predictions(["ivanov", "rossi"], top)
    assert text.splitlines()[0].startswith("ivanov  ru ") and "it 0." in text
    demo = [row[0][0] for row in ar.predict(model, DEMO_NAMES + ["li"], CODES)]
    right = ["ja", "pl", "ru", "de", "fr", "sv", "cs", "zh"]  # page: "four of the eight"
    assert sum(a == b for a, b in zip(demo, right, strict=True)) == 4
    with pytest.raises(ValueError, match="k"):
        ar.predict(model, ["rossi"], CODES, k=0)
    with pytest.raises(ValueError, match="k"):
        ar.predict(model, ["rossi"], CODES, k=len(CODES) + 1)


def test_demo_names_are_not_in_the_data_set():
    every_name = {n for n, _ in names.load_names(max_per_class=10**6)}
    assert not every_name & set(DEMO_NAMES)


def test_seed_sweep_reuses_and_trains(split):
    small_train, small_val = split[0][::10], split[1][::10]
    model, _ = ar.train_classifier(small_train, CODES, epochs=1, batch_size=64, seed=0)
    results = ar.seed_sweep(
        small_train, small_val, CODES, ("GRU", "LSTM"), range(2), {("GRU", 0): model},
        epochs=1, batch_size=64,
    )  # fmt: skip
    assert list(results) == ["GRU", "LSTM"] and all(len(v) == 2 for v in results.values())
    assert results["GRU"][0] == ar.evaluate(model, small_val, CODES)[0]
    again = ar.seed_sweep(
        small_train, small_val, CODES, ("GRU",), range(2), epochs=1, batch_size=64
    )
    assert again["GRU"] == results["GRU"]  # the reused model is the one the sweep would train
    lines = nr.format_sweep(results).splitlines()
    assert [line.split()[0] for line in lines] == ["model", "GRU", "LSTM"]
    with pytest.raises(ValueError, match="models"):
        ar.seed_sweep(small_train, small_val, CODES, models=("RNN",))
    with pytest.raises(ValueError, match="seeds"):
        ar.seed_sweep(small_train, small_val, CODES, seeds=[])


def test_training_is_reproducible(split):
    small = split[0][::20]
    a = ar.train_classifier(small, CODES, cell="lstm", epochs=2, batch_size=64, seed=3)
    b = ar.train_classifier(small, CODES, cell="lstm", epochs=2, batch_size=64, seed=3)
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
        ("cell", "rnn", ValueError),
        ("epochs", 0, ValueError),
        ("epochs", 1.0, TypeError),
        ("hidden_size", 0, ValueError),
        ("batch_size", 0, ValueError),
        ("lr", -1.0, ValueError),
        ("lr", "0.1", TypeError),
        ("seed", -1, ValueError),
        ("device", "nonsense", ValueError),
    ):
        with pytest.raises(error, match=name):
            ar.train_classifier(small, CODES, **{name: bad})


def test_tables_and_figures(trained, split):
    models = {n: m for n, (m, _) in trained.items()}
    lines = nr.per_class_table(models, split[1], CODES).splitlines()
    assert len(lines) == len(CODES) + 1 and lines[1].split()[0] == "cs"
    assert lines[0].split() == ["code", "n", "GRU", "LSTM", "BiGRU"]
    table = nr.accuracy_table(models, {"train": split[0], "val": split[1]}, CODES).splitlines()
    assert table[0].split() == ["model", "train", "val"] and len(table) == 4
    figs = [
        nr.plot_losses({n: losses for n, (_, losses) in trained.items()}),
        nr.plot_per_class_accuracy(models, split[1], CODES),
    ]
    for fig in figs:
        assert isinstance(fig, Figure) and has_content(fig) and fig.get_label()
    ticks = [t.get_text() for t in figs[1].axes[0].get_xticklabels()]
    assert ticks == CODES
