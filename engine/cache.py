"""One cache for everything the engine stores, on disk under ``.cache/``, with one fault policy.

Two kinds of entry share it, each a folder of JSON files named by their key (a :class:`Store`):

* ``runs``: what a page's fences printed and drew, and the environment line shown under
  them (:class:`Runs`). The key covers everything that changes them: the page's expanded
  code, the source of every ``lessons`` module it imports (transitively) and of the engine,
  the versions of the packages that shape the output, the seed offset, the device and
  whether CUDA is present, and the thread setting (:mod:`lessons.environment`). Both
  languages of a page have the same code, hence one key and one run.
* ``renders``: a worked solution's HTML as mkdocs-jupyter renders it
  (``tools/solution_pages.py``), keyed by the executed notebook and the renderer.

The fault policy, the same for both: entries are written atomically (a temporary file, then
a rename), so a process killed at any moment leaves the whole entry or none. An entry that
cannot be read back whole, or that names another key, is reported in one line and made
again. After a build that used every entry it needs, :meth:`Store.evict` removes the rest.

``LESSONS_CACHE=off`` runs every page again whatever is stored (the runs are still
written); renders, keyed by their own input, are reused. ``LESSONS_EXEC=off`` builds
without running any code.
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
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from engine import imports
from engine.executor import Result, run_page
from engine.pages import ROOT, Page

T = TypeVar("T")
CACHE_DIR = ROOT / ".cache"
VERSIONED = ("torch", "numpy", "matplotlib", "scikit-learn", "faker", "pymdown-extensions")
ALWAYS = (  # files every page's run depends on, whatever it imports
    "lessons/__init__.py",
    "lessons/environment.py",
    "lessons/plotting.py",
    "engine/cache.py",
    "engine/executor.py",
    "engine/imports.py",
    "engine/pages.py",
)


def switched_on(variable: str) -> bool:
    """Whether ``LESSONS_EXEC`` or ``LESSONS_CACHE`` is on: unset, or not off, 0 or no."""
    return os.environ.get(variable, "on").lower() not in ("off", "0", "no")


def executing() -> bool:
    """Whether the build runs the pages' code (``LESSONS_EXEC``)."""
    return switched_on("LESSONS_EXEC")


class Store:
    """One kind of entry: JSON files named by their key in ``.cache/<kind>/``."""

    def __init__(self, kind: str, root: Path = CACHE_DIR) -> None:
        self.kind, self.dir = kind, Path(root) / kind
        self.used: set[str] = set()  # keys read or written through this store

    def read(self, key: str, parse: Callable[[dict], T] = dict) -> T | None:
        """``parse`` of the entry stored under ``key``, or ``None`` if there is none.

        An entry that is truncated, corrupt, names another key or that ``parse`` rejects
        (``ValueError``, ``KeyError``, ``TypeError``) is reported in one line, and ``None``
        is returned: the caller makes it again.
        """
        self.used.add(key)
        path = self.dir / f"{key}.json"
        try:
            data = json.loads(path.read_text("utf8"))
            if data["key"] != key:
                raise ValueError(f"holds {data['key']}")
            return parse(data)
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as err:  # truncated, corrupt, or foreign
            print(
                f"cache: {self.kind} entry {path.name} is unusable ({err}); making it again",
                file=sys.stderr,
            )
            return None

    def write(self, key: str, data: dict) -> None:
        """Store ``data`` under ``key``, atomically."""
        self.used.add(key)
        self.dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.dir / f"{key}.json", json.dumps({"key": key, **data}, ensure_ascii=False))

    def evict(self) -> list[str]:
        """Delete the entries this store did not use, and stale temporary files; return names.

        Call it only after a build that used every entry it needs: a partial (dirty)
        rebuild has not used the entries of the pages it skipped.
        """
        removed = []
        for path in sorted(self.dir.glob("*.json")) if self.dir.is_dir() else []:
            if path.stem not in self.used:
                removed += _unlink(path)
        for path in sorted(self.dir.glob("*.tmp")) if self.dir.is_dir() else []:
            if time.time() - path.stat().st_mtime > 600:  # a write killed half-way, not a live one
                removed += _unlink(path)
        return removed


def _unlink(path: Path) -> list[str]:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
        return [path.name]
    return []


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


@dataclasses.dataclass
class Entry:
    """A page's results and the environment line shown under them."""

    results: list[Result]
    environment: str


def _entry(data: dict) -> Entry:
    return Entry([Result(**r) for r in data["results"]], str(data["environment"]))


def environment() -> dict[str, str]:
    """What besides the code shapes a page's output: versions, threads, seed, device."""
    from lessons import environment as env
    from lessons import seeds

    env.apply()  # before torch names its CPU path: the key names the path the pages run on
    import torch

    return {
        **env.settings(),
        **_versions(),
        "machine": platform.machine(),
        "seed offset": str(seeds.seed_offset()),
        "cuda": str(torch.cuda.is_available()),
    }


@functools.cache  # installed versions do not change while a build runs (~60 ms per lookup)
def _versions() -> dict[str, str]:
    versions = {}
    for name in VERSIONED:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[name] = importlib.metadata.version(name)
    return versions


def key(page: Page) -> str:
    """Key of a page's results: its code, the lessons modules it uses, the environment."""
    h = hashlib.sha256()
    for fence in page.fences:
        h.update(b"\0" + fence.code.encode())
    for path in imports.dependencies(page.code, ALWAYS):
        h.update(b"\0" + path.encode() + b"\0" + (ROOT / path).read_bytes())
    h.update(json.dumps(environment(), sort_keys=True).encode())
    return h.hexdigest()[:32]


class Runs:
    """Pages' results, in memory (both languages of a build share a run) and on disk."""

    def __init__(self, root: Path = CACHE_DIR, read: bool | None = None) -> None:
        self.store = Store("runs", root)
        self.read = switched_on("LESSONS_CACHE") if read is None else read
        self.memory: dict[str, Entry] = {}
        self.looked_up: set[str] = set()  # keys already looked for on disk

    def get(self, key: str) -> Entry | None:
        """The entry for ``key`` in memory, else on disk (unless reading is off), or ``None``."""
        self.store.used.add(key)
        if key not in self.memory and self.read and key not in self.looked_up:
            self.looked_up.add(key)  # read from disk once: an unusable entry is reported once
            if (found := self.stored(key)) is not None:
                self.memory[key] = found
        return self.memory.get(key)

    def stored(self, key: str) -> Entry | None:
        """The entry for ``key`` on disk, never from memory (what another process stored)."""
        return self.store.read(key, _entry)

    def put(self, key: str, entry: Entry) -> None:
        """Keep ``entry`` in memory and store it on disk."""
        self.memory[key] = entry
        results = [dataclasses.asdict(r) for r in entry.results]
        self.store.write(key, {"environment": entry.environment, "results": results})

    def entry(self, page: Page) -> Entry:
        """The page's entry, or run the page now and store its results.

        Raises:
            engine.pages.FenceError: Naming the page and block, if a fence fails.
        """
        from lessons import environment as env

        found = self.get(page_key := key(page))
        if found is not None:
            return found
        results, seconds = run_page(page)
        print(f"engine: ran {page.path} in {seconds:.1f} s", file=sys.stderr)
        entry = Entry(results, env.describe())
        self.put(page_key, entry)
        return entry
