"""One execution environment: a page's numbers do not depend on the machine's core count."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch

from engine import pages
from lessons import environment

ROOT = pages.ROOT
CPUINFO = Path("/proc/cpuinfo")
AVX512 = "avx512f" in (CPUINFO.read_text() if CPUINFO.exists() else "")


def test_apply_pins_the_threads_and_describe_names_them():
    torch.set_num_threads(2)
    environment.apply()
    assert torch.get_num_threads() == environment.THREADS == 1
    line = environment.describe()
    assert line.startswith("Python 3.") and f"torch {torch.__version__}" in line
    assert line.endswith("threads 1")
    assert all(os.environ[k] == v for k, v in environment.CPU_PATHS.items())


def test_the_site_computes_on_the_cpu_unless_told(monkeypatch):
    monkeypatch.delenv("LESSONS_DEVICE", raising=False)
    environment.pin_site_device()
    assert os.environ["LESSONS_DEVICE"] == environment.SITE_DEVICE == "cpu"
    assert environment.settings()["device"] == "cpu"
    assert " · device cpu · " in environment.describe()
    monkeypatch.setenv("LESSONS_DEVICE", "cuda")
    environment.pin_site_device()  # a device asked for beforehand wins
    assert os.environ["LESSONS_DEVICE"] == "cuda"


def test_apply_warns_when_torch_already_chose_avx512():
    code = "import torch; torch.ones(2).sum()\nimport lessons.seeds"
    env = {k: v for k, v in os.environ.items() if k not in environment.CPU_PATHS}
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if AVX512:  # torch picked AVX-512 at its first sum, before apply() could pin AVX2
        assert "RuntimeWarning: torch computed before" in proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr  # nothing to warn about on this CPU


CHAOTIC = (  # the run that moved: every loss of plain SGD on DynamicNet, to the last bit
    "from lessons.dynamic_net import train_dynamic\n"
    "_, losses, _ = train_dynamic(mu=0.0, lr=1e-4, steps=500, seed=0)\n"
    "print([loss.hex() for loss in losses])"
)
# One process as a 1-core machine, one as a 4-core AVX-512 machine left to its fastest paths.
MACHINES = {
    "1": {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    "4": {
        "OMP_NUM_THREADS": "4",
        "MKL_NUM_THREADS": "4",
        "ATEN_CPU_CAPABILITY": "avx512",
        "MKL_CBWR": "AUTO",
        "ONEDNN_MAX_CPU_ISA": "ALL",
    },
}


def test_the_chaotic_run_is_the_same_on_any_machine():
    """Plain SGD on DynamicNet once ended 2x apart with 1 and 2 threads, and apart again on an
    AVX-512 Xeon: under the pinned environment its 500 losses agree to the last bit.

    The whole site is checked the same way in CI: a cold build on the second machine's
    settings, every block of which the test pass compares with its own run.
    """
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", CHAOTIC],
            cwd=ROOT,
            env={**os.environ, **machine},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for machine in MACHINES.values()
    ]
    outputs = []
    for proc in runs:
        stdout, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr[-2000:]
        outputs.append(stdout)
    assert outputs[0] == outputs[1] and outputs[0].count("0x") == 500
