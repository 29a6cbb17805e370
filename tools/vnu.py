"""Run the Nu HTML checker (vnu) over every page of the built site; fail on any error.

Usage: ``python -m tools.vnu [site]``. vnu comes from npm's ``vnu-jar`` (pinned in
``tools/node.py``, installed into ``.cache/node`` on first use) and runs on Java
(Debian: ``apt-get install default-jre-headless``). Prints each error with its page and
line, then a count; exits 1 if there is any.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tools import node


def check(site: Path) -> list[str]:
    """Every error vnu finds in the HTML files under ``site``, as ``page:line: message``."""
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("vnu needs Java: apt-get install default-jre-headless")
    jar = node.package("vnu-jar") / "build" / "dist" / "vnu.jar"
    pages = sorted(str(p) for p in site.rglob("*.html"))
    out = subprocess.run(
        [java, "-Xss8m", "-jar", str(jar), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    messages = json.loads(out.stderr or '{"messages": []}')["messages"]
    found = []
    for m in messages:
        page = Path(m.get("url", "").removeprefix("file:")).resolve()
        where = page.relative_to(site.resolve()) if page.is_relative_to(site.resolve()) else page
        found.append(f"{where}:{m.get('lastLine', '?')}: {m['type']}: {m['message']}")
    return found


def main(argv: list[str]) -> int:
    """Check the site folder named in ``argv`` (default ``site``)."""
    site = Path(argv[0] if argv else "site")
    if not (site / "index.html").is_file():
        print(f"{site}/index.html not found: build the site first", file=sys.stderr)
        return 2
    errors = check(site)
    print("\n".join(errors))
    pages = len(list(site.rglob("*.html")))
    print(f"vnu: {pages} pages, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
