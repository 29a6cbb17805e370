"""MkDocs hooks: execute each lesson page's Python fences and show their output.

After every Python fence the hook appends what the fence printed (a ``text`` block)
and the figures it drew (inline SVG with a text alternative). A fence that raises,
warns, or draws an empty figure stops the build with the page and block named.
"""

from __future__ import annotations

import html
import importlib
import json
import os
import re
import sys
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # MkDocs restores sys.path after loading hooks: see on_config

from tools import docexec, languages, notebooks  # noqa: E402

CACHE = docexec.Cache()
PENDING: dict[str, list[dict]] = {}  # page -> figures waiting for on_page_content
NOTEBOOKS: dict[str, str] = {}  # page -> notebook JSON, written next to the page's HTML
OUTPUT_TITLE = {"en": "Output", "zh": "输出"}
CODE_LABEL = {"en": "Python code", "zh": "Python 代码"}
SEARCH_LABEL = {"en": "Search", "zh": "搜索"}
API_LABEL = {"en": "API reference:", "zh": "API 参考："}
NOTEBOOK_LINK = {  # (language, is the overview) -> link text
    ("en", False): "Download this lesson as a Jupyter notebook",
    ("zh", False): "下载本课的 Jupyter 笔记本",
    ("en", True): "Download this page as a Jupyter notebook",
    ("zh", True): "下载本页的 Jupyter 笔记本",
}
PLACEHOLDER = "DOCEXEC-FIGURE-{}"


def _enabled() -> bool:
    return os.environ.get("LESSONS_EXEC", "on").lower() not in ("off", "0", "no")


def _language(src_uri: str) -> str:
    return "en" if src_uri.endswith(".en.md") else "zh"


def _output_block(text: str, lang: str) -> list[str]:
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    title = OUTPUT_TITLE[lang]
    return ["", f'{ticks}text title="{title}"', *text.rstrip("\n").split("\n"), ticks, ""]


def on_config(config):
    """Make ``lessons`` and ``tools`` importable while pages execute."""
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    return config


def _notebook_name(page) -> str:
    return page.file.src_uri.split(".")[0] + ".ipynb"


def _with_notebook_link(markdown: str, page) -> str:
    """Put a download link to the page's notebook under its title."""
    lines = markdown.split("\n")
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    label = NOTEBOOK_LINK[_language(page.file.src_uri), _notebook_name(page) == "index.ipynb"]
    link = f'<a class="notebook-link" href="{_notebook_name(page)}" download>{label} (.ipynb)</a>'
    lines[title + 1 : title + 1] = ["", link, ""]
    return "\n".join(lines)


def on_page_markdown(markdown, page, config, files):
    """Run the page's fences (or reuse cached results); add output, API links, a notebook link."""
    src = page.file.src_uri
    page_fences = docexec.fences(markdown)
    if not page_fences:
        return markdown
    NOTEBOOKS[src] = notebooks.dumps(markdown)
    lines, lang = markdown.split("\n"), _language(src)
    extras = [_api_link(lines[f.start + 1 : f.end - 1], lang) for f in page_fences]
    if _enabled():
        for extra, output in zip(extras, _outputs(page_fences, src, lang), strict=True):
            extra += output
    for fence, extra in reversed(list(zip(page_fences, extras, strict=True))):
        lines[fence.end : fence.end] = extra
    return _with_notebook_link("\n".join(lines), page)


def _api_link(body: list[str], lang: str) -> list[str]:
    """Under a fence that only includes ``lessons/x.py:name``, link ``name``'s reference entry."""
    match = re.fullmatch(r'--8<-- "lessons/(\w+)\.py:(\w+)"', "\n".join(body).strip())
    if not match or match.group(2).startswith("_"):
        return []
    module, name = f"lessons.{match.group(1)}", match.group(2)
    obj = getattr(importlib.import_module(module), name, None)
    if getattr(obj, "__module__", None) != module or not getattr(obj, "__doc__", None):
        return []  # not a documented public object of that module: no reference entry
    return ["", f"{API_LABEL[lang]} [`{module}.{name}`][{module}.{name}]", ""]


