"""Compare two built sites file by file; exit 1 on any difference, showing where.

Usage: ``python -m tools.compare_sites SITE_A SITE_B``. CI builds the site twice, cold,
under different thread counts, and runs this: the pages must be byte-identical. For each
differing file it prints the first differing lines (text) or the first differing byte.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path


def files(root: Path) -> set[str]:
    """Every file below ``root``, as a relative POSIX path."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def first_difference(a: bytes, b: bytes, context: int = 3) -> str:
    """A few lines of unified diff of two texts, or the first differing byte offset."""
    try:
        lines_a, lines_b = a.decode("utf8").splitlines(), b.decode("utf8").splitlines()
    except UnicodeDecodeError:
        pairs = enumerate(zip(a, b, strict=False))
        offset = next((i for i, (x, y) in pairs if x != y), min(len(a), len(b)))
        return f"  first differing byte at offset {offset}"
    diff = difflib.unified_diff(lines_a, lines_b, lineterm="", n=0)
    shown = [line[:200] for line in list(diff)[2 : 2 + 2 * context + 1]]
    return "\n".join(f"  {line}" for line in shown)


def compare(a: Path, b: Path, limit: int = 10) -> list[str]:
    """Describe every difference between the trees ``a`` and ``b`` (empty if identical)."""
    left, right = files(a), files(b)
    problems = [f"only in {a}: {p}" for p in sorted(left - right)]
    problems += [f"only in {b}: {p}" for p in sorted(right - left)]
    for path in sorted(left & right):
        x, y = (a / path).read_bytes(), (b / path).read_bytes()
        if x != y and len(problems) < limit:
            problems.append(f"differs: {path}\n{first_difference(x, y)}")
        elif x != y:
            problems.append(f"differs: {path}")
    return problems


def main(argv: list[str]) -> int:
    """Compare the two sites named in ``argv``; print the differences; return 0 if none."""
    if len(argv) != 2:
        print("usage: python -m tools.compare_sites SITE_A SITE_B", file=sys.stderr)
        return 2
    a, b = map(Path, argv)
    problems = compare(a, b)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} difference(s) between {a} and {b}")
        return 1
    print(f"{len(files(a))} files, byte-identical: {a} and {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
