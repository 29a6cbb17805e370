"""Worked solutions (``docs/solutions``): parity, coverage, execution, links and rendering."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from tools import docexec, figures, jupyter_hooks, rerun, solution_html, solutions

ROOT = Path(__file__).resolve().parent.parent
SLUGS = solutions.slugs()
HEADING = {"zh": r"## 练习 (\d+)", "en": r"## Exercise (\d+)"}


def source(slug: str, lang: str) -> str:
    return (solutions.SOURCES / f"{slug}.{lang}.py").read_text("utf8")


def exercise_count(slug: str) -> int:
    """Number of items in the lesson's (English) exercise list."""
    text = (ROOT / "docs" / f"{slug}.en.md").read_text("utf8")
    section = text.split("\n## Exercises\n", 1)[1].split("\n## ", 1)[0]
    return len(re.findall(r"^\d+\. ", section, re.M))


def exercise_numbers(slug: str, lang: str) -> list[int]:
    cells = solutions.read(source(slug, lang)).cells
    headings = [re.match(HEADING[lang], c.source) for c in cells if c.cell_type == "markdown"]
    return [int(m.group(1)) for m in headings if m]


@pytest.mark.parametrize("slug", solutions.lessons_with_exercises())
def test_every_lesson_with_exercises_has_solutions_in_both_languages(slug):
    for lang in ("zh", "en"):
        assert (solutions.SOURCES / f"{slug}.{lang}.py").exists(), f"{slug}.{lang}.py is missing"


@pytest.mark.parametrize("slug", SLUGS)
def test_both_languages_have_the_same_code_and_exercises(slug):
    zh, en = (solutions.read(source(slug, lang)) for lang in ("zh", "en"))
    code = [[c.source for c in nb.cells if c.cell_type == "code"] for nb in (zh, en)]
    assert code[0] == code[1], "code cells differ between zh and en"
    assert zh.cells[0].source.startswith("# ") and zh.cells[0].source.split("\n")[0].endswith(
        "：练习解答"
    )
    assert en.cells[0].source.split("\n")[0].endswith(": solutions")
    numbers = list(range(1, exercise_count(slug) + 1))
    assert exercise_numbers(slug, "zh") == exercise_numbers(slug, "en") == numbers


@pytest.mark.parametrize("slug", SLUGS)
def test_solution_runs(slug, tmp_path):
    """Each solution runs once here (Chinese; the code is the same), with a fresh cache.

    Where the build's cache holds the solution under the same key, each cell printed and
    drew exactly what the build's run did.
    """
    page = solutions.page(solutions.SOURCES / f"{slug}.zh.py")
    key = docexec.cache_key(page)
    docexec.MEMORY.pop(key, None)  # run it here, whatever this process ran before
    cache = docexec.Cache(tmp_path, enabled=False)
    nb = solutions.execute(source(slug, "zh"), page.path, cache)
    assert any(c.outputs for c in nb.cells if c.cell_type == "code"), "nothing printed or drawn"
    built, ran = rerun.built(page), cache.get(key).results
    for cell, (then, now) in enumerate(zip(built, ran, strict=True) if built else []):
        differs = rerun.difference(then, now)
        assert differs is None, f"{page.path}, code cell {cell + 1}: {differs}"


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lesson_links_to_its_solutions(slug, lang):
    page = SimpleNamespace(file=SimpleNamespace(src_uri=f"{slug}.{lang}.md"))
    text = (ROOT / "docs" / f"{slug}.{lang}.md").read_text("utf8")
    out = jupyter_hooks.on_page_markdown(text, page, None, None)
    heading = solutions.EXERCISES[lang]
    link = jupyter_hooks.LINK[lang].format(target=f"solutions/{slug}.py")
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
    cache = docexec.Cache(tmp_path, enabled=False)
    with pytest.raises(solutions.SolutionError) as err:
        solutions.execute(BROKEN, "docs/solutions/broken.en.py", cache)
    message = str(err.value)
    assert "solutions notebook docs/solutions/broken.en.py, code cell 2" in message
    assert "ZeroDivisionError" in message
    assert 'File "docs/solutions/broken.en.py", line 11' in message  # the source's own line


def test_the_build_fails_on_a_raising_cell(monkeypatch, tmp_path):
    monkeypatch.setattr(jupyter_hooks, "CACHE", docexec.Cache(tmp_path, enabled=False))
    file = SimpleNamespace(src_uri="solutions/broken.zh.py", content_string=BROKEN)
    with pytest.raises(PluginError, match=r"docs/solutions/broken\.zh\.py, code cell 2"):
        jupyter_hooks._render(SimpleNamespace(file=file), None, None, None)


def test_nav_gets_a_solutions_section_in_lesson_order():
    nav = ["index.md", {"A": ["b.md", "a.md"]}, "reference.md"]
    new = jupyter_hooks._with_solutions(nav, ["a", "b"])
    assert new[2] == {jupyter_hooks.NAV_SECTION: ["solutions/b.py", "solutions/a.py"]}
    assert new[-1] == "reference.md"
    assert jupyter_hooks._with_solutions(new, ["a", "b"]) == new  # idempotent (once per language)


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


def test_render_is_lean_with_arithmatex_math_and_accessible_figures(tmp_path):
    from mkdocs_jupyter import convert
    from nbformat import writes

    nb = solutions.execute(RENDERED, "demo", docexec.Cache(tmp_path, enabled=False))
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
    assert jupyter_hooks._tokens(get_toc(tokens)) == tokens


def test_the_site_shows_solution_figures_from_shared_files(tmp_path):
    """The page shows each figure as a file under figures/; the download keeps it inline."""
    nb = solutions.execute(RENDERED, "demo", docexec.Cache(tmp_path, enabled=False))
    site = tmp_path / "site"
    shown = {
        url: solutions.with_figure_files(nb, url, site)
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
