"""The build's parallel pre-run of missing pages (:mod:`tools.prefetch`)."""

from __future__ import annotations

import pytest

from tools import docexec, prefetch, rerun


def page(name: str, *codes: str) -> docexec.Page:
    fences = [docexec.Fence(i, 2 * i, 2 * i + 2, code) for i, code in enumerate(codes, 1)]
    return docexec.Page(f"docs/{name}.md", "", fences)


GOOD = page(
    "good",
    "import torch\ng = torch.Generator().manual_seed(3)",
    "print(torch.randn(3, generator=g))",
)
OTHER = page("other", "print(sum(i * i for i in range(10)))")
BROKEN = page("broken", "print('fine')", "1 / 0")


@pytest.fixture
def cache(tmp_path):
    yield docexec.Cache(tmp_path, enabled=True)
    for p in (GOOD, OTHER, BROKEN):
        docexec.MEMORY.pop(docexec.cache_key(p), None)


def test_workers_store_what_the_build_would_and_leave_failures_to_it(cache, monkeypatch):
    monkeypatch.setenv("LESSONS_WORKERS", "2")
    assert prefetch.prefetch([GOOD, OTHER, BROKEN, GOOD], cache) == 2
    for p in (GOOD, OTHER):
        stored = cache.read(docexec.cache_key(p))
        assert stored is not None and stored.results == docexec.run_page(p)[0]
    assert cache.read(docexec.cache_key(BROKEN)) is None  # the build runs it and names it
    assert prefetch.prefetch([GOOD, OTHER], cache) == 0  # nothing missing: no workers


def test_a_result_under_another_key_is_never_stored(cache, monkeypatch):
    monkeypatch.setenv("LESSONS_WORKERS", "2")
    monkeypatch.setattr(docexec, "cache_key", lambda p: f"not-what-the-worker-computes-{p.path}")
    assert prefetch.prefetch([GOOD, OTHER], cache) == 0
    assert not list(cache.dir.glob("*.json"))


def test_one_missing_page_or_one_worker_runs_in_the_build(cache, monkeypatch):
    monkeypatch.setenv("LESSONS_WORKERS", "1")
    assert prefetch.prefetch([GOOD, OTHER], cache) == 0
    monkeypatch.setenv("LESSONS_WORKERS", "4")
    assert prefetch.prefetch([OTHER], cache) == 0
    assert not list(cache.dir.glob("*.json"))


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_workers_must_be_a_positive_integer(monkeypatch, value):
    monkeypatch.setenv("LESSONS_WORKERS", value)
    with pytest.raises(ValueError, match="LESSONS_WORKERS"):
        prefetch.workers()


def test_a_worker_that_dies_leaves_the_rest_to_the_build(cache, monkeypatch, capsys):
    monkeypatch.setenv("LESSONS_WORKERS", "2")
    killer = page("killer", "import os\nos._exit(3)")
    assert prefetch.prefetch([killer, OTHER], cache) <= 1  # OTHER may finish first
    assert "parallel run stopped" in capsys.readouterr().err
    assert cache.read(docexec.cache_key(killer)) is None


def test_difference_names_the_first_differing_line_or_figure():
    fig = {"svg": "<svg>\n<path d='M 0 1'/>\n</svg>", "alt": "$w$"}
    built = docexec.Result("a = 1\nb = 2\n", [fig])
    assert rerun.difference(built, docexec.Result("a = 1\nb = 2\n", [dict(fig)])) is None
    now = docexec.Result("a = 1\nb = 3\n", [fig])
    assert rerun.difference(built, now) == "output line 2 is ['b = 3'], the build's ['b = 2']"
    now = docexec.Result("a = 1\nb = 2\nc\n", [fig])
    assert rerun.difference(built, now) == "output line 3 is ['c'], the build's ['']"
    assert rerun.difference(built, docexec.Result(built.stdout, [])) == (
        "it drew 0 figures, the build 1"
    )
    moved = {**fig, "svg": fig["svg"].replace("M 0 1", "M 0 1.0001")}
    assert rerun.difference(built, docexec.Result(built.stdout, [moved])) == (
        "figure 1's svg line 2 is [\"<path d='M 0 1.0001'/>\"], the build's [\"<path d='M 0 1'/>\"]"
    )
