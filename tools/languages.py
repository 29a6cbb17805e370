"""Make each language of the built site look to Material like a site of its own.

mkdocs-static-i18n builds the English pages into ``en/`` but leaves one search index and
one sitemap for both languages, and Material's ``base`` on every page points at the
site's root: English searches returned Chinese pages, and Material asked for
``sitemap.xml`` in folders that have none. After the build, these functions split the
index and the sitemap per language and point each page's ``base`` at its language's
root. (``reconfigure_search: false`` in ``mkdocs.yml``: with the plugin's default, the
merged index kept 1 entry for the English API reference instead of its 280.)
The language switcher still leads to the same lesson in the other language.
"""

from __future__ import annotations

import json
import os
import re

LANGUAGE_ROOT = {"zh": "", "en": "en/"}  # where each language's pages live in the site


def root_alternates(output: str, url: str) -> str:
    """Point the head's ``<link rel="alternate" hreflang>`` at the language roots.

    Material fetches ``sitemap.xml`` beside each of them (mkdocs-material#6582); per-page
    links made it ask for one in every page's folder, a 404 each. The sitemaps still list
    every page's alternates.
    """
    up = "../" * url.count("/") or "./"
    return re.sub(
        r'<link rel="alternate" href="[^"]*" hreflang="(\w+)">',
        lambda m: (
            f'<link rel="alternate" href="{up}{LANGUAGE_ROOT[m.group(1)]}" hreflang="{m.group(1)}">'
        ),
        output,
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
