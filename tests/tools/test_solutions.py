"""Worked solutions (``docs/solutions``): parity, coverage, execution, links and rendering."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from engine import cache, executor, pages, solutions
from engine.pages import Page, percent_notebook
from lessons import environment
from tools import figures, languages, solution_html, solution_pages

SLUGS = solutions.slugs()
LANG = pages.default_language()
HEADING = {"zh": r"## 练习 (\d+)", "en": r"## Exercise (\d+)"}


def source(slug: str, lang: str) -> str:
    return (solutions.SOURCES / f"{slug}.{lang}.py").read_text("utf8")


def exercise_count(slug: str) -> int:
    """Number of items in the lesson's (English) exercise list."""
    text = pages.page_file(slug, "en").read_text("utf8")
    section = text.split("\n## Exercises\n", 1)[1].split("\n## ", 1)[0]
    return len(re.findall(r"^\d+\. ", section, re.M))


def exercise_numbers(slug: str, lang: str) -> list[int]:
    cells = percent_notebook(source(slug, lang)).cells
    headings = [re.match(HEADING[lang], c.source) for c in cells if c.cell_type == "markdown"]
    return [int(m.group(1)) for m in headings if m]


def lessons_with_exercises() -> list[str]:
    """The lessons whose page has an exercise list."""
    heading = languages.LABELS["en"]["exercises"]
    return [s for s in pages.course() if heading in pages.page_file(s, "en").read_text("utf8")]


@pytest.mark.parametrize("slug", lessons_with_exercises())
def test_every_lesson_with_exercises_has_solutions_in_every_language(slug):
    for lang in pages.languages():
        assert (solutions.SOURCES / f"{slug}.{lang}.py").exists(), f"{slug}.{lang}.py is missing"


@pytest.mark.parametrize("slug", SLUGS)
def test_both_languages_have_the_same_code_and_exercises(slug):
    zh, en = (percent_notebook(source(slug, lang)) for lang in ("zh", "en"))
    code = [[c.source for c in nb.cells if c.cell_type == "code"] for nb in (zh, en)]
    assert code[0] == code[1], "code cells differ between zh and en"
    assert zh.cells[0].source.startswith("# ") and zh.cells[0].source.split("\n")[0].endswith(
        "：练习解答"
    )
    assert en.cells[0].source.split("\n")[0].endswith(": solutions")
    numbers = list(range(1, exercise_count(slug) + 1))
    assert exercise_numbers(slug, "zh") == exercise_numbers(slug, "en") == numbers


@pytest.mark.parametrize("slug", SLUGS)
def test_solution_runs(slug):
    """Each solution runs once here, in the default language (the code is the same).

    Where the cache holds the solution under the same key (a build's run), each cell must
    print and draw exactly what that run did; where it does not, this run is stored for
    the build to render.
    """
    page = Page.read(solutions.SOURCES / f"{slug}.{LANG}.py")
    built = cache.Runs(read=True).stored(cache.key(page))
    results, _ = executor.run_page(page)
    for cell, (then, now) in enumerate(zip(built.results, results, strict=True) if built else []):
        differs = executor.difference(then, now)
        assert differs is None, f"{page.path}, code cell {cell + 1}: {differs}"
    runs = cache.Runs(read=False)
    runs.memory[cache.key(page)] = cache.Entry(results, environment.describe())
    nb = solutions.execute(page, runs)
    assert any(c.outputs for c in nb.cells if c.cell_type == "code"), "nothing printed or drawn"
    if built is None:
        runs.put(cache.key(page), runs.memory[cache.key(page)])


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lesson_links_to_its_solutions(slug, lang):
    url = languages.roots()[lang] + f"{slug}/"
    page = SimpleNamespace(file=SimpleNamespace(src_uri=f"{slug}.{lang}.md"), url=url)
    text = pages.page_file(slug, lang).read_text("utf8")
    out = solution_pages.SolutionPages().on_page_markdown(text, page, None, None)
    heading = languages.LABELS[lang]["exercises"]
    link = languages.LABELS[lang]["solutions link"].format(target=f"solutions/{slug}.py")
    assert f"{heading}\n\n{link}\n" in out


BROKEN = """# %% [markdown]
# # Broken: solutions

# %%
x = 1

# %% [markdown]
# ## Exercise 1

# %%
y = x / 0
"""


def test_a_raising_cell_fails_naming_notebook_and_cell(tmp_path):
    page = Page.parse(BROKEN, "docs/solutions/broken.en.py")
    with pytest.raises(solutions.SolutionError) as err:
        solutions.execute(page, cache.Runs(tmp_path, read=False))
    message = str(err.value)
    assert "solutions notebook docs/solutions/broken.en.py, code cell 2" in message
    assert "ZeroDivisionError" in message
    assert 'File "docs/solutions/broken.en.py", line 11' in message  # the source's own line


