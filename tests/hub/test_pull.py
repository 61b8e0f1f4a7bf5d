"""Pulling token shards for a trainer: only the requested languages, in the requested proportions, to the budget."""

import collections
import subprocess
import sys

import orjson
import polars as pl
import pyarrow.parquet as pq
import pytest

from eurocurate.cli import main
from eurocurate.hub.pull import PulledDocument, PullError, available_tokens, pull, quotas


def test_quotas_sum_exactly_to_the_budget():
    q = quotas(1001, ["de", "fr", "pl"], [1, 1, 1])
    assert sum(q.values()) == 1001 and max(q.values()) - min(q.values()) == 1


def test_pull_yields_the_requested_languages_in_proportion_and_stops_at_the_budget(local_run):
    have = available_tokens(local_run)
    langs = sorted(have, key=lambda lang: -have[lang])[:3]
    weights = [0.5, 0.3, 0.2]
    budget = int(min(have[lang] / w for lang, w in zip(langs, weights)) * 0.9)
    docs = list(pull(local_run, langs, weights, budget))
    totals = collections.Counter()
    for d in docs:
        totals[d.lang] += len(d.input_ids)
    assert set(totals) == set(langs) and sum(totals.values()) == budget
    for lang, w in zip(langs, weights):
        assert abs(totals[lang] / budget - w) <= 0.02
    # interleaved: halfway through the stream every language has had about its share too
    half = collections.Counter()
    for d in docs[: len(docs) // 2]:
        half[d.lang] += len(d.input_ids)
    assert all(half[lang] > 0 for lang in langs)
    # documents come whole and in shard order; only a language's last one may be cut
    by_id = {}
    for f in (local_run / "shards").rglob("*.parquet"):
        t = pq.read_table(f, columns=["doc_id", "input_ids"])
        by_id.update(zip(t["doc_id"].to_pylist(), t["input_ids"].to_pylist()))
    for lang in langs:
        mine = [d for d in docs if d.lang == lang]
        assert all(d.input_ids == by_id[d.doc_id] for d in mine[:-1])
        assert mine[-1].input_ids == by_id[mine[-1].doc_id][: len(mine[-1].input_ids)]


def test_pull_refuses_what_it_cannot_serve(local_run):
    with pytest.raises(PullError, match="no shards for \\['xx'\\]"):
        list(pull(local_run, ["xx"]))
    with pytest.raises(PullError, match="not enough tokens"):
        list(pull(local_run, ["de"], None, 10**12))


def test_pull_cli_writes_a_parquet_a_trainer_reads_with_polars(local_run, tmp_path):
    have = available_tokens(local_run)
    a, b = sorted(have, key=lambda lang: -have[lang])[:2]
    dst = tmp_path / "mix.parquet"
    assert (
        main(["pull", str(local_run), "--langs", f"{a},{b}", "--weights", "3,1", "--tokens", "2000", "-o", str(dst)])
        == 0
    )
    df = pl.read_parquet(dst)
    per_lang = df.with_columns(pl.col("input_ids").list.len().alias("n")).group_by("lang").agg(pl.col("n").sum())
    assert dict(zip(per_lang["lang"], per_lang["n"])) == {a: 1500, b: 500}


def test_pull_without_output_streams_documents_as_json_lines_on_stdout(local_run):
    have = available_tokens(local_run)
    a, b = sorted(have, key=lambda lang: -have[lang])[:2]
    cmd = [sys.executable, "-m", "eurocurate.cli", "pull", str(local_run), "--langs", f"{a},{b}", "--tokens", "2000"]
    done = subprocess.run(cmd, capture_output=True, check=True)
    docs = [orjson.loads(line) for line in done.stdout.splitlines()]
    assert [PulledDocument(**d) for d in docs] == list(pull(local_run, [a, b], None, 2000))
    assert sum(len(d["input_ids"]) for d in docs) == 2000
    assert b"pulled" in done.stderr  # the summary goes to stderr, stdout is the stream


def test_a_reader_that_stops_early_ends_the_stream_without_an_error(local_run):
    langs = ",".join(sorted(available_tokens(local_run)))  # rows of 8 ids: far more JSON than a pipe buffers
    cmd = [sys.executable, "-m", "eurocurate.cli", "pull", str(local_run), "--langs", langs, "--seq-len", "8"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        first = orjson.loads(proc.stdout.readline())
        proc.stdout.close()  # as `| head -1` does
        stderr = proc.stderr.read()
    assert len(first["input_ids"]) == 8 and first["position"] == 0
    assert proc.returncode == 0 and b"Traceback" not in stderr


def test_pulling_from_an_unreachable_hub_is_one_line_not_a_traceback(capsys):
    """huggingface_hub's own HTTP client raises httpx2 errors, which the command did not catch (exit 1, traceback)."""
    from eurocurate.cli import main
    from tests.ports import free_ports

    nobody = f"http://127.0.0.1:{free_ports(1)[0]}"  # a port nothing listens on
    for extra in ([], ["--seq-len", "16"]):
        args = ["pull", "someorg/somedata", "--langs", "de", "--tokens", "100", "--endpoint", nobody, *extra]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "someorg/somedata: cannot read the Hub dataset (ConnectError" in err and "Traceback" not in err


def _packing_killed(run_copy):
    """The folder a run killed in shard_packing leaves: packed shards written, the task shards they were cut from
    not yet deleted (here: a copy of one under a task shard's name), and no run.json."""
    lang_dir = run_copy / "shards" / "de"
    packed = sorted(lang_dir.glob("packed-*.parquet"))[0]
    (lang_dir / "part-00000.parquet").write_bytes(packed.read_bytes())
    return lang_dir


def test_pull_refuses_a_run_that_did_not_finish_in_one_line(run_copy, tmp_path, capsys):
    """It exited 0 with every document of the language twice: the packed shards and the task shards they came from."""
    _packing_killed(run_copy)
    (run_copy / "run.json").unlink()
    assert main(["pull", str(run_copy), "--langs", "de", "-o", str(tmp_path / "mix.parquet")]) == 2
    err = capsys.readouterr().err
    assert "has no run.json: not a finished eurocurate run" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "mix.parquet").exists()
    with pytest.raises(PullError, match="has no run.json"):
        pull(run_copy, ["de"])


def test_pull_reads_only_the_token_shards_run_json_lists(local_run, run_copy, tmp_path):
    _packing_killed(run_copy)  # a stray shard beside the listed ones (run.json kept)
    docs = list(pull(run_copy, ["de"]))
    ids = [d.doc_id for d in docs]
    assert len(ids) == len(set(ids)) and docs == list(pull(local_run, ["de"]))
    assert available_tokens(run_copy) == available_tokens(local_run)
    dst = tmp_path / "rows.parquet"
    assert main(["pull", str(run_copy), "--langs", "de", "--seq-len", "64", "-o", str(dst)]) == 0
    assert (
        pq.read_schema(dst).field("input_ids").type
        == pq.read_schema(sorted((local_run / "shards" / "de").glob("packed-*.parquet"))[0]).field("input_ids").type
    )


def test_pull_refuses_a_folder_a_live_run_holds_the_lock_of(run_copy, capsys):
    from eurocurate.pipelines.engine.run_lock import RunLock

    with RunLock(run_copy, run_id="a-run-still-writing"):
        assert main(["pull", str(run_copy), "--langs", "de", "--tokens", "100"]) == 3  # as erase on a held folder
    err = capsys.readouterr().err
    assert "is being written by a running eurocurate run" in err and "a-run-still-writing" in err
    assert len(err.strip().splitlines()) == 1
    assert main(["pull", str(run_copy), "--langs", "de", "--tokens", "100", "-o", str(run_copy / "m.parquet")]) == 0


def test_pull_reads_a_dataset_downloaded_from_the_hub(local_run, tmp_path):
    """A snapshot of a published repo holds what `publish` uploads (run.json among it), not provenance or the lock."""
    import shutil

    from eurocurate.layout import is_published

    snapshot = tmp_path / "snapshot"
    for f in local_run.rglob("*"):
        rel = f.relative_to(local_run).as_posix()
        if f.is_file() and is_published(rel):
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, snapshot / rel)
    assert (snapshot / "run.json").is_file() and not (snapshot / "provenance").exists()
    assert list(pull(snapshot, ["de"])) == list(pull(local_run, ["de"]))
    shutil.rmtree(snapshot / "shards" / "de")
    with pytest.raises(PullError, match="run.json lists .* token shard file.*shards/de/"):
        pull(snapshot, ["de"])


