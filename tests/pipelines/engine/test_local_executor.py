"""The one-worker local executor (what `eurocurate run --executor local --workers 1` and the benchmark use): tasks
in the driver process, one after the other, with no helper process beside them, resumable like datatrove's."""

import os
import subprocess
import sys

import orjson
import psutil
from datatrove.pipeline.base import PipelineStep

from eurocurate.pipelines.engine.remote_tasks import SyncedLocalExecutor


class RecordTask(PipelineStep):
    """Appends (rank, pid, child processes of the driver) to a file for every task it runs in."""

    name = "record_task"
    type = "TEST"

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def run(self, data, rank: int = 0, world_size: int = 1):
        children = [p.pid for p in psutil.Process().children(recursive=True)]
        with open(self.path, "ab") as f:
            f.write(orjson.dumps({"rank": rank, "pid": os.getpid(), "children": children}) + b"\n")
        self.stat_update("tasks_seen")
        yield from data or ()


def _records(path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.is_file() else []


def test_one_worker_runs_every_task_in_the_driver_with_no_process_beside_it_and_resumes(tmp_path):
    seen = tmp_path / "seen.jsonl"

    def executor():
        return SyncedLocalExecutor(
            pipeline=[RecordTask(str(seen))],
            tasks=3,
            workers=1,
            logging_dir=str(tmp_path / "work"),
            start_method="spawn",
        )

    before = {p.pid for p in psutil.Process().children(recursive=True)}  # other tests' servers in a whole-suite run
    stats = executor().run()
    records = _records(seen)
    assert sorted(r["rank"] for r in records) == [0, 1, 2]
    assert {r["pid"] for r in records} == {os.getpid()}
    # datatrove's own loop starts a multiprocess.Manager server (a fork of the driver) for the run's length
    assert all(set(r["children"]) <= before for r in records)
    # each task starts from fresh steps: the merged stats count each task once
    assert stats.stats[0].stats["tasks_seen"].total == 3
    assert orjson.loads((tmp_path / "work" / "stats.json").read_bytes())
    assert sorted(p.name for p in (tmp_path / "work" / "completions").iterdir()) == ["00000", "00001", "00002"]

    (tmp_path / "work" / "completions" / "00001").unlink()  # a task that did not finish: only it runs again
    executor().run()
    assert [r["rank"] for r in _records(seen)[3:]] == [1]
    assert executor().run() is None  # all complete: nothing runs
    assert len(_records(seen)) == 4


def test_stopping_ray_in_a_process_that_never_used_it_does_not_import_it():
    code = (
        "import sys\nfrom eurocurate.pipelines.engine.embedded_ray import stop_ray\nstop_ray()\n"
        "print('ray' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
