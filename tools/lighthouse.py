"""Lighthouse's default mobile run over the built site, served with gzip as GitHub Pages does.

Usage: ``python -m tools.lighthouse [site] [page ...]``, pages as URL paths relative to the
site's root (``momentum/``, ``en/reference/``; default: every page). Prints one Markdown
row per page: the four category scores, LCP, TBT, the bytes transferred and the
machine's speed during that run (Chromium's benchmark index), then, for any score below 1,
the audits that cost it. Lighthouse (npm, pinned in ``tools/node.py``)
drives Debian's Chromium. A benchmark, not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tools import a11y, node

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
COMPRESSIBLE = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".ipynb", ".map"}
WAITS = {"maxWaitForFcp": 90_000, "maxWaitForLoad": 90_000}
CHROME_FLAGS = " ".join([*a11y.FLAGS, "--disable-dev-shm-usage"])
# Lighthouse's 4x CPU slowdown turns a machine of this benchmark index into a mid-tier phone
# (its docs/throttling.md, "Calibrating the CPU slowdown"): a slower one emulates a slower phone.
CALIBRATED = (1500, 2000)


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; text gzipped when the client accepts it (GitHub Pages does the same)."""

    def log_message(self, *args):
        """Keep the benchmark's output to its table."""

    def end_headers(self):
        """Add the cache header GitHub Pages sends."""
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def do_GET(self):
        """Send the file, gzipped if it is text and the client accepts gzip."""
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?")[0].endswith("/"):
            path = os.path.join(path, "index.html")
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and os.path.isfile(path) and Path(path).suffix in COMPRESSIBLE):
            return super().do_GET()
        body = _gzipped(path, os.stat(path).st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@functools.lru_cache(maxsize=512)
def _gzipped(path: str, mtime: int) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


def serve(folder: Path) -> contextlib.AbstractContextManager[str]:
    """Serve ``folder`` with gzip on a free loopback port; yield its URL."""
    return a11y.serve(folder, GzipHandler)


def run(url: str) -> dict:
    """Lighthouse's JSON report of ``url`` (default mobile settings).

    Only the waits are longer (90 s for the first paint and for load, not 30 and 45), so
    that a slow page on a busy machine gets a score instead of an error.
    """
    cli = node.package("lighthouse") / "cli" / "index.js"
    env = {**os.environ, "CHROME_PATH": a11y.CHROMIUM or "chromium"}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as config:
        json.dump({"extends": "lighthouse:default", "settings": WAITS}, config)
    try:
        out = subprocess.run(
            ["node", str(cli), url, "--quiet", "--output=json", "--output-path=stdout",
             f"--config-path={config.name}", f"--only-categories={','.join(CATEGORIES)}",
             f"--chrome-flags={CHROME_FLAGS}"],
            env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    finally:
        os.unlink(config.name)
    if out.returncode:
        raise RuntimeError(f"lighthouse failed on {url}:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout)


def row(path: str, report: dict) -> str:
    """One Markdown table row: scores, LCP, TBT, transfer, benchmark index."""
    audits = report["audits"]
    scores = [report["categories"][c]["score"] for c in CATEGORIES]

    def value(key: str) -> float:  # NaN where the audit failed (e.g. no paint)
        return audits[key].get("numericValue", float("nan"))

    lcp, tbt = value("largest-contentful-paint") / 1000, value("total-blocking-time")
    kib = value("total-byte-weight") / 1024
    cells = [f"`{path or '(root)'}`", *(f"{s:.2f}" if s is not None else "error" for s in scores)]
    index = report["environment"]["benchmarkIndex"]
    extra = [f"{lcp:.1f} s", f"{tbt:.0f} ms", f"{kib:.0f} KiB", f"{index:.0f}"]
    return "| " + " | ".join([*cells, *extra]) + " |"


def losses(report: dict) -> list[str]:
    """The weighted audits below full score, per category below 1."""
    lost = []
    for cat in CATEGORIES:
        category = report["categories"][cat]
        if category["score"] is not None and category["score"] >= 1:
            continue
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                value = audit.get("displayValue", "")
                lost.append(f"{cat}: {ref['id']} {audit['score']:.2f} {value}".rstrip())
    return lost


def calibration(indexes: list[float]) -> str | None:
    """A warning when runs' benchmark indexes fell below the range 4x is calibrated for."""
    slow = sum(index < CALIBRATED[0] for index in indexes)
    if not slow:
        return None
    return (
        f"{slow} of {len(indexes)} runs had an index below {CALIBRATED[0]}, the low end of the "
        f"range Lighthouse's 4x slowdown is calibrated for ({CALIBRATED[0]}-{CALIBRATED[1]}): "
        "they emulate a slower phone than a mid-tier one, and their scores read low"
    )


HEADER = (
    "| page | performance | accessibility | best practices | SEO | LCP | TBT | transfer | index |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def main(argv: list[str]) -> int:
    """Measure the pages named in ``argv`` (after the site folder), or every page."""
    site = Path(argv[0] if argv else "site")
    if not (site / "index.html").is_file():
        print(f"{site}/index.html not found: build the site first", file=sys.stderr)
        return 2
    paths = argv[1:] or [p for p in a11y.pages(site) if p != "404.html"]
    notes, speed = [], []
    print(HEADER, flush=True)
    with serve(site) as url:
        for path in paths:
            report = run(f"{url}/{path}")
            print(row(path, report), flush=True)
            notes += [f"- `{path}` {loss}" for loss in losses(report)]
            speed.append(report["environment"]["benchmarkIndex"])
    print("\n".join(notes))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(  # a busy machine inflates TBT and LCP: say how busy it was
        f"Lighthouse {report['lighthouseVersion']}; Chromium benchmark index "
        f"{min(speed):.0f}-{max(speed):.0f}; load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    if note := calibration(speed):
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
