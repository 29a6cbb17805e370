"""The Lighthouse table's rows and its calibration warning (tools/lighthouse.py)."""

from tools import lighthouse


def report(index: float) -> dict:
    """The parts of a Lighthouse JSON report that a row reads."""
    values = {
        "largest-contentful-paint": 1840.0,
        "total-blocking-time": 130.4,
        "total-byte-weight": 141 * 1024.0,
    }
    return {
        "categories": {c: {"score": 1.0} for c in lighthouse.CATEGORIES}
        | {"performance": {"score": 0.98}},
        "audits": {key: {"numericValue": value} for key, value in values.items()},
        "environment": {"benchmarkIndex": index},
    }


def test_row_gives_scores_timings_transfer_and_the_run_benchmark_index():
    row = lighthouse.row("momentum/", report(1574.4))
    assert row == "| `momentum/` | 0.98 | 1.00 | 1.00 | 1.00 | 1.8 s | 130 ms | 141 KiB | 1574 |"
    assert row.count("|") == lighthouse.HEADER.splitlines()[0].count("|")


def test_runs_below_the_calibrated_range_are_named():
    assert lighthouse.calibration([1500.0, 1998.0, 2842.0]) is None
    note = lighthouse.calibration([1368.0, 1998.0, 970.0])
    assert note is not None and note.startswith("2 of 3 runs had an index below 1500")
