"""The one execution environment of the course: the same numbers on every machine.

:func:`apply` sets it. :mod:`lessons.seeds`, which every lesson that draws random numbers
imports, applies it on import; the executor (``engine/executor.py``) applies it before every
block and a lesson's notebook in its first cell; so the site build, the tests, the notebooks
and ``python -m lessons run`` all compute with the same settings as a reader's own script:

* one intra-op and one inter-op torch thread, and one BLAS thread for NumPy. A parallel
  reduction sums in an order that depends on the thread count, and a chaotic training run
  amplifies that last-bit difference (the momentum lesson's plain-SGD run ended 2× apart
  with 1 and 2 threads);
* the same CPU code paths on every x86-64 machine (:data:`CPU_PATHS`). torch, MKL and
  oneDNN otherwise pick kernels by the processor: on an AVX-512 Xeon a matrix product
  blocks its sums differently than on an AVX2 machine, so the last bits differ, and the
  LBFGS run of the linear-regression solutions took a different number of calls;
* matplotlib's SVG ids and metadata fixed (:mod:`lessons.plotting`).

The build and the test pass compute on the CPU (:func:`pin_site_device`), also where a GPU is
present. What remains machine-dependent is named by :func:`describe`, which every page prints
under its outputs: the Python, torch and NumPy versions, the device, the CPU path and the
thread setting.
"""

from __future__ import annotations

import contextlib
import os
import platform
import warnings

THREADS = 1  # torch intra-op, torch inter-op and BLAS threads
SITE_DEVICE = "cpu"  # where the build and the tests compute: the same numbers on any machine
CPU_PATHS = {  # read when a library first computes, so set before any tensor work
    "ATEN_CPU_CAPABILITY": "avx2",  # torch's own vectorised kernels (sums, element-wise)
    "MKL_CBWR": "COMPATIBLE",  # MKL's matrix products: one code path on Intel and AMD
    "ONEDNN_MAX_CPU_ISA": "AVX2",  # oneDNN's convolutions
}


def apply() -> None:
    """Pin the CPU code paths (:data:`CPU_PATHS`) and the thread counts (:data:`THREADS`)."""
    os.environ.update(CPU_PATHS)
    import torch

    if torch.backends.cpu.get_cpu_capability() == "AVX512":  # chosen before we got here
        warnings.warn(
            "torch computed before lessons.environment.apply(); its AVX-512 kernels may "
            "change the last digits. Import lessons first to get the site's numbers.",
            RuntimeWarning,
            stacklevel=2,
        )
    torch.set_num_threads(THREADS)
    with contextlib.suppress(RuntimeError):  # allowed once, before any inter-op work
        torch.set_num_interop_threads(THREADS)
    with contextlib.suppress(ImportError):  # threadpoolctl ships with scikit-learn
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=THREADS)


def pin_site_device() -> None:
    """Make ``device=None`` mean :data:`SITE_DEVICE` in this process and its children.

    The build and the test pass call it, so a maintainer's GPU gives the published numbers.
    A ``LESSONS_DEVICE`` set beforehand wins: ``LESSONS_DEVICE=cuda pytest`` tests on a GPU.
    Readers' own runs (notebooks, ``python -m lessons run``) keep CUDA when present.
    """
    os.environ.setdefault("LESSONS_DEVICE", SITE_DEVICE)


def settings() -> dict[str, str]:
    """What shapes a page's numbers besides its code: versions, device, CPU path, threads."""
    import numpy
    import torch

    from lessons.devices import resolve_device

    return {
        "Python": platform.python_version(),
        "torch": torch.__version__,
        "NumPy": numpy.__version__,
        "device": resolve_device(None).type,
        "CPU": torch.backends.cpu.get_cpu_capability(),
        "threads": str(torch.get_num_threads()),
    }


def describe() -> str:
    """One line naming the environment, e.g. ``Python 3.11.7 · ... · CPU AVX2 · threads 1``."""
    return " · ".join(f"{k} {v}" for k, v in settings().items())
