"""MkDocs plugin ``lesson-pages``: run each lesson page's Python fences and show their output.

After every Python fence it appends what the fence printed (a ``text`` block) and the
figures it drew: one SVG file per figure under ``figures/``, named by its content, so both
languages share it. Under the page's last output a line names the environment that
produced it. A fence that raises, warns, or draws an empty figure stops the build with the
page and block named. The page model, the executor and the cache are the engine's
(:mod:`engine.pages`, :mod:`engine.executor`, :mod:`engine.cache`); before rendering, the
pages the cache lacks run on every core (:mod:`engine.prerun`).

It also offers each lesson as a notebook (:mod:`engine.notebooks`), links a fence that
shows a documented function to its API reference, lists the modules on the reference page,
and makes each language of the site its own (``tools/languages.py``).

The build's state (its runs, the figures waiting for their page, the notebooks to write,
the pages seen) lives on the plugin object, which MkDocs makes anew with each
configuration it loads, and which serves every language of one build.
"""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority

from engine import cache, imports, notebooks, pages, prerun, solutions
from lessons import environment
from tools import figures, languages, pdf, selfcheck

PLACEHOLDER = "DOCEXEC-FIGURE-{}"
MODULES_MARKER = "<!-- lessons modules, in course order -->"
INCLUDE = re.compile(r'--8<-- "lessons/([\w/]+)\.py:(\w+)"')


