"""MkDocs hooks: execute each lesson page's Python fences and show their output.

After every Python fence the hook appends what the fence printed (a ``text`` block)
and the figures it drew (inline SVG with a text alternative). A fence that raises,
warns, or draws an empty figure stops the build with the page and block named.
"""

from __future__ import annotations

import html
import os
import re
import sys
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # MkDocs restores sys.path after loading hooks: see on_config

from tools import docexec  # noqa: E402

CACHE = docexec.Cache()
PENDING: dict[str, list[dict]] = {}  # page -> figures waiting for on_page_content
OUTPUT_TITLE = {"en": "Output", "zh": "输出"}
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


def on_page_markdown(markdown, page, config, files):
    """Run the page's fences (or take them from the cache) and splice in their output."""
    if not _enabled():
        return markdown
    src = page.file.src_uri
    page_fences = docexec.fences(markdown)
    if not page_fences:
        return markdown
    try:
        results = CACHE.results(f"docs/{src}", page_fences)
    except docexec.FenceError as err:
        raise PluginError(str(err)) from None
    inserts, figures = [], []
    for fence, result in zip(page_fences, results):
        extra = _output_block(result.stdout, _language(src)) if result.stdout.strip() else []
        for fig in result.figures:
            figures.append(fig)
            extra += ["", PLACEHOLDER.format(len(figures)), ""]
        inserts.append((fence.end, extra))
    lines = markdown.split("\n")
    for end, extra in reversed(inserts):
        lines[end:end] = extra
    PENDING[src] = figures
    return "\n".join(lines)


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
    return content


def _relative_links(output: str, url: str, config) -> str:
    base = urlsplit(config.site_url or "/").path.rstrip("/") + "/"
    up = "../" * url.count("/") or "./"
    return re.sub(
        r'href="' + re.escape(base) + r'([^"]*)"',
        lambda m: f'href="{up}{m.group(1)}"',
        output,
    )


def on_post_page(output, page, config):
    """Make root-absolute links (the language switcher's, from ``site_url``) relative.

    The site then works from any folder of any static server, not only at ``site_url``.
    """
    return _relative_links(output, page.url, config)


def on_post_template(output_content, template_name, config):
    """The same for the 404 page (which lives at the site's root)."""
    return _relative_links(output_content, "", config)
