"""The built site in a real headless Chromium (Debian's), served on 127.0.0.1.

Checks what a reader sees: figures and formulas render, no request leaves the site, the
language switcher keeps the lesson, and local search finds 动量 (momentum). axe-core checks
every page in CI's check stage (``tools/a11y.py``); a test here shows that check failing. The
site is built once, into a folder below the server's root (as a copy anywhere would be), and
served by a plain static server. Screenshots go to ``screenshots/``. If Chromium is missing
the tests fail, saying so: ``.ci/run`` installs it (``apt-get install chromium``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest

from engine import imports, pages
from tools import a11y

ROOT = pages.ROOT
SHOTS = ROOT / "screenshots"
LESSON = "momentum"
FOLDER = "some/folder"  # served below a path that is not site_url's: a plain folder copy
REPO_URL = "https://github.com/example/pytorch-in-practice"  # links only: never requested


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Build the site into a folder below a static server's root; yield the site's URL.

    The site is built for the address it is served at (``SITE_URL``), as the Pages
    workflow builds it for its own: canonical links, ``hreflang`` alternates, sitemaps.
    """
    root = tmp_path_factory.mktemp("www")  # once: conftest.py keeps these tests on one worker
    with a11y.serve(root) as url:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "0"}
        env["SITE_URL"] = f"{url}/{FOLDER}/"
        env["REPO_URL"] = REPO_URL  # as the Pages workflow sets it: edit and report links
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(root / FOLDER)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=900,
        )
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
    figures = page.locator("figure.docexec-figure img")
    assert figures.count() >= 2
    assert figures.evaluate_all("fs => fs.every(f => f.alt && f.width && f.height)")
    figures.nth(1).scroll_into_view_if_needed()  # the second loads lazily, when in view
    page.wait_for_function(
        "f => f.complete && f.naturalWidth > 0", arg=figures.nth(1).element_handle()
    )
    assert page.locator(".katex .katex-mathml math").count() >= 1, "formulas not typeset"
    assert page.locator(".katex-error").count() == 0
    assert [u for u in page.requests if u.endswith(".js") and "katex" in u] == []  # built, not run
    box = figures.first.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{LESSON}-{prefix.strip('/') or 'zh'}.png", full_page=False)
    assert_stayed_local(page)


def test_both_languages_show_the_same_figure_files(server, page):
    """A figure is one SVG file under ``figures/``, named by its content, for both languages."""
    sources = {}
    for prefix in ("", "en/"):
        page.goto(f"{server}/{prefix}{LESSON}/", wait_until="domcontentloaded")
        sources[prefix] = page.locator("figure.docexec-figure img").evaluate_all(
            "fs => fs.map(f => f.src)"
        )
    assert sources[""] == sources["en/"] and len(sources[""]) >= 2
    assert all(f"{server}/figures/" in src and src.endswith(".svg") for src in sources[""])


