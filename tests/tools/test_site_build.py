"""The course's plugins inside a real ``mkdocs build``: output, errors, cache, determinism.

Each test copies ``engine/``, ``tools/``, the shared ``lessons`` helpers and the tiny site in
``tests/fixtures/mini-site`` (a lesson page and its worked solutions) to a temporary folder
and builds it in a subprocess. The cache's fault tests, for each kind of entry the engine
stores, end with pages identical to a clean build's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine import pages

ROOT = pages.ROOT
FIXTURE = ROOT / "tests" / "fixtures" / "mini-site"


SHARED = ("__init__", "checks", "devices", "environment", "plotting", "seeds")  # lessons/*.py
KINDS = ("runs", "renders")  # what the engine's cache stores


def copy_fixture(folder: Path) -> Path:
    """The mini site with ``engine/``, ``tools/`` and the shared ``lessons`` helpers."""
    shutil.copytree(FIXTURE, folder, dirs_exist_ok=True)
    for package in ("engine", "tools"):
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(ROOT / package, folder / package, ignore=ignore)
    for name in SHARED:
        shutil.copy(ROOT / "lessons" / f"{name}.py", folder / "lessons" / f"{name}.py")
    return folder


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A mini site never built: no ``site/``, an empty cache."""
    return copy_fixture(tmp_path)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """One build of the mini site with its cache filled, and the page a clean build gives.

    Tests that start from a built site copy it (:func:`built`) instead of building again.
    """
    folder = copy_fixture(tmp_path_factory.mktemp("built"))
    result = build(folder, SOURCE_DATE_EPOCH="0")
    assert result.returncode == 0, result.stderr
    return folder, clean_build(folder, tmp_path_factory.mktemp("clean"))


@pytest.fixture
def built(first_build, tmp_path: Path) -> Path:
    """A copy of the mini site after one build (the page, its figure, one cache entry)."""
    shutil.copytree(first_build[0], tmp_path / "built")
    return tmp_path / "built"


@pytest.fixture
def clean_page(first_build) -> dict[str, str]:
    """The mini site's pages as a build with the cache off gives them."""
    return first_build[1]


