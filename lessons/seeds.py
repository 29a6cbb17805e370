"""Seeds: every random number a lesson draws comes from a seed it is given.

Importing this module applies the course's environment (:func:`lessons.environment.apply`),
so a reader's own script computes as the site does.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import torch

from lessons import environment
from lessons.checks import check_int, checked

environment.apply()  # one thread, one CPU path: the same numbers on every machine


def generator(seed: int, device: str | torch.device = "cpu") -> torch.Generator:
    """Return a fresh ``torch.Generator`` seeded with ``seed``.

    Pass it to ``torch.randn(..., generator=g)`` and to ``DataLoader(generator=g)`` so
    that a lesson never depends on, or disturbs, the global random state.

    Args:
        seed: Non-negative integer seed.
        device: Device the generator lives on (CUDA sampling needs a CUDA generator).

    Returns:
        The seeded generator.
    """
    return torch.Generator(device=device).manual_seed(offset_seed(seed))


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run a block with the global torch RNG seeded, restoring the old state afterwards.

    ``nn.Linear`` and friends draw their initial weights from the global RNG, which
    takes no generator argument; this makes their initialisation reproducible
    without leaking the seed into the rest of the program.

    Args:
        seed: Non-negative integer seed.
    """
    seed = offset_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def _check_seed(seed, **_) -> None:
    check_int("seed", seed, minimum=0)


@checked(_check_seed)
def offset_seed(seed: int) -> int:
    """The seed a run really uses: ``seed`` plus :func:`seed_offset` (0 on the site).

    Every seed a lesson hands to torch, NumPy, scikit-learn or ``random.Random`` goes
    through here, so ``python -m lessons run --seed N`` changes all of them at once.

    Args:
        seed: Non-negative integer seed.

    Returns:
        ``seed + seed_offset()``.
    """
    return int(seed) + seed_offset()


def seed_offset() -> int:
    """Offset added to every seed: ``LESSONS_SEED`` (``python -m lessons run --seed``), else 0."""
    value = os.environ.get("LESSONS_SEED", "0")
    if not value.lstrip("-").isdigit():
        raise ValueError(f"LESSONS_SEED must be an integer, got {value!r}")
    return int(value)
