"""Momentum under noise: minibatch SGD with momentum μ at η against plain SGD at η/(1−μ).

The problem is a noisy least-squares regression on generated data; both methods see the
same minibatches, and every step is :func:`lessons.momentum.lesson.momentum_step`. Also:
the variance of one step and of many steps on a flat direction, where the gradient is noise
only, and each method at its own best learning rate.
"""

from __future__ import annotations

import math
import statistics

import torch

from lessons.checks import check_float, check_int, check_ints, checked
from lessons.momentum.lesson import _mu_in_range, momentum_step
from lessons.plotting import subplots
from lessons.printing import table
from lessons.seeds import generator

F64 = torch.float64
LRS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2)  # momentum's η; plain SGD gets η/(1−μ)
SHOWN = (0.005, 0.05, 0.2)  # η: small, medium, large (the figure)
TARGET = 0.05  # the excess loss a run has to reach
DIVERGED = 1e6  # a run whose excess loss passes this is stopped and counted as ∞


# --8<-- [start:noisy_least_squares]
def noisy_least_squares(n=1000, d=10, noise=1.0, seed=0):
    """Data x ~ N(0, diag(λ)) with λ from 1 down to 0.25, y = x·w* + σ·ε, in float64.

    Returns:
        ``(x, y)``, of shapes ``(n, d)`` and ``(n,)``.

    """
    g = generator(seed)
    scale = torch.logspace(0, math.log10(0.25), d, dtype=F64).sqrt()  # √λ_i, 1 ≥ λ_i ≥ 0.25
    x = torch.randn(n, d, generator=g, dtype=F64) * scale
    w_star = torch.randn(d, generator=g, dtype=F64)
    return x, x @ w_star + noise * torch.randn(n, generator=g, dtype=F64)  # y = x·w* + σ·ε


# --8<-- [end:noisy_least_squares]


# --8<-- [start:minibatch_sgd]
def minibatch_sgd(x, y, lr, mu, steps=600, batch=8, seed=0, every=4):
    """Minibatch SGD with momentum on L(w) = ½·mean((x·w − y)²), from w = 0.

    Returns:
        The excess loss L(w_t) − min L after every ``every`` steps (∞ once it passes 10⁶).

    """
    best = torch.linalg.solve(x.T @ x, x.T @ y)  # the minimizer: XᵀX w* = Xᵀy
    loss_min = 0.5 * ((x @ best - y) ** 2).mean()
    picks = torch.randint(len(x), (steps, batch), generator=generator(seed))  # minibatches
    w, v, out = torch.zeros(x.shape[1], dtype=x.dtype), None, []
    for t in range(steps):
        xb, yb = x[picks[t]], y[picks[t]]
        g = xb.T @ (xb @ w - yb) / batch  # minibatch gradient
        w, v = momentum_step(w, v, g, lr, mu)
        if (t + 1) % every == 0:
            excess = (0.5 * ((x @ w - y) ** 2).mean() - loss_min).item()
            out.append(excess if excess < DIVERGED else math.inf)
            if out[-1] == math.inf:
                break
    return out


# --8<-- [end:minibatch_sgd]


def _check_compare_under_noise(lrs, mu, seeds, steps, batch) -> None:
    if not lrs or not seeds:
        raise ValueError("lrs and seeds must not be empty")
    for lr in lrs:
        check_float("lrs", lr, minimum=0.0, strict=True)
    _mu_in_range(mu)
    check_int("steps", steps, minimum=4)  # minibatch_sgd records the loss every 4 steps
    check_int("batch", batch, minimum=1)


@checked(_check_compare_under_noise)
def compare_under_noise(lrs=LRS, mu=0.9, seeds=(0, 1, 2, 3, 4), steps=600, batch=8) -> dict:
    """For each η and seed: curves of momentum (η, μ) and of plain SGD at η/(1−μ), same batches.

    Returns:
        ``{lr: {seed: (momentum curve, plain SGD curve)}}``; see :func:`minibatch_sgd`.

    """
    runs = {}
    for lr in lrs:
        runs[lr] = {}
        for seed in seeds:
            x, y = noisy_least_squares(seed=seed)
            pair = [minibatch_sgd(x, y, lr, mu, steps, batch, 1000 + seed), None]
            pair[1] = minibatch_sgd(x, y, lr / (1 - mu), 0.0, steps, batch, 1000 + seed)
            runs[lr][seed] = tuple(pair)
    return runs


