"""The page model: a lesson page or a worked solution, parsed once and used by everything.

A page's Python fences form one session: they run in order in one namespace, like the cells
of a notebook. A fence body may include code from ``lessons/`` with
``--8<-- "lessons/momentum/heavy_ball.py:momentum_step"``; :func:`expand` expands it with
pymdownx.snippets itself, with the options ``mkdocs.yml`` gives it, so what runs is exactly
what is shown.

A worked solution (``docs/solutions/<slug>.<lang>.py``, jupytext percent format) is a page
too: its code cells are its fences, and their includes are expanded the same way.

The course itself is read from ``mkdocs.yml``: the lessons in the order of its ``nav``, and
the languages of its i18n plugin, the default one first.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository: docs/, lessons/, mkdocs.yml
DOCS = ROOT / "docs"
PY_LANGS = ("py", "python", "python3")  # the fences pytest-markdown-docs runs
CELL_MARKER = re.compile(r"# %%( |$)")  # a code or Markdown cell of a percent-format source
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


class FenceError(Exception):
    """A fence could not be read or run; the message names the page, the block and its line."""


@dataclasses.dataclass
class Fence:
    """One Python fence of a page: where it is, and the code it runs."""

    index: int  # 1-based position among the page's Python fences
    start: int  # 0-based line of the opening ``` (of a solution: its ``# %%`` marker)
    end: int  # 0-based line after the closing ```
    code: str  # body with snippet includes expanded


@dataclasses.dataclass
class Page:
    """A page and its Python fences, includes expanded: parsed once, used by all."""

    path: str  # how errors name it, e.g. ``docs/momentum.en.md``
    text: str
    fences: list[Fence]

    @classmethod
    def parse(cls, text: str, path: str) -> Page:
        """Parse ``text``: Markdown, or a percent-format solution if ``path`` ends in ``.py``."""
        found = solution_fences(text, path) if path.endswith(".py") else fences(text, path)
        return cls(path, text, found)

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
    return yaml.load((ROOT / "mkdocs.yml").read_text("utf8"), Loader=Loader)  # noqa: S506


def _option(entries: list, name: str) -> dict:
    """The options of extension or plugin ``name`` in a ``mkdocs.yml`` list."""
    for entry in entries:
        if isinstance(entry, dict) and name in entry:
            return dict(entry[name] or {})
    raise ValueError(f"mkdocs.yml: {name} is not configured")


@functools.cache
def snippet_options() -> dict:
    """The pymdownx.snippets options of ``mkdocs.yml``, with ``base_path`` made absolute."""
    options = _option(site_config().get("markdown_extensions", []), "pymdownx.snippets")
    bases = options.get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    options["base_path"] = [str((ROOT / b).resolve()) for b in bases]
    return options


def _i18n_languages() -> list[dict]:
    """The i18n plugin's languages; a site without it has its theme's language alone."""
    try:
        return _option(site_config().get("plugins", []), "i18n")["languages"]
    except ValueError:
        theme = site_config().get("theme") or {}
        return [{"locale": theme.get("language") or theme.get("locale") or "en", "default": True}]


def default_language() -> str:
    """The language of the site's root: the i18n plugin's default locale."""
    return next(lang["locale"] for lang in _i18n_languages() if lang.get("default"))


def languages() -> list[str]:
    """The site's languages (the i18n plugin's locales), the default one first."""
    found = [lang["locale"] for lang in _i18n_languages()]
    return sorted(found, key=lambda locale: locale != default_language())


def course(nav: list | None = None) -> list[str]:
    """Every page of ``nav`` (else ``mkdocs.yml``'s) in order, as slugs: the course's order."""

    def walk(entry) -> list[str]:
        if isinstance(entry, str):
            return [entry.removesuffix(".md")] if entry.endswith(".md") else []
        if isinstance(entry, dict):
            return [slug for value in entry.values() for slug in walk(value)]
        return [slug for item in entry or [] for slug in walk(item)]

    return walk(site_config().get("nav", []) if nav is None else nav)


def page_file(slug: str, lang: str) -> Path:
    """The Markdown file of page ``slug`` in language ``lang``."""
    return DOCS / f"{slug}.{lang}.md"


def lessons() -> list[str]:
    """The pages with code, in course order: the home page and the lessons."""
    return [slug for slug in course() if has_code(page_file(slug, default_language()))]


def has_code(file: Path) -> bool:
    """Whether the Markdown page ``file`` exists and has a Python fence (includes unread)."""
    if not file.exists():
        return False
    tokens = parser().parse(file.read_text("utf8"))
    return any(t.type == "fence" and t.info.split()[:1] in ([p] for p in PY_LANGS) for t in tokens)


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


def _expanded(code: str, path: str, index: int, line: int) -> str:
    try:
        return expand(code)
    except Exception as err:  # pymdownx.snippets: missing file or section
        raise FenceError(
            f"{path}: Python block {index} (line {line + 1}): {type(err).__name__}: {err}"
        ) from err


def fences(markdown_text: str, path: str = "page") -> list[Fence]:
    """Return the Python fences of a Markdown page, in order, with includes expanded.

    Raises:
        FenceError: Naming the page ``path`` and the block, if an include cannot be expanded.
    """
    found = []
    for token in parser().parse(markdown_text):
        info = token.info.split()
        if token.type == "fence" and token.map and info and info[0] in PY_LANGS:
            start, end = token.map
            code = _expanded(token.content, path, len(found) + 1, start)
            found.append(Fence(len(found) + 1, start, end, code))
    return found


def percent_notebook(text: str):
    """Parse a percent-format source into a notebook with stable cell ids ``c1``, ``c2``, ..."""
    import jupytext

    nb = jupytext.reads(text, fmt="py:percent")
    for number, cell in enumerate(nb.cells, start=1):
        cell.id = f"c{number}"  # jupytext draws random ids; builds must be byte-identical
    nb.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    return nb


def solution_fences(text: str, path: str = "solution") -> list[Fence]:
    """The code cells of a percent-format source as fences, includes expanded.

    ``start`` is the 0-based line of the cell's ``# %%`` marker, so tracebacks show the
    line numbers of the source file.
    """
    cells = percent_notebook(text).cells
    markers = [i for i, line in enumerate(text.split("\n")) if CELL_MARKER.match(line)]
    if len(markers) != len(cells):  # content before the first marker: no line numbers
        markers = [0] * len(cells)
    found = []
    for cell, start in zip(cells, markers, strict=True):
        if cell.cell_type == "code":
            code = _expanded(cell.source, path, len(found) + 1, start)
            found.append(Fence(len(found) + 1, start, start + 1, code))
    return found


def title(text: str) -> str:
    """The page's ``# `` title (the first level-1 heading)."""
    match = re.search(r"^# (.+)$", text, re.M)
    if not match:
        raise ValueError("page has no '# ' title")
    return match.group(1).strip()
