"""The one execution environment of the course: the same numbers on every machine.

:func:`apply` sets it. :mod:`lessons.common`, which every lesson module imports, applies it
on import, and the page executor (:mod:`lessons.page`) before every block; so the site
build, the tests, the notebooks and ``python -m lessons run`` all compute with the same
settings as a reader's own script:

* one intra-op and one inter-op torch thread, and one BLAS thread for NumPy. A parallel
  reduction sums in an order that depends on the thread count, and a chaotic training run
  amplifies that last-bit difference (the momentum lesson's plain-SGD run ended 2× apart
  with 1 and 2 threads);
* matplotlib's SVG ids and metadata fixed (:mod:`lessons.plotting`).

What remains machine-dependent is named by :func:`describe`, which every page prints
under its outputs: the Python, torch and NumPy versions and the thread setting.
"""

from __future__ import annotations

import contextlib
import platform

THREADS = 1  # torch intra-op, torch inter-op and BLAS threads


def apply() -> None:
    """Pin torch's and the BLAS libraries' thread counts to :data:`THREADS`."""
    import torch

    torch.set_num_threads(THREADS)
    with contextlib.suppress(RuntimeError):  # allowed once, before any inter-op work
        torch.set_num_interop_threads(THREADS)
    with contextlib.suppress(ImportError):  # threadpoolctl ships with scikit-learn
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=THREADS)


def settings() -> dict[str, str]:
    """What shapes a page's numbers besides its code: versions and threads."""
    import numpy
    import torch

    return {
        "Python": platform.python_version(),
        "torch": torch.__version__,
        "NumPy": numpy.__version__,
        "threads": str(torch.get_num_threads()),
    }


def describe() -> str:
    """One line naming the environment, e.g. ``Python 3.11.7 · torch 2.13.0 · ... · threads 1``."""
    return " · ".join(f"{k} {v}" for k, v in settings().items())
