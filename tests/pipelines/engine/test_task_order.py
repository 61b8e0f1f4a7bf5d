"""Which task a Ray stage group starts first: the largest, each rank exactly once, whatever the costs say."""

from __future__ import annotations

from pathlib import Path

from eurocurate.pipelines.engine.compiler import DagNode
from eurocurate.pipelines.engine.intermediate import IntermediateReader, intermediate_path
from eurocurate.pipelines.engine.ray_executor import largest_first
from eurocurate.pipelines.engine.runner import task_costs
from eurocurate.registry import InputSet


def test_the_costliest_task_starts_first_and_ties_keep_rank_order():
    assert largest_first([0, 1, 2, 3, 4], {0: 1.0, 1: 5.0, 2: 5.0, 3: 2.0, 4: 9.0}) == [4, 1, 2, 3, 0]


def test_every_rank_is_started_exactly_once_whatever_the_costs_name():
    ranks = [3, 5, 6, 9]  # a resumed group: the incomplete ranks only
    order = largest_first(ranks, {5: 10.0, 7: 99.0, 9: 1.0})  # 7 completed already, 3 and 6 of unknown cost
    assert sorted(order) == ranks and order[0] == 5
    assert largest_first(ranks, None) == ranks and largest_first(ranks, {}) == ranks


def test_ingest_task_costs_are_the_bytes_of_the_files_each_rank_reads(tmp_path: Path):
    files = [f"f{i}.warc.gz" for i in range(5)]
    for i, name in enumerate(files):
        (tmp_path / name).write_bytes(b"x" * (100 * (i + 1)))
    node = DagNode("ingest", "map", [object()], tasks=3, work_dir=str(tmp_path / "_work" / "ingest"))
    costs = task_costs(node, InputSet(files=files, root=str(tmp_path)))
    # the source stages read files[rank::tasks]: rank 0 gets f0 and f3, rank 1 f1 and f4, rank 2 f2
    assert costs == {0: 100 + 400, 1: 200 + 500, 2: 300}
    assert sum(costs.values()) == sum((tmp_path / f).stat().st_size for f in files)


def test_a_map_group_after_a_barrier_costs_its_hand_over_files(tmp_path: Path):
    data = tmp_path / "_work" / "ingest" / "data"
    data.mkdir(parents=True)
    intermediate_path(data, 0).write_bytes(b"x" * 10)
    intermediate_path(data, 2).write_bytes(b"x" * 30)  # rank 1's is missing: its cost is unknown
    reader = IntermediateReader(str(data), str(tmp_path / "_work" / "map1"))
    node = DagNode("map1", "map", [reader], tasks=3, work_dir=str(tmp_path / "_work" / "map1"))
    costs = task_costs(node, InputSet(files=["a.warc.gz"], root=str(tmp_path)))
    assert costs == {0: 10.0, 2: 30.0}
    assert largest_first([0, 1, 2], costs) == [2, 0, 1]


def test_a_barrier_has_no_costs_and_keeps_rank_order(tmp_path: Path):
    node = DagNode("minhash_dedup", "barrier", [object()], tasks=4, work_dir=str(tmp_path))
    assert task_costs(node, InputSet(files=["a.warc.gz"], root=str(tmp_path))) == {}
