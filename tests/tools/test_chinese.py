"""Chinese prose follows Chinese usage: “…” quotes, and a decrease is never "N 倍" smaller.

Only prose is read: code fences, inline code, math, HTML tags, link targets and the Markdown
syntax that needs ASCII quotes (an admonition's title, a fence's title) are left out.
"""

from __future__ import annotations

import re

import pytest

from engine import pages

DOCS = pages.ROOT / "docs"
NOT_PROSE = re.compile(
    r"`[^`\n]*`"  # inline code
    r"|\$\$.*?\$\$|\$[^$\n]+\$"  # math
    r"|<[^>\n]+>"  # HTML tags (their attributes)
    r"|\]\([^)\s]*\)"  # link targets
    r"|^\s*(?:!!!|\?\?\?\+?)[^\n]*$"  # admonition lines: !!! warning "标题"
    r"|\{[^}\n]*\}",  # attribute lists
    re.S | re.M,
)
CJK = re.compile(r"[\u4e00-\u9fff]")  # a line in English (a reference) keeps its quotes
# A decrease written as a multiple: 低 42 倍, 小了 K 倍, 少做了 8 倍, 减少到……的 N 倍 is fine.
SMALLER_BY = re.compile(
    r"(?:低|小|少|慢|短|轻|降低|减少|缩小|下降)了?(?:约|大约)?\s*"
    r"[\dA-Za-z一二三四五六七八九十百千万几数]+(?:\.\d+)?\s*倍"
)


def prose(text: str, solution: bool = False) -> str:
    """The prose of a page (Markdown) or of a worked solution (its Markdown cells)."""
    if solution:  # jupytext percent format: Markdown cells are '# ' comments
        cells = re.split(r"^# %%.*$", text, flags=re.M)
        text = "\n".join(
            re.sub(r"^# ?", "", cell, flags=re.M) for cell in cells if cell.lstrip().startswith("#")
        )
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1\s*$", "", text, flags=re.S | re.M)  # fences
    return NOT_PROSE.sub(" ", text)


def sources() -> list:
    return sorted(DOCS.glob("*.zh.md")) + sorted(DOCS.glob("solutions/*.zh.py"))


def prose_of(path) -> str:
    return prose(path.read_text("utf8"), solution=path.suffix == ".py")


@pytest.mark.parametrize("path", sources(), ids=lambda p: p.name)
def test_quotes_are_chinese(path):
    lines = [
        line.strip() for line in prose_of(path).splitlines() if '"' in line and CJK.search(line)
    ]
    assert not lines, f'{path.name}: ASCII " in Chinese prose (use “…”): {lines[:3]}'


@pytest.mark.parametrize("path", sources(), ids=lambda p: p.name)
def test_a_decrease_is_not_written_as_a_multiple(path):
    found = SMALLER_BY.findall(prose_of(path))
    assert not found, f"{path.name}: {found} (write 约为……的 1/N, or 只有……的 N 分之一)"


def test_the_checks_see_what_they_must():
    """Both checks fire on a sample and skip code, math and admonition titles."""
    solution = '# %% [markdown]\n# 它说 "你好"，损失低 42 倍。\n\n# %%\nx = "代码里的引号"\n'
    text = prose(solution, solution=True)
    assert '"你好"' in text and SMALLER_BY.findall(text) == ["低 42 倍"]
    assert "代码里" not in text
    page = '!!! warning "标题"\n    正文 `"x"` 与 $a"$。\n\n```python title="a.py"\nx = "1"\n```\n'
    assert '"' not in prose(page) and "正文" in prose(page)
