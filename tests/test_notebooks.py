"""Every lesson page, as the notebook the site offers, runs top to bottom in a real kernel."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tools import docexec, notebooks

ROOT = Path(__file__).resolve().parent.parent
# Pages with code get a notebook (the reference page has none), in both languages.
PAGES = sorted(p for p in (ROOT / "docs").glob("*.md") if docexec.fences(p.read_text("utf8")))


def code_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


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
        nb = notebooks.notebook(page.read_text("utf8"))
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "!!!" not in text and not re.search(r"\]\([\w-]+\.md\b", text), page.name


def test_every_lesson_has_a_notebook_in_both_languages():
    stems = {p.name.split(".")[0] for p in PAGES}
    assert len(PAGES) == 2 * len(stems) >= 2 * 16
    for stem in stems:
        zh, en = (
            notebooks.notebook((ROOT / "docs" / f"{stem}.{lang}.md").read_text("utf8"))
            for lang in ("zh", "en")
        )
        assert code_cells(zh) == code_cells(en), stem


@pytest.mark.parametrize("page", PAGES, ids=[p.name.removesuffix(".md") for p in PAGES])
def test_notebook_runs(page, tmp_path):
    """Run the page's notebook top to bottom in a fresh kernel, outside the repository.

    It needs only the installed ``lessons`` package (``pip install -e .``, as setup does).
    """
    nb = notebooks.notebook(page.read_text("utf8"))
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []
