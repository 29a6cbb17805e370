"""The whole course as one PDF per language, printed from the built site by its own Chromium.

Usage: ``python -m tools.pdf [site]`` (``python3 tasks.py pdf``), after a build with
``COURSE_PDF=1``. It writes :func:`pdf_path` of each language (``<lang root>/`` +
:data:`NAME`) into the site, which is where the download link on the home page and on each
lesson (:func:`tools.lesson_pages.pdf_link`) points; that link appears only in a build made
with ``COURSE_PDF=1``, so a site whose links name a PDF gets one from this step, and one
built without it names none and ``tasks.py check`` finds no broken link either way.

Why Chromium and not a PDF plugin of MkDocs: mkdocs-print-site-plugin collects the default
language's pages only under mkdocs-static-i18n (mkdocs-print-site-plugin#70, open), and
mkdocs-to-pdf brings WeasyPrint, a second renderer with its own system libraries (Pango),
for HTML that is already built and already right in a browser: formulas are KaTeX HTML
typeset at build time, figures are SVG files, and Chinese takes the ``CJK`` face of
``extra.css``. The Chromium that the browser tests and the axe check already use (Debian's,
with ``fonts-wqy-zenhei``; :func:`tools.a11y.chromium`) prints each page as a reader's
browser would (``page.pdf()``), and pypdf joins the chapters with one outline entry each.

The chapters are the course's pages with code in course order (:func:`engine.pages.lessons`:
the home page, then every lesson), each with its printed outputs and figures. The worked
solutions are left out: they are their own pages, each a download of its own. Printing adds
``pdf.css`` (Material's header, navigation and footer hidden, code wrapped instead of
scrolled); links to other pages of the site lead to the published site (``SITE_URL``), or,
without one, are plain text, since a PDF has no folder around it. A language's PDF whose
chapter titles do not extract from its text (a missing CJK font prints boxes) is an error.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

from engine import pages
from tools import a11y, languages
from tools.languages import LABELS

NAME = "pytorch-in-practice.{lang}.pdf"
CSS = Path(__file__).with_name("pdf.css")
# Lazy images load before printing; every fold is open; site links leave the local server.
PREPARE = """async ([origin, published]) => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  for (const a of document.querySelectorAll('a[href]')) {
    const url = new URL(a.href, location.href);
    if (url.origin !== origin || url.pathname === location.pathname) continue;
    if (published) a.href = published + url.pathname.slice(1) + url.hash;
    else a.removeAttribute('href');
  }
  const images = [...document.images];
  images.forEach(img => { img.loading = 'eager'; });
  const loaded = Promise.all(images.map(img => img.complete ? null :
    new Promise(done => { img.onload = img.onerror = done; })));
  const late = new Promise((_, fail) =>
    setTimeout(() => fail(new Error('images not loaded after 60 s')), 60000));
  await Promise.race([loaded, late]);
  await document.fonts.ready;
}"""


def pdf_path(lang: str) -> str:
    """Where language ``lang``'s PDF lives in the site, relative to its root."""
    return languages.roots()[lang] + NAME.format(lang=lang)


def with_pdf_link(markdown: str, url: str) -> str:
    """Add a link to the language's PDF after the notebook links under the page's title.

    The lesson-pages plugin calls this on the pages with a notebook (the home page and the
    lessons) in a build made with ``COURSE_PDF=1``.
    """
    lang = languages.language_of(url)
    up = "../" * (url.count("/") - languages.roots()[lang].count("/"))
    link = f'<a class="pdf-link" href="{up}{NAME.format(lang=lang)}">{LABELS[lang]["pdf"]}</a>'
    lines = markdown.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith('<a class="notebook-link"'))
    lines[at] += " · " + link
    return "\n".join(lines)


def chapters(lang: str) -> list[tuple[str, str]]:
    """``(title, URL path)`` of every chapter of ``lang``'s PDF, in course order."""
    root = languages.roots()[lang]
    found = []
    for slug in pages.lessons():
        text = pages.page_file(slug, lang).read_text("utf8")
        found.append((pages.title(text), root + ("" if slug == "index" else f"{slug}/")))
    return found


def print_language(browser, url: str, lang: str, published: str | None) -> bytes:
    """Print each chapter of ``lang`` from the site served at ``url``; join them with pypdf.

    Chapter by chapter: all chapters assembled into one page printed in 190 s instead of
    53 s, and no smaller (Chromium embeds most of the CJK font either way).
    """
    from pypdf import PdfReader, PdfWriter

    page = browser.new_page()
    page.emulate_media(media="print", color_scheme="light")
    writer = PdfWriter()
    found = chapters(lang)
    for title, path in found:
        page.goto(f"{url}/{path}", wait_until="load")
        page.add_style_tag(path=str(CSS))
        try:
            page.evaluate(PREPARE, [url, published])
        except Exception as err:  # playwright's Error: name the chapter, not a JS stack
            raise SystemExit(f"tools/pdf.py: {path or 'index'} ({lang}): {err}") from None
        printed = page.pdf(prefer_css_page_size=True, print_background=True, tagged=True)
        writer.append(PdfReader(io.BytesIO(printed)), outline_item=title)
    page.close()
    writer.add_metadata({"/Title": found[0][0], "/Producer": "tools/pdf.py"})
    writer.page_mode = "/UseOutlines"  # a viewer opens with the chapters shown
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def missing_titles(pdf: bytes, lang: str) -> list[str]:
    """The chapter titles of ``lang`` that do not extract as text from ``pdf``."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    firsts = {reader.get_destination_page_number(entry) for entry in reader.outline}
    text = "".join("".join(reader.pages[n].extract_text().split()) for n in sorted(firsts))
    return [title for title, _ in chapters(lang) if "".join(title.split()) not in text]


def main(argv: list[str]) -> int:
    """Print each language's PDF into the site folder in ``argv`` (default ``site``)."""
    if len(argv) > 1 or any(a.startswith("-") for a in argv):
        print(f"usage: python -m tools.pdf [site]; unexpected argument {argv!r}", file=sys.stderr)
        return 2
    site = Path(argv[0] if argv else "site")
    if not (site / "index.html").is_file():
        print(f"site: {site}/index.html not found: build the site first", file=sys.stderr)
        return 2
    published = os.environ.get("SITE_URL") or None
    published = published and published.rstrip("/") + "/"
    problems = 0
    with a11y.serve(site) as url, a11y.chromium() as browser:
        for lang in languages.roots():
            start = time.perf_counter()
            pdf = print_language(browser, url, lang, published)
            (site / pdf_path(lang)).write_bytes(pdf)
            took = time.perf_counter() - start
            print(f"pdf: {site / pdf_path(lang)}: {len(pdf) / 1e6:.1f} MB, {took:.0f} s")
            if missing := missing_titles(pdf, lang):
                print(f"pdf: {pdf_path(lang)}: titles not found in its text: {missing}")
                problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
