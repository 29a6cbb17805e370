"""Run every Python fence of every page, the way the site build runs it.

pytest-markdown-docs collects the fences; two hooks make it match the build:

* the Markdown parser expands ``--8<--`` snippet includes in fence bodies (with the
  same pymdownx.snippets code and options the build uses, see ``tools/docexec.py``)
  and marks every Python fence as a continuation, so a fence sees the names
  defined by the fences above it on the same page;
* the default runner keeps one namespace per page and executes only the code it has
  not run yet, so a page costs one run, not one per fence. A fence run on its own
  (``-k``) re-runs the page from the top, so each test still stands alone.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings

if os.environ.get("PYTEST_XDIST_WORKER"):
    # One thread per worker, inherited by notebook kernels and mkdocs subprocesses too:
    # two workers on two cores with two OpenMP threads each spin against each other.
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = "1"

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from pytest_markdown_docs._runners import DefaultRunner, register_runner  # noqa: E402

from tools import docexec  # noqa: E402


def _expand_fences(state) -> None:
    for token in state.tokens:
        info = token.info.split()
        if token.type == "fence" and info and info[0] in docexec.PY_LANGS:
            token.content = docexec.expand(token.content)
            if "continuation" not in info:
                token.info = " ".join([info[0], "continuation", *info[1:]])


def pytest_markdown_docs_markdown_it():
    """A CommonMark parser (as the build uses) that expands includes and chains fences."""
    md = docexec.parser()
    md.core.ruler.push("expand_snippets", _expand_fences)
    return md


@register_runner(default=True)
class PageSessionRunner(DefaultRunner):
    """Run a page's fences in one namespace, executing only code not yet run."""

    pages: dict[str, tuple[dict, str]] = {}  # page -> (namespace, source already run)

    def runtest(self, test, args, **kwargs):
        """Execute the part of ``test.source`` that this page's namespace has not seen."""
        key = str(test.source_path)
        namespace, done = self.pages.pop(key, (None, None))
        if namespace is None or not test.source.startswith(done):
            namespace, done = args, ""
            namespace["__name__"] = "__lesson__"
        todo = "\n" * done.count("\n") + test.source[len(done) :]
        plt.close("all")
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("error")  # as in the build: a warning fails the fence
            super().runtest(test.__class__(**{**test.__dict__, "source": todo}), namespace)
        plt.close("all")
        self.pages[key] = (namespace, test.source)


collect_ignore = ["tests/fixtures"]  # the mini site's page is built by tests, not run as a test


@pytest.fixture(autouse=True)
def _close_figures():
    """Unit tests that draw must not leak figures into the next test."""
    yield
    plt.close("all")


# Tests that must share one xdist worker: a page's fences (they run in order, in one
# namespace) and the browser tests (they share one built site). The nodeid's file says
# which: ``--dist loadgroup`` can't be used, since pytest 9.2 no longer lets xdist 3.8
# tag nodeids with their ``xdist_group`` (pytest-dev/pytest-xdist#1386).
SHARED_WORKER = ("docs/", "tests/test_browser.py")


def pytest_xdist_make_scheduler(config, log):
    """Schedule like ``--dist load``, but one worker per page and for the browser tests."""
    from xdist.scheduler import LoadScopeScheduling

    class PageScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path.startswith(SHARED_WORKER) else nodeid

    return PageScheduling(config, log)
