"""The bench's scaling tables: which rows ran, and whether time grows linearly with the input."""

from __future__ import annotations

import argparse

import pytest

from eurocurate.tools.bench import _linearity, _scaling_markdown, _workers_list


def _row(factor: int, workers: int, docs: int, wall: float, task_cpu: float, rss: float) -> dict:
    return {"config": f"Ray, {workers} worker(s), {factor}× input", "factor": factor, "workers": workers,
            "docs": docs, "wall_s": wall, "docs_per_s": docs / wall, "cpu_s": 1.0, "peak_tree_rss_mb": rss,
            "task_cpu_s": task_cpu, "efficiency_bound": 0.9, "efficiency_bound_without_ray_start": 0.95}  # fmt: skip


ROWS = [
    _row(1, 1, 1000, 30.0, 20.0, 1400),
    _row(1, 2, 1000, 20.0, 21.0, 2000),
    _row(20, 2, 20000, 210.0, 420.0, 2100),
    _row(100, 2, 100000, 1010.0, 2100.0, 2150),
]


def test_linearity_gives_seconds_per_thousand_documents_and_the_marginal_rate_per_worker_count():
    lin = _linearity(ROWS)
    assert set(lin) == {1, 2} and len(lin[1]) == 1  # one size with one worker: no rate between sizes
    two = lin[2]
    assert [x["factor"] for x in two] == [1, 20, 100]
    assert two[0]["wall_s_per_1000_docs"] == pytest.approx(20.0)
    assert two[0]["marginal_wall_s_per_1000_docs"] is None
    assert two[1]["marginal_wall_s_per_1000_docs"] == pytest.approx((210 - 20) / 19)
    assert two[2]["marginal_wall_s_per_1000_docs"] == pytest.approx(800 / 80)  # linear: the same rate
    assert two[2]["task_cpu_s_per_1000_docs"] == pytest.approx(21.0)


def test_the_scaling_tables_say_which_rows_ran_and_compare_the_largest_size_with_the_smallest():
    md = "\n".join(_scaling_markdown({"rows": ROWS, "rows_run": "1× with 1 and 2 worker(s); 100× with 2 worker(s)"}))
    assert "Rows run: 1× with 1 and 2 worker(s); 100× with 2 worker(s)." in md
    assert "| linearity, Ray with 2 worker(s) |" in md and "| linearity, Ray with 1 worker(s) |" not in md
    assert "100× against 1× with 2 worker(s): 100.0× the documents, 50.5× the wall time" in md
    assert "1.07× the peak memory" in md


def test_scale_workers_takes_counts_of_one_or_more():
    assert _workers_list("2") == (2,) and _workers_list("2,1,2") == (1, 2)
    for bad in ("0", "x", "", "1,-2"):
        with pytest.raises(argparse.ArgumentTypeError):
            _workers_list(bad)