class LessonPages(BasePlugin):
    """Lesson pages run and shown: the state of one build, for all its languages."""

    def __init__(self) -> None:
        self.runs = cache.Runs()  # shared with the solutions plugin: one run per key
        self.pending: dict[str, list[dict]] = {}  # page -> figures waiting for its HTML
        self.notebooks: dict[str, str] = {}  # page -> notebook JSON, written beside its HTML
        self.seen: set[str] = set()  # pages rendered in this language's build
        self.published: notebooks.Published | None = None  # where the notebooks go (REPO_URL)

    def on_config(self, config):
        """Compute on the CPU (the published numbers, also on a maintainer's GPU).

        With ``REPO_URL``, find the commit whose notebooks the site links in Colab.
        """
        environment.pin_site_device()
        self.seen.clear()
        try:
            self.published = notebooks.published(config.extra.get("repository"))
        except ValueError as err:
            raise PluginError(str(err)) from None
        return config

    def on_pre_build(self, config):
        """Run the pages and solutions the cache lacks on every core (:mod:`engine.prerun`).

        Only while this build holds no results yet: a ``serve`` rebuild or the second
        language's build (about 0.5 s to key every page) runs a changed page in-process.
        """
        if cache.executing() and not self.runs.memory:
            found = []
            for path in _markdown(config):
                try:
                    found.append(pages.Page.read(path))
                except pages.FenceError:  # a broken include: on_page_markdown names it
                    continue
            prerun.prerun([p for p in found if p.fences] + solutions.pages(), self.runs)

    def on_page_markdown(self, markdown, page, config, files):
        """Run the page's fences (or reuse cached results); add output, API links, a notebook."""
        src = page.file.src_uri
        if solutions.SOURCE_URI.fullmatch(src):  # a worked solution: solution-pages shows it
            return markdown
        self.seen.add(src)
        if MODULES_MARKER in markdown:
            markdown = markdown.replace(MODULES_MARKER, reference_modules())
        try:
            model = pages.Page.parse(markdown, f"docs/{src}")
        except pages.FenceError as err:
            raise PluginError(str(err)) from None
        if not model.fences:
            return markdown
        install = self.published.requirement if self.published else None
        self.notebooks[src] = notebooks.dumps(model, install)
        lines = markdown.split("\n")
        extras = [api_link(lines[f.start + 1 : f.end - 1], page.url) for f in model.fences]
        results = None
        if cache.executing():
            outputs, produced, results = self._outputs(model, page.url)
            for extra, output in zip(extras, outputs, strict=True):
                extra += output
            label = languages.label(page.url, "produced by")
            lines += ["", f'<p class="docexec-environment">{label} {produced}</p>']
            if config.extra.get("repository"):
                lines += ["", source_links(config.extra["repository"], page, produced)]
        hidden = {fence.index for fence in selfcheck.key_fences(model)}  # they hold answers
        for fence, extra in reversed(list(zip(model.fences, extras, strict=True))):
            if fence.index in hidden:
                del lines[fence.start : fence.end]
            else:
                lines[fence.end : fence.end] = extra
        try:
            known = selfcheck.known_keys(model, results)
            text = selfcheck.render("\n".join(lines), known, model.path, page.url)
        except selfcheck.SelfCheckError as err:
            raise PluginError(str(err)) from None
        text = _with_notebook_link(text, page, self.published)
        return pdf.with_pdf_link(text, page.url) if config.extra.get("pdf") else text

    def _outputs(self, model: pages.Page, url: str) -> tuple[list[list[str]], str, list]:
        """What to show under each fence, the environment line, and the fences' results.

        Under each fence: Markdown lines of its printed text and figure placeholders.
        """
        try:
            entry = self.runs.entry(model)
        except pages.FenceError as err:
            raise PluginError(str(err)) from None
        outputs, drawn = [], []
        for result in entry.results:
            extra = _output_block(result.stdout, url) if result.stdout.strip() else []
            for fig in result.figures:
                drawn.append(fig)
                extra += ["", PLACEHOLDER.format(len(drawn)), ""]
            outputs.append(extra)
        self.pending[model.path.removeprefix("docs/")] = drawn
        return outputs, entry.environment, entry.results

    def on_page_content(self, content, page, config, files):
        """Swap figure placeholders for the figure files; fail if any is left unplaced."""
        for number, fig in enumerate(self.pending.pop(page.file.src_uri, []), start=1):
            tag = f"<p>{PLACEHOLDER.format(number)}</p>"
            if tag not in content:
                raise PluginError(f"docs/{page.file.src_uri}: figure {number} could not be placed")
            shown = figures.figure_html(fig["svg"], fig["alt"], number, page.url, config.site_dir)
            content = content.replace(tag, shown, 1)
        return label_code_blocks(content, page.url)

    def on_post_page(self, output, page, config):
        """Write the page's notebook beside it; make root-absolute links relative.

        The language switcher's links come from ``site_url`` as root-absolute paths; relative
        links let the site work from any folder of any static server.
        """
        if page.file.src_uri in self.notebooks:
            path = Path(config.site_dir, _notebook_path(page))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.notebooks.pop(page.file.src_uri), "utf8")
        output = _search_label(output, languages.label(page.url, "search"))
        output = _relative_links(output, page.url, config)
        return languages.language_base(output, page.url, languages.language_of(page.url))

    def on_post_template(self, output_content, template_name, config):
        """The 404 page: a named search dialog; relative links in a local build.

        A published site (``site_url`` set) keeps the 404 page's links absolute: GitHub Pages
        serves it at any missing path, where relative links would lead nowhere.
        """
        if template_name == "404.html":  # the 404 page is the default language's
            output_content = _search_label(output_content, languages.label("", "search"))
        return output_content if config.site_url else _relative_links(output_content, "", config)

    @event_priority(-110)  # after mkdocs-static-i18n (-100) has built the other languages
    def on_post_build(self, config):
        """Split sitemap and search index per language; evict the runs no page used."""
        site = Path(config.site_dir)
        sitemap = site / "sitemap.xml"
        if config.site_url and sitemap.exists():
            languages.split_sitemap(config.site_dir, config.site_url, sitemap.read_text("utf8"))
        index = site / "search" / "search_index.json"
        if index.exists():
            languages.split_search_index(config.site_dir, json.loads(index.read_text("utf8")))
        every_page = {p.relative_to(config.docs_dir).as_posix() for p in _markdown(config)}
        if cache.executing() and self.runs.read and every_page <= self.seen:  # not --dirty
            self.runs.store.evict()


def source_links(repository: str, page, produced: str) -> str:
    """Links to edit the page's source file and to report a problem with the page.

    The report opens a new issue whose title and body name the source file and the
    environment line printed above the links.
    """
    source, base = f"docs/{page.file.src_uri}", repository.rstrip("/")
    body = f"Page: {source}\nEnvironment: {produced}\n\n"
    report = f"{base}/issues/new?{urlencode({'title': f'{source}: ', 'body': body})}"
    links = ((f"{base}/edit/main/{source}", "edit"), (report, "report"))
    shown = (
        f'<a href="{html.escape(href)}">{languages.label(page.url, name)}</a>'
        for href, name in links
    )
    return f'<p class="lesson-source">{" · ".join(shown)}</p>'


