"""Check a built site: internal links and anchors, no outside requests, text alternatives.

Usage: ``python -m tools.check_site [site]``; exits 1 and lists every problem found.

* Every internal ``href`` resolves to a file of the site, and its ``#anchor`` to an id there.
* No page loads anything from another host: ``<script src>``, ``<link href>``, ``<img src>``,
  ``<iframe>``, ``<source>`` and CSS ``url(...)`` stay inside the site (plain ``<a>`` links
  to other sites are navigation, not requests, and are allowed).
* Every ``<img>`` has ``alt``; every inline ``<svg role="img">`` has an ``aria-label``.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LOADS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "link": "href"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.loads: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        navigational = tag == "link" and a.get("rel") in ("canonical", "alternate")
        if tag in LOADS and a.get(LOADS[tag]) and not navigational:
            self.loads.append(a[LOADS[tag]])
        if tag == "img" and "alt" not in a:
            self.problems.append(f"<img src={a.get('src')!r}> has no alt")
        if tag == "svg" and a.get("role") == "img" and not a.get("aria-label"):
            self.problems.append("<svg role=img> has no aria-label")


def _external(url: str) -> bool:
    return bool(urlsplit(url).scheme in ("http", "https") or url.startswith("//"))


def _target(site: Path, page: Path, href: str) -> tuple[Path, str]:
    parts = urlsplit(href)
    path = unquote(parts.path)
    base = site if path.startswith("/") else page.parent
    target = (base / path.lstrip("/")).resolve() if path else page
    if target.is_dir() or path.endswith("/"):
        target = target / "index.html"
    return target, unquote(parts.fragment)


def check(site: Path) -> list[str]:
    """Return a list of problems in the built ``site`` folder (empty if none)."""
    pages = {p.resolve(): _Page() for p in site.rglob("*.html")}
    for path, parsed in pages.items():
        parsed.feed(path.read_text("utf8"))
    problems = []
    for path, parsed in pages.items():
        where = path.relative_to(site.resolve()).as_posix()
        problems += [f"{where}: {p}" for p in parsed.problems]
        problems += [
            f"{where}: loads {u} from outside the site" for u in parsed.loads if _external(u)
        ]
        for href in parsed.links:
            if _external(href) or href.startswith(("mailto:", "javascript:")):
                continue
            target, anchor = _target(site, path, href)
            if not target.exists():
                problems.append(f"{where}: broken link {href}")
            elif anchor and target in pages and anchor not in pages[target].ids:
                problems.append(f"{where}: missing anchor {href}")
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text("utf8", "replace")):
            if _external(url):
                problems.append(f"{css.relative_to(site).as_posix()}: loads {url}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    argv = sys.argv[1:] if argv is None else argv
    site = Path(argv[0] if argv else "site")
    if not (site / "index.html").exists():
        print(f"{site} holds no built site (run: python3 tasks.py build)", file=sys.stderr)
        return 2
    problems = check(site)
    for problem in problems:
        print(problem)
    print(f"check_site: {len(list(site.rglob('*.html')))} pages, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
