"""Training, validation (dev) and test splits: choosing a model, and how noisy a small split is."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import torch

from lessons.checks import check_float, check_int, checked
from lessons.devices import resolve_device
from lessons.linear_model.lesson import mse_grid_torch
from lessons.seeds import generator


def _check_noisy_data(n, w, b, noise, **_) -> None:
    check_int("n", n, minimum=2)
    check_float("w", w)
    check_float("b", b)
    check_float("noise", noise, minimum=0.0)


@checked(_check_noisy_data)
def make_noisy_data(
    n: int = 40, w: float = 2.0, b: float = 1.0, noise: float = 0.5, seed: int = 0, device=None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Generate y = w·x + b + ε, with x ~ U(0, 4) and ε ~ N(0, noise²), in float64.

    Args:
        n: Number of samples.
        w: True slope.
        b: True intercept.
        noise: Standard deviation σ of the noise ε.
        seed: Seed of the draw.
        device: ``None`` for CUDA when present, else CPU; the values do not depend on it.

    Returns:
        ``(x, y)``, two tensors of shape ``(n,)``.
    """
    dev = resolve_device(device)
    g = generator(seed)  # on CPU, so the data are the same on every device
    x = 4.0 * torch.rand(n, generator=g, dtype=torch.float64)
    y = w * x + b + noise * torch.randn(n, generator=g, dtype=torch.float64)  # y = wx + b + ε
    return x.to(dev), y.to(dev)


def _check_split(n, n_dev, n_test, **_) -> None:
    check_int("n", n, minimum=1)
    check_int("n_dev", n_dev, minimum=0)
    check_int("n_test", n_test, minimum=0)
    if n_dev + n_test >= n:
        raise ValueError(f"n_dev + n_test must leave training data, got {n_dev} + {n_test} >= {n}")


@checked(_check_split)
# --8<-- [start:split]
def split_indices(n: int, n_dev: int, n_test: int, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """Shuffle 0..n−1 and cut it into training, validation (dev) and test indices."""
    perm = torch.randperm(n, generator=generator(seed))
    n_train = n - n_dev - n_test
    return perm[:n_train], perm[n_train : n_train + n_dev], perm[n_train + n_dev :]


# --8<-- [end:split]


# --8<-- [start:select_model]
def select_model(x: torch.Tensor, y: torch.Tensor, seed: int = 0) -> dict[str, dict[str, float]]:
    """Fit ŷ = x·w and ŷ = x·w + b on the training set; compare them on the dev set.

    Each model's parameters come from a grid search on the *training* set only (step 0.02);
    the dev set picks the model; the test set is used once, for the chosen one.
    """
    train, dev, test = split_indices(len(x), len(x) // 5, len(x) // 5, seed)
    ws = torch.linspace(0.0, 4.0, 201, dtype=x.dtype, device=x.device)
    grids = {
        "xw": torch.zeros(1, dtype=x.dtype, device=x.device),
        "xw+b": torch.linspace(-2.0, 2.0, 201, dtype=x.dtype, device=x.device),
    }
    out = {}
    for name, bs in grids.items():
        costs = mse_grid_torch(x[train], y[train], ws, bs)
        i, j = divmod(int(torch.argmin(costs)), len(bs))
        w, b = ws[i], bs[j]
        dev_j = float(((w * x[dev] + b - y[dev]) ** 2).mean())  # J on the dev set
        out[name] = {"w": float(w), "b": float(b), "train": float(costs[i, j]), "dev": dev_j}
    best = min(out, key=lambda k: out[k]["dev"])
    w, b = out[best]["w"], out[best]["b"]
    out[best]["test"] = float(((w * x[test] + b - y[test]) ** 2).mean())  # used once
    return out


# --8<-- [end:select_model]


def format_selection(result: dict[str, dict[str, float]]) -> str:
    """Format the output of :func:`select_model` as a small table.

    Args:
        result: What :func:`select_model` returns.

    Returns:
        One line per model: w, b and the costs on the three splits (``-`` where unused).
    """
    lines = ["model       w       b   J_train   J_dev   J_test"]
    for name, r in result.items():
        test = f"{r['test']:8.3f}" if "test" in r else "       -"
        lines.append(
            f"{name:6s} {r['w']:6.2f} {r['b']:7.2f} {r['train']:9.3f} {r['dev']:7.3f} {test}"
        )
    return "\n".join(lines)


def _check_spread(ns, seeds, noise, **_) -> None:
    if not ns or not seeds:
        raise ValueError("ns and seeds must not be empty")
    for n in ns:
        check_int("ns", n, minimum=5)
    for s in seeds:
        check_int("seeds", s, minimum=0)
    check_float("noise", noise, minimum=0.0)


@checked(_check_spread)
# --8<-- [start:dev_spread]
def dev_spread(ns=(40, 200), seeds=range(20), noise=0.5) -> dict[int, dict[str, list[float]]]:
    """Repeat :func:`select_model` on fresh data and a fresh split for every seed.

    Returns, for each data-set size n, the dev cost of each model, the test cost of the
    chosen one, and which model was chosen, one entry per seed.
    """
    out = {}
    for n in ns:
        runs = [select_model(*make_noisy_data(n=n, noise=noise, seed=s), seed=s) for s in seeds]
        out[n] = {
            "dev_xw": [r["xw"]["dev"] for r in runs],
            "dev_xw+b": [r["xw+b"]["dev"] for r in runs],
            "test": [r[k]["test"] for r in runs for k in r if "test" in r[k]],
            "chosen": [k for r in runs for k in r if "test" in r[k]],
        }
    return out


# --8<-- [end:dev_spread]


def format_spread(spread: dict[int, dict[str, list[float]]]) -> str:
    """Median and min–max of the dev and test costs over seeds, and how often xw was chosen.

    Args:
        spread: What :func:`dev_spread` returns.

    Returns:
        A text table, one line per data-set size n.
    """

    def stat(v: Sequence[float]) -> str:
        return f"{statistics.mean(v):.3f}  {statistics.median(v):.3f}  [{min(v):.3f}, {max(v):.3f}]"

    cols = "mean   median   [min, max]  "  # 28 characters, like one stat
    lines = [
        f"{'':12}{'J_dev of xw+b':^35}  {'J_test of the chosen':^28}".rstrip(),
        f"{'n':>3} {'n_dev':>5}   {cols}  {'sd':>5}  {cols}  {'xw chosen':>9}",
    ]
    for n, s in spread.items():
        dev, flips = s["dev_xw+b"], f"{s['chosen'].count('xw')}/{len(s['chosen'])}"
        lines.append(
            f"{n:3d} {n // 5:5d}   {stat(dev)}  {statistics.stdev(dev):.3f}"
            f"  {stat(s['test'])}  {flips:>9}"
        )
    return "\n".join(lines)
