"""The test pass's check against the build: a block run again must print and draw the same.

Where the build's cache holds a page under today's key (same code, modules, versions,
thread setting, CPU path), the tests run its blocks again in another process, often under
another thread count, and compare each result with the build's, byte for byte.
"""

from __future__ import annotations

from lessons.page import Page, Result
from tools import docexec


def built(page: Page) -> list[Result] | None:
    """The results a build stored for ``page`` under today's key, read from disk, or None."""
    entry = docexec.Cache().read(docexec.cache_key(page))
    return entry.results if entry else None


def difference(built: Result, now: Result) -> str | None:
    """How ``now`` differs from the build's result of the same block, or None if it does not."""
    if built == now:
        return None
    if built.stdout != now.stdout:
        return "output " + _first_difference(built.stdout, now.stdout)
    if len(built.figures) != len(now.figures):
        return f"it drew {len(now.figures)} figures, the build {len(built.figures)}"
    for n, (a, b) in enumerate(zip(built.figures, now.figures, strict=True), 1):
        for part in ("alt", "svg"):
            if a[part] != b[part]:
                return f"figure {n}'s {part} " + _first_difference(a[part], b[part])
    return "it differs from the build's run"


def _first_difference(built: str, now: str) -> str:
    a, b = built.split("\n"), now.split("\n")
    pairs = enumerate(zip(a, b, strict=False))
    n = next((i for i, (x, y) in pairs if x != y), min(len(a), len(b)))
    return f"line {n + 1} is {b[n : n + 1]}, the build's {a[n : n + 1]}"
