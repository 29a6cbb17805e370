"""Training, validation (dev) and test splits: choosing a model, and how noisy a small split is."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import torch

from lessons.checks import check_float, check_int, check_ints, checked
from lessons.devices import resolve_device
from lessons.linear_model.lesson import mse_grid_torch
from lessons.printing import table
from lessons.seeds import generator


def _check_make_noisy_data(n, w, b, noise, **_) -> None:
    check_int("n", n, minimum=2)
    check_float("w", w)
    check_float("b", b)
    check_float("noise", noise, minimum=0.0)


@checked(_check_make_noisy_data)
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
    rows = [
        [name, r["w"], r["b"], r["train"], r["dev"], r.get("test", "-")]
        for name, r in result.items()
    ]
    columns = [
        ("model", "<6"),
        ("w", "6.2f"),
        ("b", "7.2f"),
        ("J_train", "9.3f"),
        ("J_dev", "7.3f"),
        ("J_test", "8.3f"),
    ]
    return table(rows, columns, sep=" ")


def _check_dev_spread(ns, seeds, noise, **_) -> None:
    if not ns or not seeds:
        raise ValueError("ns and seeds must not be empty")
    check_ints("ns", ns, minimum=5)
    check_ints("seeds", seeds, minimum=0)
    check_float("noise", noise, minimum=0.0)


@checked(_check_dev_spread)
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

    stats = "mean   median   [min, max]  "  # 28 characters, like one stat
    rows = []
    for n, s in spread.items():
        dev, flips = s["dev_xw+b"], f"{s['chosen'].count('xw')}/{len(s['chosen'])}"
        rows.append([n, n // 5, stat(dev), statistics.stdev(dev), stat(s["test"]), flips])
    # widths hold the spacing: 3 spaces before the first stat, 2 before the other columns
    columns = [
        ("n", "3d"),
        ("n_dev", "5d"),
        (stats, ">30"),
        ("sd", ">6.3f"),
        (stats, ">29"),
        ("xw chosen", ">10"),
    ]
    groups = f"{'':12}{'J_dev of xw+b':^35}  {'J_test of the chosen':^28}"
    return table(rows, columns, sep=" ", title=[groups])
