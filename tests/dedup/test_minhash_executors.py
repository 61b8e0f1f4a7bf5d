"""The barrier on real executors: partitions claimed by parallel Ray tasks, and by one local worker
(task 0 must then finish every partition itself instead of waiting for tasks that cannot start)."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.executor.local import LocalPipelineExecutor

from eurocurate.dedup.minhash_stage import MinhashDedupParams, build_minhash_stage
from eurocurate.pipelines.engine.ray_executor import RayTaskExecutor
from eurocurate.registry import BuildContext, InputSet
from tests.dedup.test_minhash_stage import _corpus


def _signed_stage(out: Path, docs, buckets: int):
    ctx = BuildContext(out_dir=str(out), work_dir=str(out / "_work"), spec=None, inputs=InputSet(str(out), []))
    parts = build_minhash_stage(MinhashDedupParams(buckets=buckets, max_keys_in_memory=10_000), ctx, "near")
    shards = [docs[0::3], docs[1::3], docs[2::3]]
    for rank, shard in enumerate(shards):
        for step in parts.map_steps:
            list(step.run(iter(shard), rank, len(shards)))
    return parts


def _decisions(out: Path) -> list[dict]:
    files = sorted((out / "_work" / "near" / "decisions").glob("*.parquet"))
    return pa.concat_tables([pq.read_table(f) for f in files]).to_pylist()


@pytest.mark.slow
def test_barrier_gives_the_same_decisions_on_one_local_worker_and_on_ray(tmp_path, rng):
    import ray

    docs = _corpus(rng, 90, "d")
    local = _signed_stage(tmp_path / "local", docs, buckets=4)
    LocalPipelineExecutor(
        local.barrier.build(""), tasks=4, workers=1, logging_dir=str(tmp_path / "local" / "logs")
    ).run()
    on_ray = _signed_stage(tmp_path / "ray", docs, buckets=4)
    ray.init(address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    try:
        RayTaskExecutor(on_ray.barrier.build(""), tasks=4, workers=2, logging_dir=str(tmp_path / "ray" / "logs")).run()
    finally:
        ray.shutdown()
    assert _decisions(tmp_path / "local") == _decisions(tmp_path / "ray")
    assert len([d for d in _decisions(tmp_path / "ray") if d["verdict"] == "near"]) == 30 + 18
