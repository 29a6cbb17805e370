"""The determinism check CI runs on two cold builds must be able to fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from engine import pages
from tools import compare_sites

ROOT = pages.ROOT


def tree(root: Path, page: str) -> Path:
    (root / "en").mkdir(parents=True)
    (root / "en" / "index.html").write_text(page)
    (root / "figures.svg").write_bytes(b"<svg/>")
    return root


def run(a: Path, b: Path) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "tools.compare_sites", str(a), str(b)]
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_identical_trees_pass(tmp_path):
    page = "<p>J = 0.25</p>\n" * 5
    result = run(tree(tmp_path / "a", page), tree(tmp_path / "b", page))
    assert result.returncode == 0 and "byte-identical" in result.stdout


def test_one_byte_of_difference_fails_showing_the_lines(tmp_path):
    page = "<p>x</p>\n" * 3 + "<p>J = 0.25</p>\n"
    result = run(tree(tmp_path / "a", page), tree(tmp_path / "b", page.replace("25", "26")))
    assert result.returncode == 1
    assert "differs: en/index.html" in result.stdout
    assert "-<p>J = 0.25</p>" in result.stdout and "+<p>J = 0.26</p>" in result.stdout


def test_missing_files_and_binary_differences_are_reported(tmp_path):
    a, b = tree(tmp_path / "a", "x"), tree(tmp_path / "b", "x")
    (a / "extra.txt").write_text("1")
    (b / "figures.svg").write_bytes(b"<svg\xff/>")
    problems = compare_sites.compare(a, b)
    assert f"only in {a}: extra.txt" in problems
    assert any("figures.svg" in p and "offset 4" in p for p in problems)
