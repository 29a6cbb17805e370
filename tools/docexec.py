"""The build's cache of executed pages, on disk under ``.cache/docexec``.

Pages are parsed and run by the shared page model, :mod:`lessons.page` (also used by the
tests, the notebooks and the CLI); this module only decides when a page must run again.

A page's results are keyed by everything that changes them: its expanded code, the source
of every ``lessons`` module it imports (transitively), the executor, the versions of the
packages that shape the output, the seed offset, the device and whether CUDA is present,
and the thread setting (:mod:`lessons.environment`). Both languages of a page share their
code, hence one run per build.

Entries are written atomically (a temporary file, then a rename), so a build killed at any
moment leaves either the whole entry or none. An entry that cannot be read back whole is
reported in one line and the page runs again. After a build that rendered every page,
:func:`evict_unused` removes the entries no page used, so the cache stays bounded.
``LESSONS_EXEC=off`` skips execution; ``LESSONS_CACHE=off`` ignores (and rewrites) the cache.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from lessons.page import Fence, FenceError, Page, Result, run_page
from tools import lesson_imports
from tools.lesson_imports import all_modules, imported_modules

__all__ = [
    "Cache",
    "Entry",
    "Fence",
    "FenceError",
    "Page",
    "Result",
    "all_modules",
    "cache_key",
    "evict_unused",
    "imported_modules",
    "run_page",
]

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / ".cache" / "docexec"
VERSIONED = ("torch", "numpy", "matplotlib", "scikit-learn", "faker", "pymdown-extensions")
ALWAYS = (
    "lessons/__init__.py",
    "lessons/common.py",
    "lessons/environment.py",
    "lessons/page.py",
    "lessons/plotting.py",
    "tools/docexec.py",
    "tools/lesson_imports.py",
)
USED: set[str] = set()  # keys read or written by this process (every Cache instance)
MEMORY: dict[str, Entry] = {}  # entries of this process, shared by every Cache instance: the
# second language's build (mkdocs-static-i18n loads the hooks afresh) reuses the first's run


def dependencies(code: str) -> list[str]:
    """Every ``lessons`` module ``code`` depends on, and the files every page depends on."""
    return lesson_imports.dependencies(code, ALWAYS)


def environment() -> dict[str, str]:
    """What besides the code shapes a page's output: versions, threads, seed, device."""
    import torch

    from lessons import common
    from lessons import environment as env

    return {
        **env.settings(),
        **_versions(),
        "machine": platform.machine(),
        "seed offset": str(common.seed_offset()),
        "cuda": str(torch.cuda.is_available()),
    }


@functools.cache  # installed versions do not change while a build runs (~60 ms per lookup)
def _versions() -> dict[str, str]:
    versions = {}
    for name in VERSIONED:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[name] = importlib.metadata.version(name)
    return versions


def cache_key(page: Page) -> str:
    """Key of a page's results: its code, the lessons modules it uses, the environment."""
    h = hashlib.sha256()
    for fence in page.fences:
        h.update(b"\0" + fence.code.encode())
    for path in dependencies(page.code):
        h.update(b"\0" + path.encode() + b"\0" + (ROOT / path).read_bytes())
    h.update(json.dumps(environment(), sort_keys=True).encode())
    return h.hexdigest()[:32]


@dataclasses.dataclass
class Entry:
    """A page's cached results and the environment line shown under them."""

    results: list[Result]
    environment: str


def switched_on(variable: str) -> bool:
    """Whether ``LESSONS_EXEC`` or ``LESSONS_CACHE`` is on: unset, or not off, 0 or no."""
    return os.environ.get(variable, "on").lower() not in ("off", "0", "no")


def executing() -> bool:
    """Whether the build runs the pages' code (``LESSONS_EXEC``)."""
    return switched_on("LESSONS_EXEC")


class Cache:
    """Results of pages, on disk under ``.cache/docexec`` and in memory."""

    def __init__(self, directory: Path = CACHE_DIR, enabled: bool | None = None) -> None:
        self.dir = directory
        if enabled is None:
            enabled = switched_on("LESSONS_CACHE")
        self.enabled = enabled
        self.memory = MEMORY
        self.timings: dict[str, float] = {}  # page -> seconds actually executed this process

    def get(self, key: str) -> Entry | None:
        """Return the entry for ``key``, or ``None``; an unreadable entry is reported, not used."""
        if key in self.memory or not self.enabled:
            return self.memory.get(key)
        entry = self.read(key)
        if entry is not None:
            self.memory[key] = entry
        return entry

    def read(self, key: str) -> Entry | None:
        """The entry for ``key`` on disk (never from memory), or ``None``."""
        path = self.dir / f"{key}.json"
        try:
            data = json.loads(path.read_text("utf8"))
            if data["key"] != key:
                raise ValueError(f"holds {data['key']}")
            return Entry([Result(**r) for r in data["results"]], str(data["environment"]))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as err:  # truncated, corrupt, or foreign
            print(
                f"docexec: cache entry {path.name} is unusable ({err}); running again",
                file=sys.stderr,
            )
            return None

    def put(self, key: str, entry: Entry) -> None:
        """Store an entry in memory and, atomically, on disk."""
        self.memory[key] = entry
        self.dir.mkdir(parents=True, exist_ok=True)
        data = {
            "key": key,
            "environment": entry.environment,
            "results": [dataclasses.asdict(r) for r in entry.results],
        }
        write_atomic(self.dir / f"{key}.json", json.dumps(data, ensure_ascii=False))

    def entry(self, page: Page) -> Entry:
        """The page's cached entry, or run it now and cache it."""
        from lessons import environment as env

        key = cache_key(page)
        USED.add(key)
        cached = self.get(key)
        if cached is not None:
            return cached
        results, seconds = run_page(page)
        self.timings[page.path] = seconds
        print(f"docexec: ran {page.path} in {seconds:.1f} s", file=sys.stderr)
        entry = Entry(results, env.describe())
        self.put(key, entry)
        return entry

    def results(self, page: str | Page, page_fences: list[Fence] | None = None) -> list[Result]:
        """Cached results of a page (a :class:`Page`, or its name and fences), or run it now."""
        if not isinstance(page, Page):
            page = Page(page, "", list(page_fences or []))
        return self.entry(page).results


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    Readers (another build, say) see the old file or the new one, never half of one.
    """
    prefix = path.name.split(".")[0] + "."
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def evict_unused(directory: Path = CACHE_DIR) -> list[str]:
    """Delete the entries not used by this process and stale temporary files; return names.

    Call it only after a build that rendered every page: a partial (dirty) rebuild has not
    used the entries of the pages it skipped.
    """
    removed = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        if path.stem not in USED:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path.name)
    for path in sorted(directory.glob("*.tmp")) if directory.is_dir() else []:
        if time.time() - path.stat().st_mtime > 600:  # a write killed half-way, not a live one
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path.name)
    return removed
