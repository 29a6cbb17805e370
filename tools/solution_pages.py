"""MkDocs plugin ``solution-pages``: worked solutions, run by the engine, shown by mkdocs-jupyter.

Each ``docs/solutions/<slug>.<lang>.py`` (jupytext percent format) becomes the page
``solutions/<slug>/`` (``en/solutions/<slug>/``). The plugin

- makes those sources pages for MkDocs itself, so that mkdocs-static-i18n, which rebuilds every
  file as a plain ``File``, keeps them as pages with alternates (else the source is copied as is);
- adds a "练习解答 / Solutions" section to the nav, in the lessons' order;
- runs the code cells with the engine (:mod:`engine.solutions`; the same runs as the lesson
  pages, one per key for both languages) and lets mkdocs-jupyter (``execute: false``) render
  the notebook *with those outputs*; math comes out as arithmatex markup, figures are shown
  from the site's shared SVG files, and the HTML is trimmed of JupyterLab's CSS
  (``tools/solution_html.py``). The render is cached in the engine's cache (``renders``),
  keyed by the executed notebook, the page's language, this code and the renderer's
  versions and options (nbconvert compiles its templates anew for every page: about a second
  each), so an unchanged solution is neither run nor rendered again;
- links each lesson's exercise list to its solutions, and writes the executed notebook next
  to the page for download.

Writing one: the first Markdown cell is ``# <title>：练习解答`` / ``# <title>: solutions``,
then ``## 练习 N`` / ``## Exercise N`` per exercise. nbconvert (not Python-Markdown) renders
the Markdown cells, so MkDocs features do not apply there: no admonitions, and links to
pages must be site URLs (``../../momentum/``), not ``momentum.md``. ``$`` is math only; a
``$$...$$`` display stands alone in its paragraph. Code cells may include ``lessons`` code
with ``--8<--``, as lesson pages do.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.metadata
from pathlib import Path

import nbformat
from mkdocs import utils
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.toc import get_toc

from engine import cache, notebooks, pages, solutions
from tools import figures, languages, solution_html
from tools.lesson_pages import colab_link

BUILD_DIR = cache.CACHE_DIR / "solutions"  # executed notebooks that mkdocs-jupyter renders
RENDERER = ("mkdocs-jupyter", "nbconvert", "mistune", "pygments", "beautifulsoup4", "mkdocs")
NAV_SECTION = "练习解答"  # translated by nav_translations in mkdocs.yml
_IS_MARKDOWN = utils.is_markdown_file


def _is_page_source(path: str) -> bool:
    """MkDocs' test for a page, extended to the solutions notebooks."""
    return _IS_MARKDOWN(path) or bool(solutions.SOURCE_URI.fullmatch(path))


