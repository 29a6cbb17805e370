"""The API reference as a phone can load it: one fold per module, a short table of contents.

mkdocstrings writes every module of ``lessons`` into one page: about 18,000 elements,
whose layout alone blocks a phone's main thread for seconds. :func:`fold_modules` puts
each module in a closed ``<details>`` whose summary is the module's heading, so the
browser lays out only the folds a reader opens; a link to a function opens its fold
(``overrides/main.html``), and find-in-page opens folds by itself. :func:`module_toc`
keeps the table of contents to the modules.
"""

from __future__ import annotations

import re

MODULE = '<div class="doc doc-object doc-module">'
HEADING = re.compile(r"(<h2 [^>]*>)(.*?)<a [^>]*class=\"headerlink\"[^>]*>.*?</a>\s*(</h2>)", re.S)
DIV = re.compile(r"<div\b|</div>")


def _module_end(content: str, start: int) -> int:
    """Index just past the ``</div>`` that closes the ``<div`` at ``start``."""
    depth = 0
    for match in DIV.finditer(content, start):
        depth += 1 if match.group() == "<div" else -1
        if depth == 0:
            return match.end()
    raise ValueError(f"unclosed module block at character {start}")


def fold(block: str) -> str:
    """One module's block, its heading made the summary of a closed fold of the rest."""
    heading = HEADING.search(block)
    if heading is None:
        raise ValueError("a module block without an <h2> heading")
    summary = f"<summary>{heading.group(1)}{heading.group(2).strip()}{heading.group(3)}</summary>"
    inner = block[len(MODULE) : heading.start()] + block[heading.end() : -len("</div>")]
    return f'{MODULE}<details class="doc-fold">{summary}{inner}</details></div>'


def fold_modules(content: str) -> str:
    """Fold every top-level module block of a reference page (see the module docstring)."""
    out, last = [], 0
    start = content.find(MODULE)
    while start != -1:
        end = _module_end(content, start)
        out += [content[last:start], fold(content[start:end])]
        last = end
        start = content.find(MODULE, end)
    return "".join(out) + content[last:]


def module_toc(toc) -> None:
    """Cut a table of contents (MkDocs' ``page.toc``) below its second level, in place."""
    for item in toc:
        for child in item.children:
            child.children = []
