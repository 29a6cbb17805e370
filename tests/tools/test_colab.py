"""One click to Colab: each notebook the site publishes installs the course where it is missing.

With ``REPO_URL``, every lesson and worked-solution notebook's first cell installs this package
at the commit the site was built from, when ``lessons`` cannot be imported, and each page links
the notebook in Colab after its download link; the Pages workflow publishes the notebooks where
those links point. The last test runs a lesson's notebook in a fresh virtual environment that
has only torch and the notebook tools, its install pointed at a copy of this checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import venv
from types import SimpleNamespace

import nbformat
import pytest
import yaml

from engine import executor, notebooks, pages
from engine.pages import KERNEL
from tools import languages, lesson_pages

ROOT = pages.ROOT
REPO = "https://github.com/example/pytorch-in-practice"
SHA = "0123456789abcdef0123456789abcdef01234567"
LESSON = "linear-model"  # a short lesson (about 3 s) that prints numbers
TOOLS = ("torch", "nbclient", "ipykernel", "nbformat")  # all the bare environment has
RUN = """import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], 4)
NotebookClient(nb, timeout=600, resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(nb, sys.argv[1])
"""


def lesson() -> pages.Page:
    return pages.Page.read(pages.page_file(LESSON, pages.default_language()))


def test_the_commit_comes_from_actions_or_the_checkout(monkeypatch):
    monkeypatch.setenv("GITHUB_SHA", SHA)
    published = notebooks.published(REPO + "/")
    assert published == notebooks.Published(REPO, SHA)
    assert published.requirement == f"pytorch-in-practice @ git+{REPO}@{SHA}"
    assert published.colab("en/momentum/momentum.ipynb") == (
        "https://colab.research.google.com/github/example/pytorch-in-practice"
        f"/blob/{notebooks.BRANCH}/{SHA}/en/momentum/momentum.ipynb"
    )
    monkeypatch.delenv("GITHUB_SHA")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    assert notebooks.published(REPO).commit == head.stdout.strip()
    assert notebooks.published(None) is None and notebooks.published("") is None


@pytest.mark.parametrize(
    ("repository", "sha", "named"),
    [
        ("https://gitlab.com/example/course", SHA, "REPO_URL"),
        ("github.com/example/course", SHA, "REPO_URL"),
        (REPO, "main", "GITHUB_SHA"),
        (REPO, SHA[:12], "GITHUB_SHA"),
    ],
)
def test_a_malformed_repository_or_commit_is_named(monkeypatch, repository, sha, named):
    monkeypatch.setenv("GITHUB_SHA", sha)
    with pytest.raises(ValueError, match=named):
        notebooks.published(repository)


def test_the_first_cell_installs_then_applies_the_environment():
    """Only the first cell differs; it stays the one setup cell the test pass's kernels run."""
    page = lesson()
    plain, published = notebooks.notebook(page), notebooks.notebook(page, f"x @ git+{REPO}@{SHA}")
    assert plain.cells[0].source == notebooks.SETUP
    first = published.cells[0].source
    assert first.startswith("try:\n    import lessons\nexcept ModuleNotFoundError:")
    assert f"\n    %pip install -q 'x @ git+{REPO}@{SHA}'\n" in first
    assert first.endswith("\n" + notebooks.SETUP)
    assert published.cells[1:] == plain.cells[1:]
    nbformat.validate(published)


def test_a_solutions_notebook_gets_the_same_first_cell():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T")])
    nb.cells[0].id = "c1"
    setup = notebooks.with_setup(nb, "/some/folder")
    assert [c.id for c in setup.cells] == ["setup", "c1"] and len(nb.cells) == 1
    assert setup.cells[0].source == notebooks.setup_cell("/some/folder")
    nbformat.validate(setup)


@pytest.mark.parametrize("lang", pages.languages())
def test_the_colab_link_follows_the_download_link(lang):
    """The download first (Colab is out of reach in parts of China), then Colab, if published."""
    root = "" if lang == pages.default_language() else f"{lang}/"
    page = SimpleNamespace(
        url=f"{root}momentum/",
        file=SimpleNamespace(src_uri=f"momentum.{lang}.md", dest_uri=f"{root}momentum/index.html"),
    )
    markdown = "# Momentum\n\nText."
    published = notebooks.Published(REPO, SHA)
    line = lesson_pages._with_notebook_link(markdown, page, published).split("\n")[2]
    colab = published.colab(f"{root}momentum/momentum.ipynb")
    label = languages.LABELS[lang]["colab"]
    assert re.fullmatch(
        rf'<a class="notebook-link" href="momentum\.ipynb" download>[^<]+</a> · '
        rf'<a class="colab-link" href="{re.escape(colab)}">{re.escape(label)}</a>',
        line,
    )
    assert "colab" not in lesson_pages._with_notebook_link(markdown, page, None)


def test_the_workflow_publishes_where_the_links_point():
    """The notebooks of the site, at their paths in it, under ``<commit>/`` on the branch."""
    workflow = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text("utf8"))
    jobs = workflow["jobs"]
    build = "\n".join(str(step) for step in jobs["build"]["steps"])
    assert "REPO_URL" in build and "site/**/*.ipynb" in build
    (name,) = [
        n for n, job in jobs.items() if job.get("permissions", {}).get("contents") == "write"
    ]
    publish = "\n".join(str(step) for step in jobs[name]["steps"])
    assert "'path': '${{ github.sha }}'" in publish
    assert f"HEAD:{notebooks.BRANCH}" in publish
    assert name in jobs["deploy"]["needs"]  # the site goes live once its notebooks are there


