"""A lesson page as a Jupyter notebook, and a notebook run in a fresh kernel.

:func:`notebook` turns a page into a notebook: prose as Markdown cells, fences as code
cells, snippet includes expanded, so it runs on its own wherever ``lessons`` is importable.
Its first cell applies the course's environment (:func:`lessons.environment.apply`), so a
reader's kernel prints the site's numbers; in a notebook the site publishes, that cell first
installs the course's package where it is missing (:func:`setup_cell`), so the notebook runs in
a bare Colab runtime too (:class:`Published`: where the Pages workflow publishes a build's
notebooks, and Colab's address of each). Notebooks are generated from the pages, never
edited by hand. Jupyter renders Markdown without MkDocs' extensions, so admonitions become
block quotes and links to other pages point to their notebooks.

:class:`Session` runs a page's notebook as a reader's fresh kernel does, cell by cell, under the
executor's rules: a warning is an error (:func:`engine.executor.strict_warnings`), and after
each cell its figures are checked and turned into SVG (:func:`engine.executor.figures`), so
the test pass gets from the notebook the same :class:`engine.executor.Result` a fence gives.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shlex
import subprocess
from pathlib import Path

import nbformat

from engine.executor import Result
from engine.pages import KERNEL, ROOT, Fence, FenceError, Page

SETUP = """from lessons import environment

environment.apply()  # the site's threads and CPU path: the site's numbers"""
INSTALL = """try:
    import lessons
except ModuleNotFoundError:  # a bare runtime (Colab): install the course's code
    %pip install -q {requirement}"""
PACKAGE = "pytorch-in-practice"  # pyproject.toml's [project] name
BRANCH = "notebooks"  # the branch the Pages workflow publishes notebooks on, a folder per commit
COLAB = "https://colab.research.google.com/github"
GITHUB = re.compile(r"https://github\.com/([\w.-]+/[\w.-]+)")
STRICT = "from engine.executor import strict_warnings\n\nstrict_warnings(allow=('ipykernel',))"
CAPTURE = "from engine.notebooks import capture\n\ncapture()"
FIGURES = "application/vnd.lessons.figures+json"  # the output that carries a cell's figures
ANSI = re.compile(r"\x1b\[[0-9;]*m")
ADMONITION = re.compile(r'^[!?]{3}\+? *(\w+)(?: +"([^"]*)")?\n((?:(?: {4}.*)?\n)*)', re.M)
PAGE_LINK = re.compile(r"\]\(([\w-]+)\.md(#[\w-]*)?\)")


def _quote(match: re.Match) -> str:
    title = match.group(2) or match.group(1).capitalize()
    text = match.group(3).rstrip("\n")
    body = [line[4:] for line in text.split("\n")]
    quote = "\n".join([f"> **{title}**", ">", *(f"> {line}".rstrip() for line in body)])
    return quote + match.group(3)[len(text) :]  # the blank lines that followed


def for_jupyter(prose: str) -> str:
    """Rewrite a page's Markdown for Jupyter: admonitions as quotes, page links to notebooks."""
    prose = ADMONITION.sub(_quote, prose + "\n").rstrip("\n")
    return PAGE_LINK.sub(lambda m: f"]({m.group(1)}.ipynb{m.group(2) or ''})", prose)


@dataclasses.dataclass(frozen=True)
class Published:
    """Where the Pages workflow publishes the notebooks of the site built from ``commit``.

    The workflow pushes every ``.ipynb`` file of the built site, at its path in the site, into
    the folder ``<commit>/`` of the repository's branch :data:`BRANCH`, where Colab opens it.

    Attributes:
        repository: The GitHub repository, ``https://github.com/<owner>/<name>``.
        commit: The full hash of the commit the site is built from.
    """

    repository: str
    commit: str

    @property
    def requirement(self) -> str:
        """The course's package at ``commit``, as ``pip install`` takes it."""
        return f"{PACKAGE} @ git+{self.repository}@{self.commit}"

    def colab(self, path: str) -> str:
        """Colab's address of the notebook at ``path`` in the site (``momentum/momentum.ipynb``)."""
        name = GITHUB.fullmatch(self.repository).group(1)
        return f"{COLAB}/{name}/blob/{BRANCH}/{self.commit}/{path}"


