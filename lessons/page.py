"""The page model and executor shared by the site build, the tests, the notebooks and the CLI.

A lesson page's Python fences form one session: they run in order in one namespace, like
cells of a notebook. A fence body may include code from ``lessons/`` with
``--8<-- "lessons/x.py:section"``; :func:`expand` expands it with pymdownx.snippets itself,
with the options ``mkdocs.yml`` gives it, so what runs is exactly what is shown.

:func:`run_fence` applies the same checks everywhere: a warning is an error, a figure must
draw something and must have a text alternative. Failures raise :class:`FenceError`
naming the page, the block and its line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import re
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository (``pip install -e .``)
PY_LANGS = ("py", "python", "python3")  # the fences pytest-markdown-docs runs
PNG_DIR: Path | None = None  # set by ``python -m lessons run`` to save figures as PNG too


@dataclasses.dataclass
class Fence:
    """One Python fence of a page: where it is, and the code it runs."""

    index: int  # 1-based position among the page's Python fences
    start: int  # 0-based line of the opening ```
    end: int  # 0-based line after the closing ```
    code: str  # body with snippet includes expanded


@dataclasses.dataclass
class Result:
    """What one fence printed and drew: ``figures`` holds ``{"svg": ..., "alt": ...}``."""

    stdout: str
    figures: list[dict]


@dataclasses.dataclass
class Page:
    """A Markdown page and its Python fences, includes expanded: parsed once, used by all."""

    path: str  # how errors name it, e.g. ``docs/momentum.en.md``
    text: str
    fences: list[Fence]

    @classmethod
    def parse(cls, text: str, path: str) -> Page:
        """Parse ``text`` (the Markdown of the page called ``path``)."""
        return cls(path, text, fences(text, path))

    @classmethod
    def read(cls, file: str | Path) -> Page:
        """Read and parse a page file; it is named relative to the repository if inside it."""
        file = Path(file).resolve()
        name = file.relative_to(ROOT).as_posix() if file.is_relative_to(ROOT) else str(file)
        return cls.parse(file.read_text("utf8"), name)

    @property
    def code(self) -> str:
        """All the page's code, fence after fence."""
        return "\n".join(fence.code for fence in self.fences)


class FenceError(Exception):
    """A fence raised, warned or drew a bad figure; the message names the page and block."""


def _ignore_tags(loader, suffix, node):  # !ENV, !!python/name: ... are not ours to resolve
    return None


@functools.cache
def site_config() -> dict:
    """``mkdocs.yml`` as plain data (tags such as ``!ENV`` read as ``None``)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", _ignore_tags)
    Loader.add_multi_constructor("!", _ignore_tags)
    config_file = ROOT / "mkdocs.yml"
    if not config_file.exists():
        raise FileNotFoundError(f"{config_file} not found: run from a clone of the repository")
    return yaml.load(config_file.read_text("utf8"), Loader=Loader)  # noqa: S506


@functools.cache
def snippet_options() -> dict:
    """The pymdownx.snippets options of ``mkdocs.yml``, with ``base_path`` made absolute."""
    for ext in site_config().get("markdown_extensions", []):
        if isinstance(ext, dict) and "pymdownx.snippets" in ext:
            options = dict(ext["pymdownx.snippets"] or {})
            break
    else:
        raise ValueError("mkdocs.yml: markdown_extensions has no pymdownx.snippets")
    bases = options.get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    options["base_path"] = [str((ROOT / b).resolve()) for b in bases]
    return options


def course() -> list[str]:
    """The pages of the course in the order of the site's ``nav`` (``mkdocs.yml``): slugs."""

    def walk(entry) -> list[str]:
        if isinstance(entry, str):
            return [entry.removesuffix(".md")] if entry.endswith(".md") else []
        if isinstance(entry, dict):
            return [slug for value in entry.values() for slug in walk(value)]
        return [slug for item in entry or [] for slug in walk(item)]

    return walk(site_config().get("nav", []))


def expand(text: str) -> str:
    """Expand ``--8<--`` snippet lines in ``text`` with pymdownx.snippets, as the site does."""
    import markdown
    from pymdownx.snippets import SnippetExtension

    md = markdown.Markdown(extensions=[SnippetExtension(**snippet_options())])
    return "\n".join(md.preprocessors["snippet"].run(text.split("\n")))


def parser():
    """The Markdown parser that finds fences: CommonMark, as pytest-markdown-docs uses."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def fences(markdown_text: str, path: str = "page") -> list[Fence]:
    """Return the Python fences of a page, in order, with includes expanded.

    Raises:
        FenceError: Naming the page ``path`` and the block, if an include cannot be expanded.
    """
    found = []
    for token in parser().parse(markdown_text):
        info = token.info.split()
        if token.type == "fence" and token.map and info and info[0] in PY_LANGS:
            start, end = token.map
            try:
                code = expand(token.content)
            except Exception as err:  # pymdownx.snippets: missing file or section
                raise FenceError(
                    f"{path}: Python block {len(found) + 1} (line {start + 1}): "
                    f"{type(err).__name__}: {err}"
                ) from err
            found.append(Fence(len(found) + 1, start, end, code))
    return found


def _figures(prefix: str) -> list[dict]:
    """Every open figure as ``{"svg", "alt"}``, checked and closed."""
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
        if PNG_DIR is not None:  # after the SVG: a first draw moves constrained layout a hair
            fig.savefig(PNG_DIR / f"{prefix}-{n}.png")
        plt.close(fig)
    return out


def run_fence(fence: Fence, namespace: dict, page: str) -> Result:
    """Execute one fence in ``namespace``, capturing stdout, warnings and new figures.

    Raises:
        FenceError: Naming ``page``, the fence and its line, with the traceback, if the code
            raises or warns (warnings are errors, so a deprecated API fails the build), or
            draws an empty figure or one without a text alternative.
    """
    import matplotlib.pyplot as plt

    from lessons import environment

    environment.apply()  # before any fence computes, whatever it imports
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


def new_namespace() -> dict:
    """A fresh namespace for a page's session."""
    return {"__name__": "__lesson__"}


def run_page(page: Page) -> tuple[list[Result], float]:
    """Run all fences of ``page`` in one fresh namespace; return results and seconds taken."""
    namespace = new_namespace()
    t0 = time.perf_counter()
    results = [run_fence(f, namespace, page.path) for f in page.fences]
    return results, time.perf_counter() - t0


def title(text: str) -> str:
    """The page's ``# `` title (the first level-1 heading)."""
    match = re.search(r"^# (.+)$", text, re.M)
    if not match:
        raise ValueError("page has no '# ' title")
    return match.group(1).strip()
