import pytest
import torch

from engine import pages, solutions
from tools import cuda_check

pytestmark = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only paths")


def test_refuses_at_once_without_a_gpu(tmp_path, capsys):
    assert cuda_check.main([str(tmp_path / "out")]) == 2
    assert "no GPU" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing was run


def test_every_lesson_and_solution_is_run_by_the_engine(tmp_path):
    jobs = cuda_check.commands(tmp_path)
    assert list(jobs) == pages.lessons() + [f"solutions/{slug}" for slug in solutions.slugs()]
    for name, cmd in jobs.items():
        assert "from engine import cli" in cmd[2] and cmd[3:5] == ["run", name.split("/")[-1]]
        assert ("--solutions" in cmd) is name.startswith("solutions/") and "cuda" in cmd


def test_a_run_that_fails_reports_its_error_and_keeps_the_log(tmp_path):
    lesson = pages.lessons()[0]
    cmd = cuda_check.commands(tmp_path)[lesson]
    name, code, seconds, last = cuda_check.run(lesson, cmd, tmp_path)
    assert (name, code) == (lesson, 2) and seconds > 0
    assert last == "error: --device cuda was asked for but no GPU is available"
    assert last in (tmp_path / f"{lesson}.log").read_text("utf8")
