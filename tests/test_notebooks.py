"""Every lesson page, as the notebook the site offers, runs top to bottom in a real kernel.

Both languages of a page carry the same code cells (checked here), so each page's notebook
is executed once, in Chinese, the site's default language.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from lessons.page import Page
from tools import notebooks

ROOT = Path(__file__).resolve().parent.parent
# Pages with code get a notebook (the reference page has none), in both languages.
PAGES = sorted(p for p in (ROOT / "docs").glob("*.md") if Page.read(p).fences)
STEMS = sorted({p.name.split(".")[0] for p in PAGES})


def code_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def execute(nb, folder: Path) -> None:
    """Run ``nb`` in a fresh kernel started in ``folder`` (outside the repository)."""
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        shutdown_kernel="immediate",  # a graceful shutdown waited 1-2.5 s per notebook here
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error


def test_notebook_mirrors_the_page():
    text = (ROOT / "docs" / "index.en.md").read_text("utf8")
    nb = notebooks.notebook(text)
    assert "--8<--" not in "".join(code_cells(nb)), "snippet includes must be expanded"
    assert "def default_device" in "".join(code_cells(nb))
    assert nb.cells[0].source == notebooks.STRICT
    assert nb.cells[1].cell_type == "markdown" and nb.cells[1].source.startswith("# ")
    assert notebooks.dumps(text) == notebooks.dumps(text)  # deterministic
    nbformat.validate(nb)


def test_markdown_is_rewritten_for_jupyter():
    """Jupyter knows no admonitions and no ``.md`` pages: quotes, and links to notebooks."""
    prose = '!!! warning "A mistake"\n    Line one\n    line two\n\nSee [that](momentum.md#n).'
    assert notebooks.for_jupyter(prose) == (
        "> **A mistake**\n>\n> Line one\n> line two\n\nSee [that](momentum.ipynb#n)."
    )
    for page in PAGES:
        nb = notebooks.notebook(Page.read(page))
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "!!!" not in text and not re.search(r"\]\([\w-]+\.md\b", text), page.name


def test_both_languages_have_the_same_code_cells():
    assert len(PAGES) == 2 * len(STEMS) >= 2 * 16
    for stem in STEMS:
        zh, en = (
            notebooks.notebook(Page.read(ROOT / f"docs/{stem}.{lang}.md")) for lang in ("zh", "en")
        )
        assert code_cells(zh) == code_cells(en), stem


def test_a_failing_cell_fails_the_run_naming_it(tmp_path):
    nb = notebooks.notebook("# T\n\n```python\nx = 1\n```\n\n```python\n1 / 0\n```\n")
    with pytest.raises(CellExecutionError, match="ZeroDivisionError") as err:
        execute(nb, tmp_path)
    assert "1 / 0" in str(err.value)


@pytest.mark.parametrize("stem", STEMS)
def test_notebook_runs(stem, tmp_path):
    """Run the page's notebook top to bottom in a fresh kernel, outside the repository.

    It needs only the installed ``lessons`` package (``pip install -e .``, as setup does),
    and prints as the page does: every cell with a top-level ``print(...)`` has output.
    """
    page = Page.read(ROOT / "docs" / f"{stem}.zh.md")
    nb = notebooks.notebook(page)
    execute(nb, tmp_path)
    cells = [c for c in nb.cells if c.cell_type == "code"][1:]  # after the STRICT cell
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
