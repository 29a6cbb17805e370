"""One command per task: ``python3 tasks.py setup|serve|test|build|pdf|check|compare|bench|lint``.

Every task first makes sure ``.venv`` exists with ``requirements.txt`` installed
(it reinstalls only when that file changes), then runs inside it. ``test`` also makes
sure a browser is there for the browser tests: Debian's ``chromium`` (installed with apt
when run as root), otherwise Playwright's own Chromium (``playwright install chromium``,
which downloads it once); so does ``pdf``, which prints the course PDFs with it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".requirements.sha256"


def run(*args: str | Path) -> None:
    """Run a command in the repository root; exit with its status if it fails."""
    print("+", " ".join(map(str, args)), flush=True)
    code = subprocess.call([str(a) for a in args], cwd=ROOT)
    if code:
        sys.exit(code)


def setup() -> None:
    """Create .venv and install the pinned requirements and the ``lessons`` package."""
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "requirements.txt").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        run(PY, "-m", "pip", "install", "-q", "--upgrade", "pip")
        run(PY, "-m", "pip", "install", "-q", "--no-compile", "-r", "requirements.txt")
        run(PY, "-m", "pip", "install", "-q", "--no-compile", "--no-deps", "-e", ".")
        compile_packages()
        STAMP.write_text(digest)


def compile_packages() -> None:
    """Write the bytecode of every installed package now, on every core.

    Where ``PYTHONDONTWRITEBYTECODE`` is set (the 2-core machine this was measured on sets
    it), nothing is written on import, and every process compiled torch again: ``import
    torch`` took 13 s instead of 2.6 s, the first optimizer 14.5 s instead of 2.7 s (it
    imports ``torch._dynamo``). pip would compile one file at a time. ``-qq``: a few
    packages ship Python 2 files that are never imported and fail to compile, harmlessly.
    """
    purelib = subprocess.check_output(
        [str(PY), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
    ).strip()
    subprocess.call([str(PY), "-m", "compileall", "-qq", "-j", "0", purelib], cwd=ROOT)


def browser() -> None:
    """Make sure a Chromium exists for the browser tests (see the module docstring)."""
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    if os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get"):
        os.environ.setdefault("DEBIAN_FRONTEND", "noninteractive")
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "chromium", "fonts-wqy-zenhei")
    else:
        run(PY, "-m", "playwright", "install", "chromium")


def commit_time() -> str:
    """Unix time of the last commit (0 outside git), so the site's build date is reproducible."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True)
        return out.stdout.decode().strip() or "0"
    except OSError:
        return "0"


TASKS = {
    "setup": [],
    "serve": [["-m", "mkdocs", "serve", "--livereload", "--dirty", "--no-strict"]],  # fast reloads
    "test": [["-m", "pytest", "-n", "2", "--dist", "loadfile"]],  # a page: one worker
    "build": [["-m", "mkdocs", "build", "--strict"]],
    "check": [  # a built site (default site/): links and alt texts, axe, the Nu HTML checker
        ["-m", "tools.check_site"],
        ["-m", "tools.a11y"],
        ["-m", "tools.vnu"],
    ],
    "compare": [["-m", "tools.compare_sites"]],  # two built sites: byte-identical or exit 1
    "bench": [["bench/run.py"]],
    "lint": [["-m", "ruff", "check", "."], ["-m", "ruff", "format", "--check", "."]],
    "pdf": [["-m", "tools.pdf"]],  # into a site built with COURSE_PDF=1 (default site/)
}


def main(argv: list[str]) -> None:
    """Run the task named in ``argv``; extra arguments go to each of its commands."""
    if not argv or argv[0] not in TASKS:
        sys.exit(f"usage: python3 tasks.py {{{'|'.join(TASKS)}}} [extra arguments]")
    setup()
    if argv[0] in ("test", "pdf"):
        browser()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("SOURCE_DATE_EPOCH", commit_time())  # reproducible builds
    for command in TASKS[argv[0]]:
        run(PY, *command, *argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
