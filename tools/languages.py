"""Make each language of the built site look to Material like a site of its own.

mkdocs-static-i18n builds the English pages into ``en/`` but leaves one search index and
one sitemap for both languages, and Material's ``base`` on every page points at the
site's root: English searches returned Chinese pages. After the build, these functions
split the index and the sitemap per language and point each page's ``base`` at its
language's root. (``reconfigure_search: false`` in ``mkdocs.yml``: with the plugin's
default, the merged index kept 1 entry for the English API reference instead of its 280.)
The language switcher still leads to the same lesson in the other language.

:data:`LABELS` holds every word the build adds to a page, in each language.

``hreflang`` alternates: a page's ``<link rel="alternate" hreflang>`` name the same page
in each language, as absolute URLs under ``site_url`` (search engines and Lighthouse
want them fully qualified); a build without ``site_url`` claims no address and has none.
Material fetches ``sitemap.xml`` beside each alternate (mkdocs-material#6582), so every
page's folder gets a small one (:func:`page_sitemaps`): no request ends in a 404.
"""

from __future__ import annotations

import functools
import json
import os
import re

from engine import pages

LABELS = {  # every word the build adds to a page
    "zh": {
        "output": "输出",  # the title of a block of printed output
        "code": "Python 代码",  # a code block's name for screen readers
        "formula": "公式",  # a display formula's name for screen readers
        "search": "搜索",  # Material's search dialog
        "api": "API 参考：",  # under a fence that shows a documented function
        "produced by": "本页输出的运行环境：",  # before the environment line
        "lesson notebook": "下载本课的 Jupyter 笔记本",
        "page notebook": "下载本页的 Jupyter 笔记本",  # the home page's
        "colab": "在 Colab 中打开",  # after a notebook's download link (REPO_URL set)
        "pdf": "下载整门课程（PDF）",  # home page and lessons, with COURSE_PDF=1 (tools/pdf.py)
        "exercises": "## 练习",  # a lesson's exercise heading
        "solutions link": "[参考解答]({target})：每道练习的推理、代码、输出和答案。",
        "solutions notebook": "下载本页的 Jupyter 笔记本（含输出）",
        "edit": "编辑本页",  # on GitHub
        "selfcheck check": "检查",  # a self-check question's button
        "selfcheck number": "你的答案：",  # before the field of a question answered with a number
        "selfcheck right": "✓ 正确。",
        "selfcheck wrong": "✗ 不对，再想一想。",
        "report": "报告本页的问题",  # opens a prefilled issue naming the page and its environment
    },
    "en": {
        "output": "Output",
        "code": "Python code",
        "formula": "Formula",
        "search": "Search",
        "api": "API reference:",
        "produced by": "Outputs on this page were produced with",
        "lesson notebook": "Download this lesson as a Jupyter notebook",
        "page notebook": "Download this page as a Jupyter notebook",
        "colab": "Open in Colab",
        "pdf": "Download the whole course (PDF)",
        "exercises": "## Exercises",
        "solutions link": (
            "[Worked solutions]({target}): the reasoning, code, output and answer of each exercise."
        ),
        "solutions notebook": "Download these solutions as a Jupyter notebook, with outputs",
        "edit": "Edit this page",
        "selfcheck check": "Check",
        "selfcheck number": "Your answer:",
        "selfcheck right": "✓ Right.",
        "selfcheck wrong": "✗ Not quite; think again.",
        "report": "Report a problem with this page",
    },
}
ALTERNATE = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[\w-]+">\n?')


@functools.cache
def roots() -> dict[str, str]:
    """Where each language's pages live in the site: the default one at the root."""
    default = pages.default_language()
    return {lang: "" if lang == default else f"{lang}/" for lang in pages.languages()}


def language_of(url: str) -> str:
    """The language of the page at ``url`` (relative to the site's root)."""
    found = (lang for lang, root in roots().items() if root and url.startswith(root))
    return next(found, pages.default_language())


def label(url: str, name: str) -> str:
    """The word ``name`` (a key of :data:`LABELS`) in the language of the page at ``url``."""
    return LABELS[language_of(url)][name]


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
        base, path = site_url.rstrip("/") + "/", url[len(roots()[language_of(url)]) :]
        links = "".join(
            f'      <link rel="alternate" href="{base}{root}{path}" hreflang="{lang}">\n'
            for lang, root in roots().items()
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
            and folder not in roots().values()
            and os.path.isdir(os.path.join(site_dir, folder))
        ):
            _write(
                os.path.join(site_dir, folder, "sitemap.xml"), head.rstrip() + entry + "\n" + tail
            )


def language_base(output: str, url: str, lang: str) -> str:
    """Set Material's ``base`` (search index, sitemap) to the root of the page's language."""
    depth = url.count("/") - roots()[lang].count("/")  # folders below the root
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
    return [p for p in roots().values() if p and os.path.isdir(os.path.join(site_dir, p))]


def _write_index(folder: str, index: dict) -> None:
    os.makedirs(folder, exist_ok=True)
    _write(os.path.join(folder, "search_index.json"), json.dumps(index, separators=(",", ":")))


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf8") as f:
        f.write(text)
