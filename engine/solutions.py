"""Worked solutions: jupytext percent-format sources, run by the executor, as notebooks.

A lesson's solutions live in ``docs/solutions/<slug>.zh.py`` and ``docs/solutions/<slug>.en.py``
(jupytext "percent" format: plain Python, ``# %% [markdown]`` and ``# %%`` cells). Each is a
page (:class:`engine.pages.Page`): its code cells are its fences, run in order in one
namespace by the executor, cached under one key for both languages (their code is the
same). :func:`execute` turns a source into a notebook with those outputs (never from a
kernel); ``tools/solution_pages.py`` shows it on the site through mkdocs-jupyter.

Why percent-format Python rather than ``.ipynb``: it is plain text that diffs line by line,
ruff lints and formats it, and it stores no outputs (those come from the executor's run).
"""

from __future__ import annotations

import html
import re

import nbformat

from engine import cache
from engine.executor import Result
from engine.pages import DOCS, FenceError, Page, percent_notebook

SOURCES = DOCS / "solutions"
SOURCE_URI = re.compile(r"solutions/([\w-]+)\.(\w+)\.py")  # src_uri of a solutions page


class SolutionError(Exception):
    """A solution's code cell raised or warned: the message names the notebook and the cell."""


def slugs() -> list[str]:
    """Slugs of the lessons that have worked solutions (in either language)."""
    return sorted({p.name.split(".")[0] for p in SOURCES.glob("*.py")})


def pages() -> list[Page]:
    """Every worked-solution source as a page."""
    return [Page.read(path) for path in sorted(SOURCES.glob("*.py"))]


def outputs(result: Result) -> list[nbformat.NotebookNode]:
    """Notebook outputs of one cell: its printed text, then each figure.

    A figure is inline SVG with its text alternative (``text/html``, what Jupyter shows),
    plus ``image/svg+xml`` and the alternative as ``text/plain`` for other front ends.
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


def execute(page: Page, runs: cache.Runs | None) -> nbformat.NotebookNode:
    """The notebook of a solutions page, its code run by ``runs`` (no outputs if ``None``).

    Code cells show their code as it runs, includes expanded.

    Raises:
        SolutionError: Naming the notebook and the code cell, if a cell raises or warns.
    """
    nb = percent_notebook(page.text)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell, fence in zip(code, page.fences, strict=True):
        cell.source = fence.code
    if runs is None:
        return nb
    try:
        results = runs.entry(page).results
    except FenceError as err:
        prefix = re.escape(page.path) + r": Python block (\d+)"  # the executor names a block
        cell = lambda m: f"solutions notebook {page.path}, code cell {m.group(1)}"  # noqa: E731
        message, found = re.subn(prefix, cell, str(err), count=1)
        message = message if found else f"solutions notebook {page.path}: {err}"
        raise SolutionError(message) from None
    for number, (cell, result) in enumerate(zip(code, results, strict=True), start=1):
        cell.execution_count = number
        cell.outputs = outputs(result)
    return nb
