"""Logistic regression: sigmoid, binary cross-entropy by hand and in PyTorch, decision boundary."""

from __future__ import annotations

import torch

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.plotting import subplots
from lessons.printing import table
from lessons.seeds import generator, seeded


def _check_xy(x: object, y: object) -> None:
    """Raise unless ``x`` and ``y`` are tensors of shape ``(n, 1)`` and ``y`` holds only 0 and 1."""
    for name, t in (("x", x), ("y", y)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.dim() != 2 or t.shape[1] != 1 or t.shape[0] == 0:
            raise ValueError(f"{name} must have shape (n, 1), got {tuple(t.shape)}")
    if x.shape != y.shape:
        raise ValueError(
            f"x and y must have the same shape, got {tuple(x.shape)} and {tuple(y.shape)}"
        )
    if not bool(((y == 0) | (y == 1)).all()):
        raise ValueError("y must contain only the labels 0 and 1")


def make_data(dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the course data: hours studied x = 1, 2, 3 and pass/fail y = 0, 0, 1, shape (3, 1)."""
    x = torch.tensor([[1.0], [2.0], [3.0]], dtype=dtype)
    y = torch.tensor([[0.0], [0.0], [1.0]], dtype=dtype)
    return x, y


def _check_make_exam_data(n, **_) -> None:
    check_int("n", n, minimum=1)


@checked(_check_make_exam_data)
def make_exam_data(n: int = 200, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw ``n`` noisy students: x ~ U(0, 10) hours, y ~ Bernoulli(σ(1.5 (x − 5)))."""
    g = generator(seed)
    x = 10 * torch.rand(n, 1, generator=g)  # x_i ∈ [0, 10)
    p = torch.sigmoid(1.5 * (x - 5.0))  # true P(y=1 | x), boundary at x = 5
    y = torch.bernoulli(p, generator=g)
    return x, y


# --8<-- [start:bce]
def sigmoid(z: torch.Tensor) -> torch.Tensor:
    """σ(z) = 1 / (1 + e^{−z}), element-wise."""
    return 1 / (1 + torch.exp(-z))


def bce(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Element-wise binary cross-entropy −(y log ŷ + (1 − y) log(1 − ŷ))."""
    return -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat))


def bce_notes(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Compute the notes' formula, with (1 + y) in place of (1 − y). Wrong: kept to show why."""
    return -(y * torch.log(y_hat) + (1 + y) * torch.log(1 - y_hat))


# --8<-- [end:bce]


def _check_bce_table(pairs) -> None:
    if not pairs:
        raise ValueError("pairs must not be empty")
    for _, p_val in pairs:
        check_float("pairs", p_val)


@checked(_check_bce_table)
def bce_table(pairs: list[tuple[float, float]]) -> str:
    """Tabulate ``bce``, ``torch.nn.BCELoss`` and the notes' formula for ``(y, ŷ)`` pairs."""
    torch_bce = torch.nn.BCELoss(reduction="none")
    rows = []
    for y_val, p_val in pairs:
        y, p = torch.tensor([float(y_val)]), torch.tensor([float(p_val)])
        losses = [bce(p, y).item(), torch_bce(p, y).item(), bce_notes(p, y).item()]
        rows.append([y_val, p_val, *losses])
    columns = [
        ("y", ">3g"),
        ("ŷ", ">7.3f"),
        ("bce", ">9.4f"),
        ("BCELoss", ">9.4f"),
        ("(1+y)", ">9.4f"),
    ]
    return table(rows, columns, sep="")


# --8<-- [start:bce_grad]
def bce_grad(w, b, x, y):
    """Return ``(L, dL/dw, dL/db)`` for ``L = sum_i BCE(σ(w x_i + b), y_i)``, by hand."""
    y_hat = sigmoid(w * x + b)  # ŷ_i = σ(z_i), z_i = w x_i + b
    r = y_hat - y  # ∂L/∂z_i = ŷ_i − y_i (σ' = σ(1 − σ) cancels the 1/ŷ, 1/(1 − ŷ))
    return bce(y_hat, y).sum(), (r * x).sum(), r.sum()  # ∂L/∂w = Σ r_i x_i, ∂L/∂b = Σ r_i


# --8<-- [end:bce_grad]


def _check_fit_by_hand(x, y, w0, b0, epochs, lr, **_) -> None:
    _check_xy(x, y)
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_float("w0", w0)
    check_float("b0", b0)


@checked(_check_fit_by_hand)
# --8<-- [start:fit_by_hand]
def fit_by_hand(x, y, w0: float, b0: float, epochs: int = 1000, lr: float = 0.01):
    """Full-batch gradient descent with :func:`bce_grad`; return ``(w, b, losses)``."""
    w = torch.tensor(float(w0), dtype=x.dtype)
    b = torch.tensor(float(b0), dtype=x.dtype)
    losses = []
    for _ in range(epochs):
        loss, dw, db = bce_grad(w, b, x, y)
        w, b = w - lr * dw, b - lr * db  # w ← w − η ∂L/∂w, b ← b − η ∂L/∂b
        losses.append(loss.item())
    return w.item(), b.item(), losses


# --8<-- [end:fit_by_hand]


# --8<-- [start:LogisticRegressionModel]
class LogisticRegressionModel(torch.nn.Module):
    """ŷ = σ(x wᵀ + b): the probability that the label is 1."""

    def __init__(self, in_features: int = 1) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(in_features, 1)  # z = x wᵀ + b

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map x: (N, in_features) to ŷ ∈ (0, 1): (N, 1)."""
        return torch.sigmoid(self.linear(x))  # ŷ = σ(z)


# --8<-- [end:LogisticRegressionModel]


def make_model(seed: int = 0) -> LogisticRegressionModel:
    """Return a one-feature :class:`LogisticRegressionModel` initialized from ``seed``."""
    with seeded(seed):
        return LogisticRegressionModel(1)


def _check_train(model, x, y, epochs, lr, reduction, **_) -> None:
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _check_xy(x, y)
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")


@checked(_check_train)
# --8<-- [start:train]
def train(model, x, y, epochs=1000, lr=0.01, reduction="sum", criterion=None, device=None):
    """Train with SGD on ``BCELoss(reduction=...)`` (or ``criterion``); return the losses."""
    dev = resolve_device(device)
    model, x, y = model.to(dev), x.to(dev), y.to(dev)
    criterion = criterion or torch.nn.BCELoss(reduction=reduction)  # L = Σ BCE(ŷ_i, y_i)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = criterion(model(x), y)  # forward
        optimizer.zero_grad()
        loss.backward()  # ∂L/∂w, ∂L/∂b
        optimizer.step()  # w ← w − η ∂L/∂w
        losses.append(loss.item())
    return losses


# --8<-- [end:train]


def notes_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Sum the notes' (1 + y) loss over samples; usable as ``criterion`` in :func:`train`."""
    return bce_notes(y_hat, y).sum()


def _check_decision_boundary(model, **_) -> None:
    if model.linear.weight.item() == 0:
        raise ValueError("model has w = 0: ŷ is constant and there is no decision boundary")


@checked(_check_decision_boundary)
# --8<-- [start:decision_boundary]
def decision_boundary(model: LogisticRegressionModel) -> float:
    """Return x* where ŷ = 0.5, i.e. where w x* + b = 0: x* = −b / w."""
    w, b = model.linear.weight.item(), model.linear.bias.item()
    return -b / w


# --8<-- [end:decision_boundary]


def _check_predict_proba(ndigits, **_) -> None:
    if ndigits is not None:
        check_int("ndigits", ndigits, minimum=0)


@checked(_check_predict_proba)
def predict_proba(model: torch.nn.Module, x: torch.Tensor, ndigits: int | None = None):
    """Return ŷ = P(y=1 | x) for each row of ``x`` as floats, rounded to ``ndigits`` if given."""
    device = next(model.parameters()).device
    with torch.no_grad():  # inference: no graph
        probs = model(x.to(device)).squeeze(1).tolist()
    if ndigits is None:
        return probs
    return [round(p, ndigits) for p in probs]


def _check_accuracy(x, y, **_) -> None:
    _check_xy(x, y)


@checked(_check_accuracy)
def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of samples where the prediction 1[ŷ ≥ 0.5] equals the label."""
    device = next(model.parameters()).device
    with torch.no_grad():
        y_pred = (model(x.to(device)) >= 0.5).to(y.dtype).cpu()
    return (y_pred == y).float().mean().item()


def plot_sigmoid():
    """σ(z) and its derivative σ'(z) = σ(z)(1 − σ(z)) for z in [−10, 10]."""
    fig, ax = subplots(figsize=(6.4, 3.2))
    z = torch.linspace(-10, 10, 201)
    s = torch.sigmoid(z)
    ax.plot(z, s, label=r"$\sigma(z)$")
    ax.plot(z, s * (1 - s), "--", label=r"$\sigma'(z)$")
    ax.axhline(0.5, color="gray", lw=0.8, ls=":")
    ax.set(xlabel="$z$")
    ax.legend()
    fig.set_label(r"$\sigma(z)$, $\sigma'(z)$ vs $z$")
    return fig


def plot_bce_vs_notes():
    """Loss of one positive sample (y = 1) vs ŷ: the correct BCE and the notes' (1 + y) version."""
    fig, ax = subplots(figsize=(6.4, 3.2))
    p = torch.linspace(0.01, 0.99, 197)
    one = torch.ones_like(p)
    ax.plot(p, bce(p, one), label=r"$-\log\hat y$")
    ax.plot(p, bce_notes(p, one), "--", label=r"$-\log\hat y - 2\log(1-\hat y)$")
    ax.axvline(1 / 3, color="C1", lw=0.8, ls=":")
    ax.set(xlabel=r"$\hat y$", ylabel=r"$\ell(\hat y, y=1)$", ylim=(0, 6))
    ax.legend()
    fig.set_label(r"$\ell(\hat y, 1)$ vs $\hat y$")
    return fig


def _check_plot_probability(x_max, **_) -> None:
    check_float("x_max", x_max, minimum=0.0, strict=True)


@checked(_check_plot_probability)
def plot_probability(model, x, y, x_max: float = 10.0):
    """ŷ = P(y=1 | x) for x in [0, x_max], the 0.5 line, the boundary x* and the data."""
    fig, ax = subplots(figsize=(6.4, 3.4))
    grid = torch.linspace(0.0, x_max, 201).reshape(-1, 1)
    with torch.no_grad():
        p = model.cpu()(grid)
    ax.plot(grid.squeeze(1), p.squeeze(1), label=r"$\hat y=\sigma(wx+b)$")
    ax.axhline(0.5, color="gray", lw=0.8, ls="--")
    x_star = decision_boundary(model)
    ax.axvline(x_star, color="C3", lw=0.8, ls=":", label=f"$x^*={x_star:.2f}$")
    ax.scatter(x.squeeze(1), y.squeeze(1), color="C1", s=18, alpha=0.6, zorder=3)
    ax.set(xlabel="$x$", ylabel=r"$\hat y$", xlim=(0, x_max))
    ax.legend(loc="center right")
    fig.set_label(r"$\hat y$ vs $x$")
    return fig
