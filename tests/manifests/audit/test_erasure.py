"""Erasure end to end: by URL, by domain, by a redacted e-mail; shards rewritten, totals down, verify green,
the log and manifests record it, an interrupted erasure is rolled back, and a re-run keeps the subjects out."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from eurocurate.cli import main
from eurocurate.cli.erase import NOTHING_MATCHED
from eurocurate.manifests.audit import erasure as erasure_module
from eurocurate.manifests.audit.verify import verify_output
from eurocurate.pipelines.ingest.warc import iter_warc_records
from eurocurate.schema import Reason
from tests.conftest import robots_of, write_spec


def _table(out, sub):
    return pa.concat_tables([pq.read_table(f) for f in sorted((out / sub).rglob("*.parquet"))])


def _ids(out, sub):
    return set(_table(out, sub)["id" if sub == "text" else "doc_id"].to_pylist())  # text shards: FineWeb-2's `id`


def _run(out):
    return orjson.loads((out / "run.json").read_bytes())


def _raw_email(demo_inputs, row) -> str:
    for rec in iter_warc_records(demo_inputs / row["source_path"]):
        if rec.record_id == row["warc_record_id"]:
            return re.search(rb"contact\d+@[\w.-]+\.eu", rec.block).group().decode()
    raise AssertionError("record not found")


def test_erase_by_url_domain_and_identifier_then_rerun_keeps_them_out(run_copy, demo_inputs, tmp_path, capsys):
    out = run_copy
    prov = _table(out, "provenance").to_pylist()
    tokens_before = sum(_run(out)["totals"]["tokens_by_language"].values())

    # 1. by URL
    victim = prov[0]
    assert main(["erase", str(out), "--url", victim["url"], "--reason", "takedown notice 17"]) == 0
    assert victim["doc_id"] not in _ids(out, "provenance") | _ids(out, "text") | _ids(out, "shards")
    assert sum(_run(out)["totals"]["tokens_by_language"].values()) == tokens_before - victim["n_tokens"]
    docs = _run(out)["totals"]["documents_by_language"]
    assert docs == dict(Counter(r["lang"] for r in prov[1:])), "an erased document leaves the counts by language"
    assert victim["token_shard"] not in {p.relative_to(out).as_posix() for p in (out / "shards").rglob("*.parquet")}
    assert verify_output(out).ok, verify_output(out).problems

    # 2. by domain: every host under it
    host = next(r["url"].split("/")[2] for r in prov[1:] if r["url"].split("/")[2].count(".") >= 2)
    domain = host.split(".", 1)[1]
    under = {
        r["doc_id"] for r in prov if r["url"].split("/")[2] == domain or r["url"].split("/")[2].endswith("." + domain)
    }
    assert main(["erase", str(out), "--domain", domain]) == 0
    assert not under & _ids(out, "provenance") and not under & _ids(out, "shards")

    # 3. by an e-mail address that was redacted from the text
    with_email = next(r for r in _table(out, "provenance").to_pylist() if dict(r["pii_counts"]).get("EMAIL"))
    email = _raw_email(demo_inputs, with_email)
    assert email not in "".join(_table(out, "text")["text"].to_pylist())  # it was redacted
    assert main(["erase", str(out), "--identifier", email.upper(), "--reason", "Art. 17 request"]) == 0
    assert with_email["doc_id"] not in _ids(out, "provenance") | _ids(out, "text") | _ids(out, "shards")

    report = verify_output(out)
    assert report.ok, report.problems
    run = _run(out)
    erased = len(under) + 2
    gone_ids = under | {victim["doc_id"], with_email["doc_id"]}
    tokens_gone = sum(r["n_tokens"] for r in prov if r["doc_id"] in gone_ids)
    assert sum(run["totals"]["tokens_by_language"].values()) == tokens_before - tokens_gone
    shard_tokens = pa.concat_tables(
        [pq.read_table(f, columns=["n_tokens"]) for f in (out / "shards").rglob("*.parquet")]
    )
    assert sum(shard_tokens["n_tokens"].to_pylist()) == tokens_before - tokens_gone
    assert run["stages"][-1]["stage"] == "erasure" and run["stages"][-1]["dropped"] == erased
    assert run["totals"]["kept"] == len(prov) - erased and len(run["erasures"]) == 3
    ledger = _table(out, "exclusions").to_pylist()
    assert sum(r["reason"] == Reason.ERASURE_REQUEST for r in ledger) == erased

    log = [orjson.loads(line) for line in (out / "erasure_log.jsonl").read_bytes().splitlines()]
    assert [e["documents"] for e in log] == [1, len(under), 1]
    assert log[0]["reason"] == "takedown notice 17" and log[0]["signed_off_by"]
    assert log[1]["previous_entry_sha256"] and email.lower() not in (out / "erasure_log.jsonl").read_text().lower()
    manifests = [orjson.loads(p.read_bytes()) for p in (out / "shards").rglob("*.manifest.json")]
    assert any(m.get("supersedes") for m in manifests)

    # inspect finds the erased document and its erasure
    assert main(["inspect", str(out), "--doc-id", victim["doc_id"]]) == 0
    shown = capsys.readouterr().out
    assert '"stage": "erasure"' in shown and "takedown notice 17" in shown

    # 4. a new run over the same input with the run's suppression list keeps every subject out
    suppression = out / "suppression.yaml"
    spec = write_spec(tmp_path / "spec.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    again = tmp_path / "again"
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(again),
                 "--set", f"stages.optout.suppression_file={suppression}",
                 "--set", f"stages.pii.suppression_file={suppression}"]) == 0  # fmt: skip
    kept_again = _ids(again, "provenance")
    assert victim["doc_id"] not in kept_again and not under & kept_again and with_email["doc_id"] not in kept_again
    reasons = {r["doc_id"]: r["reason"] for r in _table(again, "exclusions").to_pylist()}
    assert reasons[victim["doc_id"]] == Reason.SUPPRESSED
    assert reasons[with_email["doc_id"]] == Reason.SUPPRESSED_SUBJECT


def test_an_interrupted_erasure_is_rolled_back(run_copy, monkeypatch):
    out = run_copy
    before = (out / "run.json").read_bytes()
    victim = _table(out, "provenance").to_pylist()[0]

    def crash_on_commit(out_dir, manifest):  # the commit point: writing the new run.json
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(erasure_module, "write_run_manifest", crash_on_commit)
    with pytest.raises(KeyboardInterrupt):
        erasure_module.erase(out, erasure_module.ErasureRequest(url=victim["url"]), key=None)
    monkeypatch.undo()
    assert any("interrupted erasure" in p for p in verify_output(out).problems)
    assert main(["erase", str(out), "--recover"]) == 0
    assert (out / "run.json").read_bytes() == before
    assert verify_output(out).ok and victim["doc_id"] in _ids(out, "provenance")
    assert not (out / "erasure_log.jsonl").exists()


def _parquet_holding(out, doc_id: str) -> list[str]:
    found = []
    for f in sorted(out.rglob("*.parquet")):
        table = pq.read_table(f)
        if any(doc_id in table[c].to_pylist() for c in table.column_names if pa.types.is_string(table[c].type)):
            found.append(f.relative_to(out).as_posix())
    return found


def test_an_erased_document_leaves_no_trace_in_the_run_s_working_files(demo_inputs, tmp_path):
    """A run's intermediate files (kept with `keep_intermediate`; the dedup stages' working files in runs before
    they were removed at the end) hold every document's id, URL and text: an erasure removes them with the commit,
    and only its own record (the ledger row, the log, the suppression list) names the document afterwards."""
    spec = write_spec(tmp_path / "s.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    out = tmp_path / "out"
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(out),
                 "--set", "execution.keep_intermediate=true"]) == 0  # fmt: skip
    victim = _table(out, "provenance").slice(0, 1).to_pylist()[0]
    assert any(p.startswith("_work/") for p in _parquet_holding(out, victim["doc_id"]))  # the hand-overs hold it
    assert main(["erase", str(out), "--url", victim["url"], "--reason", "test"]) == 0
    assert _parquet_holding(out, victim["doc_id"]) == ["exclusions/part-erasure-00001.parquet"]
    entry = orjson.loads((out / "erasure_log.jsonl").read_bytes().splitlines()[-1])
    assert entry["work_folders_removed"] and all(not (out / rel).exists() for rel in entry["work_folders_removed"])
    assert verify_output(out).ok


def test_a_finished_run_keeps_no_document_level_working_files(local_run):
    """Without `keep_intermediate` the hand-overs and the dedup stages' signatures, URL keys and decisions go at the
    end of the run: the run state and the tasks' bookkeeping stay (a re-run finds everything done)."""
    from eurocurate.layout import OutputLayout

    layout = OutputLayout(local_run)
    assert layout.work_data() == [] and layout.state.is_file()
    assert {p.parent.name for p in layout.work.glob("*/*/*")} <= {"logs", "stats", "completions", "progress"}


