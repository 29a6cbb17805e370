"""``python -m lessons`` end to end, in a subprocess, error paths included."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
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
    assert out[0].split()[1] == "index" and "momentum" in out[-2] and len(out) >= 16
    assert "Momentum / 动量" in "\n".join(out)  # titles from the pages themselves


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


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_only_in_a_terminal(terminal, tmp_path, monkeypatch, capsys):
    """In a terminal, ``run`` shows each block and turns on the training-loop bars
    (``lessons.common.progress``, unit-tested in test_common); piped, neither."""
    from lessons import cli as lessons_cli
    from lessons import page as pages

    monkeypatch.setattr(pages, "PNG_DIR", None)  # `run` sets it; later tests must not save PNGs
    for name in ("LESSONS_PROGRESS", "LESSONS_DEVICE", "LESSONS_SEED"):
        monkeypatch.setenv(name, "")  # restored after the test
    monkeypatch.setattr(sys.stderr, "isatty", lambda: terminal)
    assert lessons_cli.main(["run", "index", "--out", str(tmp_path)]) == 0
    assert os.environ["LESSONS_PROGRESS"] == ("1" if terminal else "0")
    err = capsys.readouterr().err
    assert ("[1/" in err) is terminal


def test_course_follows_the_site_nav():
    """``python -m lessons list`` has every lesson page, in the order of the site's nav."""
    nav = re.findall(r"^\s+- (?:[^:\n]+: )?([\w-]+)\.md$", (ROOT / "mkdocs.yml").read_text(), re.M)
    listed = [line.split()[1] for line in cli("list").stdout.splitlines()]
    assert listed == [page for page in nav if page != "reference"]