def build(site: Path, _dest: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """Build ``site`` in a subprocess, running its pages in-process unless ``env`` says.

    Each pre-run worker imports torch (about 3 s); one test keeps the parallel path.
    """
    environ = {**os.environ, "PYTHONPATH": str(site), "NO_MKDOCS_2_WARNING": "1"}
    environ |= {"LESSONS_WORKERS": "1", **env}
    dest = ["-d", _dest] if _dest else []
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", *dest],
        cwd=site,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def page(site: Path, name: str = "index.html") -> str:
    return (site / "site" / name).read_text("utf8")


def figures(site: Path) -> list[Path]:
    return sorted((site / "site" / "figures").glob("*.svg"))


def test_output_and_figure_appear(built):
    html = page(built)
    assert "answer = 41" in html
    (svg,) = figures(built)
    tag = re.search(r'<figure class="docexec-figure"><img [^>]*></figure>', html).group(0)
    assert f'src="figures/{svg.name}"' in tag and 'alt="$y$ vs $x$"' in tag
    assert 'width="614" height="346"' in tag  # 460.8 × 259.2 pt in CSS pixels
    assert "<metadata" not in svg.read_text() and svg.read_text().startswith("<svg ")
    assert 'def</span><span class="w"> </span><span class="nf">answer' in html  # snippet shown
    assert re.search(
        r'class="docexec-environment">[^<]* torch [^<]* device cpu [^<]* threads 1</p>', html
    )


def test_cache_reuses_ignores_other_code_and_never_serves_stale(built):
    site = built
    (site / "lessons" / "unrelated.py").write_text("X = 1\n")  # no page imports it
    again = build(site)
    assert "engine: ran" not in again.stderr, "an unchanged page was executed again"
    demo = site / "lessons" / "demo.py"
    demo.write_text(demo.read_text().replace("ANSWER = 41", "ANSWER = 42"))
    edited = build(site)
    assert "engine: ran docs/index.md" in edited.stderr
    assert "answer = 42" in page(site) and "answer = 41" not in page(site)


def test_cache_switch_forces_a_run(built):
    forced = build(built, LESSONS_CACHE="off")
    assert "engine: ran docs/index.md" in forced.stderr


def test_execution_off_shows_code_without_output(site):
    result = build(site, LESSONS_EXEC="off")
    assert result.returncode == 0, result.stderr
    assert "answer = 41" not in page(site) and 'title="Output"' not in page(site)
    assert "docexec-figure" not in page(site) and not figures(site)
    assert "docexec-environment" not in page(site)


def test_builds_are_byte_identical(site, tmp_path, clean_page):
    """With the build date fixed (``tasks.py`` sets it to the commit's), figures included."""
    assert clean_build(site, tmp_path) == clean_page


@pytest.mark.parametrize(
    ("code", "message", "workers"),
    [
        ("x = 1 / 0", "ZeroDivisionError: division by zero", "2"),  # raises in a worker first
        (
            "import warnings\nwarnings.warn('old API', DeprecationWarning)",
            "DeprecationWarning: old API",
            "1",
        ),
        ("import matplotlib.pyplot as plt\nfig = plt.figure()", "figure 1 is empty", "1"),
    ],
    ids=["raises", "warns", "empty-figure"],
)
def test_a_broken_block_fails_the_build_naming_page_and_block(site, code, message, workers):
    (site / "docs" / "broken.md").write_text(
        f"# Broken\n\n```python\nx = 0\n```\n\ntext\n\n```python\n{code}\n```\n", "utf8"
    )
    result = build(site, LESSONS_WORKERS=workers)
    assert result.returncode != 0
    assert "docs/broken.md: Python block 2 (line 9) raised" in result.stderr
    assert message in result.stderr


def test_a_missing_include_fails_the_build_naming_page_and_block(site):
    (site / "docs" / "broken.md").write_text(
        '# Broken\n\n```python\n--8<-- "lessons/no_such_module.py:x"\n```\n', "utf8"
    )
    result = build(site)
    assert result.returncode != 0
    assert "Error reading page 'broken.md'" in result.stderr, result.stderr[-2000:]
    assert "docs/broken.md: Python block 1 (line 3): SnippetMissingError" in result.stderr
    assert "Traceback" not in result.stderr  # named by the build, not a crash


def test_a_self_check_key_the_run_did_not_print_fails_the_build_naming_page_and_block(site):
    questions = "```selfcheck\n- question: Which?\n  options: [a, b]\n  answer: which\n```\n"
    key_fence = "```python selfcheck\nprint('{\"other\": 1}')\n```\n"
    page = f"# Quiz\n\n```python\nx = 1\n```\n\n{questions}\n{key_fence}"
    (site / "docs" / "quiz.md").write_text(page, "utf8")
    result = build(site)
    assert result.returncode != 0
    assert "docs/quiz.md: selfcheck block 1: no key 'which' for 'Which?'" in result.stderr
    assert "Traceback" not in result.stderr


def test_api_link_only_for_documented_public_objects():
    from tools.lesson_pages import api_link

    ref = "lessons.momentum.lesson.momentum_step"
    line = f"API reference: [`{ref}`][{ref}]"
    include = '--8<-- "lessons/momentum/lesson.py:momentum_step"'
    assert api_link([include], "en/momentum/") == ["", line, ""]
    assert api_link([include.replace("momentum_step", "no_such_thing")], "en/momentum/") == []
    assert api_link(["x = 1"], "momentum/") == []


def test_code_blocks_are_labelled(built):
    html = page(built)
    # a page without the .en.md suffix is Chinese, the default language
    assert 'class="highlight" role="group" aria-label="Python 代码"' in html
    assert 'role="group" aria-label="输出"><span class="filename">输出</span>' in html
    assert '<div class="highlight">' not in html


def entries(site: Path, kind: str = "runs") -> list[Path]:
    return sorted((site / ".cache" / kind).glob("*.json"))


PAGES = ("index.html", "solutions/index.html")  # the lesson page and its worked solutions


def clean_build(site: Path, tmp_path: Path, **env: str) -> dict[str, str]:
    """The pages as a build with the cache off gives them (into another folder)."""
    out = tmp_path / "clean"
    result = build(site, LESSONS_CACHE="off", SOURCE_DATE_EPOCH="0", _dest=str(out), **env)
    assert result.returncode == 0, result.stderr
    return {name: (out / name).read_text("utf8") for name in PAGES}


def pages_of(site: Path) -> dict[str, str]:
    return {name: page(site, name) for name in PAGES}


def test_truncated_entries_of_every_kind_are_reported_and_made_again(built, clean_page):
    """A killed write leaves half an entry; a render read without the fault policy once
    crashed the build on one."""
    site = built
    found = {kind: entries(site, kind) for kind in KINDS}
    assert [len(found[kind]) for kind in KINDS] == [2, 1]  # the page and its solutions; a render
    for entry in (e for kind in KINDS for e in found[kind]):
        entry.write_text(entry.read_text()[: len(entry.read_text()) // 2])
    again = build(site, SOURCE_DATE_EPOCH="0")
    assert again.returncode == 0, again.stderr
    for kind in KINDS:
        for entry in found[kind]:
            assert again.stderr.count(f"cache: {kind} entry {entry.name} is unusable") == 1
            json.loads(entry.read_text())  # made again, whole
    assert "engine: ran docs/index.md" in again.stderr
    assert pages_of(site) == clean_page


def test_entry_from_another_seed_is_never_served(site):
    assert build(site, LESSONS_SEED="1").returncode == 0
    seeded = entries(site)
    plain = build(site)
    assert "engine: ran docs/index.md" in plain.stderr, "seed-1 results served for seed 0"
    assert len(entries(site)) == 2 and not set(entries(site)) & set(seeded)  # those evicted


def test_entries_naming_another_key_are_not_used(built, clean_page):
    site = built
    changed = [entries(site, kind)[0] for kind in KINDS]
    for entry in changed:
        entry.write_text(json.dumps({**json.loads(entry.read_text()), "key": "0" * 32}))
    again = build(site, SOURCE_DATE_EPOCH="0")
    for kind, entry in zip(KINDS, changed, strict=True):
        assert f"cache: {kind} entry {entry.name} is unusable (holds 0000" in again.stderr
        assert json.loads(entry.read_text())["key"] == entry.stem  # made again
    assert pages_of(site) == clean_page


def test_build_killed_during_execution_then_run_again(site, tmp_path):
    mark = tmp_path / "running"
    demo = site / "docs" / "index.md"
    demo.write_text(
        demo.read_text().replace(
            'print("answer =", answer())',
            'import os, pathlib, time\npathlib.Path(os.environ["MARK"]).touch()\n'
            'time.sleep(float(os.environ.get("NAP", "0")))\nprint("answer =", answer())',
        )
    )
    env = {**os.environ, "PYTHONPATH": str(site), "NO_MKDOCS_2_WARNING": "1"}
    env["LESSONS_WORKERS"] = "1"  # killed while the build itself runs the page
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
        cwd=site,
        env={**env, "MARK": str(mark), "NAP": "60"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not mark.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert mark.exists(), "the page never started executing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert entries(site) == []  # nothing half-written is left as an entry
    again = build(site, MARK=str(mark), SOURCE_DATE_EPOCH="0")
    assert again.returncode == 0, again.stderr
    assert pages_of(site) == clean_build(site, tmp_path / "c", MARK=str(mark))


def test_two_builds_at_once_share_one_cache(site, tmp_path, clean_page):
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "NO_MKDOCS_2_WARNING": "1",
        "SOURCE_DATE_EPOCH": "0",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / d)],
            cwd=site,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for d in ("a", "b")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    for d in ("a", "b"):
        assert {name: (tmp_path / d / name).read_text("utf8") for name in PAGES} == clean_page
    assert len(entries(site)) == 2 and len(entries(site, "renders")) == 1
