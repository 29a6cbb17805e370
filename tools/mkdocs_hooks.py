"""MkDocs hooks: execute each lesson page's Python fences and show their output.

After every Python fence the hook appends what the fence printed (a ``text`` block) and
the figures it drew: one SVG file per figure under ``figures/``, named by its content, so
both languages share it. Under the page's last output a line names the environment that
produced it. A fence that raises, warns, or draws an empty figure stops the build with
the page and block named. Pages are parsed and run by :mod:`lessons.page`.
"""

from __future__ import annotations

import ast
import html
import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # MkDocs restores sys.path after loading hooks: see on_config

from lessons import environment  # noqa: E402
from lessons import page as pages  # noqa: E402
from tools import docexec, figures, languages, notebooks, prefetch, solutions  # noqa: E402

environment.pin_site_device()  # the published numbers, also on a maintainer's GPU

CACHE = docexec.Cache()
PENDING: dict[str, list[dict]] = {}  # page -> figures waiting for on_page_content
NOTEBOOKS: dict[str, str] = {}  # page -> notebook JSON, written next to the page's HTML
SEEN: set[str] = set()  # pages rendered in this build (a full build renders all)
SEARCH_LABEL = {"en": "Search", "zh": "搜索"}
API_LABEL = {"en": "API reference:", "zh": "API 参考："}
PRODUCED_BY = {"en": "Outputs on this page were produced with", "zh": "本页输出的运行环境："}
NOTEBOOK_LINK = {  # (language, is the overview) -> link text
    ("en", False): "Download this lesson as a Jupyter notebook",
    ("zh", False): "下载本课的 Jupyter 笔记本",
    ("en", True): "Download this page as a Jupyter notebook",
    ("zh", True): "下载本页的 Jupyter 笔记本",
}
PLACEHOLDER = "DOCEXEC-FIGURE-{}"
MODULES_MARKER = "<!-- lessons modules, in course order -->"


def _output_block(text: str, lang: str) -> list[str]:
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    title = languages.OUTPUT_TITLE[lang]
    return ["", f'{ticks}text title="{title}"', *text.rstrip("\n").split("\n"), ticks, ""]


def on_config(config):
    """Make ``lessons`` and ``tools`` importable while pages execute."""
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    SEEN.clear()
    return config


def on_pre_build(config):
    """Run the pages and solutions the cache lacks on every core (:mod:`tools.prefetch`).

    Only in a process that holds no results yet: a ``serve`` rebuild or the second
    language's build (about 0.5 s to key every page) runs a changed page in-process.
    """
    if docexec.executing() and not docexec.MEMORY:
        lessons = []
        for path in _pages(config):
            try:
                lessons.append(pages.Page.read(path))
            except pages.FenceError:  # a broken include: on_page_markdown names it
                continue
        extra = solutions.pages(Path(config.docs_dir) / "solutions")
        prefetch.prefetch([p for p in lessons if p.fences] + extra, CACHE)


def _notebook_name(page) -> str:
    return page.file.src_uri.split(".")[0] + ".ipynb"


def _with_notebook_link(markdown: str, page) -> str:
    """Put a download link to the page's notebook under its title."""
    lines = markdown.split("\n")
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    label = NOTEBOOK_LINK[languages.language_of(page.url), _notebook_name(page) == "index.ipynb"]
    link = f'<a class="notebook-link" href="{_notebook_name(page)}" download>{label} (.ipynb)</a>'
    lines[title + 1 : title + 1] = ["", link, ""]
    return "\n".join(lines)


def on_page_markdown(markdown, page, config, files):
    """Run the page's fences (or reuse cached results); add output, API links, a notebook link."""
    src = page.file.src_uri
    SEEN.add(src)
    if MODULES_MARKER in markdown:
        markdown = markdown.replace(MODULES_MARKER, _reference_modules())
    try:
        model = pages.Page.parse(markdown, f"docs/{src}")
    except pages.FenceError as err:
        raise PluginError(str(err)) from None
    if not model.fences:
        return markdown
    NOTEBOOKS[src] = notebooks.dumps(model)
    lines, lang = markdown.split("\n"), languages.language_of(page.url)
    extras = [_api_link(lines[f.start + 1 : f.end - 1], lang) for f in model.fences]
    if docexec.executing():
        outputs, produced = _outputs(model, lang)
        for extra, output in zip(extras, outputs, strict=True):
            extra += output
        lines += ["", f'<p class="docexec-environment">{PRODUCED_BY[lang]} {produced}</p>']
    for fence, extra in reversed(list(zip(model.fences, extras, strict=True))):
        lines[fence.end : fence.end] = extra
    return _with_notebook_link("\n".join(lines), page)


