"""Gradient accumulation: K micro-batches of size B give the gradient of one batch of K·B.

The lesson checks the identity by hand and with autograd, writes the standard loop over a
``DataLoader`` (:func:`accumulation_epoch`), and gathers in one table (:func:`identity_table`)
where the identity holds and where it breaks: ``reduction='sum'``, an incomplete last group,
BatchNorm, the notes' loop. Training runs are in :mod:`lessons.gradient_accumulation.training`,
memory and activation checkpointing in :mod:`lessons.gradient_accumulation.memory`.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lessons.checks import check_int, checked
from lessons.plotting import subplots
from lessons.seeds import generator, seeded

F64 = torch.float64
NORMS = {None: nn.Identity, "batch": nn.BatchNorm1d, "layer": nn.LayerNorm}  # make_mlp's norm


def check_steps(accumulation_steps: int, n: int) -> int:
    """Return K after checking that it is an int ≥ 1 dividing the batch size ``n``."""
    k = check_int("accumulation_steps", accumulation_steps, minimum=1)
    if n % k:
        raise ValueError(f"accumulation_steps={k} must divide the batch size {n}")
    return k


def _steps_of_64(accumulation_steps) -> int:
    """Return K after :func:`check_steps` for the 64 samples the lesson's gradient gaps split."""
    return check_steps(accumulation_steps, 64)


def _check_make_data(n, d_in, **_) -> None:
    check_int("n", n, minimum=1)
    check_int("d_in", d_in, minimum=1)


@checked(_check_make_data)
def make_data(n: int = 64, d_in: int = 8, seed: int = 0, dtype=torch.float32):
    """Generate y = sin(2·x·u) + 0.1·ε with x, ε ~ N(0, 1); shapes (n, d_in) and (n, 1)."""
    g = generator(seed)
    x = torch.randn(n, d_in, generator=g, dtype=dtype)
    u = torch.randn(d_in, 1, generator=g, dtype=dtype) / d_in**0.5
    return x, torch.sin(2 * x @ u) + 0.1 * torch.randn(n, 1, generator=g, dtype=dtype)


# --8<-- [start:linear_grad]
def linear_grad(w, b, x, y):
    """Hand-written gradient of J = (1/n)·Σ(ŷ_i − y_i)² for ŷ = x·w + b."""
    r = x @ w + b - y  # r = ŷ − y, shape (n, 1)
    n = x.shape[0]
    return 2 / n * x.T @ r, 2 / n * r.sum(0)  # ∇_w J = (2/n)·xᵀr, ∂J/∂b = (2/n)·Σr


def accumulate_linear(w, b, x, y, accumulation_steps: int):
    """Split (x, y) into K micro-batches; sum their gradients, each divided by K."""
    k = accumulation_steps
    gw, gb = torch.zeros_like(w), torch.zeros_like(b)
    for xb, yb in zip(x.chunk(k), y.chunk(k), strict=True):
        dw, db = linear_grad(w, b, xb, yb)  # g_k on a micro-batch of B = n/K samples
        gw += dw / k  # g ← g + g_k / K
        gb += db / k
    return gw, gb


# --8<-- [end:linear_grad]


def _check_linear_gap(accumulation_steps, **_) -> None:
    _steps_of_64(accumulation_steps)


@checked(_check_linear_gap)
def linear_gap(accumulation_steps: int = 8, dtype=F64, seed: int = 0) -> float:
    """Return max |g_acc − g_full| for the linear model on 64 samples."""
    x, y = make_data(64, seed=seed, dtype=dtype)
    w, b = torch.full((8, 1), 0.1, dtype=dtype), torch.zeros(1, dtype=dtype)
    acc, full = accumulate_linear(w, b, x, y, accumulation_steps), linear_grad(w, b, x, y)
    return max((a - f).abs().max().item() for a, f in zip(acc, full, strict=True))


def make_mlp(d_in=8, hidden=32, d_out=1, seed=0, norm=None, dtype=torch.float32):
    """MLP d_in → hidden → [norm] → ReLU → d_out, initialized under ``seeded(seed)``."""
    with seeded(seed):
        layers = [nn.Linear(d_in, hidden), NORMS[norm](hidden), nn.ReLU(), nn.Linear(hidden, d_out)]
        return nn.Sequential(*layers).to(dtype)


# --8<-- [start:accumulate]
def accumulate(model, batches, weights, reduction="mean"):
    """Backward Σ_k w_k·ℓ_k one micro-batch at a time; return the flat gradient."""
    model.zero_grad(set_to_none=True)
    for (xb, yb), w in zip(batches, weights, strict=True):
        loss = nn.functional.mse_loss(model(xb), yb, reduction=reduction)  # ℓ_k
        (w * loss).backward()  # .grad ← .grad + w_k·∇ℓ_k ; the graph of k is freed
    return torch.cat([p.grad.flatten() for p in model.parameters()])


