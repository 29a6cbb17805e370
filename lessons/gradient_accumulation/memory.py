"""Memory of one optimizer step, measured: accumulation and activation checkpointing.

Used by the gradient-accumulation lesson. :class:`PeakMemory` counts the bytes of every tensor
an operator creates, until it is freed; :func:`step_memory` measures one step over K·B samples
run as K micro-batches of B, with or without :func:`torch.utils.checkpoint.checkpoint` around
each block, and counts its FLOPs with :class:`torch.utils.flop_counter.FlopCounterMode`.
"""

from __future__ import annotations

import gc
import weakref

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves
from torch.utils.checkpoint import checkpoint
from torch.utils.flop_counter import FlopCounterMode

from lessons.checks import check_int, checked
from lessons.gradient_accumulation.lesson import F64, check_steps, make_data
from lessons.plotting import subplots
from lessons.seeds import seeded

MiB = 2**20


# --8<-- [start:peak_memory]
class PeakMemory(TorchDispatchMode):
    """Count the bytes of every tensor an operator creates while active, until it is freed.

    ``now`` holds the bytes alive, ``peak`` their maximum. Not counted: tensors made before
    (parameters, data), memory a kernel frees before it returns, the allocator's cache.
    Python's garbage collector is paused inside: call :meth:`collect` where cycles may end.
    """

    def __init__(self):
        super().__init__()
        self.sizes, self.now, self.peak = {}, 0, 0

    def __enter__(self):
        gc.disable()  # tensors in reference cycles die at collect(), not whenever gc runs
        return super().__enter__()

    def __exit__(self, *exc):
        gc.enable()
        return super().__exit__(*exc)

    def collect(self) -> None:
        """Free the tensors held only by reference cycles made since entering (or the last call)."""
        gc.collect(0)  # with gc paused, every new object is still in generation 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))  # run the operator
        tensors = [t for t in tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)]
        inputs = {t.untyped_storage()._cdata for t in tensors}  # storages that already exist
        for t in tree_leaves(out):
            if isinstance(t, torch.Tensor):
                self._count(t.untyped_storage(), inputs)
        return out

    def _count(self, storage, inputs) -> None:
        key = storage._cdata  # the address of the storage
        if key in inputs or key in self.sizes:  # a view or an in-place result: no new memory
            return
        self.sizes[key] = storage.nbytes()
        self.now += storage.nbytes()  # M ← M + bytes of the new tensor
        self.peak = max(self.peak, self.now)  # M_peak ← max(M_peak, M)
        weakref.finalize(storage, self._free, key)  # called when the storage is freed

    def _free(self, key) -> None:
        self.now -= self.sizes.pop(key)  # M ← M − bytes


# --8<-- [end:peak_memory]


# --8<-- [start:checkpoint]
class Block(nn.Module):
    """Linear(W, W) → GELU; with ``checkpointed``, its activations are recomputed in backward."""

    def __init__(self, width: int, checkpointed: bool = False):
        super().__init__()
        self.linear, self.act, self.checkpointed = nn.Linear(width, width), nn.GELU(), checkpointed

    def inner(self, h):
        """The block without checkpointing."""
        return self.act(self.linear(h))  # saves h (for ∇W) and the pre-activation (for GELU')

    def forward(self, h):
        """The block, through ``checkpoint`` when ``checkpointed``."""
        if self.checkpointed:  # keep only h; run inner again during backward
            return checkpoint(self.inner, h, use_reentrant=False)
        return self.inner(h)


# --8<-- [end:checkpoint]


def make_deep(width=256, depth=4, checkpointed=False, seed=0, dtype=torch.float32):
    """16 → W, ``depth`` blocks W → W (:class:`Block`), W → 1; initialized under ``seeded``."""
    with seeded(seed):
        blocks = [Block(width, checkpointed) for _ in range(depth)]
        return nn.Sequential(nn.Linear(16, width), *blocks, nn.Linear(width, 1)).to(dtype)


