"""MkDocs plugin ``site-markup``: the HTML every page gets, for a site fast on a phone.

- Formulas are typeset at build time (``tools/katex.py``): the reader's browser gets
  KaTeX's HTML and MathML, no JavaScript. A formula KaTeX cannot parse stops the build,
  naming the page.
- The search plugin indexes a light copy of each page: prose and headings, and of each
  code listing only the names it defines (``def``/``class`` lines), so a search for
  ``momentum_step`` finds its lesson without the listings bloating the index. Worked
  solutions rank below the lesson they belong to.
- KaTeX's stylesheet (and its two commonest fonts, preloaded) only on pages with math.
- ``hreflang`` alternates name the page's own translation (``tools/languages.py``).
- Markup Material writes that is not valid HTML is mended (``tools/vnu.py`` checks).
- Material's bundle loads on the reader's first interaction (``tools/first_use.py``).
- Each block of the text column carries the height a phone gives it, for the blocks laid
  out only when scrolled near (``tools/placeholders.py``); code listings wider than a
  phone are tab stops.
- The API reference folds each module (``tools/reference.py``), and mkdocstrings titles
  its sections in the page's language.
"""

from __future__ import annotations

import html
import os
import re

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

from tools import first_use, katex, languages, placeholders, reference

KATEX_FONTS = ("Main-Regular", "Math-Italic")  # in nearly every formula: fetched early
PRE = re.compile(r"<pre\b.*?</pre>", re.S)
DEFINED = re.compile(r'<span class="n[fc]">(\w+)</span>')  # Pygments: function, class names
DROPPED = re.compile(
    r'<svg\b.*?</svg>|<span class="arithmatex">.*?</span>|<div class="arithmatex".*?</div>', re.S
)
SECONDARY = ("solutions/",)  # pages ranked below the lessons in search


def search_text(content: str) -> str:
    """What the search plugin should index of ``content``: code reduced to defined names."""

    def names(match: re.Match) -> str:
        found = dict.fromkeys(DEFINED.findall(match.group(0)))  # in order, once each
        return f"<pre><code>{' '.join(found)}</code></pre>" if found else ""

    return DROPPED.sub("", PRE.sub(names, content))


def valid_html(output: str) -> str:
    """Mend what Material writes that the Nu HTML checker rejects.

    ``autocomplete`` is not allowed on a checkbox (Material adds it to its two toggles,
    ``__drawer`` and ``__search``, outside any template block that could be overridden).
    """
    return re.sub(
        r'(<input class="md-toggle" data-md-toggle="\w+" type="checkbox" id="__\w+") '
        r'autocomplete="off">',
        r"\1>",
        output,
    )


def math_styles(output: str) -> str:
    """Link KaTeX's stylesheet, and preload its two commonest fonts, on a page with math.

    Pages without formulas (the API reference) load neither.
    """
    if 'class="katex"' not in output:
        return output
    extra = re.search(r'<link rel="stylesheet" href="([^"]*)stylesheets/extra\.css">', output)
    assets = f"{extra.group(1)}katex/"
    links = "".join(
        f'<link rel="preload" href="{assets}fonts/KaTeX_{font}.woff2" as="font" '
        'type="font/woff2" crossorigin>\n'
        for font in KATEX_FONTS
    )
    links += f'<link rel="stylesheet" href="{assets}katex.min.css">\n'
    return output[: extra.start()] + links + output[extra.start() :]


def single_links(output: str) -> str:
    """Drop a stylesheet link repeated on the next line (mkdocstrings' CSS came twice)."""
    return re.sub(r'(<link rel="stylesheet" href="[^"]*">)(\s*\1)+', r"\1", output)


CODE = re.compile(r"(<pre>(?:<span></span>)?<code)(>.*?</code>)", re.S)
NARROWEST = 30  # characters of code a 320 px phone shows without scrolling


def focusable_code(content: str) -> str:
    """Make a code listing wider than the narrowest phone a tab stop (``tabindex="0"``).

    Material adds that when a listing scrolls, but with ``content.lazy`` only once it has
    come into view; keyboard users must be able to scroll every listing before that.
    """

    def tab_stop(match: re.Match) -> str:
        text = html.unescape(re.sub(r"<[^>]+>", "", match.group(2)[1:]))
        wide = max(map(len, text.split("\n"))) > NARROWEST
        return match.group(1) + (' tabindex="0"' if wide else "") + match.group(2)

    return CODE.sub(tab_stop, content)


PLAIN_TOKEN = re.compile(r'<span class="[nw]">([^<]*)</span>')
SAME_CLASS_RUN = re.compile(
    r'<span class="([\w-]+)">[^<]*</span>(?:<span class="\1">[^<]*</span>)+'
)
HIGHLIGHTED = re.compile(  # listings (CODE), and the reference's inline signatures and types
    CODE.pattern + r'|<code class="highlight language-python">.*?</code>', re.S
)


