"""An output folder is one run's: concurrent runs, foreign files, dead tasks' leftovers and deliberate restarts (#16).

Each test is the operator's mistake or the accident; each ends in a refused run with one line, or a run that
ends green only when `verify` passes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
import yaml

from eurocurate.cli import main
from eurocurate.layout import OutputLayout
from eurocurate.manifests.audit.verify import verify_output
from eurocurate.pipelines.engine.run_lock import LOCK_FILE, OutputLocked, RunLock
from tests.conftest import robots_of, write_spec

REPO = Path(__file__).resolve().parents[3]


class _Cli:
    """A CLI run in a subprocess whose output goes to files: a run prints more than a pipe holds, and a test
    that waits before it reads would wait for ever."""

    def __init__(self, *args: str, env: dict[str, str] | None = None):
        # the files live as long as this object: the process writes to them after __init__ returns
        self._out = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self._err = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "eurocurate.cli", *args], cwd=REPO, stdout=self._out, stderr=self._err,
            text=True, env=env,
        )  # fmt: skip

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=timeout)

    @property
    def stderr_text(self) -> str:
        self._err.seek(0)
        return self._err.read()


def _cli(*args: str, env: dict[str, str] | None = None) -> _Cli:
    return _Cli(*args, env=env)


def _local_spec(tmp_path: Path, demo_inputs: Path) -> Path:
    return write_spec(tmp_path / "spec.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)


@pytest.mark.slow
def test_two_concurrent_identical_runs_one_is_refused_in_one_line_the_other_verifies(demo_inputs, tmp_path):
    spec, out = _local_spec(tmp_path, demo_inputs), tmp_path / "out"
    args = ("run", str(spec), "--input", str(demo_inputs), "--output", str(out))
    runs = [_cli(*args), _cli(*args)]
    results = [(p.wait(timeout=600), p.stderr_text) for p in runs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 3], results
    refused = next(err for code, err in results if code == 3)
    assert "is in use by another eurocurate run" in refused and "Traceback" not in refused
    assert len([line for line in refused.splitlines() if line.strip()]) == 1
    report = verify_output(out)
    assert report.ok, report.problems


def test_the_lock_of_a_killed_run_is_stale_and_taken_over(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom eurocurate.pipelines.engine.run_lock import RunLock\n"
         f"RunLock({str(out)!r}, 'first').acquire(); print('held', flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputLocked, match="in use by another eurocurate run .*run first"):
            RunLock(out, "second").acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    assert orjson.loads((out / LOCK_FILE).read_bytes())["run_id"] == "first"  # what the dead run left behind
    with RunLock(out, "third") as lock:
        info = orjson.loads((out / LOCK_FILE).read_bytes())
        assert info["run_id"] == "third" and info["pid"] == os.getpid() and lock.run_id == "third"


def test_an_erasure_or_summary_waits_for_no_one_while_a_run_holds_the_folder(run_copy, capsys):
    """`erase`, `summary` and `report` write into the run folder: while another process holds its lock (a run
    resuming into it, another erasure), they are refused in one line with the lock's exit code, and change nothing."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom eurocurate.pipelines.engine.run_lock import RunLock\n"
         f"RunLock({str(run_copy)!r}, 'resuming').acquire(); print('held', flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    before = (run_copy / "run.json").read_bytes()
    try:
        assert holder.stdout.readline().strip() == "held"
        url = pq.read_table(sorted((run_copy / "provenance").glob("*.parquet"))[0])["url"][0].as_py()
        for argv in (["erase", str(run_copy), "--url", url, "--reason", "test"], ["summary", str(run_copy)]):
            assert main(argv) == 3
            err = capsys.readouterr().err
            assert "is in use by another eurocurate run" in err and "run resuming" in err and "Traceback" not in err
        assert main(["erase", str(run_copy), "--url", url, "--dry-run"]) == 0  # reading needs no lock
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    assert (run_copy / "run.json").read_bytes() == before and not (run_copy / "erasure_log.jsonl").exists()
    assert main(["erase", str(run_copy), "--url", url, "--reason", "test"]) == 0  # the lock freed: it goes ahead