class SolutionPages(BasePlugin):
    """Worked solutions run and rendered: the state of one build, for all its languages."""

    def __init__(self) -> None:
        self.renders = cache.Store("renders")
        self.notebooks: dict[str, str] = {}  # src_uri -> executed notebook, written beside it
        self.runs: cache.Runs | None = None  # the lesson pages' (one run per key)
        self.published: notebooks.Published | None = None  # the lesson pages' (REPO_URL)

    def on_config(self, config):
        """Register the solutions as page sources; add them to the nav; share the runs."""
        utils.is_markdown_file = _is_page_source  # File.is_documentation_page() calls this
        self.runs = config.plugins["lesson-pages"].runs
        self.published = config.plugins["lesson-pages"].published  # its on_config runs first
        if config.nav is not None:
            config.nav = with_solutions(config.nav, solutions.slugs())
        return config

    @event_priority(-10)  # after lesson-pages has made the lesson's notebook
    def on_page_markdown(self, markdown, page, config, files):
        """Under a lesson's exercise heading, link its solutions (when they exist)."""
        slug = Path(page.file.src_uri).name.split(".")[0]
        if slug not in solutions.slugs():
            return markdown
        heading = languages.label(page.url, "exercises")
        link = languages.label(page.url, "solutions link").format(target=f"solutions/{slug}.py")
        lines = markdown.split("\n")
        for i, line in enumerate(lines):
            if line.rstrip() == heading:
                lines[i + 1 : i + 1] = ["", link]
                break
        return "\n".join(lines)

    @event_priority(-10)  # after mkdocs-jupyter has replaced page.render
    def on_pre_page(self, page, config, files):
        """Run a solutions page's code, then let mkdocs-jupyter render the executed notebook."""
        if not solutions.SOURCE_URI.fullmatch(page.file.src_uri):
            return page
        jupyter_render = page.render

        def render(config, files):
            self.render(page, jupyter_render, config, files)
            page.meta["search"] = {"boost": 0.5}  # a lesson ranks above its own solutions

        page.render = render
        return page

    def render(self, page, jupyter_render, config, files) -> None:
        """Run the solutions page's code and set its content, table of contents and title."""
        src = page.file.src_uri
        slug = solutions.SOURCE_URI.fullmatch(src).group(1)
        try:
            model = pages.Page.parse(page.file.content_string, f"docs/{src}")
            nb = solutions.execute(model, self.runs if cache.executing() else None)
        except (solutions.SolutionError, pages.FenceError) as err:
            raise PluginError(str(err)) from None
        install = self.published.requirement if self.published else None
        self.notebooks[src] = nbformat.writes(notebooks.with_setup(nb, install))  # figures inline
        shown = nbformat.writes(with_figure_files(nb, page.url, config.site_dir))
        key = _render_key(shown, languages.language_of(page.url), config)
        rendered = self.renders.read(key)
        if rendered is None:
            rendered = _jupyter_render(page, jupyter_render, config, files, shown)
            self.renders.write(key, rendered)
        label = languages.label(page.url, "solutions notebook")
        name = f"{slug}-solutions.ipynb"
        link = f'<a class="notebook-link" href="{name}" download>{label} (.ipynb)</a>'
        if self.published:  # after the download: Colab is out of reach in parts of China
            path = (Path(page.file.dest_uri).parent / name).as_posix()
            link += " · " + colab_link(self.published.colab(path), page.url)
        link = f"<p>{link}</p>"
        page.content = rendered["content"].replace("</h1>", "</h1>" + link, 1)
        page.toc, page.title = get_toc(rendered["toc"]), rendered["title"]

    def on_post_page(self, output, page, config):
        """Write the executed notebook beside its page."""
        text = self.notebooks.pop(page.file.src_uri, None)
        if text is not None:
            slug = solutions.SOURCE_URI.fullmatch(page.file.src_uri).group(1)
            folder = Path(config.site_dir) / Path(page.file.dest_uri).parent
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{slug}-solutions.ipynb").write_text(text, "utf8")
        return output

    @event_priority(-110)  # after mkdocs-static-i18n (-100) has built the other languages
    def on_post_build(self, config):
        """Once every solutions page of every language is rendered, drop unused renders."""
        if len(self.renders.used) >= len(pages.languages()) * len(solutions.slugs()):
            self.renders.evict()


def with_solutions(nav: list, slugs: list[str]) -> list:
    """``nav`` plus a section of the solutions, in lesson order, before the reference."""
    nav = [item for item in nav if not (isinstance(item, dict) and NAV_SECTION in item)]
    ordered = [s for s in pages.course(nav) if s in slugs]
    if not ordered:
        return nav
    section = {NAV_SECTION: [f"solutions/{slug}.py" for slug in ordered]}
    at = next((i for i, item in enumerate(nav) if item == "reference.md"), len(nav))
    return [*nav[:at], section, *nav[at:]]


def with_figure_files(nb: nbformat.NotebookNode, page_url: str, site_dir: str | Path):
    """A copy of ``nb`` that shows each figure from its file, as the lesson pages do.

    The files are written into the site's ``figures/`` (shared with the other language and
    the lessons); ``nb`` itself, offered for download, keeps its figures inline.
    """
    shown, number = copy.deepcopy(nb), 0
    for cell in shown.cells:
        for output in cell.get("outputs", []):
            svg = output.get("data", {}).get("image/svg+xml")
            if svg:
                number += 1
                alt = output.data["text/plain"]
                output.data["text/html"] = figures.figure_html(svg, alt, number, page_url, site_dir)
    return shown


def _render_key(text: str, lang: str, config) -> str:
    h = hashlib.sha256(f"{lang}\0{text}".encode())
    for name in RENDERER:
        h.update(f"\0{name}={importlib.metadata.version(name)}".encode())
    for module in (solution_html.__file__, __file__):
        h.update(Path(module).read_bytes())
    plugin = config.plugins.get("mkdocs-jupyter")
    h.update(repr(sorted(dict(plugin.config).items()) if plugin else None).encode())
    return h.hexdigest()[:32]


def _jupyter_render(page, jupyter_render, config, files, text: str) -> dict:
    """mkdocs-jupyter's render of the executed notebook, trimmed: content, toc tokens, title."""
    slug, lang = solutions.SOURCE_URI.fullmatch(page.file.src_uri).groups()
    executed = BUILD_DIR / lang / f"{slug}-solutions.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    cache.write_atomic(executed, text)  # another build may be reading it
    source = page.file.abs_src_path
    page.file.abs_src_path = str(executed)  # mkdocs-jupyter renders the file at this path
    try:
        with solution_html.arithmatex_math():
            jupyter_render(config, files)
    finally:
        page.file.abs_src_path = source
    lang = languages.language_of(page.url)
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
