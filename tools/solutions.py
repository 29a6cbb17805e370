"""Worked solutions: jupytext percent-format notebooks, run by ``docexec``, shown by mkdocs-jupyter.

A lesson's solutions live in ``docs/solutions/<slug>.zh.py`` and ``docs/solutions/<slug>.en.py``
(jupytext "percent" format: plain Python, ``# %% [markdown]`` and ``# %%`` cells). Both languages
have the same code cells, so they share one cache entry, hence one run per build. This module
turns a source into an executed notebook (outputs from ``docexec``, never from a kernel);
``tools/solution_html.py`` trims the HTML that mkdocs-jupyter renders from it.
``tools/jupyter_hooks.py`` wires both into MkDocs; the tests use them directly.

Why percent-format Python rather than ``.ipynb``: it is plain text that diffs line by line,
ruff lints and formats it, and it stores no outputs (those come from the build's run).

Writing one: the first Markdown cell is ``# <title>：练习解答`` / ``# <title>: solutions``,
then ``## 练习 N`` / ``## Exercise N`` per exercise. nbconvert (not Python-Markdown) renders
the Markdown cells, so MkDocs features do not apply there: no admonitions, no ``--8<--``, and
links to pages must be site URLs (``../../momentum/``), not ``momentum.md``. ``$`` is math
only; a ``$$...$$`` display stands alone in its paragraph.
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import jupytext
import nbformat

from tools import docexec, figures

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
