"""What lessons print: tables, an expected error, progress bars."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sized

from lessons.checks import check_int


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


def table(rows) -> str:
    """Format a list of dicts with the same keys as an aligned text table."""
    cols = list(rows[0])
    cells = [[f"{r[c]:.3g}" if isinstance(r[c], float) else str(r[c]) for c in cols] for r in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(cols)]
    lines = [[v.rjust(w) for v, w in zip(line, widths, strict=True)] for line in [cols, *cells]]
    return "\n".join("  ".join(line) for line in lines)


def loss_table(curves: dict, at=(0, 100, 499), last=50, numbered=False) -> str:
    """Tabulate each curve (label → losses) at the steps ``at`` and its mean over the last ones."""
    if not curves:
        raise ValueError("curves must not be empty")
    check_int("last", last, minimum=1)
    width = max(len(k) for k in curves) + 4
    head = "".join(f"{'t=' + str(t):>11}" for t in at) + f"{'mean last ' + str(last):>14}"
    rows = [" " * width + head]
    for i, (label, losses) in enumerate(curves.items(), 1):
        if max(at) >= len(losses) or last > len(losses):
            raise ValueError(f"at/last: curve {label!r} has only {len(losses)} steps")
        cells = "".join(f"{losses[t]:>11.4g}" for t in at) + f"{sum(losses[-last:]) / last:>14.4g}"
        rows.append(f"{f'({i}) ' * numbered + label:<{width}}" + cells)
    return "\n".join(rows)
