"""The build's parallel pre-run of missing pages (:mod:`engine.prerun`), and the executor's
comparison of a block with an earlier run of it."""

from __future__ import annotations

import pytest

from engine import cache, prerun
from engine.executor import Result, difference, run_page
from engine.pages import Fence, Page


def page(name: str, *codes: str) -> Page:
    fences = [Fence(i, 2 * i, 2 * i + 2, code) for i, code in enumerate(codes, 1)]
    return Page(f"docs/{name}.md", "", fences)


GOOD = page(
    "good",
    "import torch\ng = torch.Generator().manual_seed(3)",
    "print(torch.randn(3, generator=g))",
)
OTHER = page("other", "print(sum(i * i for i in range(10)))")
BROKEN = page("broken", "print('fine')", "1 / 0")


@pytest.fixture
def runs(tmp_path):
    return cache.Runs(tmp_path, read=True)


def test_workers_store_what_the_build_would_and_leave_failures_to_it(runs, monkeypatch):
    monkeypatch.setenv("LESSONS_WORKERS", "2")
    assert prerun.prerun([GOOD, OTHER, BROKEN, GOOD], runs) == 2
    for p in (GOOD, OTHER):
        stored = runs.stored(cache.key(p))
        assert stored is not None and stored.results == run_page(p)[0]
        assert runs.get(cache.key(p)) == stored  # adopted: the build runs it no more
    assert runs.stored(cache.key(BROKEN)) is None  # the build runs it and names it
    assert prerun.prerun([GOOD, OTHER], runs) == 0  # nothing missing: no workers


def test_an_entry_under_another_key_is_never_adopted(runs, monkeypatch):
    monkeypatch.setenv("LESSONS_WORKERS", "2")
    monkeypatch.setattr(cache, "key", lambda p: f"not-what-the-worker-computes-{p.path[5:-3]}")
    assert prerun.prerun([GOOD, OTHER], runs) == 0
    assert runs.memory == {}


def test_one_missing_page_or_one_worker_runs_in_the_build(runs, monkeypatch):
    monkeypatch.setenv("LESSONS_WORKERS", "1")
    assert prerun.prerun([GOOD, OTHER], runs) == 0
    monkeypatch.setenv("LESSONS_WORKERS", "4")
    assert prerun.prerun([OTHER], runs) == 0
    assert not list(runs.store.dir.glob("*.json"))


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_workers_must_be_a_positive_integer(monkeypatch, value):
    monkeypatch.setenv("LESSONS_WORKERS", value)
    with pytest.raises(ValueError, match="LESSONS_WORKERS"):
        prerun.workers()


def test_a_worker_that_dies_leaves_the_rest_to_the_build(runs, monkeypatch, capsys):
    monkeypatch.setenv("LESSONS_WORKERS", "2")
    killer = page("killer", "import os\nos._exit(3)")
    assert prerun.prerun([killer, OTHER], runs) <= 1  # OTHER may finish first
    assert "parallel run stopped" in capsys.readouterr().err
    assert runs.stored(cache.key(killer)) is None


def test_difference_names_the_first_differing_line_or_figure():
    fig = {"svg": "<svg>\n<path d='M 0 1'/>\n</svg>", "alt": "$w$"}
    built = Result("a = 1\nb = 2\n", [fig])
    assert difference(built, Result("a = 1\nb = 2\n", [dict(fig)])) is None
    now = Result("a = 1\nb = 3\n", [fig])
    assert difference(built, now) == "output line 2 is ['b = 3'], the build's ['b = 2']"
    now = Result("a = 1\nb = 2\nc\n", [fig])
    assert difference(built, now) == "output line 3 is ['c'], the build's ['']"
    assert difference(built, Result(built.stdout, [])) == "it drew 0 figures, the build 1"
    moved = {**fig, "svg": fig["svg"].replace("M 0 1", "M 0 1.0001")}
    assert difference(built, Result(built.stdout, [moved])) == (
        "figure 1's svg line 2 is [\"<path d='M 0 1.0001'/>\"], the build's [\"<path d='M 0 1'/>\"]"
    )
