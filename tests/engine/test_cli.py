"""``python -m lessons``: end to end in a subprocess, and its error paths in-process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch

from engine import cli, pages, solutions

ROOT = pages.ROOT


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lessons", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_list_is_the_default_and_in_course_order(capsys):
    out = run_module().stdout.splitlines()
    assert cli.main(["list"]) == 0 and capsys.readouterr().out.splitlines() == out
    assert [line.split()[1] for line in out] == pages.lessons()
    for line, slug in zip(out, pages.lessons(), strict=True):  # titles from the pages themselves
        files = [pages.page_file(slug, lang) for lang in pages.languages()]
        assert line.endswith(" / ".join(pages.title(f.read_text("utf8")) for f in files))


def test_run_prints_results_and_saves_a_png_per_figure(tmp_path):
    result = run_module("run", "index", "--lang", "zh", "--device", "cpu", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "on cpu" in result.stdout and f"figures saved to {tmp_path}" in result.stdout
    assert result.stdout.count("[figure:") == len(list(tmp_path.glob("*.png")))


def test_run_solutions_with_the_same_executor(tmp_path, capsys, monkeypatch):
    for name in ("LESSONS_DEVICE", "LESSONS_SEED", "LESSONS_PROGRESS"):
        monkeypatch.setenv(name, "")  # restored after the test
    slug = min(solutions.slugs(), key=lambda s: (solutions.SOURCES / f"{s}.en.py").stat().st_size)
    assert cli.main(["run", slug, "--solutions", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    page = pages.Page.read(solutions.SOURCES / f"{slug}.en.py")
    assert f"{len(page.fences)} blocks in" in out
    assert out.count("[figure:") == len(list(tmp_path.glob("*.png")))


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["list", "--help"]])
def test_help_everywhere(args, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    assert done.value.code == 0 and "usage:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "index", "--seed", "-3"], "--seed"),
        (["run", "index", "--device", "tpu"], "--device"),
        (["run", "index", "--lang", "fr"], "--lang"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_are_named_and_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    assert done.value.code == 2 and message in capsys.readouterr().err


def test_an_unknown_lesson_or_missing_solutions_are_refused(capsys):
    assert cli.main(["run", "no-such-lesson"]) == 2
    assert "unknown lesson 'no-such-lesson'" in capsys.readouterr().err
    lesson = next(s for s in pages.lessons() if s not in solutions.slugs())  # the home page
    assert cli.main(["run", lesson, "--solutions"]) == 2
    assert f"lesson {lesson!r} has no worked solutions" in capsys.readouterr().err


def test_cuda_without_gpu_is_refused(capsys, monkeypatch, tmp_path):
    for name in ("LESSONS_DEVICE", "LESSONS_SEED", "LESSONS_PROGRESS"):
        monkeypatch.setenv(name, "")  # `run` sets them; restored after the test
    code = cli.main(["run", "index", "--device", "cuda", "--out", str(tmp_path)])
    if torch.cuda.is_available():
        assert code == 0
    else:
        assert code == 2 and "no GPU" in capsys.readouterr().err


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_only_in_a_terminal(terminal, tmp_path, monkeypatch, capsys):
    """In a terminal, ``run`` shows each block and turns on the training-loop bars
    (``lessons.printing.progress``, unit-tested in tests/lessons); piped, neither."""
    for name in ("LESSONS_PROGRESS", "LESSONS_DEVICE", "LESSONS_SEED"):
        monkeypatch.setenv(name, "")  # restored after the test
    monkeypatch.setattr(sys.stderr, "isatty", lambda: terminal)
    assert cli.main(["run", "index", "--out", str(tmp_path)]) == 0
    assert os.environ["LESSONS_PROGRESS"] == ("1" if terminal else "0")
    err = capsys.readouterr().err
    assert ("[1/" in err) is terminal
