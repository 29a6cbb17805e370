"""Run every Python fence of every page through the engine's page model and executor.

pytest-markdown-docs collects the fences and reports them (page, fence number, line); two
hooks feed it the engine:

* its Markdown parser expands ``--8<--`` snippet includes with :func:`engine.pages.expand`
  (the options ``mkdocs.yml`` gives) and marks every Python fence as a continuation;
* the default runner runs a page's fences with :func:`engine.executor.run_fence`, the
  build's own executor, in one namespace per page: a warning is an error, a figure must
  draw something and have a text alternative. A fence selected alone (``-k``) re-runs its
  page from the top, so each test still stands alone.

One run per page and purpose: the pages of the default language are collected; the other
languages' fences are byte-identical to theirs (``tests/site/test_pages.py`` checks), so
they would run the same code again. Where the cache holds the page under the same key (a
build's run, in CI a cold build under another thread count), each fence must print and
draw exactly what that run did (:func:`engine.executor.difference`). Where it does not,
the page's results are stored once its last fence has run, for the build to render.

pytest-xdist's stock ``--dist loadfile`` keeps a page's fences, which share a namespace, on
one worker, and the browser tests with their one built site.
"""

from __future__ import annotations

import functools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from pytest_markdown_docs._runners import DefaultRunner, register_runner  # noqa: E402

from engine import cache, executor, pages  # noqa: E402
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


@register_runner(default=True)
class PageSessionRunner(DefaultRunner):
    """Run a page's fences with the build's executor, in one namespace per page."""

    sessions: dict[str, tuple[dict, list[executor.Result]]] = {}  # page -> namespace, results

    def runtest(self, test, args, **kwargs):
        """Run the page's fences up to and including the one ``test`` stands for."""
        page, key, built = _page(str(test.source_path))
        found = [f.index for f in page.fences if f.start + 1 == test.start_line]
        if not found:
            raise LookupError(f"{page.path} changed since collection: no fence at its line")
        index = found[0]
        namespace, results = self.sessions.pop(page.path, (None, []))
        if namespace is None or len(results) >= index:  # run alone, or out of order: from the top
            namespace, results = executor.new_namespace(), []
        for fence in page.fences[len(results) : index]:
            try:
                result = executor.run_fence(fence, namespace, page.path)
            except pages.FenceError as err:
                raise err.__cause__ from None  # pytest-markdown-docs shows the page's lines
            differs = built and executor.difference(built.results[fence.index - 1], result)
            if differs:
                raise AssertionError(f"{page.path}: Python block {fence.index}: {differs}")
            results.append(result)
        self.sessions[page.path] = (namespace, results)
        if len(results) == len(page.fences) and built is None:  # the whole page, in order
            RUNS.put(key, cache.Entry(results, environment.describe()))


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
