"""Benchmark the site build, a live rebuild, the test pass and CI on this machine; print Markdown.

Usage: ``python3 tasks.py bench [--skip-tests] [--skip-lighthouse] [--ci]``.

Measures, in one run: a cold strict build (cache ignored), a warm rebuild (cache hit), a
build with execution off, each page's execution time (from the cold build), a
``mkdocs serve`` rebuild after a one-line prose edit, the full test pass split by what its
tests run (the pages' fences in their notebooks, the worked solutions, the mini sites,
the browser, the unit tests), and Lighthouse's mobile scores for every page
(``tools/lighthouse.py``). With ``--ci``, also ``bash .ci/run`` in a fresh clone of this
checkout, stage by stage. Nothing is asserted: the numbers are reported, and they go with
the machine and date in ``bench/README.md``.
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
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
GROUPS = (  # the test pass, by what its tests run: (path prefix, name), first match wins
    ("docs/", "the pages' fences, as their notebooks (a fresh kernel each)"),
    ("tests/tools/test_solutions.py", "worked solutions"),
    ("tests/tools/test_site_build.py", "mini-site builds (cache faults)"),
    ("tests/tools/test_add_a_lesson.py", "a lesson added by CONTRIBUTING's steps"),
    ("tests/tools/test_browser.py", "the built site in Chromium"),
    ("tests/lessons/", "lessons' unit tests"),
    ("tests/engine/", "the engine's other tests"),
    ("tests/tools/", "the tools' other tests"),
)


def timed(cmd: list[str], cwd: Path = ROOT, **env: str) -> tuple[float, str]:
    """Run ``cmd`` in ``cwd``; return (seconds, stdout + stderr). Exit if it fails."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env={**ENV, **env}, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout + proc.stderr


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
    """Wall seconds of the full test pass, and test seconds by group (:data:`GROUPS`)."""
    sys.path.insert(0, str(ROOT))
    from tasks import TASKS  # the same command as `python3 tasks.py test`

    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        pytest = [sys.executable, *TASKS["test"][0], "-q", f"--junitxml={report}"]
        seconds, _ = timed([*pytest, "-o", "junit_family=xunit1"])  # with each test's file
        groups: dict[str, float] = collections.defaultdict(float)
        for case in ET.parse(report).iter("testcase"):
            path = case.get("file", "")
            name = next((name for prefix, name in GROUPS if path.startswith(prefix)), path)
            groups[name] += float(case.get("time", 0))
    return seconds, dict(groups)


def ci_stages() -> tuple[float, list[tuple[str, float]]]:
    """``bash .ci/run`` in a fresh clone: total seconds, and when each stage ended."""
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        seconds, log = timed(["bash", ".ci/run"], clone)
    stages = [(m[0], float(m[1])) for m in re.findall(r"^CI: (.+) done at (\d+) s$", log, re.M)]
    return seconds, stages


def main() -> None:
    """Run the benchmarks and print the report."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip-tests", action="store_true", help="do not time the test pass")
    ap.add_argument("--skip-lighthouse", action="store_true", help="no Lighthouse run")
    ap.add_argument("--ci", action="store_true", help="also time .ci/run in a fresh clone")
    args = ap.parse_args()
    build = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"]
    cold, log = timed(build, LESSONS_CACHE="off")
    warm, _ = timed(build)
    off, _ = timed(build, LESSONS_EXEC="off")
    pages = {m[0]: float(m[1]) for m in re.findall(r"engine: ran (\S+) in ([\d.]+) s", log)}
    rows = [
        ("cold strict build (a worker per core)", cold),
        ("warm rebuild", warm),
        ("build, execution off", off),
        ("every page and solution run once (sum)", sum(pages.values())),
        ("`mkdocs serve` rebuild after a one-line prose edit", serve_rebuild()),
    ]
    if not args.skip_tests:
        seconds, groups = test_pass()
        rows.append(("full test pass (2 workers)", seconds))
        rows += [(f"  test seconds: {name}", total) for name, total in sorted(groups.items())]
    if args.ci:
        seconds, stages = ci_stages()
        rows.append(("`bash .ci/run` in a fresh clone", seconds))
        rows += [(f"  stage ended: {name}", end) for name, end in stages]
    print("| measure | seconds |\n|---|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} |")
    print("\n| page (run once, both languages share it) | seconds |\n|---|---:|")
    for page, seconds in sorted(pages.items()):
        print(f"| {page} | {seconds:.1f} |")
    if not args.skip_lighthouse:
        subprocess.run([sys.executable, "-m", "tools.lighthouse", "site"], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
