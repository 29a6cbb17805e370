"""Gradient accumulation with ``DistributedDataParallel``: ``no_sync`` and counted all-reduces.

Used by the gradient-accumulation lesson. :func:`ddp_accumulate` starts ``world`` processes
on the CPU with the gloo backend (``torch.multiprocessing``, start method ``spawn``); each
runs :func:`worker`, which must be a top-level function of an importable module because
``spawn`` imports it afresh in every process.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import time
import warnings
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from torch.distributed.algorithms.ddp_comm_hooks import default_hooks
from torch.nn.parallel import DistributedDataParallel as DDP

from lessons.checks import check_int, checked
from lessons.gradient_accumulation.lesson import F64, accumulate, make_data, make_mlp


# --8<-- [start:ddp_step]
def ddp_step(ddp, x, y, accumulation_steps: int, sync_every_micro_batch: bool) -> None:
    """One step's gradient on this rank's K micro-batches; all-reduce only on the last one."""
    batches = list(zip(x.chunk(accumulation_steps), y.chunk(accumulation_steps), strict=True))
    for i, (xb, yb) in enumerate(batches):
        last = i == len(batches) - 1
        skip = not (last or sync_every_micro_batch)
        with (
            ddp.no_sync() if skip else contextlib.nullcontext()
        ):  # inside no_sync(): backward only adds to .grad, no communication
            loss = nn.functional.mse_loss(ddp(xb), yb) / accumulation_steps  # ℓ_k / K
            loss.backward()  # on the last micro-batch: .grad ← mean over ranks (all-reduce)


# --8<-- [end:ddp_step]


def worker(rank, world, port, accumulation_steps, batch_size, seed, out_dir) -> None:
    """One process: join the group, run a step with and without ``no_sync``, save the results."""
    os.environ |= {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)}
    torch.set_num_threads(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warnings are errors in the workers too
        dist.init_process_group("gloo", rank=rank, world_size=world)
        try:
            n = accumulation_steps * batch_size  # K·B samples on this rank
            x, y = make_data(world * n, seed=seed, dtype=F64)
            shard = slice(rank * n, (rank + 1) * n)  # this rank's part of the batch
            result = {}
            for sync in (False, True):
                calls = [0]

                def hook(state, bucket, calls=calls):  # called once per all-reduce of a bucket
                    calls[0] += 1
                    return default_hooks.allreduce_hook(state, bucket)

                ddp = DDP(make_mlp(seed=seed, dtype=F64))
                ddp.register_comm_hook(None, hook)
                ddp_step(ddp, x[shard], y[shard], accumulation_steps, sync)
                grad = torch.cat([p.grad.flatten() for p in ddp.parameters()])
                result[sync] = {"grad": grad, "all_reduces": calls[0]}
            torch.save(result, Path(out_dir) / f"rank{rank}.pt")
        finally:
            dist.destroy_process_group()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _check_ddp_accumulate(world, accumulation_steps, batch_size, timeout, **_) -> None:
    check_int("world", world, minimum=1)
    check_int("accumulation_steps", accumulation_steps, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    check_int("timeout", timeout, minimum=1)


@checked(_check_ddp_accumulate)
def ddp_accumulate(world=2, accumulation_steps=4, batch_size=8, seed=0, timeout=300) -> dict:
    """Run :func:`worker` in ``world`` processes; compare with one process on the whole batch.

    Returns:
        ``max|g_ddp − g_full|`` over ranks, and the all-reduces per step with and
        without ``no_sync``.
    """
    with tempfile.TemporaryDirectory() as out:
        args = (world, free_port(), accumulation_steps, batch_size, seed, out)
        procs = mp.start_processes(worker, args, nprocs=world, join=False, start_method="spawn")
        deadline = time.monotonic() + timeout
        try:
            while not procs.join(timeout=1):  # raises if a worker failed
                if time.monotonic() > deadline:
                    raise TimeoutError(f"DDP workers still running after timeout={timeout} s")
        finally:
            for p in procs.processes:  # never leave a worker behind
                if p.is_alive():
                    p.terminate()
                    p.join(5)
        results = [torch.load(Path(out) / f"rank{r}.pt") for r in range(world)]
    x, y = make_data(world * accumulation_steps * batch_size, seed=seed, dtype=F64)
    full = accumulate(make_mlp(seed=seed, dtype=F64), [(x, y)], [1.0])  # one process, whole batch
    gap = max((r[False]["grad"] - full).abs().max().item() for r in results)
    return {
        "world·K·B": len(x),
        "max|g_ddp − g_full|": gap,
        "all-reduces, no_sync": results[0][False]["all_reduces"],
        "all-reduces, every micro-batch": results[0][True]["all_reduces"],
    }
