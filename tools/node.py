"""npm tools the checks use, installed on demand into the git-ignored ``.cache/node``.

Pinned here, not in a ``package.json`` at the root: ``vnu-jar`` (the Nu HTML checker,
needs Java: Debian's ``default-jre-headless``) and ``lighthouse`` (12.x runs on Node 20;
13 wants Node 22).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = ROOT / ".cache" / "node"
PINS = {"vnu-jar": "26.9.27", "lighthouse": "12.2.3"}


def package(name: str) -> Path:
    """Folder of npm package ``name`` at its pinned version; ``npm install`` it if needed.

    ``--ignore-scripts``: vnu-jar's install script would download a Java runtime.
    """
    folder = PREFIX / "node_modules" / name
    if _installed(folder, name):
        return folder
    if shutil.which("npm") is None:
        raise RuntimeError(f"{name} needs Node.js and npm (Debian: apt-get install npm)")
    PREFIX.mkdir(parents=True, exist_ok=True)
    with open(PREFIX / ".lock", "w") as lock:  # CI's checks and tests may both ask at once
        with contextlib.suppress(ImportError):  # POSIX; elsewhere one install at a time is usual
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
        if not _installed(folder, name):
            install = ["npm", "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund"]
            subprocess.run([*install, "--ignore-scripts", "-E", f"{name}@{PINS[name]}"], check=True)
    return folder


def _installed(folder: Path, name: str) -> bool:
    meta = folder / "package.json"
    return meta.is_file() and json.loads(meta.read_text("utf8"))["version"] == PINS[name]