def accumulated_grad(model, x, y, accumulation_steps, reduction="mean", divide=True):
    """Gradient from K equal micro-batches of (x, y), each loss divided by K (or not)."""
    k = accumulation_steps
    batches = list(zip(x.chunk(k), y.chunk(k), strict=True))
    return accumulate(model, batches, [1 / k if divide else 1.0] * k, reduction)


# --8<-- [end:accumulate]


def _check_grad_gap(accumulation_steps, norm, **_) -> None:
    k = _steps_of_64(accumulation_steps)
    if norm not in tuple(NORMS):
        raise ValueError(f"norm must be None, 'batch' or 'layer', got {norm!r}")
    if norm == "batch" and k == 64:
        raise ValueError("accumulation_steps=64 leaves 1 sample per micro-batch; BatchNorm needs 2")


@checked(_check_grad_gap)
def grad_gap(accumulation_steps=4, dtype=F64, norm=None, seed=0):
    """Compare K micro-batches with one batch of 64 samples on two copies of the MLP.

    Returns a row: ⟨g_acc, g_full⟩/‖g_full‖², max |g_acc − g_full| and the largest gap of
    the running statistics.
    """
    x, y = make_data(64, seed=seed, dtype=dtype)
    acc_model, full_model = (make_mlp(seed=seed, norm=norm, dtype=dtype) for _ in range(2))
    acc = accumulated_grad(acc_model, x, y, accumulation_steps)  # K forward passes
    full = accumulate(full_model, [(x, y)], [1.0])  # one forward pass
    pairs = zip(acc_model.buffers(), full_model.buffers(), strict=True)  # BatchNorm's μ_run, σ²_run
    run = max(((a - b).abs().max().item() for a, b in pairs if a.is_floating_point()), default=0.0)
    row = {"dtype": str(dtype).split(".")[1], "norm": str(norm), "K": accumulation_steps}
    ratio = (acc @ full / (full @ full)).item()  # ⟨g, g_ref⟩ / ‖g_ref‖²
    return row | {"ratio": ratio, "max|Δg|": (acc - full).abs().max().item(), "max|Δrunning|": run}


