"""lessons.basic_rnn.exercises: training loop, sum vs mean, decay, reversal, embeddings."""

import pytest
import torch

from lessons.basic_rnn import exercises as ex
from lessons.basic_rnn.lesson import EmbedNet, train_hello
from lessons.seeds import seeded


def test_fit_sequence_reproduces_train_hello():
    with seeded(2):
        model = EmbedNet()
    losses, predictions = ex.fit_sequence(model, ex.encode("hello"), ex.encode("ohlol"), epochs=8)
    ref_losses, ref_predictions = train_hello("embedding", epochs=8, seed=2)
    assert losses == pytest.approx(ref_losses, abs=1e-7) and predictions == ref_predictions


def test_summed_loss_is_sgd_with_a_larger_rate_and_adam_ignores_it():
    """Tolerances: float64 rounding (SGD); Adam's eps = 1e-8 bounds the gap (Adam)."""
    sgd, sgd5 = ex.sum_vs_mean("sgd", 0.1, epochs=5), ex.sum_vs_mean("sgd", 0.5, epochs=5)
    assert (sgd["sum"][2] - sgd5["mean"][2]).abs().max() < 1e-12
    adam = ex.sum_vs_mean("adam", 0.1, epochs=5)
    assert (adam["sum"][2] - adam["mean"][2]).abs().max() < 1e-5


def test_linear_head_and_decay_rates():
    assert ex.CellLinearNet(8)(ex.one_hot("hello")[:, None]).shape == (5, 1, 4)
    assert len(ex.linear_head_sweep(hidden_size=6, seeds=range(2), epochs=2)) == 2
    rates = ex.decay_rates(hidden_sizes=(4,), seeds=range(2), seq_len=10)
    assert len(rates[4]) == 2 and all(0 < r < 1.5 for r in rates[4])


def test_unidirectional_first_output_ignores_the_future():
    uni, bi = ex.make_reverse_net(1, False), ex.make_reverse_net(1, True)
    assert not ex.first_output_changes(uni, "hello world", "hello wordl")
    assert ex.first_output_changes(bi, "hello world", "hello wordl")
    assert ex.epochs_to_learn(0, True, "hello", "ohlol", epochs=10) is not None


def test_trained_embeddings_shapes():
    before, after = ex.trained_embeddings(seed=0, epochs=2)
    assert before.shape == after.shape == (4, 10) and not torch.equal(before, after)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ex.encode("hex"), "text"),
        (lambda: ex.fit_sequence(None, None, None, epochs=0), "epochs"),
        (lambda: ex.fit_sequence(None, None, None, lr=0.0), "lr"),
        (lambda: ex.fit_sequence(None, None, None, reduction="max"), "reduction"),
        (lambda: ex.fit_sequence(None, None, None, optimizer="rmsprop"), "optimizer"),
        (lambda: ex.linear_head_sweep(hidden_size=0), "hidden_size"),
        (lambda: ex.epochs_to_learn(source="hello", target="ohl"), "target"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
