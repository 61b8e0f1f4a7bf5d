"""What a task of an s3:// output pulls, and how its steps are moved into its scratch copy."""

from __future__ import annotations

from pathlib import Path

from eurocurate.dedup.near_duplicates import LshLayout
from eurocurate.manifests.audit.ledger import ledger_path
from eurocurate.pipelines.engine.intermediate import IntermediateWriter
from eurocurate.pipelines.engine.remote_tasks import driver_reads, retarget_steps, task_reads
from eurocurate.stage import LedgerStage


class _Judge(LedgerStage):
    name = "judge"

    def __init__(self, out_dir: str, layout: LshLayout):
        super().__init__(out_dir)
        self.layout = layout
        self.elsewhere = "/data/robots.warc.gz"


def test_a_map_task_pulls_its_own_hand_over_file_and_every_barrier_file_but_no_bookkeeping():
    assert task_reads("_work/ingest/data/00003.parquet", "map", 3, "ingest")
    assert not task_reads("_work/ingest/data/00002.parquet", "map", 3, "ingest")
    assert task_reads("_work/ingest/data/00002.parquet", "barrier", 0, "ingest")  # a barrier reads every rank's
    assert not task_reads("_work/ingest/data/00000.parquet", "barrier", 0, "map1")  # an earlier group's: not read
    assert not task_reads("_work/minhash_dedup/sigs/grams-00003.u32", "map", 3)  # the barrier's input only
    assert task_reads("_work/minhash_dedup/sigs/grams-00003.u32", "barrier", 0)
    assert task_reads("_work/minhash_dedup/decisions/decisions-00001.parquet", "map", 3)
    # barrier outputs are numbered by barrier task, not map rank: every map task needs all of them
    assert task_reads("_work/exact_dedup/data/duplicates-00000.parquet", "map", 3)
    assert task_reads("_work/url_dedup/drops/drops-00001.parquet", "map", 0)
    for bookkeeping in ("_work/map1/completions/00003", "_work/map1/stats/00003.json", "_work/state.json"):
        assert not task_reads(bookkeeping, "map", 3)
    assert task_reads("tokenizer/tokenizer.json", "map", 0)
    assert task_reads("shards/de/part-00001.parquet", "barrier", 0) and not task_reads("shards/de/x", "map", 0)
    assert not any(task_reads(r, "barrier", 0) for r in ("run.json", "text/de/a.parquet", ".eurocurate.lock"))


def test_the_driver_keeps_outputs_and_run_state_but_no_intermediate_files():
    assert driver_reads("run.json") and driver_reads("text/de/part-00000.parquet") and driver_reads("_work/state.json")
    assert driver_reads("_work/map1/completions/00000") and driver_reads("_work/map1/stats/00000.json")
    assert not driver_reads("_work/ingest/data/00000.parquet") and not driver_reads("_commit/abc/plan.json")


def test_retargeted_steps_write_under_the_scratch_copy_and_the_drivers_steps_are_untouched():
    step = _Judge("/drv/out", LshLayout("/drv/out/_work/minhash"))
    writer = IntermediateWriter("/drv/out/_work/ingest/data")
    moved_step, moved_writer = retarget_steps([step, writer], "/drv/out", "/scratch/t1/out")
    assert moved_step.out_dir == "/scratch/t1/out" and moved_step.layout.root == "/scratch/t1/out/_work/minhash"
    assert moved_step.exclusion_writer.out_dir == "/scratch/t1/out"  # the ledger inside the datatrove filter
    assert ledger_path(moved_step.exclusion_writer.out_dir, "judge", 0) == Path(
        "/scratch/t1/out/exclusions/part-judge-00000.parquet"
    )
    assert moved_writer.data_dir == "/scratch/t1/out/_work/ingest/data"
    assert moved_step.elsewhere == "/data/robots.warc.gz"  # not under the output: left alone
    assert step.out_dir == "/drv/out" and step.layout.root == "/drv/out/_work/minhash"
    assert retarget_steps([_Judge("/drv/output-2", LshLayout("/x"))], "/drv/out", "/s")[0].out_dir == "/drv/output-2"
