"""lessons.backpropagation.errors: the three errors are the real ones, and the fixes work."""

import math

import pytest
import torch

from lessons.backpropagation import errors as er


def test_carried_hidden_state_fails_the_second_chunk():
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        er.rnn_chunks(fix=None)
    assert len(er.rnn_chunks(fix=None, chunks=1)) == 1  # one chunk: no second backward


def test_retain_graph_is_not_the_fix():
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        er.rnn_chunks(fix="retain_graph")


def test_detach_fixes_it_and_cuts_the_gradient_at_the_boundary():
    losses = er.rnn_chunks(fix="detach")
    assert len(losses) == 4 and all(math.isfinite(v) and v > 0 for v in losses)
    assert er.rnn_chunks(fix="detach", seed=1) != losses


def test_no_grad_error_and_its_fix():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        er.backward_of(requires_grad=False)
    assert er.backward_of(requires_grad=True).item() == -8.0


def test_requires_grad_on_the_loss_silences_the_error_and_trains_nothing():
    w = torch.tensor(1.0)
    loss = (2.0 * w - 4.0) ** 2
    loss.requires_grad_()
    loss.backward()
    assert w.grad is None  # the page: "silences the error and trains nothing"


def test_inplace_error_and_the_copy():
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*output 0 of Exp"):
        er.exp_then_write(clone=False)
    grad = er.exp_then_write(clone=True)
    expected = torch.exp(torch.tensor([-1.0, 0.0, 2.0]))
    expected[0] = 0.0  # the overwritten entry gets no gradient
    torch.testing.assert_close(grad, expected, rtol=0, atol=0)


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: er.rnn_chunks(fix="clip"), ValueError, "fix"),
        (lambda: er.rnn_chunks(chunks=0), ValueError, "chunks"),
        (lambda: er.backward_of(requires_grad=1), TypeError, "requires_grad"),
        (lambda: er.exp_then_write(clone="yes"), TypeError, "clone"),
    ],
)
def test_argument_errors(call, error, name):
    with pytest.raises(error, match=name):
        call()
