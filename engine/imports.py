"""Which ``lessons`` modules a piece of code uses, for the cache's key (:mod:`engine.cache`).

Imports are read from the code's syntax tree, never executed, and followed transitively
through the modules' own source, so a page's key changes when any module it uses changes.
"""

from __future__ import annotations

import ast
import functools

from engine.pages import ROOT


def imported_modules(code: str) -> list[str]:
    """The ``lessons`` modules that ``code`` imports directly, in order of appearance."""
    found: list[str] = []
    for name in _imported_names(code):  # files are looked up anew: one may have appeared
        if _module_file(name) and name not in found:
            found.append(name)
    return found


@functools.lru_cache(maxsize=4096)  # parsing every page's and module's code: ~5 s per build
def _imported_names(code: str) -> tuple[str, ...]:
    """Names of ``lessons.*`` modules (or their members) that ``code`` imports."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # reported, with the page and block, when the code runs
        return ()
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return tuple(n for n in names if n.startswith("lessons."))


def _module_file(name: str) -> str | None:
    """``lessons/x.py`` (or ``lessons/x/__init__.py``) for module ``name``, if it exists."""
    base = ROOT / name.replace(".", "/")
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path.relative_to(ROOT).as_posix()
    return None


def all_modules() -> list[str]:
    """Every module of the ``lessons`` package but ``__init__`` and ``__main__``."""
    paths = sorted((ROOT / "lessons").rglob("*.py"))
    names = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in paths]
    return [n for n in names if n.rsplit(".", 1)[-1] not in ("__init__", "__main__")]


def _imported_lessons(code: str) -> set[str]:
    """Paths of the ``lessons`` modules that ``code`` imports directly, with their packages.

    Importing ``lessons.momentum.lesson.heavy_ball`` runs ``lessons/momentum/__init__.py`` first.
    """
    found = set()
    for name in imported_modules(code):
        parts = name.split(".")
        found |= {_module_file(".".join(parts[:n])) for n in range(1, len(parts) + 1)}
    return found - {None}


def dependencies(code: str, always: tuple[str, ...] = ()) -> list[str]:
    """Every ``lessons`` module ``code`` depends on (transitively), plus the files ``always``."""
    todo, seen = _imported_lessons(code) | set(always), set()
    while todo:
        path = todo.pop()
        seen.add(path)
        if path.endswith(".py") and path.startswith("lessons/"):
            todo |= _imported_lessons((ROOT / path).read_text("utf8")) - seen
    return sorted(seen)
