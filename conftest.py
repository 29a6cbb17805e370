"""Run every Python fence of every page, in the page's notebook, with the engine's rules.

pytest-markdown-docs collects the fences and reports them (page, fence number, line); two
hooks feed it the engine:

* its Markdown parser expands ``--8<--`` snippet includes with :func:`engine.pages.expand`
  (the options ``mkdocs.yml`` gives) and marks every Python fence as a continuation;
* the default runner runs a page's fences as the cells of the page's notebook, in a fresh
  kernel started outside the repository (:class:`engine.notebooks.Session`): the notebook a
  reader downloads, run once per page, is the test of its fences. The executor's rules hold
  there: a warning is an error, and each figure must draw something and have a text
  alternative. A fence selected alone (``-k``) re-runs its page from the top.

One run per page and purpose: the pages of the default language are collected; the other
languages' fences are byte-identical to theirs (``tests/tools/test_pages.py`` checks). Where
the cache holds the page under the same key (a build's run; in CI, a cold build under other
thread counts and CPU paths), each fence must print and draw exactly what that run did
(:func:`engine.executor.difference`). Where it does not, the page's results are stored once
its last fence has run, for the build to render.

pytest-xdist's stock ``--dist loadfile`` keeps a page's fences, which share a kernel, on one
worker, and the browser tests with their one built site.
"""

from __future__ import annotations

import ast
import functools
import shutil
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from pytest_markdown_docs._runners import DefaultRunner, register_runner  # noqa: E402

from engine import cache, executor, notebooks, pages  # noqa: E402
from lessons import environment  # noqa: E402

environment.apply()  # the CPU paths are fixed at torch's first computation: pin them first
environment.pin_site_device()  # the build's numbers; LESSONS_DEVICE=cuda tests on a GPU
RUNS = cache.Runs(read=True)  # what a build stored, to compare with, and where to store


def _expand_fences(state) -> None:
    for token in state.tokens:
        info = token.info.split()
        if token.type == "fence" and info and info[0] in pages.PY_LANGS:
            token.content = pages.expand(token.content)
            if "continuation" not in info:
                token.info = " ".join([info[0], "continuation", *info[1:]])


def pytest_markdown_docs_markdown_it():
    """The page model's parser, expanding includes and chaining a page's fences."""
    md = pages.parser()
    md.core.ruler.push("expand_snippets", _expand_fences)
    return md


@functools.cache
def _page(path: str) -> tuple[pages.Page, str, cache.Entry | None]:
    """The page, its cache key, and what a build stored under that key (read once)."""
    page = pages.Page.read(path)
    key = cache.key(page)
    return page, key, RUNS.stored(key)


class Kernel:
    """A page's notebook session in a fresh kernel, in a folder of its own, and its results."""

    def __init__(self, page: pages.Page) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="notebook-"))  # outside the repository
        self.session = notebooks.Session(page, self.folder)
        self.results: list[executor.Result] = []

    def close(self) -> None:
        """Stop the kernel and remove its folder."""
        self.session.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def prints(code: str) -> bool:
    """Whether ``code`` calls ``print`` as a statement of its own, at the top level."""
    return any(
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", None) == "print"
        for node in ast.parse(code).body
    )


@register_runner(default=True)
class PageSessionRunner(DefaultRunner):
    """Run a page's fences as its notebook's cells, one kernel per page."""

    kernels: dict[str, Kernel] = {}  # page -> its running notebook

    def runtest(self, test, args, **kwargs):
        """Run the page's cells up to and including the fence ``test`` stands for."""
        page, key, built = _page(str(test.source_path))
        found = [f.index for f in page.fences if f.start + 1 == test.start_line]
        if not found:
            raise LookupError(f"{page.path} changed since collection: no fence at its line")
        index = found[0]
        kernel = self.kernels.pop(page.path, None)
        if kernel is not None and len(kernel.results) >= index:  # out of order: from the top
            kernel.close()
            kernel = None
        kernel = kernel or Kernel(page)
        try:
            for fence in page.fences[len(kernel.results) : index]:
                kernel.results.append(self._run(kernel, fence, page, built))
        except BaseException:
            kernel.close()
            raise
        if len(kernel.results) < len(page.fences):
            self.kernels[page.path] = kernel
            return
        kernel.close()
        if built is None:  # the whole page ran, in order: the build renders this run
            RUNS.put(key, cache.Entry(kernel.results, environment.describe()))

    @staticmethod
    def _run(kernel: Kernel, fence: pages.Fence, page: pages.Page, built) -> executor.Result:
        result = kernel.session.run(fence)  # FenceError names the page, block and line
        where = f"{page.path}: Python block {fence.index}"
        if prints(fence.code) and not result.stdout:
            raise AssertionError(f"{where} prints, but its notebook cell has no output")
        differs = built and executor.difference(built.results[fence.index - 1], result)
        if differs:
            raise AssertionError(f"{where}: {differs}")
        return result


def pytest_sessionfinish(session, exitstatus):
    """Stop the kernels of pages whose last fence did not run (``-k``, ``-x``)."""
    for kernel in PageSessionRunner.kernels.values():
        kernel.close()
    PageSessionRunner.kernels.clear()


# The mini sites' pages are built by tests, not run as tests; worked solutions are run once
# each by tests/site/test_solutions.py; other languages' fences are the default language's.
collect_ignore = ["tests/fixtures"]
collect_ignore_glob = ["docs/solutions/*"] + [
    f"docs/*.{lang}.md" for lang in pages.languages() if lang != pages.default_language()
]


@pytest.fixture(autouse=True)
def _close_figures():
    """Unit tests that draw must not leak figures into the next test."""
    yield
    plt.close("all")