def _markdown(config) -> list[Path]:
    return sorted(Path(config.docs_dir).glob("**/*.md"))


def _output_block(text: str, url: str) -> list[str]:
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    title = languages.label(url, "output")
    return ["", f'{ticks}text title="{title}"', *text.rstrip("\n").split("\n"), ticks, ""]


def _notebook_name(page) -> str:
    return page.file.src_uri.split(".")[0] + ".ipynb"


def _notebook_path(page) -> str:
    """Where the page's notebook is in the site: beside the page, named after its source."""
    return (Path(page.file.dest_uri).parent / _notebook_name(page)).as_posix()


def _with_notebook_link(markdown: str, page, published: notebooks.Published | None) -> str:
    """Put a download link to the page's notebook under its title, then its Colab link.

    The download comes first: Colab is out of reach in parts of China. The Colab link (only
    where the notebooks are published) names the notebook's path in the site, where the Pages
    workflow publishes it.
    """
    lines = markdown.split("\n")
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    which = "page notebook" if _notebook_name(page) == "index.ipynb" else "lesson notebook"
    label = languages.label(page.url, which)
    link = f'<a class="notebook-link" href="{_notebook_name(page)}" download>{label} (.ipynb)</a>'
    if published:
        link += " · " + colab_link(published.colab(_notebook_path(page)), page.url)
    lines[title + 1 : title + 1] = ["", link, ""]
    return "\n".join(lines)


def colab_link(href: str, url: str) -> str:
    """The "Open in Colab" link of a notebook (published at ``href``) on the page at ``url``."""
    return f'<a class="colab-link" href="{html.escape(href)}">{languages.label(url, "colab")}</a>'


def _documented(module: str, name: str) -> bool:
    """Whether ``lessons/<module>.py`` defines a public ``name`` with a docstring (no import)."""
    path = pages.ROOT / "lessons" / f"{module}.py"
    if name.startswith("_") or not path.is_file():
        return False
    for node in ast.parse(path.read_text("utf8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return bool(ast.get_docstring(node))
    return False


def api_link(body: list[str], url: str) -> list[str]:
    """Under a fence that only includes ``lessons/x.py:name``, link ``name``'s reference entry."""
    match = INCLUDE.fullmatch("\n".join(body).strip())
    if not match or not _documented(match.group(1), match.group(2)):
        return []  # not a documented public object of that module: no reference entry
    ref = "lessons." + match.group(1).replace("/", ".") + "." + match.group(2)
    return ["", f"{languages.label(url, 'api')} [`{ref}`][{ref}]", ""]


def reference_modules() -> str:
    """``::: lessons.x`` for every module: those the pages import, in nav order, then the rest."""
    order: list[str] = []
    for slug in pages.course():
        file = pages.page_file(slug, pages.default_language())
        for module in imports.imported_modules(pages.Page.read(file).code) if file.exists() else []:
            order += [] if module in order else [module]
    rest = sorted(set(imports.all_modules()) - set(order))
    return "\n\n".join(f"::: {module}" for module in order + rest)


def label_code_blocks(content: str, url: str) -> str:
    """Name every code block for screen readers: its title (file, "Output"), else "Python code"."""

    def name(match: re.Match) -> str:
        text = html.escape(match.group(2) or languages.label(url, "code"), quote=True)
        return f'<div class="highlight" role="group" aria-label="{text}">{match.group(1) or ""}'

    return re.sub(r'<div class="highlight">(<span class="filename">([^<]*)</span>)?', name, content)


def _search_label(output: str, label: str) -> str:
    """Name Material's search dialog, which has no name (axe: serious)."""
    return output.replace('role="dialog">', f'role="dialog" aria-label="{label}">', 1)


def _relative_links(output: str, url: str, config) -> str:
    base = urlsplit(config.site_url or "/").path.rstrip("/") + "/"
    up = "../" * url.count("/") or "./"
    return re.sub(
        r'href="' + re.escape(base) + r'([^"]*)"',
        lambda m: f'href="{up}{m.group(1)}"',
        output,
    )
