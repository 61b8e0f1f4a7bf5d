"""`eurocurate verify` passes on a real run and fails, precisely, when one byte or one ledger row is off."""

import orjson
import pyarrow as pa
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


def test_verify_of_a_folder_without_run_manifest_says_so(tmp_path, capsys):
    report = verify_output(tmp_path)
    assert not report.ok and "run.json not found" in report.problems[0]
    # a folder that is no run (or no folder) is the user's mistake, exit 2 as for every command given one
    assert main(["verify", str(tmp_path)]) == 2
    assert main(["verify", str(tmp_path / "missing")]) == 2
    assert "not a finished eurocurate run" in capsys.readouterr().err


def test_verify_of_an_unfinished_run_is_a_failed_check(run_copy, capsys):
    (run_copy / "run.json").unlink()  # the runner writes it last: its run state is there, the manifest not yet
    assert main(["verify", str(run_copy)]) == 1
    assert "re-run to complete it" in capsys.readouterr().out


def test_totals_the_reports_print_must_be_the_stages_and_shards_own(run_copy):
    """The card, summary and report print totals.read, totals.dropped and tokens by language: run.json edited there
    alone (counts of the stages left as they were) fails verify."""
    manifest = orjson.loads((run_copy / "run.json").read_bytes())
    manifest["totals"]["read"] += 1000
    manifest["totals"]["dropped"] += 1000
    lang = next(iter(manifest["totals"]["tokens_by_language"]))
    manifest["totals"]["tokens_by_language"][lang] = 1
    (run_copy / "run.json").write_bytes(orjson.dumps(manifest))
    problems = verify_output(run_copy).problems
    assert any(p.startswith("run.json: totals.read") for p in problems), problems
    assert any(p.startswith("run.json: totals.dropped") for p in problems), problems
    assert any(p.startswith("shards/: tokens by language") for p in problems), problems


def test_a_text_row_of_a_document_provenance_does_not_keep_fails_verify_even_with_its_hash_recorded(run_copy):
    """Counts alone would not see it: one text row's document swapped for a dropped one (an erased page put back),
    with run.json's size and sha256 of the file brought up to date."""
    from eurocurate.files import sha256_file

    shard = sorted((run_copy / "text").rglob("*.parquet"))[0]
    dropped = pq.read_table(sorted((run_copy / "exclusions").glob("*.parquet"))[0])["doc_id"][0].as_py()
    table = pq.read_table(shard)
    ids = table["id"].to_pylist()
    ids[0] = dropped
    table = table.set_column(table.schema.get_field_index("id"), "id", pa.array(ids, table.schema.field("id").type))
    pq.write_table(table, shard)
    manifest = orjson.loads((run_copy / "run.json").read_bytes())
    rel = shard.relative_to(run_copy).as_posix()
    entry = next(o for o in manifest["outputs"] if o["path"] == rel)
    entry["sha256"], entry["bytes"] = sha256_file(shard), shard.stat().st_size
    (run_copy / "run.json").write_bytes(orjson.dumps(manifest))
    problems = verify_output(run_copy).problems
    assert problems == [f"text/: 1 row(s) of documents provenance does not keep, e.g. ['{dropped}']"], problems


def test_an_edited_spec_record_or_tokenizer_record_fails_verify(run_copy):
    """run.json's config could be edited (another min_score, say) with its digest left: verify passed."""
    manifest = orjson.loads((run_copy / "run.json").read_bytes())
    language_id = next(s for s in manifest["config"]["stages"] if s["use"] == "language_id")
    language_id.setdefault("with", {})["min_score"] = 0.01
    manifest["tokenizer"]["sha256"] = "0" * 64
    (run_copy / "run.json").write_bytes(orjson.dumps(manifest))
    problems = verify_output(run_copy).problems
    assert any("config_sha256 is not the digest of its config" in p for p in problems)
    assert any("tokenizer/tokenizer.json: sha256 differs from run.json's tokenizer record" in p for p in problems)


def _record(run_copy, manifest: dict, path) -> None:
    """run.json's size and sha256 of `path` brought up to date, as a careful forger would."""
    from eurocurate.files import sha256_file

    rel = path.relative_to(run_copy).as_posix()
    entry = next(o for o in manifest["outputs"] if o["path"] == rel)
    entry["sha256"], entry["bytes"] = sha256_file(path), path.stat().st_size


