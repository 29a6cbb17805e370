"""Adding a lesson takes the steps CONTRIBUTING.md gives, and nothing else.

A copy of the repository gets the toy lesson of CONTRIBUTING.md's example, file by file as the
file gives them, and the nav line of its step 3. The copy then builds strictly, runs the new
page's fences and tests and the page and solution checks, and lists the lesson. To keep the
build short, the copy leaves out the other lessons' pages and solutions (their code stays).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine import pages

ROOT = pages.ROOT
EXAMPLE = re.compile(r'^(`{3,})\w+ title="([^"]+)"\n(.*?)^\1$', re.M | re.S)
SLUG, PACKAGE = "toy-lesson", "toy_lesson"


def example_files() -> dict[str, str]:
    """The files of CONTRIBUTING.md's toy lesson: path -> text."""
    text = (ROOT / "CONTRIBUTING.md").read_text("utf8")
    example = text.split("\n## Example: a toy lesson\n", 1)[1]
    return {path: body for _, path, body in EXAMPLE.findall(example)}


def copy_repository(dest: Path) -> None:
    """The repository's files, without the lessons' pages and solutions, nav to match."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    kept = {"index", "reference"}
    for name in listed:
        page = re.fullmatch(r"docs/(?:solutions/)?([\w-]+)\.\w+\.(?:md|py)", name)
        if (page and page.group(1) not in kept) or not (ROOT / name).is_file():
            continue
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)
    config = (dest / "mkdocs.yml").read_text("utf8")
    nav = config.index("\nnav:\n")
    (dest / "mkdocs.yml").write_text(config[:nav] + "\nnav:\n  - index.md\n  - reference.md\n")


def run(copy: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(copy), "NO_MKDOCS_2_WARNING": "1"}
    env["LESSONS_WORKERS"] = "1"  # three small pages: no worker processes
    return subprocess.run(
        [sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The copy, with the toy lesson added by CONTRIBUTING.md's steps."""
    dest = tmp_path_factory.mktemp("repository")
    copy_repository(dest)
    for path, text in example_files().items():  # steps 1, 2, 4 and 5
        (dest / path).parent.mkdir(parents=True, exist_ok=True)
        (dest / path).write_text(text, "utf8")
    config = dest / "mkdocs.yml"  # step 3: one nav line, where the lesson belongs
    text = config.read_text("utf8").replace(
        "  - reference.md\n", f"  - {SLUG}.md\n  - reference.md\n"
    )
    config.write_text(text, "utf8")
    return dest


def test_the_example_is_a_whole_lesson():
    files = set(example_files())
    assert files == {
        f"lessons/{PACKAGE}/__init__.py",
        f"lessons/{PACKAGE}/lesson.py",
        f"tests/lessons/{PACKAGE}/test_lesson.py",
        *(f"docs/{SLUG}.{lang}.md" for lang in pages.languages()),
        *(f"docs/solutions/{SLUG}.{lang}.py" for lang in pages.languages()),
    }


def test_the_new_lesson_builds_in_every_language(copy):
    built = run(copy, "-m", "mkdocs", "build", "--strict", "-q")
    assert built.returncode == 0, built.stderr[-3000:]
    for lang in pages.languages():
        root = copy / "site" / ("" if lang == pages.default_language() else lang)
        lesson = (root / SLUG / "index.html").read_text("utf8")
        assert "42.0" in lesson and 'href="../solutions/toy-lesson/"' in lesson
        assert re.findall(r'data-answer="([^"]*)"', lesson) == ["42.0", "1", "1"]  # self-check
        assert "1.0" in (root / "solutions" / SLUG / "index.html").read_text("utf8")


def test_its_fences_tests_page_and_solution_checks_pass(copy):
    tests = ["tests/tools/test_pages.py", "tests/tools/test_solutions.py"]
    tests += ["tests/tools/test_selfcheck.py", "tests/tools/test_chinese.py"]
    result = run(
        copy, "-m", "pytest", "-q", f"docs/{SLUG}.zh.md", f"tests/lessons/{PACKAGE}", *tests
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"\b\d+ passed", result.stdout) and "skipped" not in result.stdout


def test_the_command_line_lists_and_runs_it(copy):
    listed = run(copy, "-m", "lessons", "list")
    assert listed.returncode == 0 and f" {SLUG} " in listed.stdout
    ran = run(copy, "-m", "lessons", "run", SLUG, "--out", str(copy / "out"))
    assert ran.returncode == 0 and ran.stdout.startswith("42.0\n"), ran.stderr[-2000:]
