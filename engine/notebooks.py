"""A lesson page as a Jupyter notebook, and a notebook run in a fresh kernel.

:func:`notebook` turns a page into a notebook: prose as Markdown cells, fences as code
cells, snippet includes expanded, so it runs on its own wherever ``lessons`` is importable.
Its first cell applies the course's environment (:func:`lessons.environment.apply`), so a
reader's kernel prints the site's numbers. Notebooks are generated from the pages, never
edited by hand. Jupyter renders Markdown without MkDocs' extensions, so admonitions become
block quotes and links to other pages point to their notebooks.

:func:`execute` runs a notebook as a reader's fresh kernel does, under the executor's rule
that a warning is an error (:func:`engine.executor.strict_warnings`).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from engine.pages import KERNEL, Page

SETUP = """from lessons import environment

environment.apply()  # the site's threads and CPU path: the site's numbers"""
STRICT = "from engine.executor import strict_warnings\n\nstrict_warnings(allow=('ipykernel',))"
ADMONITION = re.compile(r'^[!?]{3}\+? *(\w+)(?: +"([^"]*)")?\n((?:(?: {4}.*)?\n)*)', re.M)
PAGE_LINK = re.compile(r"\]\(([\w-]+)\.md(#[\w-]*)?\)")


def _quote(match: re.Match) -> str:
    title = match.group(2) or match.group(1).capitalize()
    text = match.group(3).rstrip("\n")
    body = [line[4:] for line in text.split("\n")]
    quote = "\n".join([f"> **{title}**", ">", *(f"> {line}".rstrip() for line in body)])
    return quote + match.group(3)[len(text) :]  # the blank lines that followed


def for_jupyter(prose: str) -> str:
    """Rewrite a page's Markdown for Jupyter: admonitions as quotes, page links to notebooks."""
    prose = ADMONITION.sub(_quote, prose + "\n").rstrip("\n")
    return PAGE_LINK.sub(lambda m: f"]({m.group(1)}.ipynb{m.group(2) or ''})", prose)


def notebook(page: Page | str) -> nbformat.NotebookNode:
    """Return the notebook for a page (or a page's Markdown)."""
    page = page if isinstance(page, Page) else Page.parse(page, "page")
    lines = page.text.split("\n")
    cells, position = [nbformat.v4.new_code_cell(SETUP)], 0
    for fence in page.fences:
        prose = "\n".join(lines[position : fence.start]).strip()
        if prose:
            cells.append(nbformat.v4.new_markdown_cell(for_jupyter(prose)))
        cells.append(nbformat.v4.new_code_cell(fence.code.rstrip("\n")))
        position = fence.end
    tail = "\n".join(lines[position:]).strip()
    if tail:
        cells.append(nbformat.v4.new_markdown_cell(for_jupyter(tail)))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNEL)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"  # stable ids: the same page gives the same bytes
    return nb


def dumps(page: Page | str) -> str:
    """The notebook of a page, as ``.ipynb`` JSON text."""
    return nbformat.writes(notebook(page))


def execute(nb: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    """Run ``nb`` top to bottom in a fresh kernel started in ``folder``; return it run.

    Warnings are errors there, as in the executor (the kernel's own excepted).

    Raises:
        nbclient.exceptions.CellExecutionError: Naming the cell, if one raises or warns.
    """
    from nbclient import NotebookClient

    run = copy.deepcopy(nb)
    run.cells.insert(0, nbformat.v4.new_code_cell(STRICT, id="strict"))
    client = NotebookClient(
        run,
        timeout=600,
        kernel_name=KERNEL["name"],
        resources={"metadata": {"path": str(folder)}},
        shutdown_kernel="immediate",  # a graceful shutdown waited 1-2.5 s per notebook here
    )
    client.execute()
    run.cells.pop(0)
    return run