def _documented(module: str, name: str) -> bool:
    """Whether ``lessons/<module>.py`` defines a public ``name`` with a docstring (no import)."""
    path = Path(ROOT, "lessons", f"{module}.py")
    if name.startswith("_") or not path.is_file():
        return False
    for node in ast.parse(path.read_text("utf8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return bool(ast.get_docstring(node))
    return False


def _api_link(body: list[str], lang: str) -> list[str]:
    """Under a fence that only includes ``lessons/x.py:name``, link ``name``'s reference entry."""
    match = re.fullmatch(r'--8<-- "lessons/(\w+)\.py:(\w+)"', "\n".join(body).strip())
    if not match or not _documented(match.group(1), match.group(2)):
        return []  # not a documented public object of that module: no reference entry
    ref = f"lessons.{match.group(1)}.{match.group(2)}"
    return ["", f"{API_LABEL[lang]} [`{ref}`][{ref}]", ""]


def _reference_modules() -> str:
    """``::: lessons.x`` for every module: those the pages import, in nav order, then the rest."""
    order: list[str] = []
    for slug in pages.course():
        for lang_file in sorted(Path(ROOT, "docs").glob(f"{slug}.*.md"))[:1]:
            for module in docexec.imported_modules(pages.Page.read(lang_file).code):
                order += [] if module in order else [module]
    rest = sorted(set(docexec.all_modules()) - set(order))
    return "\n\n".join(f"::: {module}" for module in order + rest)


def _outputs(model: pages.Page, lang: str) -> tuple[list[list[str]], str]:
    """Markdown lines to put under each fence (printed text, figure placeholders); environment."""
    try:
        entry = CACHE.entry(model)
    except pages.FenceError as err:
        raise PluginError(str(err)) from None
    outputs, drawn = [], []
    for result in entry.results:
        extra = _output_block(result.stdout, lang) if result.stdout.strip() else []
        for fig in result.figures:
            drawn.append(fig)
            extra += ["", PLACEHOLDER.format(len(drawn)), ""]
        outputs.append(extra)
    PENDING[model.path.removeprefix("docs/")] = drawn
    return outputs, entry.environment


def on_page_content(content, page, config, files):
    """Swap figure placeholders for the figure files; fail if any is left unplaced."""
    for number, fig in enumerate(PENDING.pop(page.file.src_uri, []), start=1):
        tag = f"<p>{PLACEHOLDER.format(number)}</p>"
        if tag not in content:
            raise PluginError(f"docs/{page.file.src_uri}: figure {number} could not be placed")
        shown = figures.figure_html(fig["svg"], fig["alt"], number, page.url, config.site_dir)
        content = content.replace(tag, shown, 1)
    return _label_code_blocks(content, languages.language_of(page.url))


def _label_code_blocks(content: str, lang: str) -> str:
    """Name every code block for screen readers: its title (file, "Output"), else "Python code"."""

    def label(match: re.Match) -> str:
        name = html.escape(match.group(2) or languages.CODE_LABEL[lang], quote=True)
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
    lang = languages.language_of(page.url)
    label = SEARCH_LABEL[lang]  # Material's search dialog has no name
    output = output.replace('role="dialog">', f'role="dialog" aria-label="{label}">', 1)
    output = _relative_links(output, page.url, config)
    return languages.language_base(output, page.url, lang)


@event_priority(-110)  # after mkdocs-static-i18n (-100) has built the other languages
def on_post_build(config):
    """Split sitemap and search index per language; evict cache entries no page used."""
    sitemap = os.path.join(config.site_dir, "sitemap.xml")
    if config.site_url and os.path.exists(sitemap):
        with open(sitemap, encoding="utf8") as f:
            languages.split_sitemap(config.site_dir, config.site_url, f.read())
    index = os.path.join(config.site_dir, "search", "search_index.json")
    if os.path.exists(index):
        with open(index, encoding="utf8") as f:
            languages.split_search_index(config.site_dir, json.load(f))
    every_page = {p.relative_to(Path(config.docs_dir)).as_posix() for p in _pages(config)}
    if docexec.executing() and CACHE.enabled and every_page <= SEEN:  # a full build, not --dirty
        docexec.evict_unused(CACHE.dir)


def _pages(config) -> list[Path]:
    return sorted(Path(config.docs_dir).glob("**/*.md"))


def on_post_template(output_content, template_name, config):
    """The same for the 404 page of a local build (it lives at the site's root).

    A published site (``site_url`` set) keeps the 404 page's links absolute: GitHub Pages
    serves it at any missing path, where relative links would lead nowhere.
    """
    if template_name == "404.html":  # its search dialog needs a name too (axe, serious)
        label = SEARCH_LABEL["zh"]  # the 404 page is the default language's
        output_content = output_content.replace(
            'role="dialog">', f'role="dialog" aria-label="{label}">', 1
        )
    return output_content if config.site_url else _relative_links(output_content, "", config)
