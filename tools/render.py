"""Run one page's Python fences as the site build does, without building the site.

Usage: ``python -m tools.render docs/momentum.en.md [--png DIR]``

Prints each fence's output and figure alt texts, the page's run time, and with
``--png`` saves every figure as PNG (to look at it). Exits 1 if a fence fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tools import docexec


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("page", type=Path, help="a Markdown page, e.g. docs/momentum.en.md")
    ap.add_argument("--png", type=Path, help="folder to save each figure as PNG")
    args = ap.parse_args(argv)
    if args.png:
        docexec.PNG_DIR = args.png
        args.png.mkdir(parents=True, exist_ok=True)
    page_fences = docexec.fences(args.page.read_text("utf8"))
    namespace: dict = {"__name__": "__lesson__"}
    t0 = time.perf_counter()
    for fence in page_fences:
        t1 = time.perf_counter()
        try:
            result = docexec.run_fence(fence, namespace, str(args.page))
        except docexec.FenceError as err:
            print(err, file=sys.stderr)
            return 1
        print(f"--- block {fence.index} (line {fence.start + 1}), {time.perf_counter() - t1:.2f} s")
        print(result.stdout, end="")
        for fig in result.figures:
            print(f"[figure: {fig['alt']}] ({len(fig['svg']) // 1024} KiB SVG)")
    print(f"=== {args.page}: {len(page_fences)} blocks in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