def published(repository: str | None) -> Published | None:
    """Where this build's notebooks are published; ``None`` without a repository or a commit.

    The commit is ``GITHUB_SHA`` in GitHub Actions, else the checkout's ``HEAD`` (a local
    build with uncommitted changes links that commit); outside git, none.

    Args:
        repository: ``REPO_URL`` (``extra.repository`` in ``mkdocs.yml``), or ``None``.

    Raises:
        ValueError: Naming ``REPO_URL`` or ``GITHUB_SHA``, if either is malformed.
    """
    if not repository:
        return None
    repository = repository.rstrip("/")
    if not GITHUB.fullmatch(repository):
        raise ValueError(
            f"REPO_URL (extra.repository in mkdocs.yml) must be https://github.com/<owner>/<name>"
            f" for the notebooks' Colab links, not {repository!r}"
        )
    commit = os.environ.get("GITHUB_SHA")
    if commit is None:
        try:
            found = subprocess.run(
                ["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=ROOT, capture_output=True
            )
        except OSError:  # no git
            return None
        commit = found.stdout.decode().strip()
        if found.returncode or not commit:  # not a checkout, or one without commits
            return None
    if not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise ValueError(f"GITHUB_SHA must be a full commit hash (40 hex digits), not {commit!r}")
    return Published(repository, commit)


def setup_cell(install: str | None = None) -> str:
    """The source of a notebook's first cell: the course's package, then its environment.

    Args:
        install: What the cell installs with ``%pip`` where ``lessons`` cannot be imported (a
            bare Colab runtime): a requirement, such as :attr:`Published.requirement` or a local
            folder. ``None``: no install step (a local build; the test pass, whose kernels
            import the checkout).
    """
    if install is None:
        return SETUP
    return INSTALL.format(requirement=shlex.quote(install)) + "\n\n" + SETUP


def with_setup(nb: nbformat.NotebookNode, install: str | None = None) -> nbformat.NotebookNode:
    """A copy of ``nb`` (a worked solution's) whose first cell is :func:`setup_cell`."""
    nb = nbformat.from_dict(nb)
    cell = nbformat.v4.new_code_cell(setup_cell(install))
    cell["id"] = "setup"  # stable: the same build gives the same bytes
    nb.cells.insert(0, cell)
    return nb


def notebook(page: Page | str, install: str | None = None) -> nbformat.NotebookNode:
    """Return the notebook for a page (or a page's Markdown).

    Args:
        page: The page, or its Markdown.
        install: What the first cell installs where ``lessons`` is missing (:func:`setup_cell`).
    """
    page = page if isinstance(page, Page) else Page.parse(page, "page")
    lines = page.text.split("\n")
    cells, position = [nbformat.v4.new_code_cell(setup_cell(install))], 0
    for fence in page.fences:
        prose = "\n".join(lines[position : fence.start]).strip()
        if prose:
            cells.append(nbformat.v4.new_markdown_cell(for_jupyter(prose)))
        cells.append(nbformat.v4.new_code_cell(fence.code.rstrip("\n")))
        position = fence.end
    tail = "\n".join(lines[position:]).strip()
    if tail:
        cells.append(nbformat.v4.new_markdown_cell(for_jupyter(tail)))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNEL)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"  # stable ids: the same page gives the same bytes
    return nb


def dumps(page: Page | str, install: str | None = None) -> str:
    """The notebook of a page, as ``.ipynb`` JSON text (``install``: see :func:`setup_cell`)."""
    return nbformat.writes(notebook(page, install))


class Session:
    """A page's notebook in a fresh kernel started in ``folder``: its cells run on demand.

    The kernel first makes warnings errors and starts capturing figures, then runs the
    notebook's setup cell. :meth:`run` runs the cell of one fence; :meth:`close` stops the
    kernel (at once: a graceful shutdown waited 1-2.5 s per notebook here).
    """

    def __init__(self, page: Page, folder: Path) -> None:
        from nbclient import NotebookClient

        self.page, self.nb = page, notebook(page)
        self.cells = [cell for cell in self.nb.cells if cell.cell_type == "code"]
        self.client = NotebookClient(
            self.nb,
            timeout=600,
            kernel_name=KERNEL["name"],
            resources={"metadata": {"path": str(folder)}},
            shutdown_kernel="immediate",
        )
        self._kernel = contextlib.ExitStack()
        self._kernel.enter_context(self.client.setup_kernel())
        for source in (STRICT, CAPTURE):
            self._execute(nbformat.v4.new_code_cell(source), "the kernel's setup")
        self._execute(self.cells[0], "the notebook's setup cell")

    def run(self, fence: Fence) -> Result:
        """Run the cell of ``fence``; return what it printed and drew.

        Raises:
            FenceError: Naming the page and the block, if the cell raises or warns, or draws an
                empty figure or one without a text alternative.
        """
        cell = self.cells[fence.index]
        where = f"Python block {fence.index} (line {fence.start + 1})"
        self._execute(cell, where)
        stdout = "".join(o.text for o in cell.outputs if o.get("name") == "stdout")
        drawn = [o.data[FIGURES] for o in cell.outputs if FIGURES in o.get("data", {})]
        if drawn and "error" in drawn[-1]:
            raise FenceError(f"{self.page.path}: {where} raised ValueError: {drawn[-1]['error']}")
        return Result(stdout, drawn[-1]["figures"] if drawn else [])

    def _execute(self, cell, where: str) -> None:
        from nbclient.exceptions import CellExecutionError

        try:
            self.client.execute_cell(cell, 0)
        except CellExecutionError as err:
            trace = ANSI.sub("", str(err))
            raise FenceError(f"{self.page.path}: {where} raised in its notebook:\n{trace}") from err

    def close(self) -> None:
        """Stop the kernel."""
        self._kernel.close()


def execute(page: Page, folder: Path) -> list[Result]:
    """Run ``page``'s notebook top to bottom in a fresh kernel; return each fence's result."""
    session = Session(page, folder)
    try:
        return [session.run(fence) for fence in page.fences]
    finally:
        session.close()


def capture(skip: int = 1) -> None:
    """In a kernel: after each cell, publish its figures as the executor takes them.

    The figures of the n-th cell after the next ``skip`` ones (counted by the kernel's
    execution count) are named as the executor names block n's (``b<n>-1``, ...). A figure
    that draws nothing or has no text alternative is published as an error, which
    :meth:`Session.run` raises.
    """
    import matplotlib

    matplotlib.use("Agg")  # figures stay open for the capture (no inline display)
    from IPython import get_ipython
    from IPython.display import publish_display_data

    from engine.executor import figures

    shell = get_ipython()
    first = shell.execution_count + skip  # block 1: the count already names the next cell

    def publish(result) -> None:
        number = result.execution_count - first + 1
        if number < 1:  # this cell, or the ones skipped
            return
        try:
            data = {"figures": figures(f"b{number}")}
        except ValueError as err:
            data = {"error": str(err)}
        publish_display_data({FIGURES: data})

    shell.events.register("post_run_cell", publish)