def stationary(curve) -> float:
    """Mean of the second half of a curve: the level the loss settles at (∞ if it diverged)."""
    half = curve[len(curve) // 2 :]
    return math.inf if math.inf in curve else sum(half) / len(half)


def _check_noise_table(runs) -> None:
    if not runs:
        raise ValueError("runs must not be empty")


@checked(_check_noise_table)
def noise_table(runs: dict) -> str:
    """Per η: median [min, max] over seeds of each method's settled loss, and of their ratio.

    The ratio is plain SGD's settled loss over momentum's: 1 means the two behave the same.
    """
    rows = []
    for lr, by_seed in runs.items():
        mom = [stationary(a) for a, _ in by_seed.values()]
        sgd = [stationary(b) for _, b in by_seed.values()]
        ratio = [s / m for m, s in zip(mom, sgd, strict=True)]
        rows.append([lr, _spread(mom), _spread(sgd), _spread(ratio)])
    columns = [
        ("lr", "<6g"),
        ("momentum (lr, mu)", ">28"),
        ("SGD (lr/(1-mu))", ">28"),
        ("ratio", ">28"),
    ]
    return table(rows, columns, sep="")


def _spread(values) -> str:
    return f"{statistics.median(values):.3g} [{min(values):.3g}, {max(values):.3g}]"


def steps_to(curve, target: float = TARGET, every: int = 4) -> float:
    """First step t at which a recorded excess loss is ≤ ``target`` (∞ if it never is)."""
    for i, value in enumerate(curve):
        if value <= target:
            return every * (i + 1)
    return math.inf


def _check_tuned_table(runs, mu, target) -> None:
    _check_noise_table(runs)
    _mu_in_range(mu)
    check_float("target", target, minimum=0.0, strict=True)


@checked(_check_tuned_table)
def tuned_table(runs: dict, mu: float = 0.9, target: float = TARGET) -> str:
    """Each method at its own best η: the lowest settled loss, and the fewest steps to ``target``.

    The best η is the one with the lowest median over the seeds; each cell is the median
    [min, max] over the seeds at that η. Plain SGD's η is η/(1−μ).
    """
    rows = []
    for k, (name, scale) in enumerate((("momentum", 1.0), ("SGD", 1 / (1 - mu)))):
        settled = {lr: [stationary(pair[k]) for pair in runs[lr].values()] for lr in runs}
        steps = {lr: [steps_to(pair[k], target) for pair in runs[lr].values()] for lr in runs}
        lo = min(runs, key=lambda lr: (statistics.median(settled[lr]), lr))
        fast = min(runs, key=lambda lr: (statistics.median(steps[lr]), lr))
        rows.append([name, lo * scale, _spread(settled[lo]), fast * scale, _spread(steps[fast])])
    columns = [
        ("", "<9"),
        ("lr", ">6g"),
        ("settled loss", ">30"),
        ("lr", ">6g"),
        (f"steps to {target:g}", ">18"),
    ]
    return table(rows, columns, sep="  ", title=[f"mu={mu}; median [min, max] over the seeds"])


def start_excess(x, y) -> float:
    """L(0) − min L: the excess loss at w = 0, where every run of :func:`minibatch_sgd` starts."""
    best = torch.linalg.solve(x.T @ x, x.T @ y)  # XᵀX w* = Xᵀy
    return (0.5 * (y**2).mean() - 0.5 * ((x @ best - y) ** 2).mean()).item()


def _check_start_table(runs, lr) -> None:
    _check_noise_table(runs)
    if lr not in runs:
        raise ValueError(f"lr must be one of {list(runs)}, got {lr}")


@checked(_check_start_table)
def start_table(runs: dict, lr: float = 0.2) -> str:
    """Per seed: momentum's excess loss at the start, and its settled and last level at ``lr``."""
    rows = []
    for seed, (mom, _) in runs[lr].items():
        start = start_excess(*noisy_least_squares(seed=seed))  # the data compare_under_noise used
        above = "yes" if stationary(mom) > start else "no"
        rows.append([seed, start, stationary(mom), mom[-1], above])
    columns = [
        ("seed", ">4"),
        ("start", ">8.3g"),
        ("settled", ">8.3g"),
        ("last", ">8.3g"),
        ("settled > start", ">16"),
    ]
    return table(rows, columns, sep="  ", title=[f"momentum, lr={lr:g}"])


# --8<-- [start:step_noise]
def step_noise(mu=0.9, spans=(1, 10, 100, 1000), trials=4000, burn=200, seed=0) -> dict:
    """Variance of the displacement over n steps on a flat direction, where g_t is noise only.

    Momentum runs at η = 1 and plain SGD at η/(1−μ), on the same gradients g_t = ξ_t ~ N(0, 1)
    (σ = 1), in ``trials`` independent copies; n counts from step ``burn``, when momentum's
    buffer has forgotten its first step.

    Returns:
        ``{n: (momentum's variance, plain SGD's variance)}``, in units of η²σ².

    """
    g = generator(seed)
    p = q = torch.zeros(trials, dtype=F64)  # momentum's and plain SGD's parameter
    v, out = None, {}
    for t in range(burn + max(spans)):
        xi = torch.randn(trials, generator=g, dtype=F64)  # g_t = ξ_t: the gradient is noise
        p, v = momentum_step(p, v, xi, 1.0, mu)  # momentum, η = 1
        q, _ = momentum_step(q, None, xi, 1 / (1 - mu), 0.0)  # plain SGD, η/(1−μ)
        if t + 1 == burn:
            p0, q0 = p, q
        if t + 1 - burn in spans:  # n = t + 1 − burn steps since p0, q0
            out[t + 1 - burn] = ((p - p0).var().item(), (q - q0).var().item())
    return out


# --8<-- [end:step_noise]


def step_noise_theory(mu: float, n: int) -> tuple[float, float]:
    """The variances :func:`step_noise` estimates, in closed form (η = σ = 1).

    Momentum's buffer is stationary with autocovariance μ^k/(1 − μ²), so its n-step
    displacement has variance [n + 2μ(n(1 − μ) − (1 − μⁿ))/(1 − μ)²]/(1 − μ²); plain SGD's
    is n/(1 − μ)².
    """
    mom = (n + 2 * mu * (n * (1 - mu) - (1 - mu**n)) / (1 - mu) ** 2) / (1 - mu**2)
    return mom, n / (1 - mu) ** 2


def _check_step_noise_table(mu, spans, trials, seed) -> None:
    _mu_in_range(mu)
    check_ints("spans", spans, minimum=1)
    check_int("trials", trials, minimum=2)
    check_int("seed", seed, minimum=0)


@checked(_check_step_noise_table)
def step_noise_table(mu=0.9, spans=(1, 10, 100, 1000), trials=4000, seed=0) -> str:
    """:func:`step_noise` beside :func:`step_noise_theory`, per span n, in units of η²σ²."""
    rows = []
    for n, (mom, sgd) in step_noise(mu, spans, trials, seed=seed).items():
        mom_th, sgd_th = step_noise_theory(mu, n)
        rows.append([n, mom, mom_th, sgd, sgd_th, mom_th / sgd_th])
    columns = [
        ("n", ">5"),
        ("momentum", ">10.4g"),
        ("formula", ">10.4g"),
        ("SGD lr/(1-mu)", ">14.4g"),
        ("formula", ">10.4g"),
        ("ratio", ">7.3f"),
    ]
    title = [f"mu={mu}; variance of w_(t+n) - w_t in units of lr^2 sigma^2, {trials} runs"]
    return table(rows, columns, sep="  ", title=title)


def plot_noise(runs: dict, seed: int = 0, lrs=SHOWN, every: int = 4):
    """One panel per η in ``lrs``: excess loss of both methods for one seed, on a log scale."""
    fig, axes = subplots(1, len(lrs), figsize=(6.8, 2.6), sharey=True, squeeze=False)
    for ax, lr in zip(axes[0], lrs, strict=True):
        by_seed = runs[lr]
        labels = ("$(\\eta, \\mu)$", "$(\\eta/(1-\\mu), 0)$")  # (learning rate, momentum)
        for curve, label in zip(by_seed[seed], labels, strict=True):
            finite = [c for c in curve if c < math.inf]
            ax.plot([every * (i + 1) for i in range(len(finite))], finite, lw=1, label=label)
        ax.set(yscale="log", xlabel="$t$", title=f"$\\eta={lr:g}$")
    axes[0][0].set_ylabel("$L(w_t)-L^*$")
    axes[0][0].legend(fontsize=7)
    etas = ", ".join(f"{lr:g}" for lr in lrs)
    fig.set_label(f"$L(w_t)-L^*$ vs $t$, $\\eta \\in \\{{{etas}\\}}$")
    return fig
