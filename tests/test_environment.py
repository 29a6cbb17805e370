"""One execution environment: a page's numbers do not depend on the machine's core count."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch

from lessons import environment

ROOT = Path(__file__).resolve().parent.parent


def test_apply_pins_the_threads_and_describe_names_them():
    torch.set_num_threads(2)
    environment.apply()
    assert torch.get_num_threads() == environment.THREADS == 1
    line = environment.describe()
    assert line.startswith("Python 3.") and f"torch {torch.__version__}" in line
    assert line.endswith("threads 1")


def test_a_page_prints_the_same_under_any_thread_count(tmp_path):
    """The momentum lesson (its plain-SGD DynamicNet run once moved 2× between 1 and 2
    threads) prints byte-identical output under OMP_NUM_THREADS=1 and 4."""
    procs = {
        threads: subprocess.Popen(
            [sys.executable, "-m", "lessons", "run", "momentum", "--out", str(tmp_path / threads)],
            cwd=ROOT,
            env={**os.environ, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for threads in ("1", "4")
    }
    out = {}
    for threads, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr[-2000:]
        out[threads] = stdout.rsplit("\n", 2)[0]  # without the timing line
    assert out["1"] == out["4"]
    assert "mu" in out["1"] or "μ" in out["1"]  # the tables are there
