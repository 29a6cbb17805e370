"""Exercises of the logistic-regression lesson: separable data, MSE vs BCE, logits, scaling."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from matplotlib.figure import Figure

from lessons.checks import check_float, check_int, check_ints, checked
from lessons.plotting import subplots
from lessons.seeds import seeded


def _check_fit_fast(xs, ys, w0, b0, checkpoints, lr, **_) -> None:
    if len(xs) == 0 or len(xs) != len(ys):
        raise ValueError("xs and ys must be non-empty and of equal length")
    if any(y not in (0, 1) for y in ys):
        raise ValueError("ys must contain only the labels 0 and 1")
    check_float("w0", w0)
    check_float("b0", b0)
    if len(checkpoints) == 0 or list(checkpoints) != sorted(checkpoints):
        raise ValueError("checkpoints must be a non-empty increasing sequence")
    check_ints("checkpoints", checkpoints, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)


# --8<-- [start:sigmoid]
def _sigmoid(z: float) -> float:
    """σ(z) for a Python float, without overflow for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)  # σ(z) = e^z/(1 + e^z), the same number for z < 0


# --8<-- [end:sigmoid]


@checked(_check_fit_fast)
# --8<-- [start:fit_fast]
def fit_fast(xs, ys, w0, b0, checkpoints: Sequence[int], lr: float = 0.01) -> list[dict]:
    """Full-batch GD on L = Σ BCE(σ(w x_i + b), y_i) in Python floats (float64), for long runs.

    It performs the same updates as ``lessons.logistic_regression.lesson.fit_by_hand`` in float64,
    hundreds of times faster on a handful of samples.

    Args:
        xs: Inputs x_i.
        ys: Labels y_i ∈ {0, 1}.
        w0: Initial weight.
        b0: Initial bias.
        checkpoints: Increasing epoch counts at which to record the state.
        lr: Learning rate η.

    Returns:
        One dict per checkpoint: ``epochs``, ``w``, ``b``, ``x_star`` (= −b/w) and ``loss``.
    """
    w, b, done, out = float(w0), float(b0), 0, []
    for target in checkpoints:
        for _ in range(target - done):
            r = [_sigmoid(w * x + b) - y for x, y in zip(xs, ys, strict=True)]  # ŷ_i − y_i
            grad_w = sum(ri * x for ri, x in zip(r, xs, strict=True))  # ∂L/∂w = Σ (ŷ_i − y_i)·x_i
            grad_b = sum(r)  # ∂L/∂b = Σ (ŷ_i − y_i)
            w, b = w - lr * grad_w, b - lr * grad_b  # (w, b) ← (w, b) − η·∇L
        done = target
        loss = sum(  # L = Σ BCE, from the logits
            _softplus(-(w * x + b)) if y else _softplus(w * x + b)
            for x, y in zip(xs, ys, strict=True)
        )
        out.append({"epochs": target, "w": w, "b": b, "x_star": -b / w, "loss": loss})
    return out


def _softplus(z: float) -> float:
    """log(1 + e^z) without overflow; BCE(z, y) is softplus(−z) if y = 1, else softplus(z)."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))  # log(1 + e^z) = max(z, 0) + log(1 + e^−|z|)


# --8<-- [end:fit_fast]


# --8<-- [start:logit_model]
class LogitModel(torch.nn.Module):
    """z = x wᵀ + b: the logistic model without the final sigmoid (for ``BCEWithLogitsLoss``)."""

    def __init__(self, in_features: int = 1) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(in_features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map x: (N, in_features) to the logit z: (N, 1)."""
        return self.linear(x)  # z = x wᵀ + b


def make_logit_model(seed: int = 0) -> LogitModel:
    """A one-feature :class:`LogitModel` with the same initial w, b as ``make_model(seed)``.

    Args:
        seed: Seed of the initialization.

    Returns:
        The model.
    """
    with seeded(seed):
        return LogitModel(1)


# --8<-- [end:logit_model]


def _check_set_parameters(w, b, **_) -> None:
    check_float("w", w)
    check_float("b", b)


@checked(_check_set_parameters)
# --8<-- [start:mse_vs_bce]
def set_parameters(model: torch.nn.Module, w: float, b: float) -> torch.nn.Module:
    """Set the one-feature model's ``linear`` weight to ``w`` and bias to ``b``, in place.

    Args:
        model: A model with a ``linear`` attribute of shape (1, 1).
        w: New weight.
        b: New bias.

    Returns:
        The same model.
    """
    with torch.no_grad():
        model.linear.weight.fill_(w)
        model.linear.bias.fill_(b)
    return model