def test_parquet_outputs_whose_columns_differ_from_the_run_s_schemas_fail_verify(run_copy):
    """A shard rewritten with another column type (and its hashes brought up to date) kept every check: verify
    compared hashes and counts, never the columns the run declares."""
    from eurocurate.files import sha256_file

    manifest = orjson.loads((run_copy / "run.json").read_bytes())
    text = sorted((run_copy / "text").rglob("*.parquet"))[0]
    table = pq.read_table(text)
    i = table.schema.get_field_index("token_count")
    pq.write_table(table.set_column(i, "token_count", table["token_count"].cast(pa.string())), text)
    _record(run_copy, manifest, text)
    shard = sorted((run_copy / "shards").rglob("*.parquet"))[0]
    table = pq.read_table(shard)
    i = table.schema.get_field_index("input_ids")
    pq.write_table(table.set_column(i, "input_ids", table["input_ids"].cast(pa.list_(pa.int64()))), shard)
    _record(run_copy, manifest, shard)
    shard_manifest = shard.with_name(shard.name.removesuffix(".parquet") + ".manifest.json")
    sm = orjson.loads(shard_manifest.read_bytes())
    sm["sha256"], sm["bytes"] = sha256_file(shard), shard.stat().st_size
    shard_manifest.write_bytes(orjson.dumps(sm))
    _record(run_copy, manifest, shard_manifest)
    prov = sorted((run_copy / "provenance").glob("*.parquet"))[0]
    table = pq.read_table(prov)
    pq.write_table(table.append_column("raw_email", pa.array([None] * table.num_rows, pa.string())), prov)
    _record(run_copy, manifest, prov)
    (run_copy / "run.json").write_bytes(orjson.dumps(manifest))

    problems = verify_output(run_copy).problems
    rel = lambda p: p.relative_to(run_copy).as_posix()  # noqa: E731
    assert len(problems) == 3, problems
    assert f"{rel(text)}: column token_count is string, the run's text shard schema has int64" in problems
    assert f"{rel(prov)}: column raw_email is not in the run's provenance schema" in problems
    (shard_problem,) = [p for p in problems if p.startswith(f"{rel(shard)}: column input_ids is list<")]
    assert "int64>, the run's token shard schema has list<item: uint" in shard_problem  # the list's field name aside


def test_a_pii_key_id_other_than_run_json_s_fails_verify(run_copy):
    """run.json's key id is what `erase --identifier` checks a key against; provenance now records the key id of
    each document's fingerprints, and verify holds the two together (a task resumed with another key, or run.json
    edited, was not seen)."""
    manifest = orjson.loads((run_copy / "run.json").read_bytes())
    recorded = manifest["policies"]["pii_redactor"]["key_id"]
    prov = sorted((run_copy / "provenance").glob("*.parquet"))[0]
    table = pq.read_table(prov)
    assert set(table["pii_key_id"].to_pylist()) == {recorded}
    i = table.schema.get_field_index("pii_key_id")
    pq.write_table(table.set_column(i, "pii_key_id", pa.array(["0123456789abcdef"] * table.num_rows)), prov)
    _record(run_copy, manifest, prov)
    (run_copy / "run.json").write_bytes(orjson.dumps(manifest))
    assert verify_output(run_copy).problems == [
        f"provenance: {table.num_rows} document(s) fingerprinted with PII key id 0123456789abcdef; run.json "
        f"policies.pii_redactor.key_id is {recorded}"
    ]
    # run.json's key id edited instead: every document disagrees with it
    pq.write_table(table, prov)
    _record(run_copy, manifest, prov)
    manifest["policies"]["pii_redactor"]["key_id"] = "fedcba9876543210"
    (run_copy / "run.json").write_bytes(orjson.dumps(manifest))
    problems = verify_output(run_copy).problems
    assert len(problems) == 1 and problems[0].endswith("run.json policies.pii_redactor.key_id is fedcba9876543210")
    # a task that read no key: its documents have no key id (and no fingerprints), run.json claims them
    manifest["policies"]["pii_redactor"]["key_id"] = recorded
    pq.write_table(table.set_column(i, "pii_key_id", pa.array([None] * table.num_rows, pa.string())), prov)
    _record(run_copy, manifest, prov)
    (run_copy / "run.json").write_bytes(orjson.dumps(manifest))
    assert verify_output(run_copy).problems == [
        f"provenance: {table.num_rows} document(s) went through the pii stage without a key (no fingerprints, so no "
        f"identifier request can find them); run.json records fingerprints with key id {recorded}"
    ]


def test_a_file_in_reports_that_eurocurate_does_not_write_fails_verify(run_copy):
    """reports/ is published and no manifest lists it: a stray file there passed verify and went public."""
    assert main(["summary", str(run_copy)]) == 0 and main(["report", str(run_copy)]) == 0
    assert verify_output(run_copy).ok, verify_output(run_copy).problems
    (run_copy / "reports" / "notes.csv").write_text("url,who\nhttps://example.eu/,anna\n")
    assert verify_output(run_copy).problems == [
        "reports/notes.csv: not a report eurocurate writes (no manifest lists it), and `publish` would upload it; "
        "remove it or move it out of reports/"
    ]
