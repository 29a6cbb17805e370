"""What lessons print: tables, an expected error, progress bars."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Iterator, Sized

from lessons.checks import check_int, checked


def _check_kind(kind, **_) -> None:
    if not (isinstance(kind, type) and issubclass(kind, BaseException)):
        raise TypeError(f"kind must be an exception class, got {kind!r}")


@checked(_check_kind)
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


SPEC = re.compile(r"(?P<align>[<>^]?)(?P<width>\d*)(?P<rest>.*)")  # [align][width][.prec][type]
NUMBERS = tuple("bdeEfFgGnoxX%")  # format types of numbers: right-aligned, as format() does


def table(rows, columns=None, *, sep="  ", title=(), note="", foot=()) -> str:
    """A text table: the one way the lessons print a table.

    Two ways to give the columns:

    * ``columns=None``: ``rows`` are dicts with the same keys, the headings; a float prints
      with 3 significant digits (``.3g``), anything else as ``str``; every column is as wide
      as its widest cell and right-aligned.
    * ``columns``: one ``(heading, spec)`` per column, ``rows`` sequences of cells. ``spec``
      is the cells' format spec (``">9.4f"``, ``"<14"``, ``"4d"``; without a width, the
      column is as wide as its widest cell). A heading, and a cell given as ``str``, take
      the spec's alignment and width; where the spec names no alignment, columns of numbers
      are right-aligned and others left-aligned, as :func:`format` does.

    Args:
        rows: The rows, as described above.
        columns: ``(heading, spec)`` per column, or ``None``.
        sep: What stands between two columns.
        title: Lines above the headings.
        note: Text after the headings, on their line.
        foot: Lines below the rows (a summary, say).

    Returns:
        The table as text; no line ends in spaces.
    """
    if columns is None:
        rows = list(rows)
        columns = [(heading, ">") for heading in rows[0]]
        rows = [[f"{v:.3g}" if isinstance(v, float) else str(v) for v in r.values()] for r in rows]
    specs = [SPEC.fullmatch(spec) for _, spec in columns]
    aligns = [m["align"] or (">" if m["rest"].endswith(NUMBERS) else "<") for m in specs]
    cells = [[_cell(v, m, a) for v, m, a in zip(r, specs, aligns, strict=True)] for r in rows]
    widths = [
        int(m["width"] or 0) or max([len(heading)] + [len(row[i]) for row in cells])
        for i, ((heading, _), m) in enumerate(zip(columns, specs, strict=True))
    ]
    lines = [sep.join(f"{h:{a}{w}}" for (h, _), a, w in zip(columns, aligns, widths, strict=True))]
    lines += [
        sep.join(f"{c:{a}{w}}" for c, a, w in zip(row, aligns, widths, strict=True))
        for row in cells
    ]
    lines[0] += note
    return "\n".join(line.rstrip() for line in [*title, *lines, *foot])


def _cell(value, spec: re.Match, align: str) -> str:
    """A cell formatted with its column's spec (a ``str`` with its alignment and width only)."""
    if isinstance(value, str):
        return f"{value:{align}{spec['width']}}"
    return f"{value:{spec['align']}{spec['width']}{spec['rest']}}"


def _check_loss_table(curves, at, last, **_) -> None:
    if not curves:
        raise ValueError("curves must not be empty")
    check_int("last", last, minimum=1)
    for label, losses in curves.items():
        if max(at) >= len(losses) or last > len(losses):
            raise ValueError(f"at/last: curve {label!r} has only {len(losses)} steps")


@checked(_check_loss_table)
def loss_table(curves: dict, at=(0, 100, 499), last=50, numbered=False) -> str:
    """Tabulate each curve (label → losses) at the steps ``at`` and its mean over the last ones."""
    width = max(len(k) for k in curves) + 4
    columns = [
        ("", f"<{width}"),
        *((f"t={t}", ">11.4g") for t in at),
        (f"mean last {last}", ">14.4g"),
    ]
    rows = []
    for i, (label, losses) in enumerate(curves.items(), 1):
        name = f"({i}) " * numbered + label
        rows.append([name, *(losses[t] for t in at), sum(losses[-last:]) / last])
    return table(rows, columns, sep="")


def answer_key(**keys) -> None:
    """Print a page's self-check keys (``name=value``) as one JSON object.

    A page's ```` ```python selfcheck ```` fence calls this with values its run computed: an
    option's index (``int``) or a number. The site grades the page's questions against them
    (``tools/selfcheck.py``) and does not show the fence.
    """
    for name, value in keys.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{name}: a self-check key is an option's index or a number")
    print(json.dumps(keys, sort_keys=True))
