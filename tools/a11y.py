"""Run axe-core on every page of a built site, in headless Chromium, served on 127.0.0.1.

Usage: ``python -m tools.a11y [site]``; prints each page's serious and critical violations
and exits 1 if there is any. Two browser processes share the pages on a machine with two
cores or more. ``.ci/run`` runs it over the whole site; the browser test
(``tests/test_browser.py``) uses the same server, browser and axe call on a few pages.
axe-core 4.14.1 (MPL-2.0) is vendored in ``tests/vendor``; nothing is fetched.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "vendor" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERIOUS = (
    "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    ".filter(v => ['serious', 'critical'].includes(v.impact))"
    ".map(v => v.id + ' x' + v.nodes.length + ': ' + v.nodes[0].target.join(' '))"
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test and CI output clean
        pass


@contextlib.contextmanager
def serve(folder: Path, handler_class: type = _QuietHandler) -> Iterator[str]:
    """Serve ``folder`` on a free loopback port (a plain static server); yield its URL."""
    handler = functools.partial(handler_class, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def browser_missing() -> str | None:
    """Why no browser can run the tests, or ``None``: Debian's Chromium, else Playwright's own."""
    if CHROMIUM:
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        if Path(p.chromium.executable_path).exists():
            return None
    return "no Chromium: `python3 tasks.py test` installs one (apt as root, else Playwright's)"


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """Launch Debian's Chromium (or, without it, Playwright's) through Playwright."""
    from playwright.sync_api import sync_playwright

    if reason := browser_missing():
        raise RuntimeError(reason)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


LAY_OUT_ALL = "* { content-visibility: visible !important; }"
OPEN_FOLDS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"


def serious_violations(page, url: str) -> list[str]:
    """Load ``url`` in ``page`` and return axe's serious and critical violations there."""
    page.goto(url, wait_until="load")
    # Blocks off screen are not laid out yet (content-visibility: auto in extra.css), and
    # axe, finding no box to measure, reports false contrast failures there. Lay out the
    # whole page first, as a reader who scrolls through it gets it.
    page.add_style_tag(content=LAY_OUT_ALL)
    page.evaluate(OPEN_FOLDS)  # the reference's folded modules (tools/reference.py) too
    page.add_script_tag(path=str(AXE))
    return page.evaluate(SERIOUS)


def pages(site: Path) -> list[str]:
    """Every HTML page of a built site, as URL paths relative to its root."""
    found = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    return [p.removesuffix("index.html") for p in found]


def check(site: Path, paths: list[str]) -> dict[str, list[str]]:
    """Run axe on ``paths`` of ``site``; return the pages with serious violations."""
    found = {}
    with serve(site) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for path in paths:
            if violations := serious_violations(page, f"{url}/{path}"):
                found[path] = violations
    return found


def check_in_parallel(site: Path, paths: list[str], workers: int) -> dict[str, list[str]]:
    """Split ``paths`` between ``workers`` processes, each with its own browser."""
    shards = [
        subprocess.Popen(
            [sys.executable, "-m", "tools.a11y", str(site), f"--shard={k}/{workers}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for k in range(workers)
    ]
    found: dict[str, list[str]] = {}
    for shard in shards:
        out, _ = shard.communicate()
        if shard.returncode:
            raise RuntimeError(f"axe shard {shard.args[-1]} failed ({shard.returncode})")
        found.update(json.loads(out))
    return dict(sorted(found.items()))


def main(argv: list[str]) -> int:
    """Check every page of the site folder in ``argv`` (default ``site``).

    Two processes share the pages where there are two cores; ``--shard=k/n`` (used by
    them) checks every n-th page from the k-th and prints the result as JSON.
    """
    shard = next((a.removeprefix("--shard=") for a in argv if a.startswith("--shard=")), None)
    args = [a for a in argv if not a.startswith("--shard=")]
    site = Path(args[0] if args else "site")
    if not (site / "index.html").is_file():
        print(f"{site}/index.html not found: build the site first", file=sys.stderr)
        return 2
    start, paths = time.perf_counter(), pages(site)
    if shard is not None:
        k, n = map(int, shard.split("/"))
        print(json.dumps(check(site, paths[k::n])))
        return 0
    workers = min(2, os.cpu_count() or 1)
    found = check_in_parallel(site, paths, workers) if workers > 1 else check(site, paths)
    for path, violations in found.items():
        print(f"{path or 'index'}: " + "; ".join(violations))
    print(
        f"axe: {len(paths)} pages, {len(found)} with serious or critical violations "
        f"({time.perf_counter() - start:.0f} s, {workers} browsers)"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
