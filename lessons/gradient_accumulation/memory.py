"""Activation memory: what autograd keeps for backward, and how accumulation divides it by K.

Used by the gradient-accumulation lesson: one optimizer step over K·B samples, run as K
micro-batches of B, keeps the activations of only B samples at a time.
"""

from __future__ import annotations

import torch
from torch import nn

from lessons.checks import check_int, checked
from lessons.devices import resolve_device
from lessons.gradient_accumulation.lesson import check_steps, make_data, make_mlp
from lessons.plotting import subplots
from lessons.saved_tensors import saved_bytes

MiB = 2**20


def _check_step_memory(total_batch, accumulation_steps, hidden, **_) -> None:
    check_steps(accumulation_steps, total_batch)
    check_int("hidden", hidden, minimum=1)


@checked(_check_step_memory)
def step_memory(total_batch=512, accumulation_steps=1, hidden=4096, seed=0, device=None):
    """Memory of one step over K·B = ``total_batch`` samples in K micro-batches.

    Returns:
        A row: K, B, peak activation MiB over the micro-batches, MiB of parameters plus
        gradients, and on CUDA the measured ``torch.cuda.max_memory_allocated`` in MiB.

    """
    k, dev = accumulation_steps, resolve_device(device)
    model = make_mlp(16, hidden, seed=seed).to(dev)
    x, y = (t.to(dev) for t in make_data(total_batch, 16, seed))
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    peak = 0
    for xb, yb in zip(x.chunk(k), y.chunk(k), strict=True):
        out, nbytes = saved_bytes(model, xb)
        (nn.functional.mse_loss(out, yb) / k).backward()  # frees micro-batch k's activations
        peak = max(peak, nbytes)  # M_act = max_k (bytes saved for micro-batch k)
    weights = 2 * sum(p.numel() * p.element_size() for p in model.parameters())  # θ and ∇θ
    row = {"K": k, "B": total_batch // k, "M_act": peak / MiB, "M_θ+M_∇θ": weights / MiB}
    if dev.type == "cuda":
        row["cuda_peak"] = torch.cuda.max_memory_allocated(dev) / MiB
    return row


def plot_memory(rows):
    """Peak activation memory against K at fixed K·B, with the 1/K law and θ + ∇θ."""
    fig, ax = subplots()
    ks, act = [r["K"] for r in rows], [r["M_act"] for r in rows]
    ax.plot(ks, act, "o-", lw=2, label=r"$M_{act}$")
    ax.plot(ks, [act[0] / k for k in ks], "k:", label=r"$M_{act}(K{=}1)/K$")
    ax.axhline(rows[0]["M_θ+M_∇θ"], color="C1", ls="--", label=r"$M_\theta + M_{\nabla\theta}$")
    ax.set(xlabel="$K$", ylabel="MiB", xscale="log", yscale="log")
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.set_yticks(act, [f"{a:.2g}" for a in act])
    ax.minorticks_off()
    ax.legend()
    fig.set_label("$M_{act}$ vs $K$, $K B = 512$")
    return fig
