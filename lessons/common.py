"""Helpers shared by every lesson: seeds, devices, argument checks, errors, progress bars."""

from __future__ import annotations

import contextlib
import functools
import inspect
import numbers
import os
import sys
from collections.abc import Callable, Iterator, Sized

import torch

from lessons import environment

environment.apply()  # one thread: the same numbers on every machine


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


def offset_seed(seed: int) -> int:
    """The seed a run really uses: ``seed`` plus :func:`seed_offset` (0 on the site).

    Every seed a lesson hands to torch, NumPy, scikit-learn or ``random.Random`` goes
    through here, so ``python -m lessons run --seed N`` changes all of them at once.

    Args:
        seed: Non-negative integer seed.

    Returns:
        ``seed + seed_offset()``.
    """
    return check_int("seed", seed, minimum=0) + seed_offset()


def seed_offset() -> int:
    """Offset added to every seed: ``LESSONS_SEED`` (``python -m lessons run --seed``), else 0."""
    value = os.environ.get("LESSONS_SEED", "0")
    if not value.lstrip("-").isdigit():
        raise ValueError(f"LESSONS_SEED must be an integer, got {value!r}")
    return int(value)


# --8<-- [start:default_device]
def default_device() -> torch.device:
    """Return ``cuda`` when a GPU is available, else ``cpu``. Lessons never require CUDA."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


# --8<-- [end:default_device]


def resolve_device(device: str | torch.device | None) -> torch.device:
    """Turn ``None``/``"auto"`` into :func:`default_device`, and validate anything else.

    Args:
        device: ``None``, ``"auto"``, ``"cpu"``, ``"cuda"`` or a ``torch.device``.

    Returns:
        The device to use.

    Raises:
        ValueError: If ``device`` names CUDA on a machine without a GPU, or is unknown.
    """
    if device is None:
        device = os.environ.get("LESSONS_DEVICE", "auto")  # python -m lessons run --device
    if device == "auto":
        return default_device()
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a str or torch.device, got {type(device).__name__}")
    try:
        dev = torch.device(device)
    except RuntimeError as err:
        raise ValueError(f"device: unknown device {device!r}") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device: 'cuda' was asked for but no GPU is available")
    return dev


def checked(check: Callable[..., None]) -> Callable[[Callable], Callable]:
    """Decorator: validate a lesson function's arguments with ``check`` before it runs.

    It keeps argument checks out of the lines a page shows: put the decorator above the
    snippet's start marker, and the page shows only the function itself::

        @checked(_check_step)
        # --8<-- [start:step]
        def step(p, lr): ...

    Args:
        check: Called with every argument of the function by name, defaults applied
            (it may take ``**_`` for those it ignores); raises ``TypeError``/``ValueError``.

    Returns:
        The decorator.
    """
    if not callable(check):
        raise TypeError(f"check must be callable, got {type(check).__name__}")

    def decorate(fn: Callable) -> Callable:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)  # TypeError for a wrong call, as usual
            bound.apply_defaults()
            check(**bound.arguments)
            return fn(*args, **kwargs)

        return wrapper

    return decorate


def check_int(name: str, value: object, minimum: int | None = None) -> int:
    """Check that ``value`` is an int (not a bool) and at least ``minimum``.

    Args:
        name: Argument name, used in the error message.
        value: The value to check.
        minimum: Smallest allowed value, or ``None`` for no bound.

    Returns:
        ``value`` unchanged.

    Raises:
        TypeError: If ``value`` is not an integer.
        ValueError: If ``value`` is below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_float(
    name: str, value: object, minimum: float | None = None, strict: bool = False
) -> float:
    """Check that ``value`` is a real number and at least (or, with ``strict``, above) ``minimum``.

    Args:
        name: Argument name, used in the error message.
        value: The value to check.
        minimum: Lower bound, or ``None`` for no bound.
        strict: If true, ``value`` must be strictly greater than ``minimum``.

    Returns:
        ``value`` as a float.

    Raises:
        TypeError: If ``value`` is not a real number.
        ValueError: If ``value`` is out of range or not finite.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        op = ">" if strict else ">="
        raise ValueError(f"{name} must be {op} {minimum}, got {value}")
    return value


@contextlib.contextmanager
def expect_error(kind: type[BaseException]) -> Iterator[None]:
    """Run a block that must raise ``kind``; print the error and swallow it.

    Pages use this to show a mistake (a deprecated API, a wrong shape) without
    breaking the build: if the block does *not* raise, that is an error.

    Args:
        kind: The exception class the block must raise.

    Raises:
        AssertionError: If the block finishes without raising ``kind``.
    """
    if not (isinstance(kind, type) and issubclass(kind, BaseException)):
        raise TypeError(f"kind must be an exception class, got {kind!r}")
    try:
        yield
    except kind as err:
        print(f"{type(err).__name__}: {err}")
    else:
        raise AssertionError(f"expected {kind.__name__}, but the block ran without error")


def progress(steps: Sized, label: str = "epoch") -> Iterator:
    """Iterate over ``steps`` unchanged, drawing a progress bar on stderr when asked to.

    The bar shows only when ``LESSONS_PROGRESS=1``, which ``python -m lessons run`` sets
    when its stderr is a terminal; in the site build, the tests and notebooks it is off,
    so the loop is exactly ``for step in steps``.

    Args:
        steps: What the training loop runs over, with a length (e.g. ``range(epochs)``).
        label: Word in front of the counter.

    Returns:
        An iterator over ``steps``.
    """
    if not isinstance(steps, Sized):
        raise TypeError(f"steps must have a length (e.g. range(n)), got {type(steps).__name__}")
    if not isinstance(label, str):
        raise TypeError(f"label must be a str, got {type(label).__name__}")
    if os.environ.get("LESSONS_PROGRESS") != "1":
        return iter(steps)
    return _with_bar(steps, label)


def _with_bar(steps: Sized, label: str, width: int = 24) -> Iterator:
    n = len(steps)
    for i, step in enumerate(steps):
        done = width * i // max(n, 1)
        sys.stderr.write(f"\r  {label} {i + 1}/{n} [{'#' * done}{'.' * (width - done)}]")
        sys.stderr.flush()
        yield step
    sys.stderr.write(f"\r  {label} {n}/{n} [{'#' * width}]\n")