def test_language_switch_keeps_the_lesson(server, page):
    page.goto(f"{server}/{LESSON}/", wait_until="networkidle")
    alternates = page.locator("head link[rel=alternate][hreflang]")
    hrefs = dict(alternates.evaluate_all("ls => ls.map(l => [l.hreflang, l.href])"))
    assert hrefs == {"zh": f"{server}/{LESSON}/", "en": f"{server}/en/{LESSON}/"}  # this page
    link = page.locator('a.md-select__link[hreflang="en"]')
    assert link.count() == 1
    page.goto(link.evaluate("a => a.href"), wait_until="networkidle")
    assert page.url.rstrip("/").endswith(f"/en/{LESSON}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_stayed_local(page)


@pytest.mark.parametrize(("prefix", "query"), [("", "动量"), ("en/", "momentum")], ids=["zh", "en"])
def test_search_finds_the_momentum_lesson(server, page, prefix, query):
    page.goto(f"{server}/{prefix}", wait_until="networkidle")
    index = [u for u in page.requests if u.endswith("search_index.json")]
    assert index == [], "the search index was downloaded before anyone searched"
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


def test_wide_formula_scrolls_on_a_phone(browser, server):
    """On a 412 px screen a display formula wider than the column scrolls sideways inside
    its box, its start in view, and keyboard users can reach the box."""
    context = browser.new_context(viewport={"width": 412, "height": 915})
    phone = context.new_page()
    phone.goto(f"{server}/en/{LESSON}/", wait_until="load")
    boxes = phone.locator("div.arithmatex").evaluate_all(
        """ds => ds.map(d => [d.scrollWidth > d.clientWidth, getComputedStyle(d).overflowX,
            d.tabIndex, d.querySelector('.katex').getBoundingClientRect().left
            - d.getBoundingClientRect().left])"""
    )
    context.close()
    wide = [b for b in boxes if b[0]]
    assert wide, "expected a display formula wider than a phone (momentum's first one)"
    assert all(
        overflow == "auto" and tab == 0 and 0 <= left < 20 for _, overflow, tab, left in wide
    )


def test_dark_mode_follows_the_system_then_the_toggle_and_is_remembered(browser, server):
    """The palette toggle (overrides/partials/palette.html, run without Material's bundle):
    the system's scheme first, then the reader's choice, kept across pages."""
    context = browser.new_context(color_scheme="dark")
    pg = context.new_page()

    def state():
        return pg.evaluate(
            """() => [document.body.dataset.mdColorScheme,
                [...document.querySelectorAll('[data-md-palette] label')].map(l => !l.hidden),
                document.querySelector('meta[name=color-scheme]').content,
                document.querySelector('meta[name=theme-color]').content]"""
        )

    pg.goto(f"{server}/en/{LESSON}/", wait_until="load")
    assert state()[:3] == ["slate", [False, True], "dark"]  # the dark toggle leads back to light
    pg.locator("[data-md-palette] label:visible").click()
    light = state()
    assert light[:3] == ["default", [True, False], "light"] and light[3] == "#4051b5"
    pg.goto(f"{server}/{LESSON}/", wait_until="load")  # another page remembers the choice
    assert state()[0] == "default"
    pg.locator("[data-md-palette] input:checked").focus()
    pg.keyboard.press("Enter")  # the keyboard switches too
    assert state()[0] == "slate"
    context.close()


def test_blocks_are_laid_out_when_near_but_the_last_section_at_once(server, page):
    """extra.css: text blocks wait for the screen with a height estimated at build time
    (tools/placeholders.py); the last section (the references, just above the footer) does not."""
    page.goto(f"{server}/en/{LESSON}/", wait_until="load")
    visibility = page.evaluate(
        """() => {
            const kids = [...document.querySelector('.md-content__inner').children];
            const last = kids.filter(e => e.tagName === 'H2').pop();
            const after = kids.slice(kids.indexOf(last) + 1).filter(e => e.matches('p, ul, ol'));
            const before = kids.slice(0, kids.indexOf(last)).filter(e => e.matches('p, ul'));
            const cv = e => getComputedStyle(e).contentVisibility;
            const sized = e => /^contain-intrinsic-size:auto \\d+px$/.test(e.getAttribute('style'));
            return [last.textContent.trim(), after.map(cv), before.map(cv), before.every(sized)];
        }"""
    )
    title, after, before, estimated = visibility
    assert title.startswith("References") and after and set(after) == {"visible"}
    assert set(before) == {"auto"} and estimated


def test_the_axe_check_names_a_serious_violation_and_passes_a_clean_page(page, tmp_path):
    """What CI's check stage runs on every page (``tools/a11y.py``), on a page of each kind."""
    head = '<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>T</h1>'
    (tmp_path / "bad").mkdir()
    (tmp_path / "index.html").write_text(head + "<p>Plain text.</p></main></body></html>")
    (tmp_path / "bad" / "index.html").write_text(
        head + '<img src="x.png"><button></button></main></body></html>'
    )
    with a11y.serve(tmp_path) as url:
        assert a11y.serious_violations(page, f"{url}/") == []
        found = a11y.serious_violations(page, f"{url}/bad/")
    assert {v.split(" ")[0] for v in found} == {"image-alt", "button-name"}


def test_a_link_into_the_reference_opens_the_module_fold(server, page):
    """The reference folds each module (tools/reference.py): closed on arrival, and a link
    to a function (as a lesson's "API reference" line gives) opens its module's fold."""
    page.goto(f"{server}/en/reference/", wait_until="load")
    target = page.locator("#lessons\\.momentum\\.lesson\\.momentum_step")
    folds = page.locator("details.doc-fold").count()
    assert folds == len(imports.all_modules()) and not target.is_visible()
    content = page.locator("article").inner_html()  # mkdocstrings titles in the page's language
    assert "Parameters" in content and "参数" not in content
    page.goto(f"{server}/en/{LESSON}/", wait_until="load")  # then arrive by a link
    page.goto(f"{server}/en/reference/#lessons.momentum.lesson.momentum_step", wait_until="load")
    assert target.is_visible()
    assert_stayed_local(page)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_each_lesson_links_to_its_source_and_a_prefilled_report(server, page, prefix):
    """The edit link opens the page's own source file; the report link opens a new issue
    whose title and body name that file and the environment line printed on the page."""
    page.goto(f"{server}{prefix}/{LESSON}/", wait_until="load")
    source = f"docs/{LESSON}.{'en' if prefix else 'zh'}.md"
    edit, report = page.locator("p.lesson-source a").all()
    assert edit.get_attribute("href") == f"{REPO_URL}/edit/main/{source}"
    href = report.get_attribute("href")
    assert href.startswith(f"{REPO_URL}/issues/new?")
    query = parse_qs(urlsplit(href).query)
    assert query["title"] == [f"{source}: "]
    page_line, environment_line = query["body"][0].split("\n")[:2]
    assert page_line == f"Page: {source}"
    assert environment_line.startswith("Environment: ")
    shown = page.locator("p.docexec-environment").inner_text()
    assert shown.endswith(environment_line.removeprefix("Environment: "))
    assert_stayed_local(page)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_term_explains_itself_on_hover_and_on_keyboard_focus(server, page, prefix):
    """The first place a glossary term appears (tools/glossary.py) has its definition as a
    title, which the browser shows on hover, and shows it below the term on keyboard focus."""
    page.goto(f"{server}{prefix}/{LESSON}/", wait_until="load")
    term = page.locator("abbr.term").first
    definition = term.get_attribute("title")
    assert definition and len(definition) > 10
    shown = "t => getComputedStyle(t, '::after').content"
    assert term.evaluate(shown) == "none"
    for _ in range(300):  # by keyboard alone: Tab until the term has focus
        page.keyboard.press("Tab")
        if term.evaluate("t => t === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first glossary term")
    assert term.evaluate(shown) == json.dumps(definition, ensure_ascii=False)
    assert_stayed_local(page)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_self_check_grades_by_keyboard_and_remembers_the_answer(server, page, prefix):
    """Keyboard only, from the permalink of the heading above the questions: a wrong option,
    then the right one, each gets its feedback in the status line; a reload keeps the answer."""
    page.goto(f"{server}{prefix}/{LESSON}/", wait_until="load")
    block = page.locator("div.selfchecks")
    words = {w: block.get_attribute(f"data-{w}") for w in ("right", "wrong")}
    question = block.locator("fieldset.selfcheck").first
    right = int(question.get_attribute("data-answer"))
    wrong = 1 - right  # its two options
    status = question.locator(".selfcheck-feedback")
    assert status.get_attribute("role") == "status" and status.inner_text() == ""
    block.evaluate("b => b.previousElementSibling.querySelector('a.headerlink').focus()")
    page.keyboard.press("Tab")  # the first option of the first question
    page.keyboard.press("Space" if wrong == 0 else "ArrowDown")
    page.keyboard.press("Tab")  # its check button
    page.keyboard.press("Enter")
    assert status.inner_text() == words["wrong"]
    page.keyboard.press("Shift+Tab")  # back to the options
    page.keyboard.press("ArrowDown" if right > wrong else "ArrowUp")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert status.inner_text().startswith(words["right"])
    page.reload(wait_until="load")
    assert question.locator("input:checked").get_attribute("value") == str(right)
    assert status.inner_text().startswith(words["right"])
    assert_stayed_local(page)


def test_worked_solutions_speak_their_page_language(server, page):
    """An English solution page (a notebook, ``.en.py``) labels its formulas in English."""
    page.goto(f"{server}/en/solutions/{LESSON}/", wait_until="load")
    labels = page.locator("div.arithmatex").evaluate_all("ds => ds.map(d => d.ariaLabel)")
    assert labels and set(labels) == {"Formula"}


def test_momentum_explorer_moves_the_path(server, page):
    """The explorer loads its data when scrolled near; a slider (by keyboard and by value)
    or the Nesterov switch redraws the trajectory; labels name values in the page's language."""
    page.goto(f"{server}/en/{LESSON}/", wait_until="networkidle")
    # It loads its data only when it comes near the screen.
    assert page.locator(".momentum-explorer.mx-ready").count() == 0
    assert not [u for u in page.requests if u.endswith("momentum-explorer.json")]
    page.locator(".momentum-explorer").scroll_into_view_if_needed()
    root = page.locator(".momentum-explorer.mx-ready")
    root.wait_for(timeout=15_000)
    path = root.locator("path.mx-traj")
    before = path.get_attribute("d")
    assert before and before.startswith("M") and root.locator("path.mx-loss").count() == 1
    mu = root.get_by_label("Momentum μ")
    mu.focus()
    page.keyboard.press("ArrowLeft")  # μ: 0.9 → 0.8, from the keyboard
    after_key = path.get_attribute("d")
    assert after_key != before and mu.get_attribute("aria-valuetext") == "μ = 0.8"
    lr = root.get_by_label("Learning rate η")
    lr.evaluate("el => { el.value = '3'; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    after_lr = path.get_attribute("d")
    assert after_lr != after_key and root.locator("output[for=mx-lr-en]").inner_text() == "0.04"
    root.get_by_label("Nesterov momentum").check()
    assert path.get_attribute("d") != after_lr
    assert_stayed_local(page)


def test_material_bundle_loads_on_first_use(browser, server):
    """tools/first_use.py: a page loads without Material's bundle, yet shows its search
    button; the reader's first scroll fetches the bundle once, and it starts."""
    context = browser.new_context(viewport={"width": 412, "height": 915})
    phone = context.new_page()
    requests = []
    phone.on("request", lambda r: requests.append(r.url))
    phone.goto(f"{server}/en/{LESSON}/", wait_until="networkidle")

    def bundles():
        return [u for u in requests if "/assets/javascripts/bundle." in u]

    assert bundles() == [] and phone.locator("html.no-js").count() == 1
    assert phone.locator('label.md-header__button[for="__search"]').is_visible()
    phone.mouse.wheel(0, 600)
    phone.locator("html.js").wait_for(state="attached", timeout=15_000)
    assert len(bundles()) == 1 and phone.locator("html.no-js").count() == 0
    context.close()


INK = """([a, b]) => {  // dark pixels of two strings drawn in the page's body font, a and b weight
  const ink = (weight) => {
    const c = document.createElement("canvas"); c.width = 200; c.height = 60;
    const g = c.getContext("2d");
    g.font = weight + " 40px " + getComputedStyle(document.body).fontFamily;
    g.fillText("动量加速", 0, 45);
    return g.getImageData(0, 0, 200, 60).data.filter((v, i) => i % 4 === 3 && v > 127).length;
  };
  return [ink(a), ink(b)];
}"""


def test_chinese_text_asks_the_named_face_and_stays_bold(server, page):
    """extra.css: Chinese characters come from the "CJK" face (no per-run system font
    search), and bold Chinese is still bold (naming the system family once lost it)."""
    page.goto(f"{server}/{LESSON}/", wait_until="load")
    page.evaluate("document.fonts.ready")
    faces = page.evaluate("[...document.fonts].filter(f => f.family === 'CJK').map(f => f.status)")
    assert faces and all(s in ("loaded", "error") for s in faces), faces  # asked, not 'unloaded'
    regular, bold = page.evaluate(INK, ["400", "700"])
    assert bold > 1.15 * regular > 0, (regular, bold)
