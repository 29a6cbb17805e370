"""Worked solutions: jupytext percent-format notebooks, run by ``docexec``, shown by mkdocs-jupyter.

A lesson's solutions live in ``docs/solutions/<slug>.zh.py`` and ``docs/solutions/<slug>.en.py``
(jupytext "percent" format: plain Python, ``# %% [markdown]`` and ``# %%`` cells). Both languages
have the same code cells, so they share one cache entry, hence one run per build. This module
turns a source into an executed notebook (outputs from ``docexec``, never from a kernel) and
trims the HTML that mkdocs-jupyter renders from it. ``tools/jupyter_hooks.py`` wires it into
MkDocs; the tests use it directly.

Why percent-format Python rather than ``.ipynb``: it is plain text that diffs line by line,
ruff lints and formats it, and it stores no outputs (those come from the build's run).

Writing one: the first Markdown cell is ``# <title>：练习解答`` / ``# <title>: solutions``,
then ``## 练习 N`` / ``## Exercise N`` per exercise. nbconvert (not Python-Markdown) renders
the Markdown cells, so MkDocs features do not apply there: no admonitions, no ``--8<--``, and
links to pages must be site URLs (``../../momentum/``), not ``momentum.md``. ``$`` is math
only; a ``$$...$$`` display stands alone in its paragraph.
"""

from __future__ import annotations

import contextlib
import copy
import html
import re
from collections.abc import Iterator
from pathlib import Path

import jupytext
import nbformat
from bs4 import BeautifulSoup
from nbconvert.filters.markdown_mistune import IPythonRenderer

from tools import docexec, figures, languages

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "docs" / "solutions"
SOURCE_URI = re.compile(r"solutions/([\w-]+)\.(zh|en)\.py")  # src_uri of a solutions page
CELL_MARKER = re.compile(r"# %%( |$)")
EXERCISES = {"zh": "## 练习", "en": "## Exercises"}
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


class SolutionError(Exception):
    """A solution's code cell raised or warned: the message names the notebook and the cell."""


def slugs() -> list[str]:
    """Slugs of the lessons that have a solutions notebook (in either language)."""
    return sorted({p.name.split(".")[0] for p in SOURCES.glob("*.py")})


def lessons_with_exercises() -> list[str]:
    """Slugs of the lessons whose page has an exercise list (``## Exercises``)."""
    pages = (ROOT / "docs").glob("*.en.md")
    return sorted(p.name.split(".")[0] for p in pages if _has_exercises(p.read_text("utf8"), "en"))


def _has_exercises(markdown: str, lang: str) -> bool:
    return any(line.rstrip() == EXERCISES[lang] for line in markdown.split("\n"))


def page(path: Path) -> docexec.Page:
    """The solutions source ``path`` as a page model, named as the build names it."""
    text = path.read_text("utf8")
    return docexec.Page(f"docs/solutions/{path.name}", "", fences(text, read(text)))


def pages(folder: Path = SOURCES) -> list[docexec.Page]:
    """Every solutions source in ``folder`` as a page model."""
    return [page(path) for path in sorted(folder.glob("*.py"))]


def read(text: str) -> nbformat.NotebookNode:
    """Parse a percent-format source into a notebook with stable cell ids ``c1``, ``c2``, ..."""
    nb = jupytext.reads(text, fmt="py:percent")
    for number, cell in enumerate(nb.cells, start=1):
        cell.id = f"c{number}"  # jupytext draws random ids; builds must be byte-identical
    nb.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    return nb


def fences(text: str, nb: nbformat.NotebookNode) -> list[docexec.Fence]:
    """The code cells of ``nb`` (parsed from ``text``) as ``docexec`` fences.

    ``start`` is the 0-based line of the cell's ``# %%`` marker, so tracebacks show the
    line numbers of the source file.
    """
    lines = text.split("\n")
    markers = [i for i, line in enumerate(lines) if CELL_MARKER.match(line)]
    if len(markers) != len(nb.cells):  # content before the first marker: no line numbers
        markers = [0] * len(nb.cells)
    found = []
    for cell, start in zip(nb.cells, markers, strict=True):
        if cell.cell_type == "code":
            found.append(docexec.Fence(len(found) + 1, start, start + 1, cell.source))
    return found


def outputs(result: docexec.Result) -> list[nbformat.NotebookNode]:
    """Notebook outputs of one cell: its printed text, then each figure.

    A figure is inline SVG with its text alternative (``text/html``, what Jupyter shows),
    plus ``image/svg+xml`` and the alternative as ``text/plain`` for other front ends. The
    site shows the figure's file instead (:func:`with_figure_files`).
    """
    found = []
    if result.stdout:
        found.append(nbformat.v4.new_output("stream", name="stdout", text=result.stdout))
    for fig in result.figures:
        alt = html.escape(fig["alt"], quote=True)
        svg = fig["svg"].replace("<svg ", f'<svg role="img" aria-label="{alt}" ', 1)
        data = {
            "text/html": f'<figure class="docexec-figure">{svg}</figure>',
            "image/svg+xml": fig["svg"],
            "text/plain": fig["alt"],
        }
        found.append(nbformat.v4.new_output("display_data", data=data))
    return found


def with_figure_files(
    nb: nbformat.NotebookNode, page_url: str, site_dir: str | Path
) -> nbformat.NotebookNode:
    """A copy of ``nb`` that shows each figure from its file, as the lesson pages do.

    The files are written into the site's ``figures/`` (shared with the other language and
    the lessons); ``nb`` itself, offered for download, keeps its figures inline.
    """
    shown, number = copy.deepcopy(nb), 0
    for cell in shown.cells:
        for output in cell.get("outputs", []):
            svg = output.get("data", {}).get("image/svg+xml")
            if svg:
                number += 1
                alt = output.data["text/plain"]
                output.data["text/html"] = figures.figure_html(svg, alt, number, page_url, site_dir)
    return shown