def test_the_build_fails_on_a_raising_cell(tmp_path):
    plugin = solution_pages.SolutionPages()
    plugin.runs = cache.Runs(tmp_path, read=False)
    file = SimpleNamespace(src_uri="solutions/broken.zh.py", content_string=BROKEN)
    with pytest.raises(PluginError, match=r"docs/solutions/broken\.zh\.py, code cell 2"):
        plugin.render(SimpleNamespace(file=file, url="solutions/broken/"), None, None, None)


def test_nav_gets_a_solutions_section_in_lesson_order():
    nav = ["index.md", {"A": ["b.md", "a.md"]}, "reference.md"]
    new = solution_pages.with_solutions(nav, ["a", "b"])
    assert new[2] == {solution_pages.NAV_SECTION: ["solutions/b.py", "solutions/a.py"]}
    assert new[-1] == "reference.md"
    assert solution_pages.with_solutions(new, ["a", "b"]) == new  # idempotent (per language)


RENDERED = """# %% [markdown]
# # Demo: solutions
#
# Inline $a<b$ and display
#
# $$x^2$$

# %%
import matplotlib.pyplot as plt

print("hello")
fig, ax = plt.subplots()
ax.plot([0, 1])
fig.set_label("$y$ vs $x$")

# %% [markdown]
# ## Exercise 1
"""


def demo_notebook(tmp_path):
    page = Page.parse(RENDERED, "docs/solutions/demo.en.py")
    return solutions.execute(page, cache.Runs(tmp_path, read=False))


def test_render_is_lean_with_arithmatex_math_and_accessible_figures(tmp_path):
    from mkdocs_jupyter import convert
    from nbformat import writes

    nb = demo_notebook(tmp_path)
    path = tmp_path / "demo.ipynb"
    path.write_text(writes(nb), "utf8")
    with solution_html.arithmatex_math():
        raw = convert.nb2html(str(path), no_prompt=True)
    html = solution_html.lean_html(raw, ["demo", "exercise-1"], "en")
    assert len(raw) > 500_000 and len(html) < 40_000  # JupyterLab's CSS is gone
    assert "<style type" not in html.split("<svg", 1)[0] and "<script" not in html
    assert '<span class="arithmatex">\\(a&lt;b\\)</span>' in html
    assert '<div class="arithmatex">\\[x^2\\]</div>' in html and "<p><div" not in html
    # nbconvert has parsed the HTML with BeautifulSoup, which writes attributes sorted
    assert re.search(r'<svg aria-label="\$y\$ vs \$x\$" [^>]*role="img"', html) and "hello" in html
    assert '<h2 id="exercise-1">' in html and 'href="#exercise-1"' in html
    assert '<div aria-label="Python code" class="highlight" role="group"><pre><code>' in html
    assert "clipboard" not in html
    # a flat run of blocks, as on a lesson page: no cell wrappers; output titled as there
    assert "jp-" not in html and "jupyter-wrapper" not in html
    output = '<div aria-label="Output" class="highlight" role="group"><span class="filename">'
    assert output + "Output</span><pre><code>hello\n</code></pre></div>" in html


def test_cached_table_of_contents_round_trips():
    from mkdocs.structure.toc import get_toc

    tokens = [
        {
            "level": 1,
            "id": "t",
            "name": "T",
            "children": [{"level": 2, "id": "exercise-1", "name": "Exercise 1", "children": []}],
        }
    ]
    assert solution_pages._tokens(get_toc(tokens)) == tokens


def test_the_site_shows_solution_figures_from_shared_files(tmp_path):
    """The page shows each figure as a file under figures/; the download keeps it inline."""
    nb = demo_notebook(tmp_path)
    site = tmp_path / "site"
    shown = {
        url: solution_pages.with_figure_files(nb, url, site)
        for url in ("solutions/demo/", "en/solutions/demo/")
    }
    (svg_file,) = (site / "figures").glob("*.svg")  # one file for both languages
    tags = [
        o.data["text/html"]
        for c in shown["en/solutions/demo/"].cells
        for o in c.get("outputs", [])
        if "data" in o
    ]
    width, height = figures.size(svg_file.read_text())  # 4/3 px per pt of its viewBox
    assert tags == [
        f'<figure class="docexec-figure"><img src="../../../figures/{svg_file.name}" '
        f'alt="$y$ vs $x$" width="{width}" height="{height}" decoding="async"></figure>'
    ]
    zh = shown["solutions/demo/"].cells[1].outputs[1].data["text/html"]
    assert f'src="../../figures/{svg_file.name}"' in zh
    assert svg_file.read_text() == nb.cells[1].outputs[1].data["image/svg+xml"]
    assert (
        nb.cells[1].outputs[1].data["text/html"].startswith('<figure class="docexec-figure"><svg')
    )
