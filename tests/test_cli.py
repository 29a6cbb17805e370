"""``python -m lessons`` end to end, in a subprocess, error paths included."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lessons", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_list_is_the_default_and_in_course_order():
    out = cli().stdout.splitlines()
    assert out == cli("list").stdout.splitlines()
    assert out[0].split()[1] == "index" and "momentum" in out[-2] and len(out) == 16


def test_run_prints_results_and_saves_figures(tmp_path):
    result = cli("run", "index", "--lang", "zh", "--device", "cpu", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "on cpu" in result.stdout and f"figures saved to {tmp_path}" in result.stdout


def test_run_saves_a_png_per_figure(tmp_path):
    result = cli("run", "linear-model", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("[figure:") == len(list(tmp_path.glob("*.png"))) >= 2


def test_help_everywhere():
    for args in (["--help"], ["run", "--help"], ["list", "--help"]):
        result = cli(*args)
        assert result.returncode == 0 and "usage:" in result.stdout


def test_errors_are_clear_and_non_zero():
    unknown = cli("run", "no-such-lesson")
    assert unknown.returncode == 2 and "unknown lesson 'no-such-lesson'" in unknown.stderr
    bad_seed = cli("run", "index", "--seed", "-3")
    assert bad_seed.returncode == 2 and "--seed" in bad_seed.stderr
    bad_device = cli("run", "index", "--device", "tpu")
    assert bad_device.returncode == 2 and "--device" in bad_device.stderr
    assert cli("frobnicate").returncode == 2


def test_cuda_without_gpu_is_refused():
    result = cli("run", "index", "--device", "cuda")
    if torch.cuda.is_available():
        assert result.returncode == 0
    else:
        assert result.returncode == 2 and "no GPU" in result.stderr


def test_progress_bars_only_in_a_terminal(tmp_path):
    """Training loops draw a bar on stderr when it is a terminal (a pty here), else not."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lessons", "run", "basic-rnn", "--out", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    reader = threading.Thread(target=lambda: chunks.extend(_drain(leader)), daemon=True)
    reader.start()
    proc.communicate(timeout=300)
    assert proc.returncode == 0
    reader.join(timeout=10)
    terminal = b"".join(chunks).decode()
    assert re.search(r"epoch (\d+)/\1 \[#+\]", terminal), terminal[-500:]
    assert "[1/" in terminal  # the per-block progress too
    piped = cli("run", "basic-rnn", "--out", str(tmp_path))
    assert piped.returncode == 0 and "epoch" not in piped.stderr and "[#" not in piped.stdout


def _drain(fd: int):
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        yield data
    os.close(fd)


def test_course_follows_the_site_nav():
    """``python -m lessons list`` has every lesson page, in the order of the site's nav."""
    from lessons.cli import NAMES

    nav = re.findall(r"^\s+- (?:[^:\n]+: )?([\w-]+)\.md$", (ROOT / "mkdocs.yml").read_text(), re.M)
    assert NAMES == [page for page in nav if page != "reference"]
