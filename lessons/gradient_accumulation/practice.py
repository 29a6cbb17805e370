"""Gradient accumulation as trainers do it: clipping, schedulers, mixed precision, tokens, cost.

Used by the gradient-accumulation lesson. Each function compares the right way with the
common mistake on the same data and model (float64 wherever an identity is checked).
"""

from __future__ import annotations

import time

import torch
from torch import nn

from lessons.checks import check_float, check_int, checked
from lessons.gradient_accumulation.lesson import F64, _steps_of_64, accumulate, make_data, make_mlp
from lessons.seeds import generator


def _flat_grad(model) -> torch.Tensor:
    return torch.cat([p.grad.flatten() for p in model.parameters()])


# --8<-- [start:clipping]
def clipped_grads(max_norm=0.1, accumulation_steps=4, seed=0) -> dict[str, torch.Tensor]:
    """Clip the accumulated gradient once, or each micro-batch's gradient, or the big batch's."""
    k, model = accumulation_steps, make_mlp(seed=seed, dtype=F64)
    x, y = make_data(64, seed=seed, dtype=F64)
    batches = list(zip(x.chunk(k), y.chunk(k), strict=True))
    accumulate(model, batches, [1 / k] * k)  # .grad = Σ_k ∇J_k / K
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)  # once, before the step
    once = _flat_grad(model)
    each = torch.zeros_like(once)
    for batch in batches:  # the mistake: clip every micro-batch's gradient ∇J_k, then average
        accumulate(model, [batch], [1.0])  # .grad = ∇J_k
        nn.utils.clip_grad_norm_(model.parameters(), max_norm)  # ∇J_k shortened to ‖·‖ ≤ c
        each += _flat_grad(model) / k  # g ← g + clip(∇J_k) / K
    accumulate(model, [(x, y)], [1.0])  # one batch of K·B samples, clipped
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    return {"once": once, "each": each, "big batch": _flat_grad(model)}


# --8<-- [end:clipping]


def _check_clipping_table(max_norm, accumulation_steps, **_) -> None:
    check_float("max_norm", max_norm, minimum=0.0, strict=True)
    _steps_of_64(accumulation_steps)


@checked(_check_clipping_table)
def clipping_table(max_norm=0.1, accumulation_steps=4, seed=0) -> list[dict]:
    """Norm of each clipped gradient and its distance to the big batch's clipped gradient."""
    grads = clipped_grads(max_norm, accumulation_steps, seed)
    ref = grads["big batch"]
    return [
        {"clip": name, "‖g‖": g.norm().item(), "max|g − g_big|": (g - ref).abs().max().item()}
        for name, g in grads.items()
    ]


def _check_lr_schedule(per_micro_batch, accumulation_steps, steps, step_size) -> None:
    if not isinstance(per_micro_batch, bool):
        raise TypeError(f"per_micro_batch must be a bool, got {type(per_micro_batch).__name__}")
    check_int("accumulation_steps", accumulation_steps, minimum=1)
    check_int("steps", steps, minimum=1)
    check_int("step_size", step_size, minimum=1)


@checked(_check_lr_schedule)
# --8<-- [start:scheduler]
def lr_schedule(per_micro_batch: bool, accumulation_steps=4, steps=8, step_size=4) -> list[float]:
    """Learning rate of each optimizer step under ``StepLR(step_size, γ=0.5)``.

    Right: one ``scheduler.step()`` per optimizer step. Wrong: one per micro-batch.
    """
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=0.5)
    lrs = []
    for _ in range(steps):
        for _ in range(accumulation_steps):
            p.sum().backward()  # a micro-batch
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        opt.zero_grad()
        for _ in range(accumulation_steps if per_micro_batch else 1):
            scheduler.step()  # the wrong loop counts micro-batches as steps
    return lrs


# --8<-- [end:scheduler]