# --8<-- [start:loop]
def accumulation_epoch(model, optimizer, loader, accumulation_steps: int) -> list[float]:
    """One epoch: a step per K micro-batches of ``loader``, and one for a shorter last group.

    Returns:
        The loss J of every step: the mean over its samples, before the step.
    """
    k, n, b = accumulation_steps, len(loader.dataset), loader.batch_size
    device, losses, total = next(model.parameters()).device, [], 0.0
    for i, (xb, yb) in enumerate(loader):
        n_group = min(k * b, n - i // k * k * b)  # N_G: K·B samples, fewer in the last group
        out = model(xb.to(device))
        loss = nn.functional.mse_loss(out, yb.to(device), reduction="sum") / n_group  # Σℓ_i/N_G
        loss.backward()  # .grad ← .grad + ∇(Σ_i ℓ_i / N_G)
        total += loss.item()
        if (i + 1) % k == 0 or i + 1 == len(loader):  # K micro-batches done, or the data
            optimizer.step()  # θ ← θ − η·g
            optimizer.zero_grad()  # g ← 0 for the next group
            losses.append(total)
            total = 0.0
    return losses


# --8<-- [end:loop]


def _check_loop_gap(n, batch_size, accumulation_steps, **_) -> None:
    check_int("n", n, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    check_int("accumulation_steps", accumulation_steps, minimum=1)


@checked(_check_loop_gap)
def loop_gap(n=76, batch_size=8, accumulation_steps=4, lr=0.1, seed=0) -> dict:
    """One epoch of :func:`accumulation_epoch` against full-batch SGD steps on the same groups.

    Float64; the loader keeps the data's order, so group G holds samples K·B·G … K·B·(G+1) − 1.

    Returns:
        ``N_G`` of every step and ``max|Δθ|`` between the two models after the epoch.
    """
    k, b = accumulation_steps, batch_size
    x, y = make_data(n, seed=seed, dtype=F64)
    loop, full = (make_mlp(seed=seed, dtype=F64) for _ in range(2))
    opt = torch.optim.SGD(loop.parameters(), lr=lr)
    accumulation_epoch(loop, opt, DataLoader(TensorDataset(x, y), batch_size=b), k)
    opt_full, sizes = torch.optim.SGD(full.parameters(), lr=lr), []
    for xg, yg in zip(x.split(k * b), y.split(k * b), strict=True):  # one batch per group
        nn.functional.mse_loss(full(xg), yg).backward()  # mean over the N_G samples
        opt_full.step()
        opt_full.zero_grad()
        sizes.append(len(xg))
    pairs = zip(loop.parameters(), full.parameters(), strict=True)
    return {"N_G": sizes, "max|Δθ|": max((p - q).abs().max().item() for p, q in pairs)}


def _compare(case: str, weights: str, g, ref) -> dict:
    """A row of :func:`identity_table`: ⟨g, g_ref⟩/‖g_ref‖² and max |g − g_ref|."""
    ratio = (g @ ref / (ref @ ref)).item()
    return {"case": case, "w_k": weights, "ratio": ratio, "max|Δ|": (g - ref).abs().max().item()}


def _check_identity_table(accumulation_steps, **_) -> None:
    _steps_of_64(accumulation_steps)


@checked(_check_identity_table)
def identity_table(accumulation_steps=4, seed=0) -> list[dict]:
    """Accumulated gradient against the large batch's, case by case (float64, 64 samples).

    Rows: both reductions with and without the division by K; the last, incomplete group of
    76 samples in micro-batches of 8 under three weightings; LayerNorm and BatchNorm (and
    BatchNorm's running statistics); the notes' loop (the same batch K times); and one epoch
    of the DataLoader loop against full-batch steps (parameters, not gradients).
    """
    k = accumulation_steps
    x, y = make_data(64, seed=seed, dtype=F64)
    model, rows = make_mlp(seed=seed, dtype=F64), []
    for reduction in ("mean", "sum"):
        ref = accumulate(model, [(x, y)], [1.0], reduction)  # g_ref: all K·B samples at once
        for divide in (True, False):
            g = accumulated_grad(model, x, y, k, reduction, divide)
            rows.append(_compare(f"reduction='{reduction}'", "1/K" if divide else "1", g, ref))
    rows += _last_group_rows(k, seed)
    for norm in ("layer", "batch"):
        gap = grad_gap(k, norm=norm, seed=seed)
        rows.append({"case": f"{norm.capitalize()}Norm", "w_k": "1/K", "ratio": gap["ratio"]})
        rows[-1]["max|Δ|"] = gap["max|Δg|"]
    running = {"case": "BatchNorm: μ_run, σ²_run", "w_k": "1/K", "ratio": "—"}
    rows.append(running | {"max|Δ|": gap["max|Δrunning|"]})
    ref = accumulate(model, [(x, y)], [1.0])  # the gradient of x alone
    notes = accumulate(model, [(x, y)] * k, [1 / k] * k)  # the notes' loop: the same x, K times
    rows.append(_compare("notes: the same x, K times", "1/K", notes, ref))
    loop = {"case": "DataLoader loop: θ after 3 steps", "w_k": "1/N_G", "ratio": "—"}
    rows.append(loop | {"max|Δ|": loop_gap(seed=seed)["max|Δθ|"]})
    return rows


def _last_group_rows(accumulation_steps, seed, n=76, batch_size=8) -> list[dict]:
    """The last group of ``n`` samples in micro-batches of ``batch_size``, weighted three ways."""
    k = accumulation_steps
    x, y = make_data(n, seed=seed, dtype=F64)
    batches = list(zip(x.split(batch_size), y.split(batch_size), strict=True))
    group = batches[len(batches) // k * k :]  # the last (number of micro-batches mod K)
    sizes, model = [len(xb) for xb, _ in group], make_mlp(seed=seed, dtype=F64)
    whole = tuple(torch.cat(t) for t in zip(*group, strict=True))  # all samples of the group
    ref = accumulate(model, [whole], [1.0])  # gradient of their mean loss
    schemes = {"1/K": [1 / k] * len(group), "1/|G|": [1 / len(group)] * len(group)}
    schemes["n_k/N_G"] = [s / sum(sizes) for s in sizes]  # weight by sample count
    case = "last group, n_k = " + "+".join(map(str, sizes))
    return [_compare(case, name, accumulate(model, group, w), ref) for name, w in schemes.items()]


def plot_timeline(accumulation_steps: int = 4):
    """One optimizer step as a timeline: K forward and backward passes, then θ ← θ − η·g."""
    k = check_int("accumulation_steps", accumulation_steps, minimum=1)
    fig, ax = subplots(figsize=(8, 1.9))
    t = 0.0
    for i in range(1, k + 1):
        ax.broken_barh([(t, 1.0)], (0.55, 0.4), color="C0", alpha=0.35)  # forward of micro-batch i
        ax.text(t + 0.5, 0.75, f"$J_{{{i}}}$", ha="center", va="center")
        ax.broken_barh([(t + 1.0, 1.6)], (0.05, 0.4), color="C1", alpha=0.45)  # its backward
        ax.text(
            t + 1.8, 0.25, rf"$g \leftarrow g + \nabla J_{{{i}}}/{k}$", ha="center", va="center"
        )
        ax.text(t + 1.3, -0.2, f"$k={i}$", ha="center", va="center")
        t += 2.6
    ax.broken_barh([(t + 0.2, 2.2)], (0.3, 0.4), color="C2", alpha=0.45)  # the one step
    ax.text(t + 1.3, 0.5, r"$\theta \leftarrow \theta - \eta g$", ha="center", va="center")
    ax.set(xlim=(-0.2, t + 2.6), ylim=(-0.4, 1.05), xlabel="$t$")
    ax.set_yticks([0.75, 0.25], ["$J$", r"$\nabla$"])
    ax.set_xticks([])
    ax.grid(False)
    fig.set_label(
        f"$k=1$ … $K={k}$: $J_k$, $\\nabla J_k/K$; " + r"$\theta \leftarrow \theta - \eta g$"
    )
    return fig
