"""Estimated heights for the blocks a phone lays out only when they scroll near.

``extra.css`` gives long pages' blocks ``content-visibility: auto``: until a block comes
near the screen it is not laid out and takes the height ``contain-intrinsic-size`` says.
A wrong guess moves everything below it once the block is laid out, and tools that
scroll to an element and then measure it (axe's contrast check in Lighthouse) measure
the wrong place. :func:`reserve` writes each block's height as a phone 412 px wide lays
it out, estimated from its text, code lines and formulas, into its ``style``.
"""

from __future__ import annotations

import html.parser
import math
import re

COLUMN = 380.0  # px of text on a 412 px screen (Material's margins)
LINE = 25.6  # px: 16 px text, line height 1.6
CODE_LINE = 19.04  # px: code at 13.6 px, line height 1.4
BLOCKS = {"p", "ul", "ol", "div", "details"}  # top-level blocks that get a height
WIDE = re.compile(r"[\u1100-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
TEX_NAME = re.compile(r"\\[A-Za-z]+|\\.")
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def text_width(text: str) -> float:
    """Width in px of running text at 16 px: CJK characters are square, others about half."""
    wide = len(WIDE.findall(text))
    return 16.0 * wide + 7.2 * (len(text) - wide)


def tex_width(tex: str) -> float:
    """Width in px of an inline formula: one symbol per command or character."""
    symbols = len(TEX_NAME.findall(tex)) + len(re.sub(r"[{}^_ ]", "", TEX_NAME.sub("", tex)))
    return 10.5 * symbols + 4


def lines(width: float, column: float = COLUMN) -> int:
    """Lines a run of ``width`` px of text takes in a ``column`` px wide, rounded up."""
    return max(1, math.ceil(width / column))


def _block(tag: str, cls: str, pos: tuple[int, int]) -> dict:
    """A top-level block: where it starts, its runs of text (px), code, formulas."""
    return {
        "tag": tag,
        "class": cls,
        "pos": pos,
        "items": [],
        "code": "",
        "math": [],
        "title": False,
    }


class _Blocks(html.parser.HTMLParser):
    """Walk a page's content HTML; note each top-level block's extent and measures."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth, self.blocks, self.stack = 0, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth == 0:
            self.blocks.append(_block(tag, attrs.get("class") or "", self.getpos()))
        block = self.blocks[-1] if self.blocks else None
        if block is not None:
            if tag in ("li", "p", "dd") or (tag == "div" and self.depth == 0):
                block["items"].append(0.0)  # a new run of text: it starts a new line
            block["title"] |= "filename" in (attrs.get("class") or "")  # a code block's title
        self.stack.append((tag, attrs.get("class") or ""))
        if tag not in VOID:
            self.depth += 1
        else:
            self.stack.pop()

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()
            self.depth -= 1

    def handle_data(self, data):
        if not self.blocks or self.depth == 0:
            return
        block, inside = self.blocks[-1], [t for t, _ in self.stack]
        if "pre" in inside:
            block["code"] += data
            return
        if not block["items"]:
            block["items"].append(0.0)
        classes = " ".join(c for _, c in self.stack)
        if "arithmatex" in classes:
            block["math"].append(data)
            width = tex_width(data) if data.startswith("\\(") else 0.0
        elif "code" in inside:
            width = 8.2 * len(data) + 9.4
        else:
            width = text_width(data)
        block["items"][-1] += width


def display_height(tex: str) -> float:
    """Height in px of a display formula: its rows, taller with fractions, and margins."""
    body = tex.strip().removeprefix("\\[").removesuffix("\\]")
    rows = body.count("\\\\") + 1
    tall = ("\\frac" in body or "\\sum" in body or "\\begin{pmatrix}" in body) * 14.0
    return 2 * 19.36 + rows * (24.0 + tall) + (rows - 1) * 6.0


def height(block: dict) -> float | None:
    """Estimated height in px of one top-level block, or ``None`` for blocks left alone."""
    tag, cls, items = block["tag"], block["class"], block["items"]
    if tag == "p":
        return lines(sum(items)) * LINE
    if tag in ("ul", "ol"):
        return sum(lines(w, COLUMN - 32) for w in items if w > 8) * LINE + 4.0 * len(items)
    if "highlight" in cls:
        code_lines = block["code"].rstrip("\n").count("\n") + 1
        return code_lines * CODE_LINE + 53.0 + 38.0 * block["title"]
    if "arithmatex" in cls and block["math"]:
        return display_height("".join(block["math"]))
    if "admonition" in cls or tag == "details":
        small = [lines(0.8 * w, COLUMN - 28) * 0.8 * LINE for w in items[2:] if w > 8]
        return 60.0 + sum(small) + block["code"].count("\n") * CODE_LINE
    return None


def reserve(content: str) -> str:
    """Write each top-level block's estimated height into its ``style``."""
    parser = _Blocks()
    parser.feed(content)
    starts = [0] + [m.end() for m in re.finditer("\n", content)]
    out, last = [], 0
    for block in parser.blocks:
        px = height(block) if block["tag"] in BLOCKS else None
        if px is None:
            continue
        line, col = block["pos"]
        at = content.index(">", starts[line - 1] + col)  # the end of its start tag
        if "style=" in content[starts[line - 1] + col : at]:
            continue
        out += [content[last:at], f' style="contain-intrinsic-size:auto {px:.0f}px"']
        last = at
    return "".join(out) + content[last:]