def _check_train_amp(bf16, accumulation_steps, batch_size, lr, epochs, **_) -> None:
    if not isinstance(bf16, bool):
        raise TypeError(f"bf16 must be a bool, got {type(bf16).__name__}")
    check_int("accumulation_steps", accumulation_steps, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    check_float("lr", lr, minimum=0.0, strict=True)
    check_int("epochs", epochs, minimum=1)


@checked(_check_train_amp)
# --8<-- [start:amp]
def train_amp(bf16: bool, accumulation_steps=8, batch_size=8, lr=0.2, epochs=3, seed=0):
    """SGD with K micro-batches per step, in bfloat16 autocast with a GradScaler, or in float32.

    Returns the loss J of every optimizer step (float32, mean over its K·B samples).
    """
    k, (x, y) = accumulation_steps, make_data(512, seed=seed)
    model, g = make_mlp(seed=seed), generator(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    scaler = torch.amp.GradScaler("cpu", enabled=bf16)  # a no-op when disabled
    losses = []
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=g)
        for s in range(0, len(x), k * batch_size):
            idx, total = perm[s : s + k * batch_size], 0.0
            for xb, yb in zip(x[idx].chunk(k), y[idx].chunk(k), strict=True):
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    out = model(xb)  # matrix products in bfloat16
                loss = nn.functional.mse_loss(out.float(), yb) / k  # ℓ_k / K in float32
                scaler.scale(loss).backward()  # each micro-loss scaled by S
                total += loss.item()
            scaler.unscale_(opt)  # once: .grad ← .grad / S
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # clip the true gradient
            scaler.step(opt)  # skipped if a gradient is inf or nan
            scaler.update()
            opt.zero_grad()
            losses.append(total)
    return losses


# --8<-- [end:amp]


def _check_amp_table(seeds, **_) -> None:
    if not seeds:
        raise ValueError("seeds must not be empty")


@checked(_check_amp_table)
def amp_table(seeds=range(5)) -> list[dict]:
    """Per seed: J_1, J_T of :func:`train_amp` in bfloat16 and in float32, and their gap."""
    rows = []
    for seed in seeds:
        bf16, fp32 = train_amp(True, seed=seed), train_amp(False, seed=seed)
        row = {"seed": seed, "J_1": bf16[0], "J_T bf16": bf16[-1], "J_T fp32": fp32[-1]}
        rows.append(row | {"|ΔJ_T|": abs(bf16[-1] - fp32[-1])})
    return rows


def token_batches(accumulation_steps=4, seqs=4, max_len=12, d_in=8, seed=0) -> list[tuple]:
    """K micro-batches of ``seqs`` sequences of random length, padded: ``(x, y, mask)``."""
    g, batches = generator(seed), []
    for _ in range(accumulation_steps):
        lengths = torch.randint(1, max_len + 1, (seqs,), generator=g)
        mask = (torch.arange(max_len) < lengths[:, None]).to(F64)  # 1 on tokens, 0 on padding
        x = torch.randn(seqs, max_len, d_in, generator=g, dtype=F64)
        batches.append((x, torch.sin(x.sum(-1, keepdim=True)), mask))
    return batches


# --8<-- [start:tokens]
def token_losses(model, batches, per_micro_batch: bool) -> torch.Tensor:
    """Accumulate a per-token MSE over micro-batches of padded sequences; return the gradient.

    ``per_micro_batch``: divide each micro-batch's sum by its own token count n_k and by K
    (the mistake), else divide every sum by N = Σ_k n_k, the tokens of all K micro-batches.
    """
    model.zero_grad(set_to_none=True)
    n_total = sum(mask.sum() for _, _, mask in batches)  # N
    for x, y, mask in batches:
        token_loss = ((model(x) - y) ** 2).squeeze(-1) * mask  # ℓ_t, 0 on padding
        scale = mask.sum() * len(batches) if per_micro_batch else n_total  # n_k·K or N
        (token_loss.sum() / scale).backward()
    return _flat_grad(model)


# --8<-- [end:tokens]


def _check_token_table(accumulation_steps, **_) -> None:
    check_int("accumulation_steps", accumulation_steps, minimum=1)


@checked(_check_token_table)
def token_table(accumulation_steps=4, seed=0) -> list[dict]:
    """Both normalizations against one batch of all the tokens (float64)."""
    batches = token_batches(accumulation_steps, seed=seed)
    model = make_mlp(seed=seed, dtype=F64)
    tokens = [(x[m.bool()], y[m.bool()]) for x, y, m in batches]  # real tokens only
    big = accumulate(model, [tuple(torch.cat(t) for t in zip(*tokens, strict=True))], [1.0])
    rows = []
    for name, per_micro in (("ℓ_k/(n_k·K)", True), ("ℓ_k/N", False)):
        g = token_losses(model, batches, per_micro)
        rows.append({"scale": name, "max|g − g_big|": (g - big).abs().max().item()})
    counts = [int(m.sum()) for _, _, m in batches]
    return rows, counts


TUNED_LR = {1: 0.05, 8: 0.2}  # K → η, chosen by tune_lr on seed 0 (a test checks the choice)


def run_cost(accumulation_steps, lr=None, batch_size=8, epochs=3, seed=0) -> dict:
    """Train on 256 samples with K micro-batches of B per step; count what the run did."""
    from lessons.gradient_accumulation.training import train

    k = accumulation_steps
    x, y = make_data(256, seed=seed)
    lr = TUNED_LR[k] if lr is None else lr
    losses = train(x, y, batch_size, k, lr=lr, epochs=epochs, seed=seed)
    per_epoch = len(x) // (k * batch_size)  # optimizer steps per epoch
    last = sum(losses[-per_epoch:]) / per_epoch  # mean loss over the last epoch's 256 samples
    passes = epochs * per_epoch * k  # forward/backward passes of B samples
    row = {"K": k, "B": batch_size, "η": lr, "steps": len(losses), "passes": passes}
    return row | {"samples": passes * batch_size, "J_last": last}


def tune_lr(accumulation_steps, grid=(0.05, 0.1, 0.2, 0.4), seed=0) -> float:
    """The learning rate of ``grid`` with the lowest last-epoch loss (nan counts as worst)."""
    scores = {lr: run_cost(accumulation_steps, lr, seed=seed)["J_last"] for lr in grid}
    return min(grid, key=lambda lr: (scores[lr] != scores[lr], scores[lr]))  # nan last


def cost_table(seeds=range(5)) -> list[dict]:
    """Plain B=8 against K=8 micro-batches of B=8, each at its tuned η, over several seeds."""
    rows = []
    for k in sorted(TUNED_LR):
        runs = [run_cost(k, seed=s) for s in seeds]
        last = sorted(r["J_last"] for r in runs)
        row = {key: v for key, v in runs[0].items() if key != "J_last"}
        rows.append(row | {"J_last median": last[len(last) // 2], "min": last[0], "max": last[-1]})
    return rows


def bench_cost(repeats=3, seed=0) -> dict[str, float]:
    """Median wall-clock seconds of :func:`run_cost` for K=1 and K=8 (depends on the machine)."""
    out = {}
    for k in sorted(TUNED_LR):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            run_cost(k, seed=seed)
            times.append(time.perf_counter() - start)
        out[f"K={k}"] = sorted(times)[len(times) // 2]
    return out
