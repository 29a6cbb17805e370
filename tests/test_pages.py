"""Every page exists in both languages, with the same code and the same structure."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools import docexec

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
STEMS = sorted({p.name.split(".")[0] for p in DOCS.glob("*.md")})


def fence_bodies(path: Path) -> list[tuple[str, str]]:
    """(language, body) of every fence on a page, unexpanded, in order."""
    tokens = docexec.parser().parse(path.read_text("utf8"))
    return [(t.info.split()[0] if t.info else "", t.content) for t in tokens if t.type == "fence"]


def headings(path: Path) -> list[int]:
    """Heading levels of a page, in order (outside fences)."""
    tokens = docexec.parser().parse(path.read_text("utf8"))
    return [int(t.tag[1]) for t in tokens if t.type == "heading_open"]


def test_there_are_pages():
    assert "index" in STEMS and len(STEMS) >= 2


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


def test_each_page_runs_on_one_worker():
    """The conftest scheduler keeps a page's fences together under ``pytest -n 2``."""
    pages = [f"docs/linear-model.{lang}.md" for lang in ("zh", "en")]
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-v", *pages],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:]
    workers = {}  # page -> workers that ran its fences
    for worker, page in re.findall(r"^\[(gw\d)\] .*? (docs/[\w.-]+\.md)::", out.stdout, re.M):
        workers.setdefault(page, set()).add(worker)
    assert sorted(workers) == sorted(pages)
    assert all(len(w) == 1 for w in workers.values()), workers


def test_reference_covers_every_public_function():
    """Both reference pages list every ``lessons`` module; every public function has a docstring.

    mkdocstrings hides members without a docstring, so this is what makes them appear.
    """
    modules = {f"lessons.{p.stem}" for p in (ROOT / "lessons").glob("*.py")} - {
        "lessons.__init__",
        "lessons.__main__",
    }
    for lang in ("zh", "en"):
        text = (DOCS / f"reference.{lang}.md").read_text("utf8")
        assert set(re.findall(r"^::: (lessons\.\w+)$", text, re.M)) == modules, lang
    undocumented = [
        f"{name}.{attr}"
        for name in sorted(modules)
        for attr, obj in vars(importlib.import_module(name)).items()
        if not attr.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == name
        and not (obj.__doc__ or "").strip()  # its own, not inherited
    ]
    assert undocumented == []
