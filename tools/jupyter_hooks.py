"""MkDocs hooks for the worked solutions, rendered by mkdocs-jupyter.

Each ``docs/solutions/<slug>.<lang>.py`` (jupytext percent format) becomes the page
``solutions/<slug>/`` (``en/solutions/<slug>/``). These hooks

- make those sources pages for MkDocs itself, so that mkdocs-static-i18n, which rebuilds every
  file as a plain ``File``, keeps them as pages with alternates (else the source is copied as is);
- add a "练习解答 / Solutions" section to the nav, in the lessons' order;
- execute the code cells with ``tools/docexec`` (cached on disk, shared by both languages) and
  let mkdocs-jupyter (``execute: false``) render the notebook *with those outputs*; math comes out
  as arithmatex markup, figures are shown from the site's shared SVG files, and the HTML is
  trimmed of JupyterLab's CSS (``tools/solution_html.py``).
  The result is cached on disk by the executed notebook, the page's language, this code and the
  renderer's versions and options (nbconvert compiles its templates anew for every page: about a
  second each), so an unchanged solution is neither run nor rendered again;
- link each lesson's exercise list to its solutions, and write the executed notebook next to the
  page for download.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import sys
from pathlib import Path

import nbformat
from mkdocs import utils
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.toc import get_toc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # MkDocs restores sys.path after loading hooks

from tools import docexec, solution_html, solutions  # noqa: E402

CACHE = docexec.Cache()  # a cache of its own: same directory and keys as the lesson pages'
BUILD_DIR = Path(ROOT) / ".cache" / "solutions"  # executed notebooks that mkdocs-jupyter renders
RENDERED = BUILD_DIR / "html"  # mkdocs-jupyter's trimmed HTML, keyed by the executed notebook
RENDERER = ("mkdocs-jupyter", "nbconvert", "mistune", "pygments", "beautifulsoup4", "mkdocs")
USED: dict[str, str] = {}  # src_uri -> render key, this process
NOTEBOOKS: dict[str, str] = {}  # src_uri -> executed notebook, written beside the page
NAV_SECTION = "练习解答"  # translated by nav_translations in mkdocs.yml
LINK = {
    "zh": "[参考解答]({target})：每道练习的推理、代码、输出和答案。",
    "en": "[Worked solutions]({target}): the reasoning, code, output and answer of each exercise.",
}
DOWNLOAD = {
    "zh": "下载本页的 Jupyter 笔记本（含输出）",
    "en": "Download these solutions as a Jupyter notebook, with outputs",
}
_IS_MARKDOWN = utils.is_markdown_file


def _is_page_source(path: str) -> bool:
    """MkDocs' test for a page, extended to the solutions notebooks."""
    return _IS_MARKDOWN(path) or bool(solutions.SOURCE_URI.fullmatch(path))


def on_config(config):
    """Register the solutions as page sources; add them to the nav."""
    utils.is_markdown_file = _is_page_source  # File.is_documentation_page() calls this
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    if config.nav is not None:
        config.nav = _with_solutions(config.nav, solutions.slugs())
    return config


def _lesson_slugs(nav) -> list[str]:
    found = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            found += _lesson_slugs(value)
        elif isinstance(value, str) and value.endswith(".md"):
            found.append(value.removesuffix(".md"))
    return found


def _with_solutions(nav: list, slugs: list[str]) -> list:
    """``nav`` plus a section of the solutions, in lesson order, before the reference."""
    nav = [item for item in nav if not (isinstance(item, dict) and NAV_SECTION in item)]
    ordered = [s for s in _lesson_slugs(nav) if s in slugs]
    if not ordered:
        return nav
    section = {NAV_SECTION: [f"solutions/{slug}.py" for slug in ordered]}
    at = next((i for i, item in enumerate(nav) if item == "reference.md"), len(nav))
    return [*nav[:at], section, *nav[at:]]


@event_priority(-10)  # after tools/mkdocs_hooks.py has made the lesson's notebook
def on_page_markdown(markdown, page, config, files):
    """Under a lesson's exercise heading, link its solutions (when they exist)."""
    name = Path(page.file.src_uri).name
    slug, _, lang = name.removesuffix(".md").partition(".")
    lang = lang or "zh"
    if lang not in solutions.EXERCISES or slug not in solutions.slugs():
        return markdown
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.rstrip() == solutions.EXERCISES[lang]:
            lines[i + 1 : i + 1] = ["", LINK[lang].format(target=f"solutions/{slug}.py")]
            break
    return "\n".join(lines)


