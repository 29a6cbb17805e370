"""Linear regression with PyTorch: the four steps and a hand-written check.

The race of optimizers on the same problem lives in :mod:`lessons.linear_regression.optimizers`.
"""

from __future__ import annotations

import warnings

import torch

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.plotting import subplots
from lessons.seeds import seeded

OPTIMIZERS = ("SGD", "Adagrad", "Adam", "Adamax", "ASGD", "LBFGS", "RMSprop", "Rprop")
EXTRA_ARGS = {"LBFGS": {"history_size": 10}}  # 2 parameters: a short memory is plenty, and fast


def _check_xy(x: object, y: object) -> None:
    """Raise unless ``x`` and ``y`` are tensors of shape ``(n, 1)`` with the same ``n``."""
    for name, t in (("x", x), ("y", y)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.dim() != 2 or t.shape[1] != 1 or t.shape[0] == 0:
            raise ValueError(f"{name} must have shape (n, 1), got {tuple(t.shape)}")
    if x.shape != y.shape:
        raise ValueError(
            f"x and y must have the same shape, got {tuple(x.shape)} and {tuple(y.shape)}"
        )


# --8<-- [start:make_data]
def make_data(dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the course data set y = 2x as two (3, 1) tensors: one sample per row."""
    x = torch.tensor([[1.0], [2.0], [3.0]], dtype=dtype)  # x: (N=3, 1 feature)
    y = torch.tensor([[2.0], [4.0], [6.0]], dtype=dtype)  # y: (N=3, 1 output)
    return x, y


# --8<-- [end:make_data]


def legacy_constructor_demo() -> str:
    """Contrast the legacy ``torch.Tensor(...)`` constructor with the factory ``torch.tensor``."""
    rows = [
        ("torch.Tensor(3)", torch.Tensor(3)),  # 3 *uninitialized* floats
        ("torch.tensor(3)", torch.tensor(3)),  # the number 3
        ("torch.Tensor([1, 2])", torch.Tensor([1, 2])),  # always float32
        ("torch.tensor([1, 2])", torch.tensor([1, 2])),  # dtype inferred: int64
    ]
    return "\n".join(f"{code:<22} shape={tuple(t.shape)!s:<6} dtype={t.dtype}" for code, t in rows)


def legacy_loss_warning() -> str:
    """Build ``MSELoss(size_average=False)`` as the notes do; return what PyTorch says about it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        criterion = torch.nn.MSELoss(size_average=False)  # the notes' spelling
    said = "; ".join(f"{w.category.__name__}: {w.message}" for w in caught) or "no warning"
    return f"reduction={criterion.reduction!r}\n{said}"


# --8<-- [start:mse_sum_grad]
def mse_sum_grad(w: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor):
    """Return ``(L, dL/dw, dL/db)`` for ``L = sum_i (w x_i + b - y_i)^2``, all by hand."""
    r = w * x + b - y  # r_i = ŷ_i − y_i
    loss = (r**2).sum()  # L = Σ r_i²
    return loss, 2 * (r * x).sum(), 2 * r.sum()  # ∂L/∂w = 2Σ r_i x_i, ∂L/∂b = 2Σ r_i


# --8<-- [end:mse_sum_grad]


def _check_fit_by_hand(x, y, w0, b0, epochs, lr, **_) -> None:
    _check_xy(x, y)
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_float("w0", w0)
    check_float("b0", b0)


@checked(_check_fit_by_hand)
# --8<-- [start:fit_by_hand]
def fit_by_hand(x, y, w0: float, b0: float, epochs: int = 1000, lr: float = 0.01):
    """Full-batch gradient descent on ``w, b`` with the hand-written gradient.

    Returns:
        ``(w, b, losses)``: final parameters as floats and the loss before each update.

    """
    w = torch.tensor(float(w0), dtype=x.dtype)
    b = torch.tensor(float(b0), dtype=x.dtype)
    losses = []
    for _ in range(epochs):
        loss, dw, db = mse_sum_grad(w, b, x, y)
        w, b = w - lr * dw, b - lr * db  # w ← w − η ∂L/∂w, b ← b − η ∂L/∂b
        losses.append(loss.item())
    return w.item(), b.item(), losses


# --8<-- [end:fit_by_hand]


# --8<-- [start:LinearModel]
class LinearModel(torch.nn.Module):
    """ŷ = x wᵀ + b with one input feature and one output."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(1, 1)  # holds w: (1, 1) and b: (1,)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map x: (N, 1) to ŷ: (N, 1)."""
        return self.linear(x)  # ŷ = x wᵀ + b


# --8<-- [end:LinearModel]


def make_model(seed: int = 0) -> LinearModel:
    """Return a :class:`LinearModel` whose initial ``w, b`` depend only on ``seed``."""
    with seeded(seed):
        return LinearModel()


def _check_train(model, x, y, epochs, lr, **_) -> None:
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _check_xy(x, y)
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)


@checked(_check_train)
# --8<-- [start:train]
def train(model, x, y, epochs: int = 1000, lr: float = 0.01, device=None) -> list[float]:
    """Train ``model`` on ``(x, y)`` with SGD on ``MSELoss(reduction='sum')``; return losses."""
    dev = resolve_device(device)
    model, x, y = model.to(dev), x.to(dev), y.to(dev)
    criterion = torch.nn.MSELoss(reduction="sum")  # L = Σ (ŷ_i − y_i)²
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        y_pred = model(x)  # forward: ŷ
        loss = criterion(y_pred, y)  # L(ŷ, y), a scalar
        optimizer.zero_grad()  # clear the gradients of the last step
        loss.backward()  # backward: ∂L/∂w, ∂L/∂b into .grad
        optimizer.step()  # update: w ← w − η ∂L/∂w
        losses.append(loss.item())  # a Python float, not a tensor
    return losses


# --8<-- [end:train]


def _check_predict(x_new, **_) -> None:
    check_float("x_new", x_new)


@checked(_check_predict)
# --8<-- [start:predict]
def predict(model: torch.nn.Module, x_new: float) -> float:
    """Return the model's prediction ŷ for one input value, without recording a graph."""
    device = next(model.parameters()).device
    with torch.no_grad():  # inference: no graph, no .grad
        return model(torch.tensor([[float(x_new)]], device=device)).item()


# --8<-- [end:predict]


# --8<-- [start:fit_with_closure]
def fit_with_closure(model, x, y, optimizer: torch.optim.Optimizer, epochs: int) -> list[float]:
    """Train with any optimizer via ``optimizer.step(closure)``; return the loss of each step."""
    criterion = torch.nn.MSELoss(reduction="sum")

    def closure():  # re-evaluates L and ∂L/∂θ; LBFGS calls it several times per step
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        return loss

    return [optimizer.step(closure).item() for _ in range(epochs)]


# --8<-- [end:fit_with_closure]


def plot_training(model, x, y, losses: list[float]):
    """Left: loss vs epoch (log scale). Right: data, fitted line and the prediction at x = 4."""
    fig, (ax1, ax2) = subplots(1, 2, figsize=(7.2, 3.2))
    ax1.semilogy(range(1, len(losses) + 1), losses)
    ax1.set(xlabel="$t$", ylabel="$L$")
    grid = torch.linspace(0.0, 4.5, 50).reshape(-1, 1)
    with torch.no_grad():
        line = model.cpu()(grid)
    ax2.plot(grid.squeeze(1), line.squeeze(1), label=r"$\hat y = wx + b$")
    ax2.scatter(x.cpu().squeeze(1), y.cpu().squeeze(1), color="C1", zorder=3, label="$(x_i, y_i)$")
    ax2.scatter([4.0], [predict(model, 4.0)], marker="*", s=120, color="C3", zorder=3)
    ax2.set(xlabel="$x$", ylabel=r"$\hat y$")
    ax2.legend()
    fig.set_label("$L$ vs $t$; $\\hat y$ vs $x$")
    return fig


def plot_optimizers(curves: dict[str, list[float]]):
    """Loss vs epoch for every optimizer on one log-scale axes."""
    fig, ax = subplots(figsize=(6.4, 3.8))
    for i, (name, losses) in enumerate(curves.items()):
        style = "-" if i < 4 else "--"
        ax.semilogy(range(1, len(losses) + 1), [max(v, 1e-12) for v in losses], style, label=name)
    ax.set(xlabel="$t$", ylabel="$L$")
    ax.legend(ncol=2, fontsize=8)
    fig.set_label("$L$ vs $t$; " + ", ".join(curves))
    return fig