def test_a_restart_into_the_folder_never_brings_an_erased_document_back(run_copy, demo_inputs):
    """The output folder's own suppression list is applied by every later run into it, whatever the spec says; a
    `--restart` used to read the input again and publish the erased page as if nothing had happened."""
    out = run_copy
    victim = _table(out, "provenance").to_pylist()[0]
    written = victim["url"].replace("https://", "HTTPS://", 1) + "#section"  # as a requester may type it
    assert main(["erase", str(out), "--url", written]) == 0
    spec = write_spec(out.parent / "spec.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(out), "--restart"]) == 0
    assert victim["doc_id"] not in _ids(out, "provenance") | _ids(out, "text") | _ids(out, "shards")
    reasons = {r["doc_id"]: r["reason"] for r in _table(out, "exclusions").to_pylist()}
    assert reasons[victim["doc_id"]] == Reason.SUPPRESSED


def test_a_suppression_list_matches_a_url_however_it_was_written():
    from eurocurate.filters.optout.suppression import SuppressionList

    listed = SuppressionList(
        urls=["HTTPS://News.Example.eu/a/b/?utm_source=x#top"], url_prefixes=["http://example.eu/Private/"]
    )
    for url in (
        "https://news.example.eu/a/b",
        "http://news.example.eu/a/b/",
        "https://news.example.eu:443/a/b",
        "https://news.example.eu/a/b#x",
    ):
        assert listed.match(url), url
    assert listed.match("https://example.eu/Private/x") and not listed.match("https://example.eu/Privates")
    assert not listed.match("https://news.example.eu/a/c")
    # a Unicode host and its punycode, an escaped unreserved character and the character: the same page
    idn = SuppressionList(urls=["https://straße.example/%7Eanna/cv"])
    assert idn.match("https://xn--strae-oqa.example/~anna/cv") and not idn.match("https://strasse.example/~anna/cv")


def test_an_erasure_stopped_after_its_log_entry_still_adds_its_subject_on_recover(run_copy, monkeypatch):
    out = run_copy
    victim = _table(out, "provenance").to_pylist()[0]

    def stop(out_dir, addition):  # the power cut: after the log entry, before the suppression list
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(erasure_module, "_add_suppression", stop)
    with pytest.raises(KeyboardInterrupt):
        erasure_module.erase(out, erasure_module.ErasureRequest(url=victim["url"]), key=None)
    monkeypatch.undo()
    assert (out / "erasure_log.jsonl").is_file() and not (out / "suppression.yaml").exists()
    assert main(["erase", str(out), "--recover"]) == 0
    assert victim["url"] in (out / "suppression.yaml").read_text()


def test_an_erasure_rewrites_the_reports_the_run_had(run_copy):
    """The card, Croissant, AI Act summary, domains.csv and report.html kept the counts from before the erasure."""
    out = run_copy
    assert main(["summary", str(out)]) == 0 and main(["report", str(out)]) == 0
    kept_before = orjson.loads((out / "reports" / "ai_act_summary.json").read_bytes())
    victim = _table(out, "provenance").to_pylist()[0]
    assert main(["erase", str(out), "--url", victim["url"]]) == 0
    run = _run(out)
    for name in ("README.md", "croissant.json", "reports/ai_act_summary.json", "reports/report.html"):
        assert (out / name).stat().st_mtime >= (out / "run.json").stat().st_mtime, name
    card = (out / "README.md").read_text()
    assert f"{run['totals']['kept']:,} documents" in card
    assert orjson.loads((out / "reports" / "ai_act_summary.json").read_bytes()) != kept_before
    assert verify_output(out).ok


def test_verify_checks_the_erasure_log_and_a_damaged_log_is_one_line_for_erase(run_copy, capsys):
    """The log's hash chain was never checked: entries edited, removed or emptied, and suppression.yaml deleted,
    all passed verify; a line that is no JSON made `erase` crash with a traceback."""
    out = run_copy
    prov = _table(out, "provenance").to_pylist()
    for row in prov[:2]:
        assert main(["erase", str(out), "--url", row["url"]]) == 0
    log = out / "erasure_log.jsonl"
    pristine = log.read_bytes()
    assert verify_output(out).ok
    first, second = pristine.splitlines()
    log.write_bytes(first.replace(b'"documents":1', b'"documents":0') + b"\n" + second + b"\n")
    assert any("line 2: previous_entry_sha256" in p for p in verify_output(out).problems)
    log.write_bytes(first + b"\n")  # the last entry removed: the chain is whole, run.json still names it
    assert any("does not hold" in p for p in verify_output(out).problems)
    log.write_bytes(pristine)
    (out / "suppression.yaml").rename(out / "suppression.bak")
    assert any("suppression.yaml is gone" in p for p in verify_output(out).problems)
    (out / "suppression.bak").rename(out / "suppression.yaml")
    log.write_bytes(pristine + b"{not json\n")
    assert any("line 3 is not a JSON entry" in p for p in verify_output(out).problems)
    assert main(["erase", str(out), "--url", prov[3]["url"]]) == 2
    assert "line 3 is not a JSON entry" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", ["eu", "co.uk", "github.io"])
def test_erasing_a_public_suffix_is_refused_not_every_site_under_it(run_copy, suffix, capsys):
    before = (run_copy / "run.json").read_bytes()
    assert main(["erase", str(run_copy), "--domain", suffix]) == 2
    assert "a public suffix" in capsys.readouterr().err
    assert (run_copy / "run.json").read_bytes() == before


def test_a_phone_number_in_national_form_is_asked_for_in_international_form(run_copy, capsys):
    assert main(["erase", str(run_copy), "--identifier", "030 1234567"]) == 2
    assert "give it with its country code" in capsys.readouterr().err


def test_the_newest_erasure_log_entry_is_anchored_in_run_json_and_an_unanchored_log_is_a_warning(run_copy, capsys):
    """Nothing after the newest entry names it: its reason or subject edited passed verify. run.json now anchors the
    log's head; a run.json written before it did is a warning (not a silent pass, not a failure)."""
    out = run_copy
    victim = _table(out, "provenance").to_pylist()[0]
    assert main(["erase", str(out), "--url", victim["url"], "--reason", "takedown 17"]) == 0
    log = out / "erasure_log.jsonl"
    pristine = log.read_bytes()
    assert _run(out)["erasure_log_head"] == hashlib.sha256(pristine.splitlines()[-1]).hexdigest()
    report = verify_output(out)
    assert report.ok and not report.warnings, (report.problems, report.warnings)

    log.write_bytes(pristine.replace(b'"reason":"takedown 17"', b'"reason":"routine clean-up"'))
    problems = verify_output(out).problems
    assert len(problems) == 1 and problems[0].startswith("erasure_log.jsonl: the newest entry (line 1, erasure-0001-")
    assert "run.json anchors" in problems[0]
    capsys.readouterr()
    assert main(["verify", str(out)]) == 1
    log.unlink()
    assert any("anchors an erasure log head" in p and "is gone" in p for p in verify_output(out).problems)

    # a run.json from before the anchor: verify says the head is not anchored, and passes what it can check
    log.write_bytes(pristine)
    run = _run(out)
    del run["erasure_log_head"]
    (out / "run.json").write_bytes(orjson.dumps(run, option=orjson.OPT_INDENT_2))
    report = verify_output(out)
    assert report.ok, report.problems
    assert report.warnings == [
        f"erasure_log.jsonl: its newest entry (line 1, {run['erasures'][0]}) is not anchored in run.json (no "
        "erasure_log_head: written before eurocurate recorded it), so an edit of that entry cannot be detected; the "
        "next erasure anchors the log"
    ]
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "WARN erasure_log.jsonl: its newest entry" in shown and "checks passed" in shown
    # the next erasure anchors the log again, and chains its entry to the unanchored one as it is on disk
    assert main(["erase", str(out), "--url", _table(out, "provenance").to_pylist()[0]["url"]]) == 0
    report = verify_output(out)
    assert report.ok and not report.warnings, (report.problems, report.warnings)


def _dedup_chains(out):
    """Ledger rows of url_dedup with the document each names as the fetch it kept, and provenance's URLs by doc id."""
    ledger = _table(out, "exclusions").to_pylist()
    kept = {r["doc_id"]: r["url"] for r in _table(out, "provenance").to_pylist()}
    by_id = {r["doc_id"]: r for r in ledger}
    url_drops = [r for r in ledger if r["reason"] == Reason.URL_DUPLICATE]
    return url_drops, by_id, kept


def test_a_url_whose_older_fetch_url_dedup_dropped_erases_the_kept_fetch_and_says_what_it_matched(run_copy, capsys):
    """The kept fetch of a URL is found by the URL of the older fetch URL dedup dropped, written as any variant URL
    dedup takes for the same page (host case, default port, tracking parameters, fragment); the message names it."""
    url_drops, _, kept = _dedup_chains(run_copy)
    older = next(r for r in url_drops if r["evidence"].split()[0].removeprefix("duplicate_of=") in kept)
    newer = older["evidence"].split()[0].removeprefix("duplicate_of=")
    scheme, rest = older["url"].split("://", 1)
    host, path = rest.split("/", 1)
    variant = f"{scheme}://{host.upper()}:443/{path}?utm_source=newsletter#top"
    capsys.readouterr()
    assert main(["erase", str(run_copy), "--url", variant]) == 0
    assert f"matched 1 URL(s): {kept[newer]}" in capsys.readouterr().err
    assert newer not in _ids(run_copy, "provenance") and verify_output(run_copy).ok
    # asked again: nothing is kept, and the message says the run erased it (and dropped the older fetch)
    assert main(["erase", str(run_copy), "--url", variant]) == NOTHING_MATCHED
    said = capsys.readouterr().err
    assert f"(doc {newer}) was dropped by erasure (erasure.request), no copy of it is kept" in said
    assert f"(doc {older['doc_id']}) was dropped by url_dedup (dedup.url_duplicate)" in said


def test_a_url_whose_fetches_dedup_dropped_as_copies_of_another_url_says_where_their_text_is_kept(run_copy, capsys):
    """A URL whose newer fetch exact dedup dropped as a copy of a page kept under another URL matched nothing and
    exited 3 with no word of it: the message now follows the ledger's duplicate_of links to the kept copy."""
    url_drops, by_id, kept = _dedup_chains(run_copy)
    chained = next(
        r for r in url_drops if (newer := r["evidence"].split()[0].removeprefix("duplicate_of=")) in by_id
        and by_id[newer]["reason"] == Reason.EXACT_DUPLICATE
    )  # fmt: skip
    newer = by_id[chained["evidence"].split()[0].removeprefix("duplicate_of=")]
    copy = newer["evidence"].removeprefix("duplicate_of=")
    assert copy in kept and kept[copy] != chained["url"]
    before = (run_copy / "run.json").read_bytes()
    capsys.readouterr()
    assert main(["erase", str(run_copy), "--url", chained["url"]]) == NOTHING_MATCHED
    said = capsys.readouterr().err
    assert "no document of this run matches" in said and "the run dropped 2 document(s) it names" in said
    assert f"(doc {chained['doc_id']}) was dropped by url_dedup (dedup.url_duplicate)" in said
    assert (
        f"which exact_dedup dropped (dedup.exact_duplicate), as a copy of doc {copy}, kept under {kept[copy]}" in said
    )
    assert "if that text is the request's subject, erase that URL" in said
    assert (run_copy / "run.json").read_bytes() == before and not (run_copy / "erasure_log.jsonl").exists()


def test_a_restart_refuses_to_anchor_an_erasure_log_whose_newest_entry_was_edited(run_copy, demo_inputs, capsys):
    """A --restart keeps the log and anchors it in the new run.json as it finds it: an edited newest entry would have
    become the record. It is refused, and nothing is removed."""
    out = run_copy
    assert main(["erase", str(out), "--url", _table(out, "provenance").to_pylist()[0]["url"], "--reason", "r1"]) == 0
    log = out / "erasure_log.jsonl"
    log.write_bytes(log.read_bytes().replace(b'"reason":"r1"', b'"reason":"r2"'))
    before = (out / "run.json").read_bytes()
    spec = write_spec(out.parent / "spec.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    capsys.readouterr()
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(out), "--restart"]) == 2
    assert "is not the erasure log run.json anchors" in capsys.readouterr().err
    assert (out / "run.json").read_bytes() == before