def test_a_folder_holding_unrelated_files_is_refused_in_one_line(demo_inputs, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("my work")
    spec = _local_spec(tmp_path, demo_inputs)
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert "not a eurocurate run (thesis.tex)" in err and "choose an empty or new --output" in err
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]  # not even a log file written beside it
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(out), "--restart"]) == 2
    assert "removes run outputs only" in capsys.readouterr().err and (out / "thesis.tex").read_text() == "my work"


def test_another_specs_run_into_an_output_whose_work_was_deleted_is_refused(run_copy, demo_inputs, tmp_path, capsys):
    shutil.rmtree(OutputLayout(run_copy).work)
    spec = write_spec(tmp_path / "other.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    other = ["--set", "stages.quality_filter.min_words=5"]
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(run_copy), *other]) == 2
    err = capsys.readouterr().err
    assert "without its run state (_work/ was deleted)" in err and "--restart" in err
    assert verify_output(run_copy).ok  # the old run is untouched


@pytest.mark.slow
def test_restart_starts_an_output_over_deliberately_and_keeps_its_erasures(run_copy, demo_inputs, tmp_path, capsys):
    shutil.rmtree(OutputLayout(run_copy).work)
    (OutputLayout(run_copy).suppression_file).write_text("urls: []\n")
    spec = _local_spec(tmp_path, demo_inputs)
    args = ["run", str(spec), "--input", str(demo_inputs), "--output", str(run_copy), "--restart"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "--restart: removed the previous run's" in err
    assert verify_output(run_copy).ok and OutputLayout(run_copy).suppression_file.is_file()


def test_a_folder_started_under_another_plan_of_stage_groups_is_not_resumed(run_copy, demo_inputs, tmp_path, capsys):
    # what an interrupted run of another eurocurate version leaves: its groups fused otherwise, so a completion
    # marker of a group of the same name would stand for work this version's group does not do
    state_file = OutputLayout(run_copy).state
    state = orjson.loads(state_file.read_bytes())
    assert state["stage_groups"][0].startswith("ingest: warc_reader, ")  # the plan, one line per group, in order
    state["stage_groups"] = state["stage_groups"][:-1]
    state_file.write_bytes(orjson.dumps(state))
    spec = _local_spec(tmp_path, demo_inputs)
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(run_copy)]) == 2
    err = capsys.readouterr().err
    assert "holds a run with a different plan of stage groups" in err and "--restart" in err
    assert verify_output(run_copy).ok  # the old run is untouched


def test_a_resume_removes_the_temporary_files_of_dead_tasks_and_verifies(run_copy, demo_inputs, tmp_path, capsys):
    text = OutputLayout(run_copy).text_files()[0]
    leftover = text.with_name(f"{text.name}.tmp-999999")
    leftover.write_bytes(b"half a parquet file")
    assert not verify_output(run_copy).ok  # what a killed task leaves: verify and publish refuse the folder
    spec = _local_spec(tmp_path, demo_inputs)
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(run_copy)]) == 0
    assert "removed 1 temporary file(s) left by interrupted tasks" in capsys.readouterr().err
    assert not leftover.exists() and verify_output(run_copy).ok


def test_a_resume_ends_green_only_when_verify_would(run_copy, demo_inputs, tmp_path, capsys):
    shard = OutputLayout(run_copy).shard_files()[0]
    shard.write_bytes(shard.read_bytes() + b"tampered")
    spec = _local_spec(tmp_path, demo_inputs)
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(run_copy)]) == 1
    err = capsys.readouterr().err
    assert "run incomplete" in err and f"`eurocurate verify {run_copy.resolve()}` finds" in err


