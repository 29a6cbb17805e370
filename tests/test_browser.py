"""The built site in a real headless Chromium (Debian's), served on 127.0.0.1.

Checks what a reader sees: figures and formulas render, no request leaves the site,
the language switcher keeps the lesson, local search finds 动量 (momentum), and axe-core
(vendored in ``tests/vendor``) finds no serious accessibility problem. The site is built
once, into a folder below the server's root (as a copy anywhere would be), and served by
a plain static server. Screenshots go to ``screenshots/``. If Chromium is missing the
tests fail, saying so: ``.ci/run`` installs it (``apt-get install chromium``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tools import a11y

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "screenshots"
LESSON = "momentum"
FOLDER = "some/folder"  # served below a path that is not site_url's: a plain folder copy


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Build the site into a folder below a static server's root; yield the site's URL."""
    root = tmp_path_factory.mktemp("www")  # once: conftest.py keeps these tests on one worker
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "0"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(root / FOLDER)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=900,
    )
    with a11y.serve(root) as url:
        yield f"{url}/{FOLDER}"


@pytest.fixture(scope="session")
def browser():
    if a11y.CHROMIUM is None:
        pytest.fail("Chromium is not installed: run `apt-get install chromium` (.ci/run does)")
    with a11y.chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.requests, pg.failed = [], []  # every URL asked for; those answered 4xx/5xx
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("response", lambda r: r.status >= 400 and pg.failed.append(f"{r.status} {r.url}"))
    yield pg
    context.close()


def assert_stayed_local(page) -> None:
    """No request left 127.0.0.1, and none failed (e.g. a sitemap.xml where there is none)."""
    outside = [u for u in page.requests if urlsplit(u).hostname not in ("127.0.0.1", None)]
    assert outside == []
    assert page.failed == []


@pytest.mark.parametrize("prefix", ["", "en/"], ids=["zh", "en"])
def test_lesson_renders_figures_and_formulas_offline(server, page, prefix):
    page.goto(f"{server}/{prefix}{LESSON}/", wait_until="networkidle")
    page.wait_for_selector(".katex", timeout=30_000)  # KaTeX renders after load
    assert page.locator("figure.docexec-figure svg[role=img][aria-label]").count() >= 2
    assert page.locator(".katex").count() >= 1, "KaTeX did not render the formulas"
    assert page.locator(".katex-error").count() == 0
    box = page.locator("figure.docexec-figure svg").first.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{LESSON}-{prefix.strip('/') or 'zh'}.png", full_page=False)
    assert_stayed_local(page)


def test_language_switch_keeps_the_lesson(server, page):
    page.goto(f"{server}/{LESSON}/", wait_until="networkidle")
    link = page.locator('a.md-select__link[hreflang="en"]')
    assert link.count() == 1
    page.goto(link.evaluate("a => a.href"), wait_until="networkidle")
    assert page.url.rstrip("/").endswith(f"/en/{LESSON}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_stayed_local(page)


@pytest.mark.parametrize(("prefix", "query"), [("", "动量"), ("en/", "momentum")], ids=["zh", "en"])
def test_search_finds_the_momentum_lesson(server, page, prefix, query):
    page.goto(f"{server}/{prefix}", wait_until="networkidle")
    page.locator("input.md-search__input").fill(query)
    page.keyboard.press("End")  # Material searches on key events; fill() sends none
    result = page.locator(f'.md-search-result__item a[href*="{LESSON}/"]').first
    result.wait_for(timeout=15_000)
    assert urlsplit(result.evaluate("a => a.href")).path == f"/{FOLDER}/{prefix}{LESSON}/"
    hrefs = page.locator(".md-search-result__item > a").evaluate_all("els => els.map(a => a.href)")
    in_english = [urlsplit(h).path.startswith(f"/{FOLDER}/en/") for h in hrefs]
    assert hrefs and all(in_english) if prefix else not any(in_english)  # its own language only
    page.wait_for_timeout(300)  # let the results panel fade in for the screenshot
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"search-{prefix.strip('/') or 'zh'}.png")
    assert_stayed_local(page)


@pytest.mark.parametrize("prefix", ["", "en/"], ids=["zh", "en"])
def test_axe_finds_nothing_serious(server, page, prefix):
    """axe-core: no violation of impact "serious" or "critical" on a lesson and the reference.

    These two pages hold every kind of content the site has (figures, formulas, code,
    tables, admonitions, API entries); ``.ci/run`` checks every page (``tools/a11y.py``).
    """
    found = {}
    for path in (f"{LESSON}/", "reference/"):
        if violations := a11y.serious_violations(page, f"{server}/{prefix}{path}"):
            found[path] = violations
    assert found == {}
