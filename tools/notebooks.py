"""Turn a lesson page into a Jupyter notebook: prose as Markdown cells, fences as code cells.

Snippet includes are expanded, so the notebook runs on its own wherever ``lessons`` is
importable. Notebooks are generated from the pages at build time, never edited by hand.
"""

from __future__ import annotations

import nbformat

from tools import docexec

STRICT = """import warnings

warnings.simplefilter("error")  # as on the site: a warning is an error
warnings.filterwarnings("default", module="ipykernel")  # ...except the kernel's own"""


def notebook(markdown_text: str) -> nbformat.NotebookNode:
    """Return the notebook for a page's Markdown."""
    lines = markdown_text.split("\n")
    cells, position = [nbformat.v4.new_code_cell(STRICT)], 0
    for fence in docexec.fences(markdown_text):
        prose = "\n".join(lines[position : fence.start]).strip()
        if prose:
            cells.append(nbformat.v4.new_markdown_cell(prose))
        cells.append(nbformat.v4.new_code_cell(fence.code.rstrip("\n")))
        position = fence.end
    tail = "\n".join(lines[position:]).strip()
    if tail:
        cells.append(nbformat.v4.new_markdown_cell(tail))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"  # stable ids: the same page gives the same bytes
    return nb


def dumps(markdown_text: str) -> str:
    """The notebook of a page, as ``.ipynb`` JSON text."""
    return nbformat.writes(notebook(markdown_text))
