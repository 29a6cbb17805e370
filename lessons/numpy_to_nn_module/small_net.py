"""The warm-up notes' small network: fit a noisy parabola with one hidden ReLU layer.

It also shows what ``unsqueeze`` is for: ``nn.Linear`` works on the last dimension of an input
of any shape ``(*, in_features)``, so a batch of scalars needs a feature dimension of size 1.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import torch
import torch.nn.functional as F  # noqa: N812 (the usual name)
from torch import nn

from lessons.checks import check_float, check_int, check_ints, checked
from lessons.devices import resolve_device
from lessons.plotting import subplots
from lessons.seeds import generator, seeded

NOISE = 0.2  # y = x² + NOISE·u, u ~ U(0, 1)


# --8<-- [start:make_curve_data]
def make_curve_data(n: int = 100, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """x: n points in [−1, 1] as an (n, 1) column; y = x² + 0.2·u with u ~ U(0, 1)."""
    x = torch.unsqueeze(torch.linspace(-1, 1, n), dim=1)  # (n,) → (n, 1): one feature per row
    y = x.pow(2) + NOISE * torch.rand(x.size(), generator=generator(seed))
    return x, y


# --8<-- [end:make_curve_data]


# --8<-- [start:Net]
class Net(nn.Module):
    """ŷ = W₂ ReLU(W₁ x + b₁) + b₂ with ``n_hidden`` hidden units, as in the notes."""

    def __init__(self, n_feature: int, n_hidden: int, n_output: int):
        super().__init__()
        self.hidden = nn.Linear(n_feature, n_hidden)
        self.predict = nn.Linear(n_hidden, n_output)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map x: (*, n_feature) to ŷ: (*, n_output)."""
        hidden_out = F.relu(self.hidden(x))  # the functional form of nn.ReLU()
        return self.predict(hidden_out)


# --8<-- [end:Net]


def _check_train_net(steps, lr, n_hidden, **_) -> None:
    check_int("steps", steps, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("n_hidden", n_hidden, minimum=1)


@checked(_check_train_net)
# --8<-- [start:train_net]
def train_net(steps=1000, lr=0.2, n_hidden=10, seed=0, device=None):
    """Train :class:`Net` on the noisy parabola with SGD on the mean squared error.

    Returns ``(model, losses)``: the trained network and the loss of every step.
    """
    dev = resolve_device(device)
    x, y = (t.to(dev) for t in make_curve_data(seed=seed))
    with seeded(seed):  # initial weights
        net = Net(n_feature=1, n_hidden=n_hidden, n_output=1).to(dev)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss_func = nn.MSELoss()  # mean over the 100 points
    losses = []
    for _ in range(steps):
        loss = loss_func(net(x), y)
        optimizer.zero_grad()  # without it, gradients of all steps would add up
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return net.cpu(), losses


# --8<-- [end:train_net]


def noise_floor() -> float:
    """Smallest expected MSE of any predictor: the variance of 0.2·u, u ~ U(0, 1), = 0.2²/12.

    Returns:
        The variance, about 0.00333.
    """
    return NOISE**2 / 12


def _check_final_losses(seeds, **_) -> None:
    check_ints("seeds", seeds, minimum=0)


@checked(_check_final_losses)
def final_losses(
    seeds: Sequence[int] = range(5), steps: int = 1000, lr: float = 0.2
) -> list[float]:
    """Final training loss of :func:`train_net` for each seed, all seeds trained at once.

    Each seed's network starts from the weights :func:`train_net` would draw and sees its own
    data; the parameters of all networks are stacked along a first dimension S, and the
    summed loss gives each network exactly its own gradient, so one SGD run on the stack
    equals S separate runs (a test checks this).

    Args:
        seeds: The seeds (data and initial weights).
        steps: Steps per run.
        lr: Learning rate.

    Returns:
        One loss per seed.
    """
    nets = []
    for s in seeds:
        with seeded(s):
            nets.append(Net(1, 10, 1))
    stack = [
        torch.stack([getattr(getattr(n, layer), name).detach() for n in nets]).requires_grad_()
        for layer in ("hidden", "predict")
        for name in ("weight", "bias")
    ]
    w1, b1, w2, b2 = stack  # (S, H, 1), (S, H), (S, 1, H), (S, 1)
    x = make_curve_data(seed=seeds[0])[0]
    ys = torch.stack([make_curve_data(seed=s)[1] for s in seeds])  # (S, n, 1)
    optimizer = torch.optim.SGD(stack, lr=lr)
    for _ in range(steps):
        h = F.relu(x @ w1.transpose(1, 2) + b1[:, None, :])  # (S, n, H)
        per_seed = ((h @ w2.transpose(1, 2) + b2[:, None, :] - ys) ** 2).mean((1, 2))
        optimizer.zero_grad()
        per_seed.sum().backward()  # seeds do not interact
        optimizer.step()
    return per_seed.tolist()


def format_losses(losses: Sequence[float]) -> str:
    """Median and [min, max] of losses over seeds, next to the noise floor.

    Args:
        losses: One final loss per seed.

    Returns:
        One line of text.
    """
    return (
        f"final MSE over {len(losses)} seeds: median {statistics.median(losses):.5f}, "
        f"[{min(losses):.5f}, {max(losses):.5f}]; noise floor {noise_floor():.5f}"
    )


def _check_linear_shapes(in_features, out_features, **_) -> None:
    check_int("in_features", in_features, minimum=1)
    check_int("out_features", out_features, minimum=1)


@checked(_check_linear_shapes)
def linear_shapes(in_features: int = 3, out_features: int = 2, seed: int = 0) -> str:
    """Apply one ``nn.Linear`` to inputs with 1, 2 and 3 dimensions; report the shapes.

    Args:
        in_features: Size of the last input dimension.
        out_features: Size of the last output dimension.
        seed: Seed of the layer's weights and of the inputs.

    Returns:
        One line per input shape, and whether the 3-D result equals (to 1e-6) the layer
        applied to each 2-D slice separately.
    """
    with seeded(seed):
        layer = nn.Linear(in_features, out_features)
    g = generator(seed)
    lines = []
    for shape in [(in_features,), (4, in_features), (5, 4, in_features)]:
        x = torch.randn(*shape, generator=g)
        lines.append(f"input {tuple(x.shape)!s:<12} -> output {tuple(layer(x).shape)}")
    # equal up to float32 rounding: a CPU may block the bigger product's sums differently
    same = all(torch.allclose(layer(x)[i], layer(x[i]), rtol=0, atol=1e-6) for i in range(5))
    lines.append(f"3-D result equals the layer applied slice by slice (to 1e-6): {same}")
    return "\n".join(lines)


def plot_fit(model: nn.Module, seed: int = 0):
    """The noisy points, the true curve x² + 0.1 and the network's prediction.

    Args:
        model: A trained :class:`Net`.
        seed: Seed of the data to draw.

    Returns:
        The figure.
    """
    x, y = make_curve_data(seed=seed)
    fig, ax = subplots(figsize=(5.6, 3.4))
    ax.scatter(x.squeeze(1), y.squeeze(1), s=8, color="0.6", label="$(x_i, y_i)$")
    ax.plot(x.squeeze(1), (x.pow(2) + NOISE / 2).squeeze(1), "--", label="$x^2 + 0.1$")
    with torch.no_grad():
        ax.plot(x.squeeze(1), model(x).squeeze(1), label=r"$\hat y$")
    ax.set(xlabel="$x$", ylabel="$y$")
    ax.legend()
    fig.set_label(r"$(x_i, y_i)$, $x^2 + 0.1$, $\hat y$ vs $x$")
    return fig
