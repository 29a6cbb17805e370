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


SITE = "https://x.org/s/"
HEAD = (
    '<link rel="canonical" href="x">\n'
    '      <link rel="alternate" href="../" hreflang="zh">\n'
    '      <link rel="alternate" href="../en/" hreflang="en">\n'
    '      <link rel="icon" href="i.png">'
)


@pytest.mark.parametrize("url", ["momentum/", "en/momentum/"])
def test_alternates_name_this_page_in_each_language(url):
    out = languages.page_alternates(HEAD, url, SITE)
    assert '<link rel="alternate" href="https://x.org/s/momentum/" hreflang="zh">' in out
    assert '<link rel="alternate" href="https://x.org/s/en/momentum/" hreflang="en">' in out
    assert out.count("hreflang") == 2 and out.index("canonical") < out.index("alternate")


def test_alternates_of_the_home_pages():
    out = languages.page_alternates(HEAD, "en/", SITE)
    assert 'href="https://x.org/s/" hreflang="zh"' in out
    assert 'href="https://x.org/s/en/" hreflang="en"' in out


def test_a_build_without_site_url_claims_no_address():
    out = languages.page_alternates(HEAD, "en/momentum/", None)
    assert "hreflang" not in out and out.endswith('<link rel="icon" href="i.png">')


def test_every_page_folder_gets_its_sitemap(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "en" / "a").mkdir(parents=True)
    url = "<url>\n<loc>https://x.org/s/{}</loc>\n</url>\n"
    sitemap = (
        '<?xml version="1.0"?>\n<urlset>\n'
        + "".join(url.format(p) for p in ("", "a/", "en/", "en/a/"))
        + "</urlset>\n"
    )
    languages.page_sitemaps(tmp_path, SITE, sitemap)
    assert "<loc>https://x.org/s/en/a/</loc>" in (tmp_path / "en" / "a" / "sitemap.xml").read_text()
    assert "<loc>https://x.org/s/a/</loc>" in (tmp_path / "a" / "sitemap.xml").read_text()
    assert not (tmp_path / "sitemap.xml").exists()  # the language roots keep their own


def test_language_of_a_url():
    assert [languages.language_of(u) for u in ("", "a/", "en/", "en/a/")] == [
        "zh",
        "zh",
        "en",
        "en",
    ]