def mse_sum(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """L = Σ (ŷ_i − y_i)², usable as ``criterion`` in ``lessons.logistic_regression.lesson.train``.

    Args:
        y_hat: Predicted probabilities.
        y: Labels.

    Returns:
        The scalar loss.
    """
    return ((y_hat - y) ** 2).sum()  # L = Σ (ŷ_i − y_i)²


def mse_dz(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """∂ℓ/∂z of ℓ = (σ(z) − y)²: 2(ŷ − y)·ŷ(1 − ŷ).

    Args:
        z: Logits.
        y: Labels.

    Returns:
        The derivative, element-wise.
    """
    y_hat = torch.sigmoid(z)
    return 2 * (y_hat - y) * y_hat * (1 - y_hat)  # 2(ŷ − y)·σ'(z)


# --8<-- [end:mse_vs_bce]


def _check_standardize(x) -> None:
    if not isinstance(x, torch.Tensor) or x.dim() != 2 or x.shape[0] < 2:
        raise ValueError("x must be a tensor of shape (n, 1) with n >= 2")


@checked(_check_standardize)
# --8<-- [start:standardize]
def standardize(x: torch.Tensor) -> torch.Tensor:
    """Standardize: x' = (x − x̄)/s, with the mean x̄ and standard deviation s of ``x`` itself.

    Args:
        x: Inputs, shape (n, 1), n ≥ 2.

    Returns:
        The standardized inputs.
    """
    return (x - x.mean()) / x.std()  # x' = (x − x̄)/s


def hessian_condition(x: torch.Tensor, w: float, b: float) -> float:
    """Condition number of the Hessian of the mean BCE in (w, b) at a point, in float64.

    H = mean_i σ'(z_i)·[x_i, 1]ᵀ[x_i, 1]; the labels do not enter.

    Args:
        x: Inputs, shape (n, 1).
        w: Weight.
        b: Bias.

    Returns:
        λ_max / λ_min.
    """
    x = x.double().flatten()
    s = torch.sigmoid(w * x + b)  # σ(z_i)
    design = torch.stack([x, torch.ones_like(x)], dim=1)  # rows [x_i, 1]
    hess = (design * (s * (1 - s))[:, None]).T @ design / len(x)  # mean σ'(z)·[x,1]ᵀ[x,1]
    lam = torch.linalg.eigvalsh(hess)  # ascending eigenvalues
    return (lam[-1] / lam[0]).item()  # κ = λ_max/λ_min


# --8<-- [end:standardize]


def plot_losses(curves: dict[str, Sequence[float]]) -> Figure:
    """Loss against the epoch on a log scale, one line per run.

    Args:
        curves: Label (symbols only) → losses.

    Returns:
        The figure.
    """
    fig, ax = subplots()
    for label, losses in curves.items():
        ax.semilogy(range(1, len(losses) + 1), losses, label=label)
    ax.set(xlabel="$t$", ylabel="$L$")
    ax.legend()
    fig.set_label("$L$ vs $t$")
    return fig


def _check_fit_mean_gd(x, y, epochs, lr, until, **_) -> None:
    if not isinstance(x, torch.Tensor) or x.dim() != 2 or x.shape[1] != 1:
        raise ValueError("x must be a tensor of shape (n, 1)")
    if not isinstance(y, torch.Tensor) or y.shape != x.shape:
        raise ValueError("y must be a tensor of the same shape as x")
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    if until is not None:
        check_float("until", until, minimum=0.0, strict=True)


@checked(_check_fit_mean_gd)
# --8<-- [start:fit_mean_gd]
def fit_mean_gd(x, y, w0: float, b0: float, epochs: int, lr: float, until=None) -> list[float]:
    """Full-batch GD on the mean BCE of σ(w x + b), by hand and in float64 (no autograd).

    Args:
        x: Inputs, shape (n, 1).
        y: Labels 0/1, shape (n, 1).
        w0: Initial weight.
        b0: Initial bias.
        epochs: Maximum number of updates.
        lr: Learning rate η.
        until: Stop once the loss is at most this level (``None``: never).

    Returns:
        The loss before each update.
    """
    x, y = x.double().flatten(), y.double().flatten()
    w, b, losses = float(w0), float(b0), []
    for _ in range(epochs):
        z = w * x + b  # z_i = w x_i + b
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y).item()
        losses.append(loss)
        if until is not None and loss <= until:
            break
        r = torch.sigmoid(z) - y  # ∂L/∂z_i · n = ŷ_i − y_i
        w, b = w - lr * (r * x).mean().item(), b - lr * r.mean().item()  # (w, b) ← (w, b) − η·∇L
    return losses


# --8<-- [end:fit_mean_gd]
