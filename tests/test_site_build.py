"""The page executor inside a real ``mkdocs build``: output, errors, cache, determinism.

Each test copies ``tools/``, the shared ``lessons`` helpers and the tiny site in
``tests/fixtures/mini-site`` to a temporary folder and builds it in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "mini-site"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    shutil.copytree(
        ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("__init__.py", "common.py", "plotting.py"):
        shutil.copy(ROOT / "lessons" / name, tmp_path / "lessons" / name)
    return tmp_path


def build(site: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(site), "NO_MKDOCS_2_WARNING": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
        cwd=site,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def page(site: Path) -> str:
    return (site / "site" / "index.html").read_text("utf8")


def test_output_and_figure_appear(site):
    result = build(site)
    assert result.returncode == 0, result.stderr
    html = page(site)
    assert "answer = 41" in html
    assert html.count('<figure class="docexec-figure"><svg role="img" aria-label="$y$ vs $x$"') == 1
    assert 'def</span><span class="w"> </span><span class="nf">answer' in html  # snippet shown


def test_cache_reuses_and_never_serves_stale(site):
    assert build(site).returncode == 0
    again = build(site)
    assert "docexec: ran" not in again.stderr, "unchanged page was executed again"
    demo = site / "lessons" / "demo.py"
    demo.write_text(demo.read_text().replace("ANSWER = 41", "ANSWER = 42"))
    edited = build(site)
    assert "docexec: ran docs/index.md" in edited.stderr
    assert "answer = 42" in page(site) and "answer = 41" not in page(site)


def test_cache_ignores_lessons_the_page_does_not_import(site):
    assert build(site).returncode == 0
    (site / "lessons" / "unrelated.py").write_text("X = 1\n")
    assert "docexec: ran" not in build(site).stderr


def test_cache_switch_forces_a_run(site):
    assert build(site).returncode == 0
    forced = build(site, LESSONS_CACHE="off")
    assert "docexec: ran docs/index.md" in forced.stderr


def test_execution_off_shows_code_without_output(site):
    result = build(site, LESSONS_EXEC="off")
    assert result.returncode == 0, result.stderr
    assert "answer = " not in page(site).replace('"answer = "', "")
    assert "docexec-figure" not in page(site)


def test_builds_are_byte_identical(site):
    """With the build date fixed (``tasks.py`` sets it to the commit's), figures included."""
    assert build(site, LESSONS_CACHE="off", SOURCE_DATE_EPOCH="1700000000").returncode == 0
    first = page(site)
    assert build(site, LESSONS_CACHE="off", SOURCE_DATE_EPOCH="1700000000").returncode == 0
    assert page(site) == first


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("x = 1 / 0", "ZeroDivisionError: division by zero"),
        (
            "import warnings\nwarnings.warn('old API', DeprecationWarning)",
            "DeprecationWarning: old API",
        ),
        ("import matplotlib.pyplot as plt\nfig = plt.figure()", "figure 1 is empty"),
    ],
    ids=["raises", "warns", "empty-figure"],
)
def test_a_broken_block_fails_the_build_naming_page_and_block(site, code, message):
    (site / "docs" / "broken.md").write_text(
        f"# Broken\n\n```python\nx = 0\n```\n\ntext\n\n```python\n{code}\n```\n", "utf8"
    )
    result = build(site)
    assert result.returncode != 0
    assert "docs/broken.md: Python block 2 (line 9) raised" in result.stderr
    assert message in result.stderr


def test_api_link_only_for_documented_public_objects():
    from tools.mkdocs_hooks import _api_link

    ref = "lessons.common.default_device"
    line = f"API reference: [`{ref}`][{ref}]"
    assert _api_link(['--8<-- "lessons/common.py:default_device"'], "en") == ["", line, ""]
    assert _api_link(['--8<-- "lessons/common.py:no_such_thing"'], "en") == []
    assert _api_link(["x = 1"], "zh") == []


def test_code_blocks_are_labelled(site):
    assert build(site).returncode == 0
    html = page(site)
    # a page without the .en.md suffix is Chinese, the default language
    assert 'class="highlight" role="group" aria-label="Python 代码"' in html
    assert 'role="group" aria-label="输出"><span class="filename">输出</span>' in html
    assert '<div class="highlight">' not in html
