"""Eight optimizers of ``torch.optim`` on the course's linear regression, over several seeds.

All optimizers but L-BFGS update every coordinate on its own, so the models of several seeds can
be trained as one: stack their ``w`` and ``b``, sum their losses, and each seed's parameters get
exactly their own gradient. L-BFGS couples all coordinates, so it runs once per seed (on plain
tensors, which is quicker than going through ``nn.Linear`` and gives the same curve here).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import torch

from lessons.checks import check_float, check_int, check_ints, checked
from lessons.devices import resolve_device
from lessons.linear_regression.lesson import EXTRA_ARGS, OPTIMIZERS, make_data, make_model
from lessons.plotting import subplots
from lessons.printing import table


def _check_race(epochs, lr, seeds, **_) -> None:
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_ints("seeds", seeds, minimum=0)


def _stacked(seeds: Sequence[int], dev: torch.device) -> list[torch.Tensor]:
    """Initial w and b of each seed's model, stacked: two leaf tensors of shape (S,)."""
    models = [make_model(s) for s in seeds]
    w = torch.tensor([m.linear.weight.item() for m in models], device=dev)
    b = torch.tensor([m.linear.bias.item() for m in models], device=dev)
    return [w.requires_grad_(), b.requires_grad_()]


def _run_stacked(name, seeds, epochs, lr, dev) -> list[list[float]]:
    """Train S models with one element-wise optimizer; return each seed's loss curve."""
    x, y = (t.to(dev).flatten() for t in make_data())
    w, b = _stacked(seeds, dev)
    optimizer = getattr(torch.optim, name)([w, b], lr=lr)
    curves = []
    for _ in range(epochs):
        per_seed = ((w[:, None] * x + b[:, None] - y) ** 2).sum(
            1
        )  # L_s = Σ_i (w_s x_i + b_s − y_i)²
        optimizer.zero_grad()
        per_seed.sum().backward()  # ∂(Σ_s L_s)/∂w_s = ∂L_s/∂w_s: seeds do not interact
        optimizer.step()
        curves.append(per_seed.tolist())
    return [list(c) for c in zip(*curves, strict=True)]


def _run_lbfgs(seed: int, epochs: int, lr: float, dev: torch.device) -> list[float]:
    """L-BFGS from one seed's w₀, b₀, with the closure written on two plain tensors."""
    x, y = (t.to(dev).flatten() for t in make_data())
    w, b = _stacked([seed], dev)
    optimizer = torch.optim.LBFGS([w, b], lr=lr, **EXTRA_ARGS["LBFGS"])

    def closure():
        optimizer.zero_grad()
        loss = ((w * x + b - y) ** 2).sum()  # L = Σ_i (w x_i + b − y_i)²
        loss.backward()
        return loss

    return [optimizer.step(closure).item() for _ in range(epochs)]


@checked(_check_race)
def race(epochs: int = 100, lr: float = 0.01, seeds: Sequence[int] = range(5), device=None):
    """Train one model per seed with each optimizer of :data:`OPTIMIZERS`.

    Args:
        epochs: Steps per run.
        lr: Learning rate η, the same for every optimizer.
        seeds: Seeds of the initial ``w, b`` (the data are fixed).
        device: ``None`` for CUDA when present, else CPU.

    Returns:
        ``{name: [losses of seed 0, losses of seed 1, ...]}``, the loss before each step.
    """
    dev = resolve_device(device)
    out = {}
    for name in OPTIMIZERS:
        if name != "LBFGS":
            out[name] = _run_stacked(name, list(seeds), epochs, lr, dev)
            continue
        out[name] = [_run_lbfgs(s, epochs, lr, dev) for s in seeds]
    return out


def first_below(losses: Sequence[float], level: float) -> int | None:
    """Index t of the first loss below ``level`` (the step count needed), or ``None``.

    Args:
        losses: A loss curve.
        level: The threshold.

    Returns:
        The first t with ``losses[t] < level``, or ``None`` if there is none.
    """
    return next((t for t, v in enumerate(losses) if v < level), None)


