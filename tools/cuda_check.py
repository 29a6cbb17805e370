"""Run every lesson and worked solution on a GPU, each in its own process, and report.

Usage, on a machine with CUDA: ``python -m tools.cuda_check [OUT] [--jobs N]``.

Each runs as ``python -m lessons run NAME [--solutions] --device cuda`` does, with the
engine's executor (warnings are errors, figures must draw). The report gives, for each, the
exit status, the seconds and the peak memory torch allocated on the GPU: more than zero shows
its tensors were there. The printed numbers are not compared with the site's, which are CPU
runs; ``OUT`` keeps every log and figure. Without a GPU it exits 2 at once.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from engine import cli, pages, solutions

PEAK = "print(f'cuda peak {torch.cuda.max_memory_allocated() / 2**20:.1f} MiB')\n"
RUN = "import sys, torch\nfrom engine import cli\ncode = cli.main(sys.argv[1:])\n"


def commands(out: Path) -> dict[str, list[str]]:
    """The command of every lesson and of every lesson's worked solutions, by name."""
    program = [sys.executable, "-c", RUN + PEAK + "sys.exit(code)\n", "run"]
    jobs = {}
    for slug in pages.lessons():
        jobs[slug] = [*program, slug, "--device", "cuda", "--out", str(out / slug)]
    for slug in solutions.slugs():
        folder = str(out / f"solutions-{slug}")
        jobs[f"solutions/{slug}"] = [
            *program,
            slug,
            "--solutions",
            "--device",
            "cuda",
            "--out",
            folder,
        ]
    return jobs


def run(name: str, cmd: list[str], out: Path) -> tuple[str, int, float, str]:
    """Run one job in ``out``; return (name, exit status, seconds, its last line)."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=pages.ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    (out / f"{name.replace('/', '-')}.log").write_text(proc.stdout + proc.stderr, "utf8")
    lines = (proc.stdout if proc.returncode == 0 else proc.stderr).strip().splitlines()
    return name, proc.returncode, seconds, lines[-1] if lines else ""


def main(argv: list[str] | None = None) -> int:
    """Run everything, print a Markdown table; exit 1 if anything failed."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", type=Path, default=Path("cuda-output"))
    ap.add_argument("--jobs", type=int, default=4, help="processes at once")
    args = ap.parse_args(argv)
    if not cli.cuda():
        print("error: no GPU: torch.cuda.is_available() is False", file=sys.stderr)
        return 2
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        rows = list(pool.map(lambda job: run(*job, out), commands(out).items()))
    print("| run | status | seconds | last line |\n|---|---:|---:|---|")
    for name, code, seconds, last in rows:
        print(f"| {name} | {code} | {seconds:.1f} | {last} |")
    return 1 if any(code for _, code, _, _ in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
