"""Exercises of the basic RNN lesson: a linear output layer, summed losses, reversal, embeddings."""

from __future__ import annotations

import torch
from torch import nn

from lessons.basic_rnn.bptt import gradient_decay
from lessons.basic_rnn.lesson import VOCAB, CellNet, EmbedNet
from lessons.checks import check_float, check_int, checked
from lessons.seeds import seeded

REVERSE_VOCAB = " dehlorw"  # the characters of "hello world"


def _check_fit_sequence(epochs, lr, reduction, optimizer, **_) -> None:
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")


def _check_encode(text, vocab) -> None:
    if not isinstance(text, str) or not text or set(text) - set(vocab):
        raise ValueError(f"text must be a non-empty string over {vocab!r}, got {text!r}")


@checked(_check_encode)
# --8<-- [start:encode]
def encode(text: str, vocab: str = VOCAB) -> torch.Tensor:
    """Indices (int64) of the characters of ``text`` in ``vocab``."""
    return torch.tensor([vocab.index(c) for c in text])


# --8<-- [end:encode]


# --8<-- [start:cell_linear_net]
class CellLinearNet(nn.Module):
    """One-hot input, ``nn.RNNCell(4, H)`` stepped by hand, then ``nn.Linear(H, 4)`` scores."""

    def __init__(self, hidden_size: int = 8) -> None:
        super().__init__()
        self.cell = nn.RNNCell(len(VOCAB), hidden_size)
        self.fc = nn.Linear(hidden_size, len(VOCAB))  # unbounded scores

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map one-hot ``x`` (T, B, 4) to scores (T, B, 4)."""
        h, out = x.new_zeros(x.shape[1], self.cell.hidden_size), []
        for x_t in x:
            h = self.cell(x_t, h)  # h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)
            out.append(self.fc(h))  # z_t = W h_t + b, any real numbers
        return torch.stack(out)


# --8<-- [end:cell_linear_net]


# --8<-- [start:reverse_net]
class ReverseNet(nn.Module):
    """Embedding → ``nn.RNN`` (optionally bidirectional) → ``nn.Linear`` scores per character."""

    def __init__(self, vocab_size: int, hidden_size: int = 16, bidirectional: bool = False) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, 10)
        self.rnn = nn.RNN(10, hidden_size, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size * (2 if bidirectional else 1), vocab_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map indices (T, B) to scores (T, B, vocab_size)."""
        out, _ = self.rnn(self.embedding(x))  # (T, B, H) or (T, B, 2H): both directions
        return self.fc(out)


# --8<-- [end:reverse_net]


@checked(_check_fit_sequence)
# --8<-- [start:fit_sequence]
def fit_sequence(model, x, y, epochs=15, lr=0.1, reduction="mean", optimizer="adam", vocab=VOCAB):
    """The loop of :func:`lessons.basic_rnn.lesson.train_hello` for any model, loss and optimizer.

    Args:
        model: Maps ``x`` with a batch axis of 1 to scores (T, 1, K).
        x: Inputs (T, ...) without the batch axis (indices or one-hot rows).
        y: Targets (T,).
        epochs: Full-batch steps.
        lr: Learning rate.
        reduction: ``"mean"`` or ``"sum"`` of the T step losses.
        optimizer: ``"adam"`` or ``"sgd"`` (plain, no momentum).
        vocab: Characters used to decode the predictions.

    Returns:
        ``(losses, predictions)``, one entry per epoch.
    """
    opt_class = torch.optim.Adam if optimizer == "adam" else torch.optim.SGD
    opt, losses, predictions = opt_class(model.parameters(), lr=lr), [], []
    for _ in range(epochs):
        scores = model(x.unsqueeze(1)).squeeze(1)  # (T, K)
        loss = nn.functional.cross_entropy(scores, y, reduction=reduction)  # Σ_t or mean_t of L_t
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        predictions.append("".join(vocab[i] for i in scores.argmax(dim=1).tolist()))
    return losses, predictions


# --8<-- [end:fit_sequence]


# --8<-- [start:sum_vs_mean]
def sum_vs_mean(optimizer: str = "adam", lr: float = 0.1, epochs: int = 15, seed: int = 0):
    """Train the lesson's one-hot ``CellNet`` in float64 with mean and with summed step losses.

    Returns:
        ``{"mean": (losses, predictions, parameters), "sum": (...)}``; parameters flattened.
    """
    out = {}
    for reduction in ("mean", "sum"):
        with seeded(seed):
            model = CellNet().double()
        x, y = one_hot("hello", torch.float64), encode("ohlol")
        losses, predictions = fit_sequence(model, x, y, epochs, lr, reduction, optimizer)
        flat = torch.cat([p.detach().flatten() for p in model.parameters()])
        out[reduction] = (losses, predictions, flat)
    return out


