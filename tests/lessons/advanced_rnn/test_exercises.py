"""lessons.advanced_rnn.exercises: the training variant, class weights, forget bias, GRU by hand."""

import pytest
import torch

from lessons.advanced_rnn import exercises as ex
from lessons.advanced_rnn.lesson import NameClassifier, train_classifier
from lessons.seeds import seeded

PAIRS = [("kowalski", "pl"), ("nowak", "pl"), ("rossi", "it"), ("bianchi", "it"), ("li", "zh")]
CODES = ["it", "pl", "zh"]


def test_train_variant_defaults_reproduce_train_classifier():
    ref, _ = train_classifier(PAIRS, CODES, epochs=2, hidden_size=8, batch_size=2, seed=3)
    ours = ex.train_variant(PAIRS, CODES, epochs=2, hidden_size=8, batch_size=2, seed=3)
    assert all(torch.equal(p, q) for p, q in zip(ref.parameters(), ours.parameters(), strict=True))


def test_options_change_training():
    base = ex.train_variant(PAIRS, CODES, epochs=1, hidden_size=4, seed=0)
    for kw in ({"packed": False}, {"weight": ex.inverse_frequency(PAIRS, CODES)}):
        other = ex.train_variant(PAIRS, CODES, epochs=1, hidden_size=4, seed=0, **kw)
        assert not torch.equal(base.fc.weight, other.fc.weight)


def test_inverse_frequency_weights_average_one_per_name():
    w = ex.inverse_frequency(PAIRS, CODES)
    assert w.tolist() == pytest.approx([5 / 6, 5 / 6, 5 / 3], rel=1e-6)
    assert sum(w[CODES.index(c)] for _, c in PAIRS).item() == pytest.approx(len(PAIRS), rel=1e-6)


def test_forget_bias_sum_and_gate_value():
    with seeded(0):
        model = NameClassifier(3, hidden_size=5, cell="lstm", bidirectional=True)
    ex.set_forget_bias(model, 1.0)
    for suffix in ("l0", "l0_reverse"):
        b = getattr(model.rnn, f"bias_ih_{suffix}") + getattr(model.rnn, f"bias_hh_{suffix}")
        assert torch.equal(b[5:10], torch.ones(5))
        assert not torch.equal(b[:5], torch.ones(5))  # the other gates are untouched


def test_gru_by_hand_matches_nn_gru():
    with seeded(1):
        model = NameClassifier(3, hidden_size=6)
    by_hand, by_torch, z = ex.gru_by_hand(model, "kowalski")
    assert torch.allclose(by_hand, by_torch, rtol=0, atol=1e-6) and len(z) == 8
    assert all(0 < v < 1 for v in z)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ex.train_variant(PAIRS, CODES, epochs=0), "epochs"),
        (lambda: ex.train_variant(PAIRS, CODES, hidden_size=0), "hidden_size"),
        (lambda: ex.train_variant(PAIRS, CODES, lr=-1.0), "lr"),
        (lambda: ex.train_variant(PAIRS, CODES, forget_bias="1"), "forget_bias"),
        (lambda: ex.set_forget_bias(NameClassifier(3), 1.0), "model"),
        (lambda: ex.inverse_frequency(PAIRS, ["it", "pl", "zh", "ja"]), "codes"),
        (lambda: ex.gru_by_hand(NameClassifier(3, cell="lstm"), "li"), "model"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
