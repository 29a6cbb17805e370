"""Heights reserved for blocks laid out late (tools/placeholders.py)."""

from __future__ import annotations

import re

import pytest

from tools import placeholders

CODE = (
    '<div class="highlight"><span class="filename">out</span>'
    "<pre><code>a\nb\nc\n</code></pre></div>"
)


def reserved(html: str) -> list[int]:
    return [int(px) for px in re.findall(r"contain-intrinsic-size:auto (\d+)px", html)]


def test_code_block_height_is_exact_from_its_lines():
    # 3 lines of 19.04 px, padding and margins 53 px, a title bar 38 px
    assert reserved(placeholders.reserve(CODE)) == [round(3 * 19.04 + 53 + 38)]


@pytest.mark.parametrize(
    ("text", "lines"),
    [("短" * 23, 1), ("短" * 24, 2), ("word " * 10, 1), ("word " * 11, 2)],
)
def test_paragraph_lines_follow_a_380_px_column(text, lines):
    assert reserved(placeholders.reserve(f"<p>{text}</p>")) == [round(lines * 25.6)]


def test_every_top_level_block_gets_one_height_and_nested_ones_none():
    html = "<h2>T</h2>\n<p>a <em>b</em></p>\n<ul>\n<li><p>x</p></li>\n<li>y</li>\n</ul>\n" + CODE
    out = placeholders.reserve(html)
    assert len(reserved(out)) == 3 and out.startswith("<h2>T</h2>")
    assert "<li><p>x</p>" in out  # inner blocks untouched


def test_a_block_with_its_own_style_is_left_alone():
    html = '<p style="color:red">x</p>'
    assert placeholders.reserve(html) == html


def test_display_formula_with_a_fraction_is_taller():
    flat = placeholders.display_height(r"\[x = y\]")
    assert placeholders.display_height(r"\[x = \frac{a}{b}\]") > flat
    assert placeholders.display_height(r"\[a \\ b\]") > flat
