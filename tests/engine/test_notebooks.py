"""Every lesson page, as the notebook the site offers, runs top to bottom in a fresh kernel.

Both languages of a page carry the same code cells (checked here), so each page's notebook
is executed once, in the site's default language.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from engine import notebooks, pages
from engine.pages import Page

STEMS = pages.lessons()  # the pages with code get a notebook (the reference page has none)
LANG = pages.default_language()


def code_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_notebook_mirrors_the_page():
    text = pages.page_file("index", "en").read_text("utf8")
    nb = notebooks.notebook(text)
    assert "--8<--" not in "".join(code_cells(nb)), "snippet includes must be expanded"
    assert "def default_device" in "".join(code_cells(nb))
    assert nb.cells[0].source == notebooks.SETUP
    assert nb.cells[1].cell_type == "markdown" and nb.cells[1].source.startswith("# ")
    assert notebooks.dumps(text) == notebooks.dumps(text)  # deterministic
    nbformat.validate(nb)


def test_markdown_is_rewritten_for_jupyter():
    """Jupyter knows no admonitions and no ``.md`` pages: quotes, and links to notebooks."""
    prose = '!!! warning "A mistake"\n    Line one\n    line two\n\nSee [that](momentum.md#n).'
    assert notebooks.for_jupyter(prose) == (
        "> **A mistake**\n>\n> Line one\n> line two\n\nSee [that](momentum.ipynb#n)."
    )
    for stem in STEMS:
        for lang in pages.languages():
            nb = notebooks.notebook(Page.read(pages.page_file(stem, lang)))
            text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
            assert "!!!" not in text and not re.search(r"\]\([\w-]+\.md\b", text), stem


def test_every_language_has_the_same_code_cells():
    for stem in STEMS:
        first, *others = (
            code_cells(notebooks.notebook(Page.read(pages.page_file(stem, lang))))
            for lang in pages.languages()
        )
        assert all(cells == first for cells in others), stem


def test_a_failing_cell_fails_the_run_naming_it(tmp_path):
    nb = notebooks.notebook("# T\n\n```python\nx = 1\n```\n\n```python\n1 / 0\n```\n")
    with pytest.raises(CellExecutionError, match="ZeroDivisionError") as err:
        notebooks.execute(nb, tmp_path)
    assert "1 / 0" in str(err.value)


def test_a_warning_is_an_error_in_the_kernel_as_in_the_executor(tmp_path):
    nb = notebooks.notebook(
        "# T\n\n```python\nimport warnings\nwarnings.warn('old', FutureWarning)\n```\n"
    )
    with pytest.raises(CellExecutionError, match="FutureWarning") as err:
        notebooks.execute(nb, tmp_path)
    assert "warnings.warn('old', FutureWarning)" in str(err.value)


@pytest.mark.parametrize("stem", STEMS)
def test_notebook_runs(stem, tmp_path):
    """Run the page's notebook top to bottom in a fresh kernel, outside the repository.

    It needs only the installed ``lessons`` package (``pip install -e .``, as setup does),
    and prints as the page does: every cell with a top-level ``print(...)`` has output.
    """
    page = Page.read(pages.page_file(stem, LANG))
    nb = notebooks.execute(notebooks.notebook(page), tmp_path)
    cells = [c for c in nb.cells if c.cell_type == "code"][1:]  # after the setup cell
    assert len(cells) == len(page.fences)
    silent = [c.source for c in cells if prints(c.source) and not c.outputs]
    assert silent == [], silent[:1]


def prints(code: str) -> bool:
    """Whether ``code`` calls ``print`` as a statement of its own, at the top level."""
    return any(
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", None) == "print"
        for node in ast.parse(code).body
    )
