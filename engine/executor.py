"""The executor: run a page's fences in one namespace, with the same rules everywhere.

:func:`run_fence` is the one place a fence runs, whoever asks (the site build, the tests,
the pre-run, ``python -m lessons run``, the GPU check). Its rules:

* the course's environment (:func:`lessons.environment.apply`) is in force before any code;
* a warning is an error (:func:`strict_warnings`), so a deprecated API fails the build;
* what the fence prints is captured, and every figure it leaves open must draw something
  and have a text alternative; it becomes a deterministic SVG (:mod:`lessons.plotting`).

Failures raise :class:`engine.pages.FenceError` naming the page, the block and its line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import time
import traceback
import warnings
from pathlib import Path

from engine.pages import Fence, FenceError, Page


@dataclasses.dataclass
class Result:
    """What one fence printed and drew: ``figures`` holds ``{"svg": ..., "alt": ...}``."""

    stdout: str
    figures: list[dict]


def strict_warnings(allow: tuple[str, ...] = ()) -> None:
    """Make every warning an error, except those raised in the modules named in ``allow``.

    The executor calls it around each fence; a notebook run calls it once in its kernel,
    allowing the kernel's own (``ipykernel``) warnings.
    """
    warnings.simplefilter("error")
    for module in allow:
        warnings.filterwarnings("default", module=module)


def figures(prefix: str, png_dir: Path | None = None) -> list[dict]:
    """Every open figure as ``{"svg", "alt"}``, checked and closed; ids named ``<prefix>-<n>``.

    Raises:
        ValueError: If a figure draws nothing or has no text alternative.
    """
    import matplotlib.pyplot as plt

    from lessons import plotting

    out = []
    for number in plt.get_fignums():
        fig, n = plt.figure(number), len(out) + 1
        if not plotting.has_content(fig):
            raise ValueError(f"figure {n} is empty: nothing was drawn")
        alt = plotting.describe(fig)
        if not alt:
            raise ValueError(f"figure {n} has no label, title or axis labels for alt text")
        out.append({"svg": plotting.to_svg(fig, f"{prefix}-{n}"), "alt": alt})
        if png_dir is not None:  # after the SVG: a first draw moves constrained layout a hair
            fig.savefig(png_dir / f"{prefix}-{n}.png")
        plt.close(fig)
    return out


def run_fence(fence: Fence, namespace: dict, page: str, png_dir: Path | None = None) -> Result:
    """Execute one fence in ``namespace``, capturing stdout, warnings and new figures.

    Args:
        fence: The fence to run.
        namespace: The page's namespace (:func:`new_namespace`), shared by its fences.
        page: How errors name the page, e.g. ``docs/momentum.en.md``.
        png_dir: If given, each figure is also saved there as PNG.

    Returns:
        What the fence printed and drew.

    Raises:
        FenceError: Naming ``page``, the fence and its line, with the traceback, if the code
            raises or warns, or draws an empty figure or one without a text alternative.
    """
    import matplotlib.pyplot as plt

    from lessons import environment

    environment.apply()  # before any fence computes, whatever it imports
    plt.close("all")
    buffer = io.StringIO()
    code = "\n" * (fence.start + 1) + fence.code  # tracebacks show the page's line numbers
    # compiled as a notebook cell or a script is: without this module's __future__ imports
    try:
        with contextlib.redirect_stdout(buffer), warnings.catch_warnings():
            strict_warnings()
            exec(compile(code, page, "exec", dont_inherit=True), namespace)  # noqa: S102
            drawn = figures(f"b{fence.index}", png_dir)
    except Exception as err:
        plt.close("all")
        trace = "".join(traceback.format_exception(err)[-6:])
        raise FenceError(
            f"{page}: Python block {fence.index} (line {fence.start + 1}) raised "
            f"{type(err).__name__}: {err}\n{trace}"
        ) from err
    return Result(buffer.getvalue(), drawn)


def new_namespace() -> dict:
    """A fresh namespace for a page's session."""
    return {"__name__": "__lesson__"}


def run_page(page: Page) -> tuple[list[Result], float]:
    """Run all fences of ``page`` in one fresh namespace; return results and seconds taken."""
    namespace = new_namespace()
    t0 = time.perf_counter()
    results = [run_fence(f, namespace, page.path) for f in page.fences]
    return results, time.perf_counter() - t0


def difference(then: Result, now: Result) -> str | None:
    """How ``now`` differs from an earlier run of the same block, or None if it does not.

    The test pass compares each block with the build's run of the same cache key (same
    code, modules, versions, thread setting, CPU path), byte for byte.
    """
    if then == now:
        return None
    if then.stdout != now.stdout:
        return "output " + _first_difference(then.stdout, now.stdout)
    if len(then.figures) != len(now.figures):
        return f"it drew {len(now.figures)} figures, the build {len(then.figures)}"
    for n, (a, b) in enumerate(zip(then.figures, now.figures, strict=True), 1):
        for part in ("alt", "svg"):
            if a[part] != b[part]:
                return f"figure {n}'s {part} " + _first_difference(a[part], b[part])
    return "it differs from the build's run"


def _first_difference(then: str, now: str) -> str:
    a, b = then.split("\n"), now.split("\n")
    pairs = enumerate(zip(a, b, strict=False))
    n = next((i for i, (x, y) in pairs if x != y), min(len(a), len(b)))
    return f"line {n + 1} is {b[n : n + 1]}, the build's {a[n : n + 1]}"