def test_pull_refuses_a_repeated_language_or_a_weight_that_is_no_positive_number(local_run, tmp_path, capsys):
    """`--langs de,de` pulled a share of the budget and exited 0; `--weights 1,nan` was a ValueError traceback."""
    dst = str(tmp_path / "mix.parquet")
    for args, says in (
        (["--langs", "de,de"], "--langs names de more than once"),
        (["--langs", "de,fr", "--weights", "1,nan"], "--weights needs 2 positive finite numbers"),
        (["--langs", "de,fr", "--weights", "1,inf"], "--weights needs 2 positive finite numbers"),
        (["--langs", "de,fr", "--weights", "0,1"], "--weights needs 2 positive finite numbers"),
    ):
        assert main(["pull", str(local_run), *args, "-o", dst]) == 2
        err = capsys.readouterr().err
        assert says in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "mix.parquet").exists()
    with pytest.raises(PullError, match=r"languages \['de'\] named more than once"):
        list(pull(local_run, ["de", "fr", "de"]))
    with pytest.raises(PullError, match="positive numbers"):
        list(pull(local_run, ["de", "fr"], [1.0, float("nan")]))


def test_an_output_that_cannot_be_written_is_named_before_the_pull_not_blamed_on_the_hub(local_run, tmp_path, capsys):
    """`-o /nonexistent/dir/x.parquet` (or a folder) was reported after the whole pull as 'cannot read the Hub
    dataset' (HUB_TRANSPORT_ERRORS holds OSError)."""
    from eurocurate.hub.pull_mix import pull_mix
    from tests.ports import free_ports

    nobody = f"http://127.0.0.1:{free_ports(1)[0]}"  # a Hub that cannot be reached: the output is checked first
    for source, extra in ((str(local_run), []), ("someorg/somedata", ["--endpoint", nobody])):
        for output, says in ((tmp_path / "no" / "x.parquet", "does not exist"), (tmp_path, "is a folder")):
            for seq in ([], ["--seq-len", "64"]):
                assert main(["pull", source, *extra, "--langs", "de", *seq, "-o", str(output)]) == 2
                err = capsys.readouterr().err
                assert f"-o {output}" in err and says in err and "Hub" not in err, err
                assert len(err.strip().splitlines()) == 1
    with pytest.raises(PullError, match="cannot write .*x.parquet"):  # a write that fails once pulled
        pull_mix(local_run, ["de"], output=tmp_path / "no" / "x.parquet")
