"""Run the Python fences of a lesson page, the same way for the site build and for pytest.

A page's Python fences form one session: they run in order in one namespace, like
cells of a notebook. Fence bodies may include code from ``lessons/`` with
``--8<-- "lessons/x.py:section"``; the include is expanded by pymdownx.snippets
itself, configured as in ``mkdocs.yml``, so what runs is exactly what is shown.

Results (printed text and figures as SVG) are cached on disk, keyed by the page's
expanded code, the source of every ``lessons`` module it imports (transitively),
this file, and the versions of the packages that shape the output. Both languages
of a page share their code, hence one run per build. ``LESSONS_EXEC=off`` skips
execution; ``LESSONS_CACHE=off`` ignores (and rewrites) the cache.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import hashlib
import importlib.metadata
import io
import json
import os
import platform
import sys
import time
import traceback
import warnings
from pathlib import Path

import markdown
from markdown_it import MarkdownIt
from pymdownx.snippets import SnippetExtension

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / ".cache" / "docexec"
PY_LANGS = ("py", "python", "python3")  # what pytest-markdown-docs runs
VERSIONED = ("torch", "numpy", "matplotlib", "scikit-learn", "faker", "pymdown-extensions")
PNG_DIR: Path | None = None  # set by `python -m lessons run` to also save figures as PNG
SNIPPET_OPTIONS = {"base_path": [str(ROOT)], "check_paths": True, "dedent_subsections": True}


@dataclasses.dataclass
class Fence:
    """One Python fence of a page: where it is, and the code it runs."""

    index: int  # 1-based position among the page's Python fences
    start: int  # 0-based line of the opening ```
    end: int  # 0-based line after the closing ```
    code: str  # body with snippet includes expanded


@dataclasses.dataclass
class Result:
    """What one fence printed and drew."""

    stdout: str
    figures: list[dict]  # {"svg": ..., "alt": ...}


class FenceError(Exception):
    """A fence raised: carries the page and fence so the build can name them."""


def expand(text: str) -> str:
    """Expand ``--8<--`` snippet lines in ``text`` with pymdownx.snippets (``check_paths`` on)."""
    md = markdown.Markdown(extensions=[SnippetExtension(**SNIPPET_OPTIONS)])
    return "\n".join(md.preprocessors["snippet"].run(text.split("\n")))


def parser() -> MarkdownIt:
    """The Markdown parser that finds fences: CommonMark, as pytest-markdown-docs uses."""
    return MarkdownIt("commonmark")


def fences(markdown_text: str) -> list[Fence]:
    """Return the Python fences of a page, in order, with includes expanded."""
    found = []
    for token in parser().parse(markdown_text):
        info = token.info.split()
        if token.type == "fence" and token.map and info and info[0] in PY_LANGS:
            start, end = token.map
            found.append(Fence(len(found) + 1, start, end, expand(token.content)))
    return found


ALWAYS = ("lessons/__init__.py", "lessons/common.py", "lessons/plotting.py", "tools/docexec.py")


def _imported_lessons(code: str) -> set[str]:
    """Paths of the ``lessons`` modules that ``code`` imports directly."""
    found = set()
    try:
        tree = ast.parse(code)
    except SyntaxError:  # reported, with the page and block, when the code runs
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            path = ROOT / (name.replace(".", "/") + ".py")
            if name.startswith("lessons.") and path.exists():
                found.add(path.relative_to(ROOT).as_posix())
    return found


def dependencies(code: str) -> list[str]:
    """Every ``lessons`` module ``code`` depends on, following imports transitively."""
    todo, seen = _imported_lessons(code) | set(ALWAYS), set()
    while todo:
        path = todo.pop()
        seen.add(path)
        if path.endswith(".py") and path.startswith("lessons/"):
            todo |= _imported_lessons((ROOT / path).read_text("utf8")) - seen
    return sorted(seen)


def cache_key(page_fences: list[Fence]) -> str:
    """Key of a page's results: its code, the lessons modules it uses, package versions."""
    h = hashlib.sha256()
    for fence in page_fences:
        h.update(b"\0" + fence.code.encode())
    for path in dependencies("\n".join(fence.code for fence in page_fences)):
        h.update(b"\0" + path.encode() + b"\0" + (ROOT / path).read_bytes())
    for name in VERSIONED:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            h.update(f"{name}={importlib.metadata.version(name)}".encode())
    h.update(f"{platform.python_version()} {platform.machine()}".encode())
    return h.hexdigest()[:32]


