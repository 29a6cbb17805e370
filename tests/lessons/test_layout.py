"""The tree shows the course: one package per lesson page, named by its slug.

A lesson's package holds what its page shows and calls; what several pages use lives in the
shared modules of ``lessons/``. The lessons never import the engine or the site's tools.
"""

from __future__ import annotations

import ast

from engine import imports, pages, solutions

LESSONS = pages.ROOT / "lessons"
PACKAGES = sorted(p.parent.name for p in LESSONS.glob("*/__init__.py"))


def test_every_lesson_page_has_a_package_named_by_its_slug_and_back():
    home = pages.course()[0]  # the home page uses only shared helpers
    lesson_pages = [slug for slug in pages.lessons() if slug != home]
    assert sorted(slug.replace("-", "_") for slug in lesson_pages) == PACKAGES
    for package in PACKAGES:
        assert (LESSONS / package / "lesson.py").is_file(), f"lessons/{package}/lesson.py"


def imported(path) -> set[str]:
    """The top two levels of every module ``path`` imports (``lessons.momentum``, ``engine``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {".".join(name.split(".")[:2]) for name in names}


def test_lessons_import_neither_the_engine_nor_the_tools_nor_another_lesson():
    found = []
    for path in sorted(LESSONS.rglob("*.py")):
        if path.name == "__main__.py":  # ``python -m lessons`` is the engine's command line
            continue
        own = path.parent.name if path.parent != LESSONS else None
        for name in imported(path):
            top, _, package = name.partition(".")
            other_lesson = top == "lessons" and package in PACKAGES and package != own
            if top in ("engine", "tools") or other_lesson:
                found.append(f"{path.relative_to(pages.ROOT)} imports {name}")
    assert found == []


def test_a_page_and_its_solutions_call_their_own_package_and_shared_code_only():
    found = []
    for slug in pages.lessons():
        sources = [pages.page_file(slug, pages.default_language())]
        sources.append(solutions.SOURCES / f"{slug}.{pages.default_language()}.py")
        for source in (s for s in sources if s.exists()):
            for module in imports.imported_modules(pages.Page.read(source).code):
                package = module.split(".")[1]
                if package in PACKAGES and package != slug.replace("-", "_"):
                    found.append(f"{source.relative_to(pages.ROOT)} uses {module}")
    assert found == []
