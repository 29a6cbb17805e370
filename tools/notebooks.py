"""Turn a lesson page into a Jupyter notebook: prose as Markdown cells, fences as code cells.

Snippet includes are expanded, so the notebook runs on its own wherever ``lessons`` is
importable. Notebooks are generated from the pages at build time, never edited by hand.
Jupyter renders Markdown without MkDocs' extensions, so admonitions become block quotes
and links to other pages point to their notebooks.
"""

from __future__ import annotations

import re

import nbformat

from lessons.page import Page

STRICT = """import warnings

from lessons import environment

environment.apply()  # one thread, as on the site: the same numbers
warnings.simplefilter("error")  # as on the site: a warning is an error
warnings.filterwarnings("default", module="ipykernel")  # ...except the kernel's own"""


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
    cells, position = [nbformat.v4.new_code_cell(STRICT)], 0
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
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"  # stable ids: the same page gives the same bytes
    return nb


def dumps(page: Page | str) -> str:
    """The notebook of a page, as ``.ipynb`` JSON text."""
    return nbformat.writes(notebook(page))