def _figures(prefix: str) -> list[dict]:
    import matplotlib.pyplot as plt

    from lessons import plotting

    out = []
    for number in plt.get_fignums():
        fig = plt.figure(number)
        if not plotting.has_content(fig):
            raise ValueError(f"figure {len(out) + 1} is empty: nothing was drawn")
        if PNG_DIR is not None:
            fig.savefig(PNG_DIR / f"{prefix}-{len(out) + 1}.png")
        alt = plotting.describe(fig)
        if not alt:
            raise ValueError(
                f"figure {len(out) + 1} has no label, title or axis labels for alt text"
            )
        out.append({"svg": plotting.to_svg(fig, f"{prefix}-{len(out) + 1}"), "alt": alt})
        plt.close(fig)
    return out


def run_fence(fence: Fence, namespace: dict, page: str) -> Result:
    """Execute one fence in ``namespace``, capturing stdout, warnings and new figures.

    Raises:
        FenceError: Naming ``page`` and the fence, with the traceback, if the code raises
            or emits a warning (warnings become errors, so deprecated APIs fail the build).
    """
    import matplotlib.pyplot as plt

    plt.close("all")
    buffer = io.StringIO()
    code = "\n" * (fence.start + 1) + fence.code  # tracebacks show the page's line numbers
    try:
        with contextlib.redirect_stdout(buffer), warnings.catch_warnings():
            warnings.simplefilter("error")
            exec(compile(code, page, "exec"), namespace)  # noqa: S102
        figures = _figures(f"b{fence.index}")
    except Exception as err:
        plt.close("all")
        trace = "".join(traceback.format_exception(err)[-6:])
        raise FenceError(
            f"{page}: Python block {fence.index} (line {fence.start + 1}) raised "
            f"{type(err).__name__}: {err}\n{trace}"
        ) from err
    return Result(buffer.getvalue(), figures)


def run_page(page: str, page_fences: list[Fence]) -> tuple[list[Result], float]:
    """Run all fences of a page in one fresh namespace; return results and seconds taken."""
    namespace: dict = {"__name__": "__lesson__"}
    t0 = time.perf_counter()
    results = [run_fence(f, namespace, page) for f in page_fences]
    return results, time.perf_counter() - t0


class Cache:
    """Results of pages, on disk under ``.cache/docexec`` and in memory."""

    def __init__(self, directory: Path = CACHE_DIR, enabled: bool | None = None) -> None:
        self.dir = directory
        if enabled is None:
            enabled = os.environ.get("LESSONS_CACHE", "on").lower() not in ("off", "0", "no")
        self.enabled = enabled
        self.memory: dict[str, list[Result]] = {}
        self.timings: dict[str, float] = {}  # page -> seconds actually executed this process

    def get(self, key: str) -> list[Result] | None:
        """Return cached results for ``key``; disk is read only if the cache is enabled."""
        if key in self.memory:
            return self.memory[key]
        path = self.dir / f"{key}.json"
        if self.enabled and path.exists():
            data = json.loads(path.read_text("utf8"))
            self.memory[key] = [Result(**r) for r in data]
        return self.memory.get(key)

    def put(self, key: str, results: list[Result]) -> None:
        """Store results in memory and on disk."""
        self.memory[key] = results
        self.dir.mkdir(parents=True, exist_ok=True)
        data = [dataclasses.asdict(r) for r in results]
        (self.dir / f"{key}.json").write_text(json.dumps(data, ensure_ascii=False), "utf8")

    def results(self, page: str, page_fences: list[Fence]) -> list[Result]:
        """Cached results of a page, or run it now and cache them."""
        key = cache_key(page_fences)
        cached = self.get(key)
        if cached is not None:
            return cached
        results, seconds = run_page(page, page_fences)
        self.timings[page] = seconds
        print(f"docexec: ran {page} in {seconds:.1f} s", file=sys.stderr)
        self.put(key, results)
        return results