def slim_code(content: str) -> str:
    """Fewer elements in highlighted code, drawn the same: a long lesson had 3,700 there.

    Pygments wraps every name (``n``) and run of spaces (``w``) in a span that Material
    draws in the code's own colour; they become plain text. Neighbouring spans of one class
    (``)``, ``,``) become one span.
    """

    def merge(match: re.Match) -> str:
        return f'<span class="{match.group(1)}">{re.sub(r"<[^>]+>", "", match.group(0))}</span>'

    def slim(match: re.Match) -> str:
        return SAME_CLASS_RUN.sub(merge, PLAIN_TOKEN.sub(r"\1", match.group(0)))

    return HIGHLIGHTED.sub(slim, content)


def roots_in_selector(output: str) -> str:
    """Point the language selector's links at the language roots (for the 404 page).

    mkdocs-static-i18n leaves there the links of the last page it built.
    """
    links = re.compile(r'(<a href=")([^"]*)(" hreflang="([\w-]+)")')
    hrefs = [m.group(2) for m in links.finditer(output)]
    if not hrefs:
        return output
    base = os.path.commonprefix(hrefs)
    base = base[: base.rfind("/") + 1]
    roots = languages.roots()
    return links.sub(lambda m: f"{m.group(1)}{base}{roots.get(m.group(4), '')}{m.group(3)}", output)


class SiteMarkup(BasePlugin):
    """The markup of every page; its state is the HTML kept aside while search reads a copy."""

    def __init__(self) -> None:
        self.full_content: dict[int, str] = {}  # id(page) -> its HTML while search reads a copy

    @event_priority(10)  # before the search plugin (0) reads page.content
    def _light_copy_for_search(self, context, page, config, nav):
        self.full_content[id(page)] = page.content
        page.content = search_text(page.content)
        if page.file.src_uri.startswith(SECONDARY):  # a lesson before its worked solutions
            page.meta.setdefault("search", {}).setdefault("boost", 0.5)
        return context

    @event_priority(-10)  # after it: the page is rendered from its full content
    def _full_content_back(self, context, page, config, nav):
        page.content = self.full_content.pop(id(page))
        return context

    on_page_context = CombinedEvent(_light_copy_for_search, _full_content_back)

    def on_page_markdown(self, markdown, page, config, files):
        """Have mkdocstrings title its sections (Parameters, 参数) in the page's language.

        It takes one locale for the whole build, from the default language's theme, so the
        English reference said 参数. mkdocstrings has no per-page option: set its handlers'.
        """
        handlers = getattr(config.plugins.get("mkdocstrings"), "_handlers", None)
        if handlers is not None:
            handlers._locale = languages.language_of(page.url)
        return markdown

    def on_page_content(self, content, page, config, files):
        """Reserve blocks' heights on a phone; code tab stops; the API reference folded.

        See :mod:`tools.placeholders` and :mod:`tools.reference`.
        """
        if reference.MODULE in content:
            content = reference.fold_modules(content)
            reference.module_toc(page.toc)
        return focusable_code(slim_code(placeholders.reserve(content)))

    def on_post_page(self, output, page, config):
        """Typeset formulas, defer Material's bundle, point alternates at the translation, mend."""
        label = languages.label(page.url, "formula")
        attrs = f' tabindex="0" role="group" aria-label="{label}"'
        try:
            output = first_use.defer_bundle(katex.typeset(output, display_attrs=attrs))
        except (katex.MathError, first_use.BundleNotFound) as err:
            raise PluginError(f"docs/{page.file.src_uri}: {err}") from None
        output = languages.page_alternates(output, page.url, config.site_url)
        return valid_html(single_links(math_styles(output)))

    def on_post_template(self, output_content, template_name, config):
        """The 404 page: no alternates (it is no page's translation), valid markup."""
        if template_name == "404.html":
            output = languages.page_alternates(output_content, "", None)
            output_content = first_use.defer_bundle(roots_in_selector(output))
        return valid_html(output_content)

    @event_priority(-120)  # after lesson-pages has split the sitemap per language
    def on_post_build(self, config):
        """A sitemap beside every page (Material asks for one there); none without ``site_url``."""
        sitemap = os.path.join(config.site_dir, "sitemap.xml")
        if not os.path.exists(sitemap):
            return
        if config.site_url:
            with open(sitemap, encoding="utf8") as f:
                languages.page_sitemaps(config.site_dir, config.site_url, f.read())
        else:  # its entries would be root-absolute paths, wrong wherever the site is copied
            for name in ("sitemap.xml", "sitemap.xml.gz"):
                for root in languages.roots().values():
                    path = os.path.join(config.site_dir, root, name)
                    if os.path.exists(path):
                        os.remove(path)
