"""Every page exists in both languages, with the same code and the same structure."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from engine import imports, pages

ROOT = pages.ROOT
DOCS = ROOT / "docs"
STEMS = sorted({p.name.split(".")[0] for p in DOCS.glob("*.md")})


def fence_bodies(path: Path) -> list[tuple[str, str]]:
    """(language, body) of every fence on a page, unexpanded, in order.

    A ```` ```selfcheck ```` block holds the page's questions in its own language: it is
    left out (``tests/tools/test_selfcheck.py`` checks that both languages ask the same).
    """
    tokens = pages.parser().parse(path.read_text("utf8"))
    found = [(t.info.split()[0] if t.info else "", t.content) for t in tokens if t.type == "fence"]
    return [(info, body) for info, body in found if info != "selfcheck"]


def headings(path: Path) -> list[int]:
    """Heading levels of a page, in order (outside fences)."""
    tokens = pages.parser().parse(path.read_text("utf8"))
    return [int(t.tag[1]) for t in tokens if t.type == "heading_open"]


def test_every_page_is_in_the_nav_and_every_nav_entry_is_a_page():
    course = pages.course()
    assert sorted(course) == STEMS
    assert len(course) == len(set(course)), "a page appears twice in the nav"


@pytest.mark.parametrize("stem", STEMS)
def test_both_languages_exist(stem):
    assert (DOCS / f"{stem}.zh.md").exists(), f"docs/{stem}.zh.md is missing"
    assert (DOCS / f"{stem}.en.md").exists(), f"docs/{stem}.en.md is missing"


@pytest.mark.parametrize("stem", STEMS)
def test_code_fences_are_identical(stem):
    zh, en = fence_bodies(DOCS / f"{stem}.zh.md"), fence_bodies(DOCS / f"{stem}.en.md")
    assert len(zh) == len(en), f"{stem}: {len(zh)} fences in zh, {len(en)} in en"
    for i, (a, b) in enumerate(zip(zh, en, strict=True), start=1):
        assert a == b, f"{stem}: fence {i} differs between zh and en"


@pytest.mark.parametrize("stem", STEMS)
def test_same_heading_structure(stem):
    assert headings(DOCS / f"{stem}.zh.md") == headings(DOCS / f"{stem}.en.md")


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_python_fences_are_top_level(page):
    """Indented fences (in admonitions or tabs) would be neither run nor tested: forbid them."""
    text = page.read_text("utf8")
    assert not re.search(r"^[ \t]+(```|~~~)\s*(py|python|python3)\b", text, re.M), page.name


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_headings_do_not_skip_levels(page):
    levels = headings(page)
    assert levels and levels[0] == 1, f"{page.name}: must start with one # title"
    assert levels.count(1) == 1, f"{page.name}: one # title only"
    for prev, cur in zip(levels, levels[1:], strict=False):
        assert cur <= prev + 1, f"{page.name}: heading jumps from h{prev} to h{cur}"


def test_reference_covers_every_public_function():
    """The reference lists every ``lessons`` module, in course order; each public one is documented.

    The list is not written by hand: both reference pages hold a marker that the build
    replaces with the modules the pages import, in nav order, then the rest.
    mkdocstrings hides members without a docstring, so this is what makes them appear.
    """
    from tools.lesson_pages import MODULES_MARKER, reference_modules

    for lang in pages.languages():
        text = pages.page_file("reference", lang).read_text("utf8")
        assert MODULES_MARKER in text and "::: lessons" not in text, lang
    listed = re.findall(r"^::: (lessons[\w.]+)$", reference_modules(), re.M)
    assert sorted(listed) == sorted(imports.all_modules()) and len(set(listed)) == len(listed)
    first_page = {}  # module -> position in the course of the first page that imports it
    for position, slug in enumerate(pages.course()):
        code = pages.Page.read(pages.page_file(slug, pages.default_language())).code
        for module in imports.imported_modules(code):
            first_page.setdefault(module, position)
    shown = [m for m in listed if m in first_page]
    assert [first_page[m] for m in shown] == sorted(first_page[m] for m in shown)
    undocumented = [
        f"{name}.{attr}"
        for name in listed
        for attr, obj in vars(importlib.import_module(name)).items()
        if not attr.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == name
        and not (obj.__doc__ or "").strip()  # its own, not inherited
    ]
    assert undocumented == []
