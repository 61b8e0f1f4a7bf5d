"""The command-line contract: exit codes and one actionable line for the mistakes users make."""

import shutil
from pathlib import Path

import pytest

from eurocurate.cli import main
from tests.conftest import robots_of, write_spec

REPO = Path(__file__).resolve().parents[1]


def test_stages_lists_the_catalogue(capsys):
    assert main(["stages"]) == 0
    out = capsys.readouterr().out
    for name in ("warc_reader", "html_extractor", "language_id", "quality_filter", "exact_dedup", "token_shards"):
        assert name in out


def test_missing_input_and_wrong_file_type_exit_2_with_the_path(tmp_path, capsys):
    spec = write_spec(tmp_path / "s.yaml", executor="local", workers=1)
    assert main(["run", str(spec), "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "o")]) == 2
    assert f"input {tmp_path / 'nope'} does not exist" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("x")
    assert main(["run", str(spec), "--input", str(tmp_path / "notes.txt"), "--output", str(tmp_path / "o")]) == 2
    assert "expected a .warc or .warc.gz file" in capsys.readouterr().err


def test_bad_spec_exits_2_and_names_the_problem(tmp_path, capsys):
    assert main(["run", str(tmp_path / "missing.yaml"), "--input", ".", "--output", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert (
        main(["run", str(REPO / "pipelines/demo.yaml"), "--input", ".", "--output", "o", "--set", "stages.nope.x=1"])
        == 2
    )
    assert "no stage 'nope'" in capsys.readouterr().err


def test_rerun_into_an_output_of_another_config_is_refused(local_run, demo_inputs, tmp_path, capsys):
    spec = write_spec(tmp_path / "s.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    code = main(
        [
            "run",
            str(spec),
            "--input",
            str(demo_inputs),
            "--output",
            str(local_run),
            "--set",
            "stages.quality_filter.min_words=99",
        ]
    )
    assert code == 2
    assert "different config sha256" in capsys.readouterr().err


def test_check_with_an_output_says_what_run_would_refuse_there(local_run, demo_inputs, tmp_path, capsys):
    spec = write_spec(tmp_path / "s.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    check = ["check", str(spec), "--input", str(demo_inputs), "--output", str(local_run)]
    assert main(check) == 0  # the same spec and inputs: a resume
    capsys.readouterr()
    assert main([*check, "--set", "stages.quality_filter.min_words=99"]) == 2
    assert "holds a run with a different config sha256 (spec or overrides)" in capsys.readouterr().err


def test_rerun_into_an_output_of_other_inputs_is_refused_in_words(local_run, demo_inputs, tmp_path, capsys):
    spec = write_spec(tmp_path / "s.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    one = sorted(demo_inputs.glob("*.warc.gz"))[0]
    assert main(["run", str(spec), "--input", str(one), "--output", str(local_run)]) == 2
    assert (
        f"{local_run} holds a run with a different set of input files; re-run with the same" in capsys.readouterr().err
    )


def test_rerunning_a_finished_run_changes_no_output(local_run, demo_inputs, tmp_path, capsys):
    import orjson

    before = orjson.loads((local_run / "run.json").read_bytes())["outputs"]
    spec = write_spec(tmp_path / "s.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(local_run)]) == 0
    assert "already complete (resumed run), skipped" in capsys.readouterr().err
    assert orjson.loads((local_run / "run.json").read_bytes())["outputs"] == before


def test_pii_command_redacts_text_keeps_other_fields_and_order(tmp_path, capsys):
    import orjson

    src = tmp_path / "in.jsonl"
    lines = [
        {
            "id": 1,
            "text": "Schreiben Sie an anna.muster@example.de oder rufen Sie +49 30 1234567 an.",
            "lang": "de",
            "keep": [1, 2],
        },
        "not json at all",
        {"id": 3, "text": "Nothing personal here."},
    ]
    src.write_text("\n".join(x if isinstance(x, str) else orjson.dumps(x).decode() for x in lines) + "\n")
    dst = tmp_path / "out.jsonl"
    assert main(["pii", str(src), "-o", str(dst)]) == 0
    out = dst.read_text().splitlines()
    first = orjson.loads(out[0])
    assert first["text"] == "Schreiben Sie an <EMAIL> oder rufen Sie <PHONE> an."
    assert first["keep"] == [1, 2] and first["pii"] == {"EMAIL": 1, "PHONE": 1}
    assert out[1] == "not json at all"
    assert orjson.loads(out[2])["text"] == "Nothing personal here."
    assert "1 passed through unchanged" in capsys.readouterr().err


def test_help_lists_every_command_and_each_command_has_its_own_help(capsys):
    import pytest

    from eurocurate.cli import COMMANDS

    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in COMMANDS) and len(COMMANDS) == 15
    for name in COMMANDS:
        with pytest.raises(SystemExit) as done:
            main([name, "--help"])
        assert done.value.code == 0, name
        assert f"usage: eurocurate {name}" in capsys.readouterr().out


def test_the_console_script_runs_the_package():
    import subprocess
    import sys

    script = Path(sys.executable).parent / "eurocurate"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    assert "stages" in done.stdout and "publish" in done.stdout


def test_options_that_mirror_a_stage_parameter_take_the_stage_default():
    from eurocurate.cli import build_parser
    from eurocurate.registry import get_stage

    def default(stage, name):
        return get_stage(stage).params.model_fields[name].default

    parser = build_parser()
    dedup = parser.parse_args(["dedup", "in.jsonl", "-o", "out.jsonl"])
    for option, param in (("bands", "bands"), ("rows", "rows"), ("ngram", "ngram"),
                          ("max_docs_in_memory", "max_docs_in_memory"), ("min_jaccard", "min_jaccard")):  # fmt: skip
        assert getattr(dedup, option) == default("minhash_dedup", param), option
    assert parser.parse_args(["dedup", "in", "-o", "out", "--min-jaccard", "none"]).min_jaccard is None
    extract = parser.parse_args(["extract", "in", "-o", "out.jsonl"])
    assert extract.mode == default("html_extractor", "mode")
    assert extract.max_bytes == default("document_reader", "max_bytes")
    assert extract.parse_timeout == default("document_reader", "parse_timeout_s")
    assert parser.parse_args(["langid", "in", "-o", "out"]).max_chars == default("language_id", "max_chars")
    for command in (["pii", "in", "-o", "out"], ["erase", "out"]):
        assert parser.parse_args(command).key_env == default("pii", "key_env")


def test_commands_on_a_folder_without_a_run_exit_2_with_one_line(tmp_path, capsys):
    for command in (["summary", str(tmp_path)], ["report", str(tmp_path)], ["erase", str(tmp_path), "--url", "x"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "not a finished eurocurate run" in err and len(err.strip().splitlines()) == 1, command
    assert not (tmp_path / "reports").exists()


def test_erase_without_exactly_one_subject_and_pull_from_nowhere_exit_2(local_run, tmp_path, capsys):
    assert main(["erase", str(local_run)]) == 2
    assert "give exactly one of --url, --url-prefix, --domain, --identifier" in capsys.readouterr().err
    assert main(["pull", str(tmp_path / "nowhere"), "--langs", "de"]) == 2
    assert "is neither a folder nor a Hub dataset id" in capsys.readouterr().err


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_every_mistake_of_issue_16_is_one_line_with_what_to_do(local_run, demo_inputs, tmp_path, capsys):
    spec = write_spec(tmp_path / "s.yaml", robots=robots_of(demo_inputs), executor="local")
    run = ["run", str(spec), "--input", str(demo_inputs), "--output", str(tmp_path / "out")]
    for workers in ("-1", "0"):  # the local executor used to wait forever for a worker
        assert main([*run, "--workers", workers]) == 2
        assert f"--workers must be 1 or more, got {workers}" in _one_line_error(capsys)
    assert not (tmp_path / "out").exists()
    (tmp_path / "out").write_text("a file, not a folder")
    assert main(run) == 2 and "is a file; --output names a folder" in _one_line_error(capsys)
    assert main(["inspect", str(local_run)]) == 2
    assert "--doc-id ID (or --url URL)" in _one_line_error(capsys)
    # a folder that is no run is a mistake, not a run without that document (exit 1)
    assert main(["inspect", str(tmp_path / "elsewhere"), "--doc-id", "x"]) == 2
    assert "run.json not found: not a finished eurocurate run" in _one_line_error(capsys)
    assert main(["summary", str(local_run), "--config", str(tmp_path / "provider.yaml")]) == 2
    assert "provider.yaml: cannot read it" in _one_line_error(capsys)
    (tmp_path / "provider.yaml").write_text("provider_nme: ACME\n")
    assert main(["summary", str(local_run), "--config", str(tmp_path / "provider.yaml")]) == 2
    assert "unknown parameter 'provider_nme'; did you mean 'provider_name'?" in _one_line_error(capsys)
    assert main(["pull", str(tmp_path / "no-such-run"), "--langs", "de"]) == 2  # not a Hub id, no httpx traceback
    assert "no such folder" in _one_line_error(capsys)
    assert main(["pull", str(local_run), "--langs", "de", "--tokens", "-5"]) == 2
    assert "--tokens must be 1 or more, got -5" in _one_line_error(capsys)
    assert main(["check", str(spec), "--set", "stages.quality_filter.min_wrds=5"]) == 2
    assert "unknown parameter 'min_wrds'; did you mean 'min_words'?" in _one_line_error(capsys)


def test_a_glob_over_a_folder_with_symlink_loops_ends(demo_inputs, tmp_path):
    import subprocess
    import sys

    loop = tmp_path / "crawl" / "a"
    loop.mkdir(parents=True)
    (loop / "up").symlink_to("..")
    (loop / "self").symlink_to(".")
    shutil.copy(next(demo_inputs.glob("*.warc*")), loop)
    spec = write_spec(tmp_path / "s.yaml", robots=robots_of(demo_inputs))
    done = subprocess.run(
        [sys.executable, "-m", "eurocurate.cli", "check", str(spec), "--input", f"{tmp_path}/crawl/**/*.warc*"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and "1 input file(s)" in done.stderr, done.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_during_a_run_is_one_line_and_exit_130_and_the_same_command_resumes(demo_inputs, tmp_path, workers):
    """Ctrl-C printed a KeyboardInterrupt traceback and exited 1 (docs/operations.md promises 128 + the signal);
    with two local workers the driver waited forever for a pool whose workers the signal had stopped mid-task, each
    of which printed its own traceback."""
    import os
    import signal
    import subprocess
    import sys

    spec = write_spec(tmp_path / "s.yaml", robots=robots_of(demo_inputs), executor="local", workers=workers)
    run = ["run", str(spec), "--input", str(demo_inputs), "--output", str(tmp_path / "out")]
    cmd = [sys.executable, "-m", "eurocurate.cli", *run]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        err = b""
        while b"Launching pipeline for rank" not in err:  # a task is running (datatrove's line as it starts one)
            line = proc.stderr.readline()
            assert line, err.decode()
            err += line
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the whole process group
        err += proc.communicate(timeout=300)[1]
    finally:
        if proc.poll() is None:  # the old driver never ended
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    text = err.decode()
    assert proc.returncode == 130, text[-2000:]
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text[-2000:]
    assert text.strip().splitlines()[-1] == "interrupted; re-run the same command to resume"
    assert main(run) == 0  # the advice holds