def _outputs(page_fences: list, src: str, lang: str) -> list[list[str]]:
    """Markdown lines to put under each fence: printed text, then figure placeholders."""
    try:
        results = CACHE.results(f"docs/{src}", page_fences)
    except docexec.FenceError as err:
        raise PluginError(str(err)) from None
    outputs, figures = [], []
    for result in results:
        extra = _output_block(result.stdout, lang) if result.stdout.strip() else []
        for fig in result.figures:
            figures.append(fig)
            extra += ["", PLACEHOLDER.format(len(figures)), ""]
        outputs.append(extra)
    PENDING[src] = figures
    return outputs


def _figure_html(fig: dict) -> str:
    alt = html.escape(fig["alt"], quote=True)
    svg = fig["svg"].replace("<svg ", f'<svg role="img" aria-label="{alt}" ', 1)
    return f'<figure class="docexec-figure">{svg}</figure>'


def on_page_content(content, page, config, files):
    """Swap figure placeholders for the inline SVG; fail if any is left unplaced."""
    figures = PENDING.pop(page.file.src_uri, [])
    for number, fig in enumerate(figures, start=1):
        tag = f"<p>{PLACEHOLDER.format(number)}</p>"
        if tag not in content:
            raise PluginError(f"docs/{page.file.src_uri}: figure {number} could not be placed")
        content = content.replace(tag, _figure_html(fig), 1)
    # Display formulas can scroll sideways: let keyboard users reach them (axe, serious).
    content = content.replace('<div class="arithmatex">', '<div class="arithmatex" tabindex="0">')
    return _label_code_blocks(content, _language(page.file.src_uri))


def _label_code_blocks(content: str, lang: str) -> str:
    """Name every code block for screen readers: its title (file, "Output"), else "Python code"."""

    def label(match: re.Match) -> str:
        name = html.escape(match.group(2) or CODE_LABEL[lang], quote=True)
        return f'<div class="highlight" role="group" aria-label="{name}">{match.group(1) or ""}'

    return re.sub(
        r'<div class="highlight">(<span class="filename">([^<]*)</span>)?', label, content
    )


def _relative_links(output: str, url: str, config) -> str:
    base = urlsplit(config.site_url or "/").path.rstrip("/") + "/"
    up = "../" * url.count("/") or "./"
    return re.sub(
        r'href="' + re.escape(base) + r'([^"]*)"',
        lambda m: f'href="{up}{m.group(1)}"',
        output,
    )


def on_post_page(output, page, config):
    """Write the page's notebook beside it; make root-absolute links relative.

    The language switcher's links come from ``site_url`` as root-absolute paths; relative
    links let the site work from any folder of any static server.
    """
    if page.file.src_uri in NOTEBOOKS:
        folder = os.path.dirname(os.path.join(config.site_dir, page.file.dest_uri))
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, _notebook_name(page)), "w", encoding="utf8") as f:
            f.write(NOTEBOOKS.pop(page.file.src_uri))
    lang = _language(page.file.src_uri)
    label = SEARCH_LABEL[lang]  # Material's search dialog has no name
    output = output.replace('role="dialog">', f'role="dialog" aria-label="{label}">', 1)
    output = languages.root_alternates(_relative_links(output, page.url, config), page.url)
    return languages.language_base(output, page.url, lang)


@event_priority(-110)  # after mkdocs-static-i18n (-100) has built the other languages
def on_post_build(config):
    """Give each language its own sitemap and search index (``tools/languages.py``)."""
    sitemap = os.path.join(config.site_dir, "sitemap.xml")
    if config.site_url and os.path.exists(sitemap):
        with open(sitemap, encoding="utf8") as f:
            languages.split_sitemap(config.site_dir, config.site_url, f.read())
    index = os.path.join(config.site_dir, "search", "search_index.json")
    if os.path.exists(index):
        with open(index, encoding="utf8") as f:
            languages.split_search_index(config.site_dir, json.load(f))


def on_post_template(output_content, template_name, config):
    """The same for the 404 page (which lives at the site's root)."""
    return _relative_links(output_content, "", config)
