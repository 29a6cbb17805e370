"""The API reference folded per module (tools/reference.py)."""

from __future__ import annotations

import pytest

from tools import reference

BLOCK = (
    '<div class="doc doc-object doc-module">\n<h2 id="lessons.a" class="doc doc-heading">'
    '<code>lessons.a</code><a href="#lessons.a" class="headerlink" title="Permanent link">'
    '&para;</a></h2>\n<div class="doc doc-contents first"><p>A.</p>'
    '<div class="doc doc-object doc-function"><h3 id="lessons.a.f">f</h3></div></div></div>'
)


def test_each_module_becomes_a_closed_fold_under_its_heading():
    page = (
        "<h1>API</h1>\n" + BLOCK + "\n" + BLOCK.replace("lessons.a", "lessons.b") + "\n<p>end</p>"
    )
    out = reference.fold_modules(page)
    assert out.count('<details class="doc-fold"><summary><h2 id="lessons.') == 2
    assert "headerlink" not in out  # no link inside the summary, itself a control
    assert out.count("<div") == out.count("</div>") and out.endswith("\n<p>end</p>")
    assert out.index('id="lessons.a.f"') < out.index("</details>")  # functions inside the fold


def test_a_module_block_that_never_closes_is_an_error():
    with pytest.raises(ValueError, match="unclosed module block"):
        reference.fold_modules(BLOCK[: -len("</div>")])


def test_table_of_contents_keeps_two_levels():
    class Item:
        def __init__(self, *children):
            self.children = list(children)

    toc = [Item(Item(Item(), Item()), Item(Item()))]
    reference.module_toc(toc)
    assert [len(c.children) for c in toc[0].children] == [0, 0]