def test_a_spec_that_fails_before_any_document_leaves_no_state(demo_inputs, tmp_path, capsys):
    out = tmp_path / "out"
    spec = _local_spec(tmp_path, demo_inputs)
    for bad, says in (
        ("stages.tokenizer.tokenizer=/no/such/tokenizer.json", "neither an existing file nor a Hugging Face Hub id"),
        ("stages.language_id.languages=[de, xx]", "languages ['xx'] are not EU-24 codes"),
        ("stages.language_id.min_scor=0.3", "unknown parameter 'min_scor'; did you mean 'min_score'?"),
    ):
        assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(out), "--set", bad]) == 2
        err = capsys.readouterr().err
        assert says in err and len(err.strip().splitlines()) == 1, err
        assert not out.exists()  # nothing pinned: the fixed spec runs here as into a new folder


def test_check_and_dry_run_validate_everything_and_print_the_dag_without_writing(demo_inputs, tmp_path, capsys):
    out = tmp_path / "out"
    spec = _local_spec(tmp_path, demo_inputs)
    assert main(["check", str(spec), "--input", str(demo_inputs), "--output", str(out)]) == 0
    printed = capsys.readouterr().err
    assert "ok demo" in printed and "1. ingest (map, 4 task(s)): warc_reader" in printed and "shard_packing" in printed
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(out), "--dry-run"]) == 0
    assert "url_dedup (barrier" in capsys.readouterr().err and not out.exists()
    assert main(["check", str(spec), "--set", "sources_file=/no/sources.yaml"]) == 2
    assert "sources_file /no/sources.yaml does not exist" in capsys.readouterr().err
    assert main(["check", str(spec), "--set", "stages.pii.suppression_file=/no/list.yaml"]) == 2
    assert "suppression_file /no/list.yaml does not exist" in capsys.readouterr().err
    assert main(["check", str(spec), "--set", "stages.optout.robots_warcs=[/no/robots]"]) == 2
    assert "robots_warcs" in capsys.readouterr().err
    # a file named inside a parameter (quality_filter's model) and a folder parameter: refused before the run, not
    # read in every task (the run used to exit 0 with every document an error.stage_exception drop)
    assert main(["check", str(spec), "--set", "stages.quality_filter.model={path: /no/model.bin}"]) == 2
    assert "parameter model.path: /no/model.bin does not exist" in capsys.readouterr().err
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(out),
                 "--set", "stages.quality_filter.config_dir=/no/configs"]) == 2  # fmt: skip
    assert "parameter config_dir: /no/configs does not exist" in capsys.readouterr().err and not out.exists()


CRASH_STAGE = '''
"""A stage that kills every task it runs in, unless told not to."""

from pydantic import BaseModel, ConfigDict
from datatrove.pipeline.base import PipelineStep

from eurocurate.registry import StageParts, register_stage


class Crash(PipelineStep):
    name = "crash"

    def __init__(self, crash: bool):
        super().__init__()
        self.crash = crash

    def run(self, data, rank=0, world_size=1):
        if self.crash:
            raise RuntimeError("this stage kills its task")
        yield from data


class CrashParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    crash: bool = True


@register_stage(name="crash", summary="Kill the task", role="map", params=CrashParams)
def build_crash(p, ctx, key):
    return StageParts(map_steps=[Crash(p.crash)])
'''


@pytest.mark.slow
def test_a_run_whose_first_tasks_all_fail_does_not_tie_the_folder_to_its_spec(demo_inputs, tmp_path):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "crash_stage.py").write_text(CRASH_STAGE)
    spec = _local_spec(tmp_path, demo_inputs)
    tree = yaml.safe_load(spec.read_text())
    tree["plugins"] = ["crash_stage"]
    tree["stages"].insert(1, {"use": "crash"})
    spec.write_text(yaml.safe_dump(tree))
    out = tmp_path / "out"
    run = ["run", str(spec), "--input", str(demo_inputs), "--output", str(out)]
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "plugins")}  # a subprocess: the plugin stays out of this one
    failed = _cli(*run, env=env)
    assert failed.wait(timeout=600) == 1 and "this stage kills its task" in failed.stderr_text
    assert not OutputLayout(out).state.exists() and not OutputLayout(out).text.exists()
    fixed = _cli(*run, "--set", "stages.crash.crash=false", env=env)  # the fixed spec: another config sha256
    assert fixed.wait(timeout=600) == 0, fixed.stderr_text
    assert verify_output(out).ok
