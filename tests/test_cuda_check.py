import pytest
import torch

from lessons import cli
from tools import cuda_check

pytestmark = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only paths")


def test_refuses_at_once_without_a_gpu(tmp_path, capsys):
    assert cuda_check.main([str(tmp_path / "out")]) == 2
    assert "no GPU" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing was run


def test_every_lesson_and_solution_is_run(tmp_path):
    names = list(cuda_check.commands(tmp_path))
    solutions = sorted((cuda_check.ROOT / "docs" / "solutions").glob("*.en.py"))
    assert names == cli.lessons() + [f"solutions/{p.stem}" for p in solutions]
    assert len(solutions) == 16


def test_a_run_that_fails_reports_its_error_and_keeps_the_log(tmp_path):
    cmd = cuda_check.commands(tmp_path)["linear-model"]
    name, code, seconds, last = cuda_check.run("linear-model", cmd, tmp_path)
    assert (name, code) == ("linear-model", 2) and seconds > 0
    assert last == "error: --device cuda was asked for but no GPU is available"
    assert last in (tmp_path / "linear-model.log").read_text("utf8")
