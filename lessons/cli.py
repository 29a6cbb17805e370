"""Command line: ``python -m lessons [list]`` and ``python -m lessons run NAME``.

``run`` executes a lesson page's code blocks in order, exactly as the site build does
(from a clone of the repository, where ``docs/`` lives), prints what they print and
saves every figure as PNG to a folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COURSE = (  # (page, English title, Chinese title), in course order
    ("index", "Overview", "概述"),
    ("linear-model", "Linear model", "线性模型"),
    ("gradient-descent", "Gradient descent", "梯度下降"),
    ("backpropagation", "Backpropagation", "反向传播"),
    ("linear-regression", "Linear regression with PyTorch", "用 PyTorch 实现线性回归"),
    ("logistic-regression", "Logistic regression", "逻辑斯蒂回归"),
    ("multi-dimensional-input", "Multi-dimensional input", "多维特征输入"),
    ("dataset-and-dataloader", "Dataset and DataLoader", "加载数据集"),
    ("softmax-classifier", "Softmax classifier", "多分类问题"),
    ("basic-cnn", "Basic CNN", "卷积神经网络基础"),
    ("advanced-cnn", "Advanced CNN", "卷积神经网络高级篇"),
    ("basic-rnn", "Basic RNN", "循环神经网络基础"),
    ("advanced-rnn", "Advanced RNN", "循环神经网络高级篇"),
    ("numpy-to-nn-module", "From NumPy to nn.Module", "从 NumPy 到 nn.Module"),
    ("momentum", "Momentum", "动量"),
    ("gradient-accumulation", "Gradient accumulation", "梯度累加"),
)
NAMES = [name for name, _, _ in COURSE]


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m lessons", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command")
    sub.add_parser("list", help="list the lessons (the default)")
    run = sub.add_parser("run", help="run one lesson: print its results, save its figures")
    run.add_argument("name", help="a lesson name from `python -m lessons list`")
    run.add_argument("--lang", choices=("zh", "en"), default="en", help="page language")
    run.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    run.add_argument(
        "--seed", type=_seed, default=0, help="added to every seed (0: as on the site)"
    )
    run.add_argument("--out", type=Path, help="folder for figures (default: lesson-output/NAME)")
    return ap


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _seed(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text!r}")
    return int(text)


def list_lessons() -> int:
    """Print the lessons in course order."""
    for i, (name, en, zh) in enumerate(COURSE):
        print(f"{i:2d}  {name:<24} {en} / {zh}")
    return 0


def run_lesson(args: argparse.Namespace) -> int:
    """Run one lesson page's code; return the exit status."""
    page = REPO / "docs" / f"{args.name}.{args.lang}.md"
    if args.name not in NAMES:
        print(f"error: unknown lesson {args.name!r}; try `python -m lessons list`", file=sys.stderr)
        return 2
    if not page.exists():
        print(f"error: {page} not found: run from a clone of the repository", file=sys.stderr)
        return 2
    if args.device == "cuda" and not _cuda():
        print("error: --device cuda was asked for but no GPU is available", file=sys.stderr)
        return 2
    os.environ["LESSONS_DEVICE"], os.environ["LESSONS_SEED"] = args.device, str(args.seed)
    terminal = sys.stderr.isatty()  # progress (blocks, training-loop bars) in a terminal only
    os.environ["LESSONS_PROGRESS"] = "1" if terminal else "0"
    sys.path.insert(0, str(REPO))
    from tools import docexec  # the site's own executor

    docexec.PNG_DIR = args.out or Path("lesson-output") / args.name
    docexec.PNG_DIR.mkdir(parents=True, exist_ok=True)
    fences, namespace = docexec.fences(page.read_text("utf8")), {"__name__": "__lesson__"}
    start = time.perf_counter()
    for fence in fences:
        if terminal:
            print(f"[{fence.index}/{len(fences)}] line {fence.start + 1}", file=sys.stderr)
        t0 = time.perf_counter()
        try:
            result = docexec.run_fence(fence, namespace, str(page.relative_to(REPO)))
        except docexec.FenceError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(result.stdout, end="")
        for fig in result.figures:
            print(f"[figure: {fig['alt']}]")
        if terminal:
            print(f"      {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    seconds = time.perf_counter() - start
    print(f"{len(fences)} blocks in {seconds:.1f} s; figures saved to {docexec.PNG_DIR}/")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m lessons``."""
    args = _parser().parse_args(argv)
    if args.command == "run":
        return run_lesson(args)
    return list_lessons()