def pins() -> dict[str, str]:
    """``requirements.txt``'s pinned versions, by lower-case name."""
    text = (ROOT / "requirements.txt").read_text("utf8")
    return {m[1].lower(): m[2] for m in re.finditer(r"^([\w.-]+)==(\S+)", text, re.M)}


def bare_env() -> dict[str, str]:
    """This process's environment, without the checkout on the path; pip keeps the site's pins.

    The pins make the notebook's install take the site's versions (so its numbers are the
    site's) from pip's cache or a local index, as ``.venv``'s were. pip compiles nothing
    (torch's files took a minute on 2 cores): the kernel writes the bytecode of what it imports.
    """
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return {**env, "PIP_CONSTRAINT": str(ROOT / "requirements.txt"), "PIP_COMPILE": "false"}


@pytest.fixture
def bare(tmp_path):
    """A fresh virtual environment with only torch and the notebook tools: its Python.

    Removed afterwards (about 1 GB).
    """
    folder = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(folder)
    python = str(folder / "bin" / "python")
    tools = [f"{name}=={pins()[name]}" for name in TOOLS]
    pip = [python, "-m", "pip", "install", "-q", "--only-binary=:all:", *tools]
    subprocess.run(pip, env=bare_env(), check=True, capture_output=True, timeout=600)
    yield python
    shutil.rmtree(folder, ignore_errors=True)


def test_a_published_notebook_runs_in_a_bare_runtime(bare, tmp_path):
    """A fresh venv with only torch and the notebook tools runs the lesson's notebook.

    Its first cell installs the package from a copy of this checkout's package sources
    (``pip`` would write ``build/`` and an egg-info into the checkout itself), then the
    notebook must print what the page prints.
    """
    env, python = bare_env(), bare
    missing = subprocess.run([python, "-c", "import lessons"], cwd=tmp_path, env=env)
    assert missing.returncode != 0, "the bare environment must not see the checkout"

    source = tmp_path / "checkout"
    skip = shutil.ignore_patterns("__pycache__")
    for package in ("lessons", "engine", "tools"):
        shutil.copytree(ROOT / package, source / package, ignore=skip)
    shutil.copy2(ROOT / "pyproject.toml", source)
    page = lesson()
    path = tmp_path / "lesson.ipynb"
    nbformat.write(notebooks.notebook(page, str(source)), path)
    ran = subprocess.run(
        [python, "-c", RUN, str(path), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]

    where = subprocess.run(
        [python, "-c", "import lessons; print(lessons.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(tmp_path / "venv")), "the first cell installs the package"
    cells = [c for c in nbformat.read(path, 4).cells if c.cell_type == "code"][1:]
    printed = ["".join(o.text for o in c.outputs if o.get("name") == "stdout") for c in cells]
    expected = [result.stdout for result in executor.run_page(page)[0]]
    assert any(expected) and printed == expected

    # Where the package is present, the first cell installs nothing (this folder does not exist).
    again = tmp_path / "again.ipynb"
    cell = nbformat.v4.new_code_cell(notebooks.setup_cell(str(tmp_path / "no-such-folder")))
    nbformat.write(nbformat.v4.new_notebook(cells=[cell], metadata={"kernelspec": KERNEL}), again)
    rerun = subprocess.run(
        [python, "-c", RUN, str(again), str(tmp_path)], env=env, capture_output=True, text=True
    )
    assert rerun.returncode == 0, rerun.stderr[-3000:]
