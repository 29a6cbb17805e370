"""Run the pages a build is missing on every core before it renders them.

A cold build used to run its pages one after another in the MkDocs process: on a reader's
8-core laptop the first ``mkdocs serve`` used one core. :func:`prefetch` runs the pages the
cache lacks in worker processes (``spawn``: torch does not survive a fork) and stores their
results exactly as the build would; the build then finds them in the cache.

It is only a speed-up. Each worker computes the page's cache key itself, and a result is
kept only under the key the build computed, so a worker whose environment differs (thread
setting, CPU path, versions) can never supply an entry. A page that raises in a worker is
left alone: the build runs it in-process and stops with the page and block named, as
before. ``LESSONS_WORKERS`` sets the number of workers (default: the core count).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from tools import docexec


def workers() -> int:
    """How many worker processes: ``LESSONS_WORKERS``, else the number of cores."""
    value = os.environ.get("LESSONS_WORKERS", "")
    if value.strip():
        if not value.strip().isdigit() or int(value) < 1:
            raise ValueError(f"LESSONS_WORKERS must be a positive integer, got {value!r}")
        return int(value)
    return os.cpu_count() or 1


def prefetch(pages: list[docexec.Page], cache: docexec.Cache) -> int:
    """Run the pages ``cache`` has no entry for in parallel, store them; return how many."""
    missing: dict[str, docexec.Page] = {}
    for page in pages:
        key = docexec.cache_key(page)
        if key not in missing and cache.get(key) is None:  # both languages share one key
            missing[key] = page
    count = min(workers(), len(missing))
    if count < 2:  # one page, or one worker: the build runs it in-process as before
        return 0
    stored = 0
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn")) as pool:
            for key, done in zip(missing, pool.map(run_alone, missing.values()), strict=True):
                if done is not None and done[0] == key:
                    _, results, seconds, environment = done
                    cache.timings[missing[key].path] = seconds
                    print(f"docexec: ran {missing[key].path} in {seconds:.1f} s", file=sys.stderr)
                    cache.put(key, docexec.Entry(results, environment))
                    stored += 1
    except (BrokenProcessPool, OSError) as err:  # a worker died: the build runs the rest
        print(f"docexec: parallel run stopped ({err}); running the rest in order", file=sys.stderr)
    return stored


def run_alone(page: docexec.Page) -> tuple[str, list[docexec.Result], float, str] | None:
    """In a worker: the page's key, results, seconds and environment line; None if it fails."""
    import matplotlib

    matplotlib.use("Agg")
    from lessons import environment

    environment.apply()
    try:
        results, seconds = docexec.run_page(page)
    except docexec.FenceError:
        return None  # the build runs it again and names the page and block
    return docexec.cache_key(page), results, seconds, environment.describe()
