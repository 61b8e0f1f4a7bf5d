"""`eurocurate verify` passes on a real run and fails, precisely, when one byte or one ledger row is off."""

import orjson
import pyarrow.parquet as pq

from eurocurate.cli import main
from eurocurate.manifests.audit.verify import verify_output


def test_verify_passes_on_a_finished_run(local_run, capsys):
    assert main(["verify", str(local_run)]) == 0
    assert "checks passed" in capsys.readouterr().out


def test_one_flipped_byte_in_a_token_shard_fails_verify(run_copy, capsys):
    shard = sorted((run_copy / "shards").rglob("*.parquet"))[0]
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    assert main(["verify", str(run_copy)]) == 1
    rel = shard.relative_to(run_copy).as_posix()
    out = capsys.readouterr().out
    assert f"{rel}: sha256" in out and "differs from run.json" in out
    assert "differs from its shard manifest" in out


def test_deleting_one_exclusion_row_fails_verify(run_copy):
    ledger = sorted((run_copy / "exclusions").glob("*.parquet"), key=lambda p: -pq.ParquetFile(p).metadata.num_rows)[0]
    table = pq.read_table(ledger)
    stage, reason = table["stage"][0].as_py(), table["reason"][0].as_py()
    pq.write_table(table.slice(1), ledger)
    report = verify_output(run_copy)
    assert not report.ok
    rel = ledger.relative_to(run_copy).as_posix()
    assert any(p.startswith(f"{rel}: sha256") for p in report.problems)
    assert any(f"stage {stage} reason {reason}" in p for p in report.problems), report.problems
    assert any("documents read" in p and "excluded" in p for p in report.problems)


def test_a_run_manifest_whose_counts_do_not_add_up_fails_verify(run_copy):
    manifest = orjson.loads((run_copy / "run.json").read_bytes())
    manifest["stages"][2]["out"] += 1
    (run_copy / "run.json").write_bytes(orjson.dumps(manifest))
    problems = verify_output(run_copy).problems
    name = manifest["stages"][2]["stage"]
    assert any(p.startswith(f"stage {name}: documents in") for p in problems)


def test_a_run_manifest_whose_documents_by_language_do_not_match_provenance_fails_verify(run_copy):
    manifest = orjson.loads((run_copy / "run.json").read_bytes())
    by_language = manifest["totals"]["documents_by_language"]
    assert sum(by_language.values()) == manifest["totals"]["kept"]
    lang = next(iter(by_language))
    by_language[lang] += 1
    (run_copy / "run.json").write_bytes(orjson.dumps(manifest))
    assert any(p.startswith("provenance: documents by language") for p in verify_output(run_copy).problems)


def test_unlisted_and_leftover_temporary_files_fail_verify(run_copy):
    (run_copy / "text" / "xx").mkdir()
    (run_copy / "text" / "xx" / "part-99999.parquet").write_bytes(b"not listed")
    (run_copy / "provenance" / "part-00000.parquet.tmp-123").write_bytes(b"")
    problems = verify_output(run_copy).problems
    assert "text/xx/part-99999.parquet: present but not listed in run.json" in problems
    assert any("temporary file left by an interrupted task" in p for p in problems)


def test_verify_of_a_folder_without_run_manifest_says_so(tmp_path):
    report = verify_output(tmp_path)
    assert not report.ok and "run.json not found" in report.problems[0]