def format_race(curves: dict[str, list[list[float]]], level: float = 1e-6) -> str:
    """Median and [min, max] over seeds of the final loss, and of the steps to reach ``level``.

    Args:
        curves: What :func:`race` returns.
        level: Loss threshold for the second column.

    Returns:
        A text table, one line per optimizer.
    """
    n = len(next(iter(curves.values())))
    rows = []
    for name, runs in curves.items():
        final = [r[-1] for r in runs]
        stat = f"{statistics.median(final):.3g} [{min(final):.3g}, {max(final):.3g}]"
        reached = [t for t in (first_below(r, level) for r in runs) if t is not None]
        t_text = "never"
        if reached:
            t_text = f"{statistics.median(reached):g} [{min(reached)}, {max(reached)}]"
            t_text += f" ({len(reached)}/{n})" if len(reached) < n else ""
        rows.append([name, stat, t_text])
    columns = [
        (f"{n} seeds", "<10"),
        ("L(final): median [min, max]", "<34"),
        (f"t(L < {level:g}): median [min, max]", "<"),
    ]
    return table(rows, columns, sep="")


def _check_first_step(names, lr, **_) -> None:
    check_float("lr", lr, minimum=0.0, strict=True)
    for name in names:
        if name not in OPTIMIZERS:
            raise ValueError(f"names must be in {OPTIMIZERS}, got {name!r}")


@checked(_check_first_step)
# --8<-- [start:first_step]
def first_step(names=("SGD", "Adagrad", "RMSprop", "Adam"), lr=0.01, seed=0) -> str:
    """The first update |Δw|, |Δb| of each optimizer, in units of η, from the same w₀, b₀."""
    x, y = make_data()
    rows = []
    for name in names:
        model = make_model(seed)
        w, b = model.linear.weight, model.linear.bias
        before = [w.item(), b.item()]
        optimizer = getattr(torch.optim, name)(model.parameters(), lr=lr)
        torch.nn.MSELoss(reduction="sum")(model(x), y).backward()  # g = ∇L at w₀, b₀
        optimizer.step()
        dw, db = abs(w.item() - before[0]) / lr, abs(b.item() - before[1]) / lr
        rows.append([name, abs(w.grad.item()), dw, abs(b.grad.item()), db])
    columns = [("", "<9"), ("|g_w|", ">8.3f"), ("|Δw|/η", ">9.3f")]
    columns += [("|g_b|", ">8.3f"), ("|Δb|/η", ">9.3f")]
    return table(rows, columns, sep="")


# --8<-- [end:first_step]


def _check_lbfgs_line_search(epochs, lr, **_) -> None:
    check_int("epochs", epochs, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)


@checked(_check_lbfgs_line_search)
def lbfgs_line_search(epochs: int = 10, lr: float = 0.01, seed: int = 0) -> str:
    """L-BFGS with PyTorch's default ``line_search_fn=None`` and with ``"strong_wolfe"``.

    Args:
        epochs: ``step()`` calls per run.
        lr: Learning rate; with a line search it only scales the first trial step.
        seed: Seed of the initial ``w, b``.

    Returns:
        A text table: the default, then per run the final loss and the closure calls.
    """
    x, y = make_data()
    lines = [
        f"default line_search_fn: {torch.optim.LBFGS([torch.zeros(1)]).defaults['line_search_fn']}"
    ]
    for search in (None, "strong_wolfe"):
        model, calls = make_model(seed), [0]
        opt = torch.optim.LBFGS(
            model.parameters(), lr=lr, line_search_fn=search, **EXTRA_ARGS["LBFGS"]
        )

        def closure(model=model, opt=opt, calls=calls):
            calls[0] += 1
            opt.zero_grad()
            loss = torch.nn.MSELoss(reduction="sum")(model(x), y)
            loss.backward()
            return loss

        for _ in range(epochs):
            opt.step(closure)
        final = torch.nn.MSELoss(reduction="sum")(model(x), y).item()
        lines.append(f"line_search_fn={search!s:<13} L = {final:.3g}, closure calls = {calls[0]}")
    return "\n".join(lines)


def plot_race(curves: dict[str, list[list[float]]]):
    """Loss vs step of every optimizer for the first seed, on one log-scale axes.

    Args:
        curves: What :func:`race` returns.

    Returns:
        The figure.
    """
    fig, ax = subplots(figsize=(6.4, 3.8))
    for i, (name, runs) in enumerate(curves.items()):
        style = "-" if i < 4 else "--"
        ax.semilogy(range(1, len(runs[0]) + 1), [max(v, 1e-12) for v in runs[0]], style, label=name)
    ax.set(xlabel="$t$", ylabel="$L$")
    ax.legend(ncol=2, fontsize=8)
    fig.set_label("$L$ vs $t$; " + ", ".join(curves))
    return fig
