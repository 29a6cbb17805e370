"""Per-language sitemap, search index and base URL (``tools/languages.py``)."""

from __future__ import annotations

import json

import pytest

from tools import languages


@pytest.mark.parametrize(
    ("url", "lang", "base"),
    [("", "zh", "."), ("momentum/", "zh", ".."), ("en/", "en", "."), ("en/momentum/", "en", "..")],
)
def test_base_is_the_root_of_the_page_language(url, lang, base):
    page = '<script id="__config">{"annotate": null, "base": "../..", "features": []}</script>'
    assert f'"base": "{base}"' in languages.language_base(page, url, lang)


def test_head_alternates_point_at_language_roots():
    head = '<link rel="alternate" href="../en/momentum/" hreflang="en">'
    assert languages.root_alternates(head, "momentum/") == (
        '<link rel="alternate" href="../en/" hreflang="en">'
    )


def test_search_index_and_sitemap_are_split(tmp_path):
    (tmp_path / "en").mkdir()
    docs = [{"location": loc, "title": loc, "text": ""} for loc in ("", "a/#x", "en/", "en/a/#x")]
    languages.split_search_index(tmp_path, {"config": {"lang": ["zh", "en"]}, "docs": docs})
    zh, en = (
        json.loads((d / "search" / "search_index.json").read_text())
        for d in (tmp_path, tmp_path / "en")
    )
    assert [d["location"] for d in zh["docs"]] == ["", "a/#x"]
    assert [d["location"] for d in en["docs"]] == ["", "a/#x"] and en["config"] == zh["config"]
    url = "<url>\n<loc>https://x.org/s/{}</loc>\n</url>\n"
    sitemap = (
        '<?xml version="1.0"?>\n<urlset>\n' + url.format("a/") + url.format("en/a/") + "</urlset>\n"
    )
    languages.split_sitemap(tmp_path, "https://x.org/s/", sitemap)
    en_map = (tmp_path / "en" / "sitemap.xml").read_text()
    assert "https://x.org/s/en/a/" in en_map and "https://x.org/s/a/" not in en_map
