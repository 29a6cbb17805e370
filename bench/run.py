"""Benchmark the site build, a live rebuild and the test pass on this machine; print Markdown.

Usage: ``python3 tasks.py bench [--skip-tests] [--skip-lighthouse] [--base]``.

Measures, in one run: a cold strict build (cache ignored), a warm rebuild (cache hit), a
build with execution off, each page's execution time (from the cold build), a
``mkdocs serve`` rebuild after a one-line prose edit, every notebook executed, the full test
pass (split into the test files main had before issue 9 and those added since, by the
seconds their tests took), and Lighthouse's mobile scores for every page
(``tools/lighthouse.py``). With ``--base``, also the test pass of main before issue 9, as it
was and with that issue's item 7 (:func:`base_passes`). Nothing is asserted: the numbers are
reported.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "abc31b8"  # main before issue 9: its tests are "the content main had"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def timed(cmd: list[str], cwd: Path = ROOT, **env: str) -> tuple[float, str]:
    """Run ``cmd`` in ``cwd``; return (seconds, stderr). Exit if it fails."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env={**ENV, **env}, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return seconds, proc.stderr


def serve_rebuild(page: str = "docs/momentum.en.md") -> float:
    """Seconds from a one-line prose edit of ``page`` until ``mkdocs serve`` has rebuilt."""
    sys.path.insert(0, str(ROOT))
    from tasks import TASKS  # the same command as `python3 tasks.py serve`

    cmd = [sys.executable, *TASKS["serve"][0], "-a", "127.0.0.1:8765"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stderr=subprocess.PIPE, text=True)
    path, original = ROOT / page, (ROOT / page).read_text("utf8")
    try:
        _wait_for(proc, "Serving on")
        time.sleep(1)
        t0 = time.perf_counter()
        path.write_text(original + "\nOne more line of prose.\n", "utf8")
        _wait_for(proc, "Reloading browsers")
        return time.perf_counter() - t0
    finally:
        path.write_text(original, "utf8")
        proc.terminate()
        proc.wait(timeout=30)


def _wait_for(proc: subprocess.Popen, text: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    for line in proc.stderr:
        if text in line:
            return
        if time.monotonic() > deadline:
            break
    sys.exit(f"mkdocs serve never printed {text!r}")


def test_pass() -> tuple[float, dict[str, float]]:
    """Wall seconds of the full test pass, and test seconds by group (before/after issue 9)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        pytest = [sys.executable, "-m", "pytest", "-q", "-n", "2", f"--junitxml={report}"]
        pytest += ["-o", "junit_family=xunit1"]  # with each test's file
        seconds, _ = timed(pytest)
        groups: dict[str, float] = collections.defaultdict(float)
        for case in ET.parse(report).iter("testcase"):
            groups[_group(case.get("file", ""))] += float(case.get("time", 0))
    return seconds, dict(groups)


def base_passes() -> tuple[float, float]:
    """Wall seconds of main's test pass at BASE: as it was, and with issue 9's item 7.

    Item 7 (``bench/item7-on-abc31b8.patch``): each page's notebook runs once, in one
    language, its kernel stopped at once; the nested ``pytest -n 2`` run and the double CLI
    run are gone. Both run in a worktree with this checkout's ``.venv``, after a build has
    filled the worktree's cache, as CI's builds do before its tests.
    """
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "base"
        git = ["git", "worktree", "add", "-q", "--detach", str(tree), BASE]
        subprocess.run(git, cwd=ROOT, check=True)
        try:
            env = {"PYTHONPATH": str(tree)}  # its own lessons, in pytest and in the kernels
            timed([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], tree, **env)
            pytest = [sys.executable, "-m", "pytest", "-q", "-n", "2"]
            before, _ = timed(pytest, tree, **env)
            subprocess.run(
                ["git", "apply", str(ROOT / "bench" / "item7-on-abc31b8.patch")],
                cwd=tree,
                check=True,
            )
            after, _ = timed(pytest, tree, **env)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
    return before, after


def _group(path: str) -> str:
    git = ["git", "cat-file", "-e", f"{BASE}:{path}"]
    old = subprocess.run(git, cwd=ROOT, stderr=subprocess.DEVNULL).returncode == 0
    return "files main had before issue 9" if old else "files added since"


def main() -> None:
    """Run the benchmarks and print the report."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip-tests", action="store_true", help="do not time the test pass")
    ap.add_argument("--skip-lighthouse", action="store_true", help="no Lighthouse run")
    ap.add_argument("--base", action="store_true", help=f"also time the test pass at {BASE}")
    args = ap.parse_args()
    build = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"]
    cold, log = timed(build, LESSONS_CACHE="off")
    warm, _ = timed(build)
    off, _ = timed(build, LESSONS_EXEC="off")
    pages = {m[0]: float(m[1]) for m in re.findall(r"engine: ran (\S+) in ([\d.]+) s", log)}
    rows = [
        ("cold strict build", cold, ""),
        ("warm rebuild", warm, ""),
        ("build, execution off", off, ""),
        ("all pages executed once", sum(pages.values()), ""),
        ("`mkdocs serve` rebuild after a one-line prose edit", serve_rebuild(), "≤ 5 s"),
    ]
    if not args.skip_tests:
        pytest = [sys.executable, "-m", "pytest", "-q", "-n", "2"]
        notebooks, _ = timed([*pytest, "tests/test_notebooks.py", "-k", "test_notebook_runs"])
        rows.append(("every page's notebook executed once (2 workers)", notebooks, ""))
        seconds, groups = test_pass()
        rows.append(("full test pass (2 workers)", seconds, "≤ 90 s for main's content"))
        for group, total in sorted(groups.items()):
            rows.append((f"  test seconds, {group} (sum over tests)", total, ""))
    if args.base:
        before, after = base_passes()
        rows.append((f"test pass of main's content before issue 9 ({BASE})", before, ""))
        rows.append(("  the same with item 7's changes", after, "≤ 90 s (from 150 s)"))
    print("| measure | seconds | target |\n|---|---:|---|")
    for name, seconds, target in rows:
        print(f"| {name} | {seconds:.1f} | {target} |")
    print("\n| page (executed once, both languages share it) | seconds |\n|---|---:|")
    for page, seconds in sorted(pages.items()):
        print(f"| {page} | {seconds:.1f} |")
    if not args.skip_lighthouse and (ROOT / "tools" / "lighthouse.py").exists():
        subprocess.run([sys.executable, "-m", "tools.lighthouse", "site"], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