def test_report_and_inspect_show_a_damaged_erasure_log_instead_of_a_traceback(run_copy, capsys):
    """verify reports a line of the log that is no JSON; `report` and `inspect` died on it with a JSONDecodeError."""
    out = run_copy
    victim = _table(out, "provenance").to_pylist()[0]
    assert main(["erase", str(out), "--url", victim["url"], "--reason", "takedown 17"]) == 0
    log = out / "erasure_log.jsonl"
    log.write_bytes(log.read_bytes() + b"{not json\n")
    assert main(["report", str(out)]) == 0
    html = (out / "reports" / "report.html").read_text()
    assert "takedown 17" in html and "The erasure log is damaged: erasure_log.jsonl line 2 is not a JSON entry" in html
    capsys.readouterr()
    assert main(["inspect", str(out), "--doc-id", victim["doc_id"]]) == 0
    shown = orjson.loads(capsys.readouterr().out)
    assert shown["stage"] == "erasure" and shown["erasure"]["reason"] == "takedown 17"
    log.write_bytes(b"{not json\n" + log.read_bytes())  # the damage before the entry: it cannot be shown, and says why
    assert main(["inspect", str(out), "--doc-id", victim["doc_id"]]) == 0
    shown = orjson.loads(capsys.readouterr().out)
    assert shown["erasure"] is None and shown["erasure_log_damaged"] == "erasure_log.jsonl line 1 is not a JSON entry"


def test_inspect_finds_a_url_however_it_is_written_as_erase_does(run_copy, capsys):
    """`inspect --url`, the look before an erasure, compared URLs byte for byte: a URL written as a requester may
    write it (http, host case, a tracking parameter) found nothing, while `erase --url` found the document."""
    victim = _table(run_copy, "provenance").to_pylist()[0]
    scheme, rest = victim["url"].split("://", 1)
    host, path = rest.split("/", 1)
    written = f"http://{host.upper()}/{path}?utm_campaign=x"
    from eurocurate.manifests.audit.inspect import inspect_document

    assert main(["inspect", str(run_copy), "--url", written]) == 0
    found = inspect_document(run_copy, url=written)
    assert [e["doc_id"] for e in found if e["status"] == "kept"] == [victim["doc_id"]]
    excluded = {r["doc_id"] for r in _table(run_copy, "exclusions").to_pylist() if r["url"] == victim["url"]}
    assert {e["doc_id"] for e in found if e["status"] == "excluded"} == excluded  # its dropped fetches too
    capsys.readouterr()
    assert main(["erase", str(run_copy), "--url", written, "--dry-run"]) == 0
    assert victim["doc_id"] in capsys.readouterr().out