def execute(text: str, label: str, cache: docexec.Cache | None) -> nbformat.NotebookNode:
    """The notebook of source ``text`` (named ``label``), with outputs unless ``cache`` is None.

    Raises:
        SolutionError: Naming ``label`` and the code cell, if a cell raises or warns.
    """
    nb = read(text)
    if cache is None:
        return nb
    cells = fences(text, nb)
    try:
        results = cache.results(label, cells)
    except docexec.FenceError as err:
        prefix = re.escape(label) + r": Python block (\d+)"  # docexec names it a page's block
        cell = lambda m: f"solutions notebook {label}, code cell {m.group(1)}"  # noqa: E731
        message, found = re.subn(prefix, cell, str(err), count=1)
        if not found:
            message = f"solutions notebook {label}, a code cell: {err}"
        raise SolutionError(message) from None
    code = [c for c in nb.cells if c.cell_type == "code"]
    for number, (cell, result) in enumerate(zip(code, results, strict=True), start=1):
        cell.execution_count = number
        cell.outputs = outputs(result)
    return nb


# Math as pymdownx.arithmatex writes it (generic mode), for the site's KaTeX.
def _inline_math(self, body: str) -> str:
    return f'<span class="arithmatex">\\({self.escape_html(body)}\\)</span>'


def _block_math(self, body: str) -> str:
    return f'<div class="arithmatex">\\[{self.escape_html(body)}\\]</div>'


def _latex_environment(self, name: str, body: str) -> str:
    env = f"\\begin{{{name}}}{body}\\end{{{name}}}"
    return f'<div class="arithmatex">\\[{self.escape_html(env)}\\]</div>'


@contextlib.contextmanager
def arithmatex_math() -> Iterator[None]:
    """While rendering, make nbconvert's Markdown write math as arithmatex does.

    nbconvert leaves ``$...$`` in the text for MathJax, which this site does not load.
    """
    methods = {"inline_math": _inline_math, "block_math": _block_math}
    methods["latex_environment"] = _latex_environment
    saved = {name: getattr(IPythonRenderer, name) for name in methods}
    try:
        for name, method in methods.items():
            setattr(IPythonRenderer, name, method)
        yield
    finally:
        for name, method in saved.items():
            setattr(IPythonRenderer, name, method)


def lean_html(content: str, heading_ids: list[str], lang: str) -> str:
    """Trim mkdocs-jupyter's HTML to the notebook's content, in the lesson pages' markup.

    Drops the inlined JupyterLab CSS (about 600 KB), the scripts (MathJax with an empty URL,
    Mermaid, a clipboard helper, with a duplicate of every code cell) and the cells' nested
    wrappers: what is left is a flat run of blocks, as on a lesson page, so the site's phone
    layout applies (each block laid out when it scrolls near, ``extra.css``). Code cells
    become Material code blocks (its colors and copy button) named for screen readers in
    ``lang``, printed output a block titled "Output", as on the lesson pages; heading ids
    become ``heading_ids`` (those of the page's table of contents); display math leaves its
    ``<p>``.
    """
    soup = BeautifulSoup(content, "html.parser")
    wrapper = soup.select_one("div.jupyter-wrapper")
    if wrapper is None:
        raise ValueError("no div.jupyter-wrapper in mkdocs-jupyter's output")
    for block in wrapper.select("div.highlight-ipynb"):
        _code_block(soup, block, block.pre, languages.CODE_LABEL[lang])
    for text in wrapper.select("div.jp-RenderedText"):
        pre, title = text.pre.extract(), soup.new_tag("span", attrs={"class": "filename"})
        title.string = languages.OUTPUT_TITLE[lang]
        text.clear()
        text.extend([title, pre])
        _code_block(soup, text, pre, languages.OUTPUT_TITLE[lang])
    _set_heading_ids(wrapper, heading_ids)
    for math in wrapper.select("p > div.arithmatex"):
        paragraph = math.parent
        if paragraph.get_text(strip=True) == math.get_text(strip=True):
            paragraph.replace_with(math)
    return "\n".join(str(block) for block in _blocks(wrapper))


def _code_block(soup, block, pre, label: str) -> None:
    """Make ``block`` a Material code block, ``<pre><code>``, named ``label``."""
    block.attrs = {"class": ["highlight"], "role": "group", "aria-label": label}
    code = soup.new_tag("code")
    code.extend(list(pre.contents))
    pre.append(code)


def _blocks(wrapper) -> list:
    """The notebook's blocks in order: Markdown cells' content, code, output, figures."""
    found = []
    for piece in wrapper.select("div.jp-RenderedMarkdown, div.highlight, div.jp-RenderedHTML"):
        if piece.find_parent("div", class_=["jp-RenderedMarkdown", "jp-RenderedHTML"]):
            continue  # inside a piece already taken
        if "highlight" in piece["class"]:
            found.append(piece)
        else:
            found += [c for c in piece.children if c.name or c.strip()]
    return found


def _set_heading_ids(wrapper, heading_ids: list[str]) -> None:
    headings = wrapper.select("h1, h2, h3, h4, h5, h6")
    if len(headings) != len(heading_ids):
        raise ValueError(
            f"{len(headings)} headings but {len(heading_ids)} table-of-contents entries"
        )
    for heading, anchor in zip(headings, heading_ids, strict=True):
        heading["id"] = anchor
        link = heading.select_one("a.anchor-link")
        if link is not None:
            link["class"] = ["headerlink"]
            link["href"] = f"#{anchor}"
            link["title"] = "Permanent link"