@event_priority(-10)  # after mkdocs-jupyter has replaced page.render
def on_pre_page(page, config, files):
    """Run a solutions page's code, then let mkdocs-jupyter render the executed notebook."""
    if not solutions.SOURCE_URI.fullmatch(page.file.src_uri):
        return page
    jupyter_render = page.render

    def render(config, files):
        _render(page, jupyter_render, config, files)
        page.meta["search"] = {"boost": 0.5}  # a lesson ranks above its own solutions

    page.render = render
    return page


def _render(page, jupyter_render, config, files) -> None:
    src = page.file.src_uri
    slug, lang = solutions.SOURCE_URI.fullmatch(src).groups()
    try:
        nb = solutions.execute(
            page.file.content_string, f"docs/{src}", CACHE if docexec.executing() else None
        )
    except solutions.SolutionError as err:
        raise PluginError(str(err)) from None
    NOTEBOOKS[src] = nbformat.writes(nb)  # for download: figures inline
    shown = nbformat.writes(solutions.with_figure_files(nb, page.url, config.site_dir))
    USED[src] = key = _render_key(shown, lang, config)
    path = RENDERED / f"{key}.json"
    if CACHE.enabled and path.exists():
        rendered = json.loads(path.read_text("utf8"))
    else:
        rendered = _jupyter_render(page, jupyter_render, config, files, shown)
        RENDERED.mkdir(parents=True, exist_ok=True)
        docexec.write_atomic(path, json.dumps(rendered, ensure_ascii=False))
    link = (
        f'<p><a class="notebook-link" href="{slug}-solutions.ipynb" download>'
        f"{DOWNLOAD[lang]} (.ipynb)</a></p>"
    )
    page.content = rendered["content"].replace("</h1>", "</h1>" + link, 1)
    page.toc, page.title = get_toc(rendered["toc"]), rendered["title"]


def _render_key(text: str, lang: str, config) -> str:
    h = hashlib.sha256(f"{lang}\0{text}".encode())
    for name in RENDERER:
        h.update(f"\0{name}={importlib.metadata.version(name)}".encode())
    for module in (solutions.__file__, solution_html.__file__, __file__):
        h.update(Path(module).read_bytes())
    plugin = config.plugins.get("mkdocs-jupyter")
    h.update(repr(sorted(dict(plugin.config).items()) if plugin else None).encode())
    return h.hexdigest()[:32]


def _jupyter_render(page, jupyter_render, config, files, text: str) -> dict:
    """mkdocs-jupyter's render of the executed notebook, trimmed: content, toc tokens, title."""
    slug, lang = solutions.SOURCE_URI.fullmatch(page.file.src_uri).groups()
    executed = BUILD_DIR / lang / f"{slug}-solutions.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    docexec.write_atomic(executed, text)  # another build may be reading it
    source = page.file.abs_src_path
    page.file.abs_src_path = str(executed)  # mkdocs-jupyter renders the file at this path
    try:
        with solution_html.arithmatex_math():
            jupyter_render(config, files)
    finally:
        page.file.abs_src_path = source
    content = solution_html.lean_html(page.content, [a.id for a in _anchors(page.toc)], lang)
    return {"content": content, "toc": _tokens(page.toc), "title": page.title}


def _tokens(items) -> list[dict]:
    return [
        {"level": a.level, "id": a.id, "name": a.title, "children": _tokens(a.children)}
        for a in items
    ]


def _anchors(items):
    for item in items:
        yield item
        yield from _anchors(item.children)


def on_post_page(output, page, config):
    """Write the executed notebook beside its page."""
    text = NOTEBOOKS.pop(page.file.src_uri, None)
    if text is not None:
        slug = solutions.SOURCE_URI.fullmatch(page.file.src_uri).group(1)
        folder = Path(config.site_dir) / Path(page.file.dest_uri).parent
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{slug}-solutions.ipynb").write_text(text, "utf8")
    return output


@event_priority(-110)  # after mkdocs-static-i18n (-100) has built the other languages
def on_post_build(config):
    """Once every solutions page of every language is rendered, drop unused renders."""
    if len(USED) < 2 * len(solutions.slugs()) or not RENDERED.is_dir():
        return
    for path in RENDERED.glob("*.json"):
        if path.stem not in USED.values():
            path.unlink()
