"""Three autograd errors a learner meets, produced by running code, and their fixes.

Used by the backpropagation lesson: backward through a freed graph (a recurrent hidden state
carried across chunks, fixed by ``detach``), ``backward`` on a tensor that does not require
grad, and a tensor modified in place after autograd saved it (the version counter).
"""

from __future__ import annotations

import torch

from lessons.checks import check_int, checked
from lessons.seeds import generator

FIXES = (None, "detach", "retain_graph")


def _check_rnn_chunks(fix, chunks, **_) -> None:
    if fix not in FIXES:
        raise ValueError(f"fix must be one of {FIXES}, got {fix!r}")
    check_int("chunks", chunks, 1)


@checked(_check_rnn_chunks)
# --8<-- [start:rnn_chunks]
def rnn_chunks(fix=None, chunks=4, steps=5, seed=0) -> list[float]:
    """Truncated backpropagation through time: one update per chunk, ``h`` carried across chunks.

    Args:
        fix: ``None`` (the bug), ``"detach"`` (the fix) or ``"retain_graph"`` (a wrong fix).
        chunks: Chunks of the sequence, one backward pass and one update each.
        steps: Time steps per chunk.
        seed: Seed of the weights and the inputs.

    Returns:
        The loss of every chunk.
    """
    g = generator(seed)
    w_x = (0.5 * torch.randn(3, 4, generator=g)).requires_grad_()  # input → hidden
    w_h = (0.5 * torch.randn(4, 4, generator=g)).requires_grad_()  # hidden → hidden
    xs = torch.randn(chunks, steps, 2, 3, generator=g)  # 2 sequences of 3 features
    optimizer = torch.optim.SGD([w_x, w_h], lr=0.1)
    h, losses = torch.zeros(2, 4), []
    for chunk in xs:
        if fix == "detach":
            h = h.detach()  # same values, no history: the graph now starts at this chunk
        for x in chunk:
            h = torch.tanh(x @ w_x + h @ w_h)  # h_t = tanh(x_t·W_x + h_{t−1}·W_h)
        loss = h.pow(2).mean()
        optimizer.zero_grad()
        loss.backward(retain_graph=fix == "retain_graph")  # also reaches the earlier chunks
        optimizer.step()  # changes w_x, w_h in place
        losses.append(loss.item())
    return losses


# --8<-- [end:rnn_chunks]
def _check_backward_of(requires_grad) -> None:
    if not isinstance(requires_grad, bool):
        raise TypeError(f"requires_grad must be a bool, got {type(requires_grad).__name__}")


def _check_exp_then_write(clone) -> None:
    if not isinstance(clone, bool):
        raise TypeError(f"clone must be a bool, got {type(clone).__name__}")


@checked(_check_backward_of)
# --8<-- [start:backward_of]
def backward_of(requires_grad: bool) -> torch.Tensor:
    """``ℓ = (2w − 4)²`` at ``w = 1``; ``w.grad`` after ``backward()``."""
    w = torch.tensor(1.0, requires_grad=requires_grad)
    loss = (2.0 * w - 4.0) ** 2  # ℓ = (x·w − y)² with x = 2, y = 4
    loss.backward()  # needs a path from ℓ back to a tensor that requires grad
    return w.grad


# --8<-- [end:backward_of]
@checked(_check_exp_then_write)
# --8<-- [start:exp_then_write]
def exp_then_write(clone: bool) -> torch.Tensor:
    """``y = exp(x)``, then ``y[0] = 0`` written in place; ``x.grad`` of ``Σ y``."""
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = torch.exp(x)  # exp saves its output y: ∂y/∂x = y
    if clone:
        y = y.clone()  # write into a copy; the saved y stays as it was
    y[0] = 0.0  # in place: the version counter of y goes up by one
    y.sum().backward()  # exp's backward checks that its saved y is unchanged
    return x.grad


# --8<-- [end:exp_then_write]
