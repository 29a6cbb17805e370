"""Gradient accumulation: K micro-batches of size B give the gradient of one batch of K·B.

The lesson checks the identity by hand and with autograd, trains both ways
(:mod:`lessons.gradient_accumulation.training`), and shows where the identity breaks:
``reduction='sum'``, an incomplete last group, and BatchNorm.
What it saves, activation memory, is measured in :mod:`lessons.gradient_accumulation.memory`.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from lessons.checks import check_int, checked
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

    Returns a row: max |g_acc − g_full| and the largest gap of the running statistics.
    """
    x, y = make_data(64, seed=seed, dtype=dtype)
    acc_model, full_model = (make_mlp(seed=seed, norm=norm, dtype=dtype) for _ in range(2))
    acc = accumulated_grad(acc_model, x, y, accumulation_steps)  # K forward passes
    full = accumulate(full_model, [(x, y)], [1.0])  # one forward pass
    pairs = zip(acc_model.buffers(), full_model.buffers(), strict=True)  # BatchNorm's μ_run, σ²_run
    run = max(((a - b).abs().max().item() for a, b in pairs if a.is_floating_point()), default=0.0)
    row = {"dtype": str(dtype).split(".")[1], "norm": str(norm), "K": accumulation_steps}
    return row | {"max|Δg|": (acc - full).abs().max().item(), "max|Δrunning|": run}


def _check_notes_loop_gap(iterations, accumulation_steps, **_) -> None:
    k = check_int("accumulation_steps", accumulation_steps, minimum=1)
    check_int("iterations", iterations, minimum=k)


@checked(_check_notes_loop_gap)
# --8<-- [start:notes_loop]
def notes_loop_gap(iterations=16, accumulation_steps=8, lr=0.01, seed=0):
    """Compare the notes' loop (same full x every time) with one Adam step per K iterations."""
    k, g = accumulation_steps, generator(seed)
    x, y = torch.randn(64, 100, generator=g, dtype=F64), torch.randn(64, 10, generator=g, dtype=F64)
    notes, plain = (make_mlp(100, 32, 10, seed=seed, dtype=F64) for _ in range(2))
    opt_n, opt_p = (torch.optim.Adam(m.parameters(), lr=lr) for m in (notes, plain))
    loss_fn = nn.MSELoss(reduction="sum")
    for n in range(iterations):  # the notes' loop
        (loss_fn(notes(x), y) / k).backward()  # the same x every time: K copies of ∇J/K
        if (n + 1) % k == 0:
            opt_n.step()
            opt_n.zero_grad()
    for _ in range(iterations // k):  # one ordinary step on x per K iterations
        loss_fn(plain(x), y).backward()
        opt_p.step()
        opt_p.zero_grad()
    pairs = zip(notes.parameters(), plain.parameters(), strict=True)
    gap = max((a - b).abs().max().item() for a, b in pairs)
    return {"max|Δθ|": gap, "backward_notes": iterations, "backward_plain": iterations // k}


# --8<-- [end:notes_loop]


def _check_sum_vs_mean(accumulation_steps, **_) -> None:
    _steps_of_64(accumulation_steps)


@checked(_check_sum_vs_mean)
def sum_vs_mean(accumulation_steps=4, seed=0):
    """Scale of the accumulated gradient against one big batch with the same reduction."""
    x, y = make_data(64, seed=seed, dtype=F64)
    model, rows = make_mlp(seed=seed, dtype=F64), []
    for reduction in ("mean", "sum"):
        ref = accumulate(model, [(x, y)], [1.0], reduction)  # g_ref on all K·B samples
        for divide in (True, False):
            acc = accumulated_grad(model, x, y, accumulation_steps, reduction, divide)
            ratio = (acc @ ref / (ref @ ref)).item()  # ⟨g, g_ref⟩ / ‖g_ref‖²
            rows.append({"reduction": reduction, "ℓ_k/K": divide, "ratio": ratio})
    return rows


def _check_last_group(n, batch_size, accumulation_steps, **_) -> None:
    k = check_int("accumulation_steps", accumulation_steps, minimum=1)
    check_int("n", n, minimum=1)
    count = math.ceil(n / check_int("batch_size", batch_size, minimum=1))  # micro-batches
    if count % k == 0:
        raise ValueError(f"accumulation_steps={k} leaves no incomplete group of {count}")


@checked(_check_last_group)
def last_group(n=76, batch_size=8, accumulation_steps=4, seed=0):
    """Weight the last, incomplete group of micro-batches three ways; compare with its mean.

    Returns rows: w_k, ratio and relative error against the mean-loss gradient of the group.
    """
    k, b = accumulation_steps, batch_size
    x, y = make_data(n, seed=seed, dtype=F64)
    batches = list(zip(x.split(b), y.split(b), strict=True))
    group = batches[len(batches) // k * k :]  # the last (number of micro-batches mod K)
    sizes, model = [len(xb) for xb, _ in group], make_mlp(seed=seed, dtype=F64)
    whole = tuple(torch.cat(t) for t in zip(*group, strict=True))  # all samples of the group
    ref = accumulate(model, [whole], [1.0])  # gradient of their mean loss
    schemes = {"1/K": [1 / k] * len(group), "1/|G|": [1 / len(group)] * len(group)}
    schemes["n_k/N_G"] = [s / sum(sizes) for s in sizes]  # weight by sample count
    rows = []
    for name, weights in schemes.items():
        g = accumulate(model, group, weights)
        err = ((g - ref).norm() / ref.norm()).item()  # ‖g − g_ref‖ / ‖g_ref‖
        rows.append({"w_k": name, "ratio": (g @ ref / (ref @ ref)).item(), "rel_error": err})
    return rows
