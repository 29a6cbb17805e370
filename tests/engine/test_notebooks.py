"""A lesson page as the notebook the site offers, and that notebook run in a fresh kernel.

The test pass runs every page's notebook once, in the site's default language, as the test of
the page's fences (``conftest.py``); both languages carry the same code cells (checked here).
"""

from __future__ import annotations

import re

import nbformat
import pytest

from engine import executor, notebooks, pages
from engine.pages import FenceError, Page

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


def page(*codes: str) -> Page:
    return Page.parse("# T\n\n" + "".join(f"```python\n{c}\n```\n\n" for c in codes), "docs/t.md")


def test_a_failing_cell_fails_the_run_naming_it(tmp_path):
    with pytest.raises(FenceError, match="docs/t.md: Python block 2 .line 7. raised") as err:
        notebooks.execute(page("x = 1", "1 / 0"), tmp_path)
    assert "ZeroDivisionError" in str(err.value) and "1 / 0" in str(err.value)


def test_a_warning_is_an_error_in_the_kernel_as_in_the_executor(tmp_path):
    with pytest.raises(FenceError, match="Python block 1") as err:
        notebooks.execute(page("import warnings\nwarnings.warn('old', FutureWarning)"), tmp_path)
    assert "FutureWarning" in str(err.value)


DRAWS = (
    "from lessons.plotting import subplots\nfig, ax = subplots()\nax.plot([0, 1])\n"
    "ax.set(xlabel='$x$', ylabel='$y$')\nprint('drawn')"
)


def test_the_kernel_gives_what_the_executor_gives(tmp_path):
    """Printed text and figures, SVG ids included, as :func:`engine.executor.run_page` runs it."""
    demo = page("x = 6 * 7", "print(x)", DRAWS, DRAWS)
    ran = notebooks.execute(demo, tmp_path)
    assert ran == executor.run_page(demo)[0]
    assert [len(r.figures) for r in ran] == [0, 0, 1, 1]
    assert 'id="b4-1-1"' in ran[3].figures[0]["svg"]


def test_a_figure_without_content_fails_naming_its_block(tmp_path):
    empty = "import matplotlib.pyplot as plt\nplt.figure()"
    with pytest.raises(FenceError, match="docs/t.md: Python block 2 .* figure 1 is empty"):
        notebooks.execute(page("x = 1", empty), tmp_path)
