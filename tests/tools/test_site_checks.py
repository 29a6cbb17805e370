"""The link check of a built site fails where it should: links, anchors, requests, alt texts.

It runs on a tiny site of its own here; CI runs it over the whole built course
(``python3 tasks.py check``). The axe check is shown failing in ``test_browser.py``, which
holds the one browser of the test pass.
"""

from __future__ import annotations

from pathlib import Path

from tools import check_site

PAGE = (
    '<!doctype html><html lang="en"><head><title>{title}</title></head><body>{body}</body></html>'
)


def write(site: Path, name: str, body: str) -> None:
    (site / name).parent.mkdir(parents=True, exist_ok=True)
    (site / name).write_text(PAGE.format(title=name, body=body), "utf8")


def test_check_site_names_broken_links_outside_requests_and_missing_alt(tmp_path):
    write(tmp_path, "index.html", '<main><h1 id="top">T</h1><a href="a/#top">a</a></main>')
    write(tmp_path, "a/index.html", '<main><h1 id="top">A</h1><a href="../#top">home</a></main>')
    assert check_site.check(tmp_path) == []
    write(
        tmp_path,
        "b/index.html",
        '<a href="../nowhere/">x</a><a href="../#gone">y</a>'
        '<script src="https://cdn.example.com/x.js"></script><img src="../f.svg">',
    )
    problems = "\n".join(check_site.check(tmp_path))
    assert "broken link ../nowhere/" in problems and "missing anchor ../#gone" in problems
    assert "https://cdn.example.com/x.js" in problems and "has no alt" in problems
