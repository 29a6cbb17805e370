"""``python -m lessons`` end to end, in a subprocess, error paths included."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch

from engine import pages, solutions

ROOT = pages.ROOT


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
    assert [line.split()[1] for line in out] == pages.lessons()
    for line, slug in zip(out, pages.lessons(), strict=True):  # titles from the pages themselves
        titles = [
            pages.title(pages.page_file(slug, lang).read_text()) for lang in pages.languages()
        ]
        assert line.endswith(" / ".join(titles))


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
    (``lessons.printing.progress``, unit-tested in test_common); piped, neither."""
    from engine import cli as lessons_cli

    for name in ("LESSONS_PROGRESS", "LESSONS_DEVICE", "LESSONS_SEED"):
        monkeypatch.setenv(name, "")  # restored after the test
    monkeypatch.setattr(sys.stderr, "isatty", lambda: terminal)
    assert lessons_cli.main(["run", "index", "--out", str(tmp_path)]) == 0
    assert os.environ["LESSONS_PROGRESS"] == ("1" if terminal else "0")
    err = capsys.readouterr().err
    assert ("[1/" in err) is terminal


def test_run_solutions_with_the_same_executor(tmp_path):
    slug = solutions.slugs()[0]
    result = cli("run", slug, "--solutions", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    page = pages.Page.read(solutions.SOURCES / f"{slug}.en.py")
    assert f"{len(page.fences)} blocks in" in result.stdout
    assert result.stdout.count("[figure:") == len(list(tmp_path.glob("*.png")))


def test_a_lesson_without_solutions_says_so():
    lesson = next(s for s in pages.lessons() if s not in solutions.slugs())  # the home page
    result = cli("run", lesson, "--solutions")
    assert result.returncode == 2 and f"lesson {lesson!r} has no worked solutions" in result.stderr
