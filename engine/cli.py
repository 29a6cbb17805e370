"""Command line: ``python -m lessons [list]`` and ``python -m lessons run NAME``.

``run`` executes a lesson page's code blocks in order with the site's executor, from a clone
of the repository (where ``docs/`` lives), prints what they print and saves every figure as
PNG to a folder; ``--solutions`` runs the lesson's worked solutions instead. The course is
the site's ``nav``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from engine import executor, pages, solutions


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m lessons", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command")
    sub.add_parser("list", help="list the lessons (the default)")
    run = sub.add_parser("run", help="run one lesson: print its results, save its figures")
    run.add_argument("name", help="a lesson name from `python -m lessons list`")
    run.add_argument("--lang", choices=pages.languages(), default="en", help="page language")
    run.add_argument("--solutions", action="store_true", help="run its worked solutions")
    run.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    run.add_argument(
        "--seed", type=_seed, default=0, help="added to every seed (0: as on the site)"
    )
    run.add_argument("--out", type=Path, help="folder for figures (default: lesson-output/NAME)")
    return ap


def cuda() -> bool:
    """Whether torch sees a GPU."""
    import torch

    return torch.cuda.is_available()


def _seed(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text!r}")
    return int(text)


def list_lessons() -> int:
    """Print the lessons in course order, with their titles in every language."""
    for i, slug in enumerate(pages.lessons()):
        files = [pages.page_file(slug, lang) for lang in pages.languages()]
        titles = [pages.title(file.read_text("utf8")) for file in files]
        print(f"{i:2d}  {slug:<24} {' / '.join(titles)}")
    return 0


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _source(args: argparse.Namespace) -> Path:
    if args.solutions:
        return solutions.SOURCES / f"{args.name}.{args.lang}.py"
    return pages.page_file(args.name, args.lang)


def run_lesson(args: argparse.Namespace) -> int:
    """Run one lesson page's code (or its worked solutions'); return the exit status."""
    if args.name not in pages.lessons():
        return _error(f"unknown lesson {args.name!r}; try `python -m lessons list`")
    if args.solutions and not _source(args).exists():
        return _error(f"lesson {args.name!r} has no worked solutions")
    if args.device == "cuda" and not cuda():
        return _error("--device cuda was asked for but no GPU is available")
    os.environ["LESSONS_DEVICE"], os.environ["LESSONS_SEED"] = args.device, str(args.seed)
    terminal = sys.stderr.isatty()  # progress (blocks, training-loop bars) in a terminal only
    os.environ["LESSONS_PROGRESS"] = "1" if terminal else "0"
    page = pages.Page.read(_source(args))
    png_dir = args.out or Path("lesson-output") / args.name
    png_dir.mkdir(parents=True, exist_ok=True)
    namespace, start = executor.new_namespace(), time.perf_counter()
    for fence in page.fences:
        if terminal:
            print(f"[{fence.index}/{len(page.fences)}] line {fence.start + 1}", file=sys.stderr)
        try:
            result = executor.run_fence(fence, namespace, page.path, png_dir)
        except pages.FenceError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(result.stdout, end="")
        for fig in result.figures:
            print(f"[figure: {fig['alt']}]")
    seconds = time.perf_counter() - start
    print(f"{len(page.fences)} blocks in {seconds:.1f} s; figures saved to {png_dir}/")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m lessons``."""
    args = _parser().parse_args(argv)
    if args.command == "run":
        return run_lesson(args)
    return list_lessons()
