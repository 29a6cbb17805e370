"""Run the pages a build is missing on every core, before it renders them.

A cold build would otherwise run its pages one after another in the MkDocs process: on a
reader's 8-core laptop the first ``mkdocs serve`` used one core. :func:`prerun` runs the
pages the cache lacks in worker processes (``spawn``: torch does not survive a fork). Each
worker does exactly what the build does, :meth:`engine.cache.Runs.entry`, so it stores the
page's results itself; the build adopts a worker's entry only under the key the build
computes, so a worker whose environment differs (thread setting, CPU path, versions) can
never supply one. A page that fails in a worker is left alone: the build runs it again and
stops naming the page and block. ``LESSONS_WORKERS`` sets the number of workers (default:
the number of cores).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from engine import cache
from engine.pages import FenceError, Page


def workers() -> int:
    """How many worker processes: ``LESSONS_WORKERS``, else the number of cores."""
    value = os.environ.get("LESSONS_WORKERS", "")
    if value.strip():
        if not value.strip().isdigit() or int(value) < 1:
            raise ValueError(f"LESSONS_WORKERS must be a positive integer, got {value!r}")
        return int(value)
    return os.cpu_count() or 1


def prerun(pages: list[Page], runs: cache.Runs) -> int:
    """Run the pages ``runs`` has no entry for in parallel; return how many it adopted."""
    missing: dict[str, Page] = {}
    for page in pages:
        key = cache.key(page)
        if key not in missing and runs.get(key) is None:  # both languages share one key
            missing[key] = page
    count = min(workers(), len(missing))
    if count < 2:  # one page, or one worker: the build runs it in-process
        return 0
    adopted = 0
    jobs = [(page, runs.store.dir.parent, runs.read) for page in missing.values()]
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn")) as pool:
            for key, done in zip(missing, pool.map(_run, jobs), strict=True):
                if done is not None and done[0] == key:
                    runs.memory[key] = done[1]
                    runs.store.used.add(key)
                    adopted += 1
    except (BrokenProcessPool, OSError) as err:  # a worker died: the build runs the rest
        print(f"engine: parallel run stopped ({err}); running the rest in order", file=sys.stderr)
    return adopted


def _run(job: tuple[Page, Path, bool]) -> tuple[str, cache.Entry] | None:
    """In a worker: the page's key and entry, as the build makes them; None if it fails."""
    import matplotlib

    matplotlib.use("Agg")
    from lessons import environment

    environment.apply()
    page, root, read = job
    try:
        return cache.key(page), cache.Runs(root, read).entry(page)
    except FenceError:
        return None  # the build runs it again and names the page and block
