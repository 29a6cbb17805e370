"""Compare two built sites file by file; exit 1 on any difference, showing where.

Usage: ``python -m tools.compare_sites [--outputs] SITE_A SITE_B``. CI builds the site twice,
once from a cold cache under other thread counts and CPU paths, and runs this: the pages must
be byte-identical. For each differing file it prints the first differing lines (text) or the
first differing byte.

With ``--outputs`` only what the code printed and drew is compared: on every page, its output
blocks, its figures (their files are named by their content) and its environment line. Two
builds of the course before and after a change that moved code but changed no result must
agree there, whatever their listings say.
"""

from __future__ import annotations

import difflib
import html
import re
import sys
from pathlib import Path

from tools.languages import LABELS

OUTPUT = re.compile(
    r'<div[^>]*aria-label="(?:{})"[^>]*>(.*?)</div>'.format(
        "|".join(re.escape(labels["output"]) for labels in LABELS.values())
    ),
    re.S,
)
SHOWN = re.compile(
    OUTPUT.pattern + r'|<img src="[^"]*figures/([^"]+)" alt="([^"]*)"'
    r'|<p class="docexec-environment">(.*?)</p>',
    re.S,
)


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


def shown(page: str) -> list[str]:
    """What ``page`` (HTML) shows of its code's run, in order: outputs, figures, environment."""
    found = []
    for match in SHOWN.finditer(page):
        text, figure, alt, environment = match.groups()
        if text is not None:
            found.append("output: " + html.unescape(re.sub(r"<[^>]+>", "", text)))
        elif figure is not None:
            found.append(f"figure: {figure} {html.unescape(alt)}")
        else:
            found.append("environment: " + environment)
    return found


def compare_outputs(a: Path, b: Path) -> list[str]:
    """Describe where the two sites' pages show other outputs, figures or environments."""
    pages = sorted(p for p in files(a) | files(b) if p.endswith(".html"))
    problems = []
    for path in pages:
        sides = [
            (root / path).read_text("utf8") if (root / path).exists() else "" for root in (a, b)
        ]
        x, y = (shown(side) for side in sides)
        if x != y:
            n = next((i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), len(x))
            before, after = (x[n : n + 1] or ["(nothing)"])[0], (y[n : n + 1] or ["(nothing)"])[0]
            problems.append(
                f"differs: {path}, shown item {n + 1}:\n  {before[:300]!r}\n  {after[:300]!r}"
            )
    figures = [root / "figures" for root in (a, b)]
    problems += compare(*figures) if all(f.is_dir() for f in figures) else []
    return problems


def main(argv: list[str]) -> int:
    """Compare the two sites named in ``argv``; print the differences; return 0 if none."""
    only_outputs = "--outputs" in argv
    argv = [arg for arg in argv if arg != "--outputs"]
    if len(argv) != 2:
        print("usage: python -m tools.compare_sites [--outputs] SITE_A SITE_B", file=sys.stderr)
        return 2
    a, b = map(Path, argv)
    problems = compare_outputs(a, b) if only_outputs else compare(a, b)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} difference(s) between {a} and {b}")
        return 1
    what = "pages show the same outputs" if only_outputs else "files, byte-identical"
    print(f"{len(files(a))} {what}: {a} and {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
