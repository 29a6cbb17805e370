"""The engine's one cache: the same fault policy for every kind of entry it stores.

End to end, in real builds, ``tests/tools/test_site_build.py`` checks the same for a page's
runs and a worked solution's render.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from engine import cache
from engine.executor import Result
from engine.pages import Fence, Page

KINDS = ("runs", "renders")


@pytest.fixture(params=KINDS)
def store(request, tmp_path):
    return cache.Store(request.param, tmp_path)


def test_an_entry_reads_back_what_was_written(store):
    store.write("k1", {"content": "<p>é</p>"})
    assert store.read("k1") == {"key": "k1", "content": "<p>é</p>"}
    assert store.read("missing") is None
    assert not list(store.dir.glob("*.tmp"))  # written through a temporary file, renamed


@pytest.mark.parametrize(
    ("text", "reason"),
    [('{"key": "k1", "cont', "Unterminated string"), ('{"key": "k2"}', "holds k2"), ("[]", "")],
    ids=["truncated", "another key", "not an entry"],
)
def test_an_unusable_entry_is_reported_in_one_line_and_made_again(store, capsys, text, reason):
    store.dir.mkdir(parents=True)
    (store.dir / "k1.json").write_text(text)
    assert store.read("k1") is None
    err = capsys.readouterr().err
    assert err.startswith(f"cache: {store.kind} entry k1.json is unusable (") and reason in err
    assert err.endswith("making it again\n") and err.count("\n") == 1


def test_an_entry_its_reader_rejects_is_unusable_too(store, capsys):
    store.write("k1", {"results": "not a list of results"})
    assert store.read("k1", lambda data: [Result(**r) for r in data["results"]]) is None
    assert "is unusable" in capsys.readouterr().err


def test_evict_keeps_what_was_used_and_live_writes(store):
    for key in ("used", "unused"):
        store.write(key, {})
    fresh = cache.Store(store.kind, store.dir.parent)
    fresh.read("used")
    (store.dir / "live.123.tmp").write_text("")
    old = store.dir / "dead.456.tmp"
    old.write_text("")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert fresh.evict() == ["unused.json", "dead.456.tmp"]
    assert sorted(p.name for p in store.dir.iterdir()) == ["live.123.tmp", "used.json"]


def test_runs_keep_a_page_in_memory_and_on_disk(tmp_path):
    page = Page("docs/p.md", "", [Fence(1, 0, 2, "print(6 * 7)")])
    runs = cache.Runs(tmp_path, read=True)
    entry = runs.entry(page)
    assert entry.results == [Result("42\n", [])]
    assert json.loads((tmp_path / "runs" / f"{cache.key(page)}.json").read_text())
    assert cache.Runs(tmp_path, read=True).get(cache.key(page)) == entry
    assert cache.Runs(tmp_path, read=False).get(cache.key(page)) is None  # LESSONS_CACHE=off
