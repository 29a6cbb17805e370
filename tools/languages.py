"""Make each language of the built site look to Material like a site of its own.

mkdocs-static-i18n builds the English pages into ``en/`` but leaves one search index and
one sitemap for both languages, and Material's ``base`` on every page points at the
site's root: English searches returned Chinese pages. After the build, these functions
split the index and the sitemap per language and point each page's ``base`` at its
language's root. (``reconfigure_search: false`` in ``mkdocs.yml``: with the plugin's
default, the merged index kept 1 entry for the English API reference instead of its 280.)
The language switcher still leads to the same lesson in the other language.

``hreflang`` alternates: a page's ``<link rel="alternate" hreflang>`` name the same page
in each language, as absolute URLs under ``site_url`` (search engines and Lighthouse
want them fully qualified); a build without ``site_url`` claims no address and has none.
Material fetches ``sitemap.xml`` beside each alternate (mkdocs-material#6582), so every
page's folder gets a small one (:func:`page_sitemaps`): no request ends in a 404.
"""

from __future__ import annotations

import json
import os
import re

LANGUAGE_ROOT = {"zh": "", "en": "en/"}  # where each language's pages live in the site
OUTPUT_TITLE = {"en": "Output", "zh": "输出"}  # the title of a block of printed output
CODE_LABEL = {"en": "Python code", "zh": "Python 代码"}  # a code block's name for screen readers
ALTERNATE = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[\w-]+">\n?')


def language_of(url: str) -> str:
    """The language of the page at ``url`` (relative to the site's root)."""
    default = next(lang for lang, root in LANGUAGE_ROOT.items() if not root)
    return next((lang for lang, r in LANGUAGE_ROOT.items() if r and url.startswith(r)), default)


def page_alternates(output: str, url: str, site_url: str | None) -> str:
    """Make the head's ``hreflang`` alternates name this page in every language.

    Absolute under ``site_url``; removed when there is none (a local build knows no
    address, and a relative ``hreflang`` is not valid).
    """
    found = ALTERNATE.search(output)
    if not found:
        return output
    links = ""
    if site_url:
        base, path = site_url.rstrip("/") + "/", url[len(LANGUAGE_ROOT[language_of(url)]) :]
        links = "".join(
            f'      <link rel="alternate" href="{base}{root}{path}" hreflang="{lang}">\n'
            for lang, root in LANGUAGE_ROOT.items()
        )
    rest = ALTERNATE.sub("", output[found.start() :])
    return output[: found.start()] + links + rest


def page_sitemaps(site_dir: str, site_url: str, text: str) -> None:
    """Give every page's folder a ``sitemap.xml`` with that page's entry.

    Material looks for a sitemap beside each ``hreflang`` alternate; the language roots
    already have theirs.
    """
    head, tail = text.split("<url>", 1)[0], "</urlset>\n"
    base = site_url.rstrip("/") + "/"
    for entry in re.findall(r"\s*<url>.*?</url>", text, re.S):
        loc = re.search(r"<loc>([^<]*)</loc>", entry)
        folder = loc.group(1)[len(base) :] if loc and loc.group(1).startswith(base) else None
        if (
            folder
            and folder not in LANGUAGE_ROOT.values()
            and os.path.isdir(os.path.join(site_dir, folder))
        ):
            _write(
                os.path.join(site_dir, folder, "sitemap.xml"), head.rstrip() + entry + "\n" + tail
            )


def language_base(output: str, url: str, lang: str) -> str:
    """Set Material's ``base`` (search index, sitemap) to the root of the page's language."""
    depth = url.count("/") - LANGUAGE_ROOT[lang].count("/")  # folders below the root
    base = "/".join([".."] * depth) or "."
    return re.sub(r'("base": )"[^"]*"', lambda m: f'{m.group(1)}"{base}"', output, count=1)


def split_sitemap(site_dir: str, site_url: str, text: str) -> None:
    """Write ``<lang>/sitemap.xml`` with the root sitemap's entries under that folder."""
    head, tail = text.split("<url>", 1)[0], "</urlset>\n"
    for prefix in _folders(site_dir):
        base = re.escape(site_url.rstrip("/") + "/" + prefix)
        urls = re.findall(r"\s*<url>\s*<loc>" + base + r".*?</url>", text, re.S)
        _write(
            os.path.join(site_dir, prefix, "sitemap.xml"),
            head.rstrip() + "".join(urls) + "\n" + tail,
        )


def split_search_index(site_dir: str, index: dict) -> None:
    """Keep the default language in ``search/``; give each other one ``<lang>/search/``."""
    docs = index["docs"]
    for prefix in _folders(site_dir):
        mine = [{**d, "location": d["location"][len(prefix) :]} for d in docs if _under(d, prefix)]
        docs = [d for d in docs if not _under(d, prefix)]
        _write_index(os.path.join(site_dir, prefix, "search"), {**index, "docs": mine})
    _write_index(os.path.join(site_dir, "search"), {**index, "docs": docs})


def _under(doc: dict, prefix: str) -> bool:
    return doc["location"].startswith(prefix)


def _folders(site_dir: str) -> list[str]:
    return [p for p in LANGUAGE_ROOT.values() if p and os.path.isdir(os.path.join(site_dir, p))]


def _write_index(folder: str, index: dict) -> None:
    os.makedirs(folder, exist_ok=True)
    _write(os.path.join(folder, "search_index.json"), json.dumps(index, separators=(",", ":")))


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf8") as f:
        f.write(text)