def _check_step_memory(accumulation_steps, total_batch, checkpointed, width, depth, **_) -> None:
    check_steps(accumulation_steps, check_int("total_batch", total_batch, minimum=1))
    if not isinstance(checkpointed, bool):
        raise TypeError(f"checkpointed must be a bool, got {type(checkpointed).__name__}")
    check_int("width", width, minimum=1)
    check_int("depth", depth, minimum=1)


@checked(_check_step_memory)
# --8<-- [start:step_memory]
def step_memory(
    accumulation_steps, total_batch=1024, checkpointed=False, width=256, depth=4, seed=0
):
    """Measure one step's gradient over K·B samples, run as K micro-batches of B.

    Returns:
        A row: K, B, checkpointing, M_fwd (bytes a forward pass leaves alive for its backward),
        M_peak (most bytes alive at once), M_∇θ (the gradients) in MiB, and the GFLOP.
    """
    k, model = accumulation_steps, make_deep(width, depth, checkpointed, seed)
    x, y = make_data(total_batch, 16, seed)
    m_fwd = 0
    with PeakMemory() as mem, FlopCounterMode(display=False) as flops:
        for xb, yb in zip(x.chunk(k), y.chunk(k), strict=True):
            before = mem.now
            loss = nn.functional.mse_loss(model(xb), yb) / k  # ℓ_k / K
            m_fwd = max(m_fwd, mem.now - before)  # what the forward pass keeps
            loss.backward()  # frees them; .grad ← .grad + ∇ℓ_k / K
            del loss
            mem.collect()  # checkpoint leaves reference cycles: free them before the next pass
    grads = sum(p.grad.nbytes for p in model.parameters())
    row = {"K": k, "B": total_batch // k, "ckpt": checkpointed, "M_fwd": m_fwd / MiB}
    row |= {"M_peak": mem.peak / MiB, "M_∇θ": grads / MiB}
    return row | {"GFLOP": flops.get_total_flops() / 1e9}


# --8<-- [end:step_memory]


def _check_checkpoint_gap(accumulation_steps, **_) -> None:
    check_steps(accumulation_steps, 64)


@checked(_check_checkpoint_gap)
def checkpoint_gap(accumulation_steps=4, seed=0) -> float:
    """Return max |g_ckpt − g| for one step of K micro-batches of 64 samples (float64)."""
    x, y = make_data(64, 16, seed, dtype=F64)
    grads = []
    for checkpointed in (False, True):
        model = make_deep(64, 4, checkpointed, seed, dtype=F64)
        for xb, yb in zip(x.chunk(accumulation_steps), y.chunk(accumulation_steps), strict=True):
            (nn.functional.mse_loss(model(xb), yb) / accumulation_steps).backward()
        grads.append(torch.cat([p.grad.flatten() for p in model.parameters()]))
    return (grads[1] - grads[0]).abs().max().item()


def plot_memory(rows):
    """M_fwd and M_peak against K at fixed K·B, without and with checkpointing (M̃), and M_∇θ."""
    fig, ax = subplots()
    for ckpt, style in ((False, "-"), (True, "--")):
        part = [r for r in rows if r["ckpt"] is ckpt]
        ks = [r["K"] for r in part]
        m = r"\tilde M" if ckpt else "M"  # M̃: with checkpointing
        ax.plot(ks, [r["M_peak"] for r in part], "o" + style, color="C0", label=f"${m}_{{peak}}$")
        ax.plot(ks, [r["M_fwd"] for r in part], "s" + style, color="C1", label=f"${m}_{{fwd}}$")
    ax.axhline(rows[0]["M_∇θ"], color="gray", ls=":", label=r"$M_{\nabla\theta}$")
    ax.set(xlabel="$K$", ylabel="MiB", xscale="log", yscale="log")
    ks = sorted({r["K"] for r in rows})
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.minorticks_off()
    ax.legend(fontsize=8, ncols=2)
    total = rows[0]["K"] * rows[0]["B"]
    fig.set_label(
        rf"$M_{{peak}}$, $M_{{fwd}}$, $\tilde M_{{peak}}$, $\tilde M_{{fwd}}$ vs $K$, "
        rf"$KB={total}$; $M_{{\nabla\theta}}$"
    )
    return fig