# --8<-- [end:sum_vs_mean]


# --8<-- [start:one_hot]
def one_hot(text: str, dtype=torch.float32) -> torch.Tensor:
    """One-hot rows (T, 4) of ``text`` over :data:`lessons.basic_rnn.lesson.VOCAB`."""
    return nn.functional.one_hot(encode(text), len(VOCAB)).to(dtype)


# --8<-- [end:one_hot]


def _check_linear_head_sweep(hidden_size, **_) -> None:
    check_int("hidden_size", hidden_size, minimum=1)


@checked(_check_linear_head_sweep)
# --8<-- [start:linear_head_sweep]
def linear_head_sweep(hidden_size: int = 8, seeds=range(10), epochs: int = 15) -> list[str]:
    """Final prediction of :class:`CellLinearNet` on "hello" → "ohlol" for each seed."""
    finals = []
    for seed in seeds:
        with seeded(seed):
            model = CellLinearNet(hidden_size)
        finals.append(fit_sequence(model, one_hot("hello"), encode("ohlol"), epochs)[1][-1])
    return finals


# --8<-- [end:linear_head_sweep]


# --8<-- [start:decay_rates]
def decay_rates(hidden_sizes=(8, 32, 128), seeds=range(5), seq_len: int = 30) -> dict:
    """Per-step decay factor ``(‖∂L/∂h_0‖ at k = T / at k = 1)^(1/(T − 1))`` with σ = 1.

    Returns:
        ``{H: [factor per seed]}``, from :func:`lessons.basic_rnn.bptt.gradient_decay`.
    """
    out = {}
    for h in hidden_sizes:
        out[h] = []
        for seed in seeds:
            norms = gradient_decay(seq_len, h, scales=(1.0,), seed=seed)[1.0]
            out[h].append((norms[-1] / norms[0]) ** (1 / (seq_len - 1)))  # (g_T / g_1)^(1/(T−1))
    return out


# --8<-- [end:decay_rates]


# --8<-- [start:make_reverse_net]
def make_reverse_net(seed: int = 0, bidirectional: bool = False, hidden_size: int = 16):
    """A seeded :class:`ReverseNet` over :data:`REVERSE_VOCAB`."""
    with seeded(seed):
        return ReverseNet(len(REVERSE_VOCAB), hidden_size, bidirectional)


# --8<-- [end:make_reverse_net]


def _check_epochs_to_learn(source, target, **_) -> None:
    if target is not None and len(target) != len(source):
        raise ValueError("target must have the length of source")


@checked(_check_epochs_to_learn)
# --8<-- [start:epochs_to_learn]
def epochs_to_learn(seed=0, bidirectional=False, source="hello world", target=None, epochs=60):
    """First epoch (1-based) whose prediction is ``target`` (default: ``source`` reversed).

    Trains :func:`make_reverse_net` with Adam, η = 0.05.

    Returns:
        The epoch, or ``None`` if ``epochs`` are not enough.
    """
    target = source[::-1] if target is None else target
    model = make_reverse_net(seed, bidirectional)
    x, y = encode(source, REVERSE_VOCAB), encode(target, REVERSE_VOCAB)
    predictions = fit_sequence(model, x, y, epochs, lr=0.05, vocab=REVERSE_VOCAB)[1]
    return next((i + 1 for i, p in enumerate(predictions) if p == target), None)


# --8<-- [end:epochs_to_learn]


# --8<-- [start:first_output_changes]
def first_output_changes(model: ReverseNet, a: str, b: str) -> bool:
    """Whether the scores at step 1 differ for inputs ``a`` and ``b`` (same first character)."""
    xa, xb = encode(a, REVERSE_VOCAB)[:, None], encode(b, REVERSE_VOCAB)[:, None]  # (T, 1)
    with torch.no_grad():
        za, zb = model(xa)[0], model(xb)[0]  # scores at step t = 1
    return not torch.allclose(za, zb, rtol=0, atol=1e-12)


# --8<-- [end:first_output_changes]


# --8<-- [start:trained_embeddings]
def trained_embeddings(seed: int = 0, epochs: int = 15) -> tuple[torch.Tensor, torch.Tensor]:
    """``embedding.weight`` of an :class:`EmbedNet` before and after ``train_hello``'s training.

    Returns:
        ``(initial, trained)``, each (4, 10); rows follow :data:`VOCAB` ("e", "h", "l", "o").
    """
    with seeded(seed):
        model = EmbedNet()
    initial = model.embedding.weight.detach().clone()
    fit_sequence(model, encode("hello"), encode("ohlol"), epochs)
    return initial, model.embedding.weight.detach().clone()


# --8<-- [end:trained_embeddings]
