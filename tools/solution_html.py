"""The HTML of a worked solutions page: mkdocs-jupyter's render, in the lesson pages' markup.

:func:`arithmatex_math` makes nbconvert write math as ``pymdownx.arithmatex`` does, for the
site's build-time KaTeX; :func:`lean_html` trims the render to the notebook's content.
``tools/solution_pages.py`` calls both around mkdocs-jupyter's render.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from bs4 import BeautifulSoup
from nbconvert.filters.markdown_mistune import IPythonRenderer

from tools import languages


# Math as pymdownx.arithmatex writes it (generic mode), for the site's KaTeX.
def _inline_math(self, body: str) -> str:
    return f'<span class="arithmatex">\\({self.escape_html(body)}\\)</span>'


def _block_math(self, body: str) -> str:
    return f'<div class="arithmatex">\\[{self.escape_html(body)}\\]</div>'


def _latex_environment(self, name: str, body: str) -> str:
    env = f"\\begin{{{name}}}{body}\\end{{{name}}}"
    return f'<div class="arithmatex">\\[{self.escape_html(env)}\\]</div>'


@contextlib.contextmanager
def arithmatex_math() -> Iterator[None]:
    """While rendering, make nbconvert's Markdown write math as arithmatex does.

    nbconvert leaves ``$...$`` in the text for MathJax, which this site does not load.
    """
    methods = {"inline_math": _inline_math, "block_math": _block_math}
    methods["latex_environment"] = _latex_environment
    saved = {name: getattr(IPythonRenderer, name) for name in methods}
    try:
        for name, method in methods.items():
            setattr(IPythonRenderer, name, method)
        yield
    finally:
        for name, method in saved.items():
            setattr(IPythonRenderer, name, method)


def lean_html(content: str, heading_ids: list[str], lang: str) -> str:
    """Trim mkdocs-jupyter's HTML to the notebook's content, in the lesson pages' markup.

    Drops the inlined JupyterLab CSS (about 600 KB), the scripts (MathJax with an empty URL,
    Mermaid, a clipboard helper, with a duplicate of every code cell) and the cells' nested
    wrappers: what is left is a flat run of blocks, as on a lesson page, so the site's phone
    layout applies (each block laid out when it scrolls near, ``extra.css``). Code cells
    become Material code blocks (its colors and copy button) named for screen readers in
    ``lang``, printed output a block titled "Output", as on the lesson pages; heading ids
    become ``heading_ids`` (those of the page's table of contents); display math leaves its
    ``<p>``.
    """
    soup = BeautifulSoup(content, "html.parser")
    wrapper = soup.select_one("div.jupyter-wrapper")
    if wrapper is None:
        raise ValueError("no div.jupyter-wrapper in mkdocs-jupyter's output")
    for block in wrapper.select("div.highlight-ipynb"):
        _code_block(soup, block, block.pre, languages.LABELS[lang]["code"])
    for text in wrapper.select("div.jp-RenderedText"):
        pre, title = text.pre.extract(), soup.new_tag("span", attrs={"class": "filename"})
        title.string = languages.LABELS[lang]["output"]
        text.clear()
        text.extend([title, pre])
        _code_block(soup, text, pre, languages.LABELS[lang]["output"])
    _set_heading_ids(wrapper, heading_ids)
    for math in wrapper.select("p > div.arithmatex"):
        paragraph = math.parent
        if paragraph.get_text(strip=True) == math.get_text(strip=True):
            paragraph.replace_with(math)
    return "\n".join(str(block) for block in _blocks(wrapper))


def _code_block(soup, block, pre, label: str) -> None:
    """Make ``block`` a Material code block, ``<pre><code>``, named ``label``."""
    block.attrs = {"class": ["highlight"], "role": "group", "aria-label": label}
    code = soup.new_tag("code")
    code.extend(list(pre.contents))
    pre.append(code)


def _blocks(wrapper) -> list:
    """The notebook's blocks in order: Markdown cells' content, code, output, figures."""
    found = []
    for piece in wrapper.select("div.jp-RenderedMarkdown, div.highlight, div.jp-RenderedHTML"):
        if piece.find_parent("div", class_=["jp-RenderedMarkdown", "jp-RenderedHTML"]):
            continue  # inside a piece already taken
        if "highlight" in piece["class"]:
            found.append(piece)
        else:
            found += [c for c in piece.children if c.name or c.strip()]
    return found


def _set_heading_ids(wrapper, heading_ids: list[str]) -> None:
    headings = wrapper.select("h1, h2, h3, h4, h5, h6")
    if len(headings) != len(heading_ids):
        raise ValueError(
            f"{len(headings)} headings but {len(heading_ids)} table-of-contents entries"
        )
    for heading, anchor in zip(headings, heading_ids, strict=True):
        heading["id"] = anchor
        link = heading.select_one("a.anchor-link")
        if link is not None:
            link["class"] = ["headerlink"]
            link["href"] = f"#{anchor}"
            link["title"] = "Permanent link"
