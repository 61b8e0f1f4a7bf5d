"""The command-line contract: exit codes and one actionable line for the mistakes users make."""

from pathlib import Path

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
