"""The course PDF of each language (``tools/pdf.py``), read back with pypdf.

It opens, has one outline entry per chapter (the home page, then each lesson) in course order
and titled as the page is, its Chinese extracts as the Chinese of the page, and a lesson's
formula and figures are on that lesson's pages. The PDFs are read from the site folder named
by ``COURSE_PDF_SITE`` (CI's cold build, which ``tasks.py pdf`` has printed into), or else
from a site built with ``COURSE_PDF=1`` and printed here (about 3 minutes).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from engine import pages
from tools import pdf

ROOT = pages.ROOT
LESSON = "momentum"  # a lesson with Chinese prose, formulas and figures
SEGMENTS = re.compile(rb" [lmc]\n| re\n")  # path operators: line, move, curve, rectangle
DRAWING = 100  # path segments that make a tagged figure a plot, not an icon or a rule


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """A built site with its PDFs in it."""
    if os.environ.get("COURSE_PDF_SITE"):
        return Path(os.environ["COURSE_PDF_SITE"])
    folder = tmp_path_factory.mktemp("pdf") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "COURSE_PDF": "1"}
    for command in (
        ["-m", "mkdocs", "build", "--strict", "-q", "-d", str(folder)],
        ["-m", "tools.pdf", str(folder)],
    ):
        subprocess.run([sys.executable, *command], cwd=ROOT, env=env, check=True, timeout=900)
    return folder


def reader(site: Path, lang: str):
    from pypdf import PdfReader

    return PdfReader(site / pdf.pdf_path(lang))


def chapter_pages(site: Path, lang: str, slug: str) -> list:
    """The pages of ``slug``'s chapter: from its outline entry to the next one."""
    book = reader(site, lang)
    starts = [book.get_destination_page_number(entry) for entry in book.outline]
    at = pages.lessons().index(slug)
    return book.pages[starts[at] : (starts + [len(book.pages)])[at + 1]]


def flat(text: str) -> str:
    return "".join(text.split())


def text_of(site: Path, lang: str, slug: str) -> str:
    """The chapter's text, whitespace removed (layout mode: it keeps KaTeX's glyphs)."""
    return "".join(
        flat(p.extract_text(extraction_mode="layout")) for p in chapter_pages(site, lang, slug)
    )


def web_page(site: Path, lang: str, slug: str) -> BeautifulSoup:
    root = site / pdf.languages.roots()[lang]
    return BeautifulSoup((root / slug / "index.html").read_text("utf8"), "html.parser")


@pytest.mark.parametrize("lang", pages.languages())
def test_one_chapter_per_lesson_in_course_order(site, lang):
    book = reader(site, lang)
    titles = [entry.title for entry in book.outline]
    assert titles == [title for title, _ in pdf.chapters(lang)]
    starts = [book.get_destination_page_number(entry) for entry in book.outline]
    assert starts == sorted(set(starts)) and starts[0] == 0 and starts[-1] < len(book.pages)
    assert book.metadata.title == titles[0]


def test_chinese_extracts_as_the_chinese_of_the_page(site):
    """A sentence of the lesson's prose, all Chinese, is in its chapter's text as written."""
    lang = pages.default_language()
    prose = web_page(site, lang, LESSON).select_one("article").get_text()
    sentences = re.findall(r"[\u4e00-\u9fff，、；：]{12,}[。！？]", prose)
    assert sentences, "no all-Chinese sentence found on the page"
    assert sentences[0] in text_of(site, lang, LESSON)


@pytest.mark.parametrize("lang", pages.languages())
def test_a_formula_prints_as_its_text(site, lang):
    """A formula without sub- or superscripts reads in the PDF as KaTeX printed it on the page."""
    found = []
    for math in web_page(site, lang, LESSON).select("span.katex"):
        tex = math.select_one("annotation").get_text()
        if "=" in tex and not re.search(r"[_^{]", tex):
            found.append(flat(math.select_one(".katex-html").get_text()))
    assert found, "no simple formula found on the page"
    assert found[0] in text_of(site, lang, LESSON)


@pytest.mark.parametrize("lang", pages.languages())
def test_the_lessons_figures_are_drawn_on_its_pages(site, lang):
    """Every figure of the lesson is a tagged Figure of vector drawing on its chapter's pages."""
    figures = web_page(site, lang, LESSON).select('img[src*="figures/"]')
    drawn = 0
    for page in chapter_pages(site, lang, LESSON):
        content = page.get_contents().get_data()
        for tagged in re.findall(rb"/Figure <</MCID \d+ *>> *BDC(.*?)EMC", content, re.S):
            drawn += len(SEGMENTS.findall(tagged)) >= DRAWING
    assert figures and drawn >= len(figures)
