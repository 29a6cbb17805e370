"""Run every Python fence of every page through the site's own page model and executor.

pytest-markdown-docs collects the fences and reports them (page, fence number, line); two
hooks feed it the shared page model, :mod:`lessons.page`:

* its Markdown parser expands ``--8<--`` snippet includes with :func:`lessons.page.expand`
  (the options ``mkdocs.yml`` gives) and marks every Python fence as a continuation;
* the default runner runs a page's fences with :func:`lessons.page.run_fence`, the build's
  own executor, in one namespace per page: a warning is an error, a figure must draw
  something and have a text alternative. A fence selected alone (``-k``) re-runs its page
  from the top, so each test still stands alone.

Where the build's cache holds the page under the same key, each fence must print and draw
exactly what the build's run did (:func:`tools.rerun.difference`): in CI the builds ran
under 4 and 1 OpenMP threads in other processes, so every page is checked for repeatability.
"""

from __future__ import annotations

import functools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from pytest_markdown_docs._runners import DefaultRunner, register_runner  # noqa: E402

from lessons import environment  # noqa: E402
from lessons import page as pages  # noqa: E402
from tools import rerun  # noqa: E402

environment.apply()  # the CPU paths are fixed at torch's first computation: pin them first
environment.pin_site_device()  # the build's numbers; LESSONS_DEVICE=cuda tests on a GPU


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
def _page(path: str) -> pages.Page:
    return pages.Page.read(path)


@functools.cache
def _built(path: str) -> list[pages.Result] | None:
    return rerun.built(_page(path))


@register_runner(default=True)
class PageSessionRunner(DefaultRunner):
    """Run a page's fences with the build's executor, in one namespace per page."""

    sessions: dict[str, tuple[dict, int]] = {}  # page -> (namespace, fences run so far)

    def runtest(self, test, args, **kwargs):
        """Run the page's fences up to and including the one ``test`` stands for."""
        page = _page(str(test.source_path))
        found = [f.index for f in page.fences if f.start + 1 == test.start_line]
        if not found:
            raise LookupError(f"{page.path} changed since collection: no fence at its line")
        index = found[0]
        namespace, done = self.sessions.pop(page.path, (None, 0))
        if namespace is None or done >= index:  # run alone, or out of order: from the top
            namespace, done = pages.new_namespace(), 0
        for fence in page.fences[done:index]:
            try:
                result = pages.run_fence(fence, namespace, str(test.source_path))
            except pages.FenceError as err:
                raise err.__cause__ from None  # pytest-markdown-docs shows the page's lines
            built = _built(page.path)
            differs = built and rerun.difference(built[fence.index - 1], result)
            if differs:
                raise AssertionError(f"{page.path}: Python block {fence.index}: {differs}")
        self.sessions[page.path] = (namespace, index)


collect_ignore = ["tests/fixtures"]  # the mini site's page is built by tests, not run as a test
# Worked solutions are run once each by tests/test_solutions.py, not imported as modules.
collect_ignore_glob = ["docs/solutions/*"]


@pytest.fixture(autouse=True)
def _close_figures():
    """Unit tests that draw must not leak figures into the next test."""
    yield
    plt.close("all")


# Tests that must share one xdist worker: a page's fences (they run in order, in one
# namespace) and the browser tests (they share one built site). The nodeid's file says
# which: ``--dist loadgroup`` can't be used, since pytest 9.2 no longer lets xdist 3.8
# tag nodeids with their ``xdist_group`` (pytest-dev/pytest-xdist#1386).
SHARED_WORKER = ("docs/", "tests/test_browser")


def scope(nodeid: str) -> str:
    """The scheduling unit of a test: its file for pages and browser tests, else itself."""
    path = nodeid.split("::", 1)[0]
    return path if path.startswith(SHARED_WORKER) else nodeid


def pytest_xdist_make_scheduler(config, log):
    """Schedule like ``--dist load``, but one worker per page and for the browser tests."""
    from xdist.scheduler import LoadScopeScheduling

    class PageScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope(nodeid)

    return PageScheduling(config, log)
