"""Benchmark the site build and the test pass on this machine; print a Markdown table.

Usage: ``python3 tasks.py bench`` (or ``python bench/run.py [--skip-tests]``).

Measures, in one run: a cold strict build (cache ignored), a warm rebuild (cache
hit), a build with execution off, each page's execution time (from the cold
build), every notebook executed, and the full test pass. Prints the targets of
issue 5 next to the figures.
Nothing is asserted: the numbers are reported.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], **env: str) -> tuple[float, str]:
    """Run ``cmd`` in the repo root; return (seconds, stderr). Exit if it fails."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return seconds, proc.stderr


def main() -> None:
    """Run the benchmarks and print the report."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip-tests", action="store_true", help="do not time the test pass")
    args = ap.parse_args()
    build = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"]
    cold, log = timed(build, LESSONS_CACHE="off")
    warm, _ = timed(build)
    off, _ = timed(build, LESSONS_EXEC="off")
    pages = {m[0]: float(m[1]) for m in re.findall(r"docexec: ran (\S+) in ([\d.]+) s", log)}
    executed = sum(pages.values())
    rows = [
        ("cold strict build", cold, f"≤ 1.2 × (off + pages) = {1.2 * (off + executed):.1f} s"),
        ("warm rebuild", warm, f"≤ 1.5 × off = {1.5 * off:.1f} s"),
        ("build, execution off", off, ""),
        ("all pages executed once", executed, ""),
    ]
    if not args.skip_tests:
        pytest = [sys.executable, "-m", "pytest", "-q", "-n", "2"]
        notebooks, _ = timed([*pytest, "tests/test_notebooks.py", "-k", "test_notebook_runs"])
        rows.append(("every notebook executed (32, 2 workers)", notebooks, ""))
        tests, _ = timed(pytest)
        rows.append(("full test pass (2 workers)", tests, "< 180 s"))
    print("| measure | seconds | target |\n|---|---:|---|")
    for name, seconds, target in rows:
        print(f"| {name} | {seconds:.1f} | {target} |")
    print("\n| page (executed once, both languages share it) | seconds |\n|---|---:|")
    for page, seconds in sorted(pages.items()):
        print(f"| {page} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
