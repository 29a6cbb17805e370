"""The built site in a real headless Chromium (Debian's), served on 127.0.0.1.

Checks what a reader sees: figures and formulas render, no request leaves the site,
the language switcher keeps the lesson, local search finds 动量 (momentum), and axe-core
(vendored in ``tests/vendor``) finds no serious accessibility problem on any page.
Screenshots go to ``screenshots/``. The site is built once for this module (the
execution cache makes that quick when ``tasks.py build`` ran before). If Chromium is
missing the tests fail, saying so: ``.ci/run`` installs it (``apt-get install chromium``).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LESSON = "momentum"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"  # axe-core 4.14.1, MPL-2.0


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Build the site into a temporary folder and serve it on a free loopback port."""
    site = tmp_path_factory.mktemp("site")  # once: conftest.py keeps these tests on one worker
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "0"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=900,
    )
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: run `apt-get install chromium` (.ci/run does)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is in requirements.txt"
    )
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


def outside(requests: list[str]) -> list[str]:
    return [u for u in requests if urlsplit(u).hostname not in ("127.0.0.1", None)]


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
    assert outside(page.requests) == []


def test_language_switch_keeps_the_lesson(server, page):
    page.goto(f"{server}/{LESSON}/", wait_until="networkidle")
    link = page.locator('a.md-select__link[hreflang="en"]')
    assert link.count() == 1
    page.goto(link.evaluate("a => a.href"), wait_until="networkidle")
    assert page.url.rstrip("/").endswith(f"/en/{LESSON}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert outside(page.requests) == []


def test_search_finds_momentum_in_chinese(server, page):
    page.goto(f"{server}/", wait_until="networkidle")
    page.locator("input.md-search__input").fill("动量")
    page.keyboard.press("End")  # Material searches on key events; fill() sends none
    result = page.locator(f'.md-search-result__item a[href*="{LESSON}/"]').first
    result.wait_for(timeout=15_000)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "search-zh.png")
    assert outside(page.requests) == []


CORE = ["index", "backpropagation", "momentum", "gradient-accumulation", "reference"]


@pytest.mark.parametrize("prefix", ["", "en/"], ids=["zh", "en"])
def test_axe_finds_nothing_serious(server, page, prefix):
    """Run axe-core: no violation of impact "serious" or "critical".

    On the overview, the three core lessons and the reference, in both languages (all
    lessons share the same templates and kinds of content; a full pass over every page
    costs about two minutes, too much for every test run).
    """
    found = {}
    for stem in CORE:
        page.goto(f"{server}/{prefix}{'' if stem == 'index' else stem + '/'}", wait_until="load")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => v.id + ' x' + v.nodes.length + ': ' + v.nodes[0].target.join(' '))"
        )
        if violations:
            found[stem] = violations
    assert found == {}
