"""Release documents claim only what ran (issue #15, acceptance 3): a run without `pii` and `optout`, and a
run with `optout` but robots.txt captures for one host only, each say exactly that in the AI Act summary (JSON
and Markdown), the dataset card, Croissant and report.html; a hostile URL reaches domains.csv without its
credentials, port or a live formula; a `pii` stage without a key refuses to start."""

from __future__ import annotations

import csv
import html
import io
import os
from pathlib import Path

import orjson
import pytest
import yaml

from eurocurate.cli import main
from eurocurate.manifests.release.descriptions import NO_OPTOUT, NO_PII_STAGE, NO_QUALITY
from eurocurate.manifests.release.domains import csv_cell, csv_text, url_domain
from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc
from tests.conftest import ENGLISH, html_page

KEY = "EUROCURATE_PII_KEY"
HOSTILE = "https://user:pass@evil.example.com:8443/x"
URLS = (HOSTILE, "https://news.good.example.eu/a", "https://news.good.example.eu/b", "http://=cmd|calc/x",
        "https://other.example.org/c")  # fmt: skip


def _spec(path: Path, stages: list[dict]) -> Path:
    source = {"publisher": "test crawl", "source_category": "own_crawl", "collection_period": "2026-11"}
    spec = {"version": 1, "name": "claims", "source": source, "stages": stages,
            "execution": {"executor": "local", "workers": 1}}  # fmt: skip
    path.write_text(yaml.safe_dump(spec))
    return path


def _run(base: Path, name: str, stages: list[dict], warc: Path, key: str | None) -> Path:
    saved = os.environ.pop(KEY, None)
    if key:
        os.environ[KEY] = key
    try:
        out = base / name
        assert main(["run", str(_spec(base / f"{name}.yaml", stages)), "--input", str(warc), "--output", str(out)]) == 0
        assert main(["summary", str(out), "--format", "json"]) == 0 and main(["report", str(out)]) == 0
        return out
    finally:
        os.environ.pop(KEY, None)
        if saved is not None:
            os.environ[KEY] = saved


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("claims")
    pages = [WarcRecordSpec(url=u, body=html_page(f"{ENGLISH}\nPage {i} of the test.").encode())
             for i, u in enumerate(URLS)]  # fmt: skip
    warc = base / "in" / "pages.warc.gz"
    write_warc(warc, pages)
    robots = base / "robots" / "robots.warc.gz"
    write_warc(robots, [WarcRecordSpec(url="https://news.good.example.eu/robots.txt", body=b"User-agent: *\nAllow: /\n",
                                       http_headers={"Content-Type": "text/plain"})])  # fmt: skip
    reader, extract, write = {"use": "warc_reader"}, {"use": "html_extractor"}, {"use": "text_parquet"}
    return {
        "bare": _run(base, "bare", [reader, extract, write], warc, key=None),
        "partial": _run(
            base,
            "partial",
            [
                reader,
                {"use": "optout", "with": {"robots_warcs": [str(robots)]}},
                extract,
                {"use": "pii", "with": {"fingerprints": False}},
                write,
            ],
            warc,
            key=None,
        ),  # fmt: skip
    }


def _docs(out: Path) -> tuple[dict, str, str, str, str]:
    reports = out / "reports"
    return (orjson.loads((reports / "ai_act_summary.json").read_bytes()), (reports / "ai_act_summary.md").read_text(),
            (out / "README.md").read_text(), (out / "croissant.json").read_text(),
            html.unescape((reports / "report.html").read_text()))  # fmt: skip


def test_a_run_without_pii_and_optout_says_neither_was_done(runs):
    summary, md, card, croissant, report = _docs(runs["bare"])
    opt = summary["3_data_processing"]["3.1_reservation_of_rights"]
    pii = summary["3_data_processing"]["3.3_other_information"]["personal_data"]
    assert opt["opt_outs_checked"] == "no" and opt["statement"] == NO_OPTOUT
    assert pii["processed"] == "no" and pii["measure"] == NO_PII_STAGE
    for text in (md, card, report):
        assert NO_PII_STAGE in text and NO_OPTOUT in text, text[:300]
        assert "placeholders before" not in text and "were honoured" not in text
    assert NO_PII_STAGE in croissant and NO_OPTOUT in croissant
    assert "No document was reserved" not in report
    assert "Opt-outs checked:** no" in md and "**Processed:** no" in md
    removals = summary["3_data_processing"]["3.2_removal_of_illegal_and_unwanted_content"]
    assert NO_QUALITY in removals and "quality-filtered" not in md.lower()
    # no dedup stage ran: Croissant said "Deduplication is exact" only when exact_dedup ran, and nothing otherwise
    assert "No deduplication ran: duplicate and near-duplicate documents remain." in croissant


def test_croissant_names_the_dedup_that_ran_and_the_opt_out_protocols_honoured(runs):
    """An audit found a MinHash run described as "Deduplication is exact ... near-duplicates may remain", and a
    tdmrep-only run as honouring "robots.txt, TDMRep, noai"."""
    from eurocurate.config import StageSpec
    from eurocurate.manifests.audit.run_manifest import read_run_manifest
    from eurocurate.manifests.release.croissant import _fitness

    run = read_run_manifest(runs["partial"])
    assert run.policies.optout is not None
    impact = _fitness(run)["rai:dataSocialImpact"]
    assert "reservations expressed through AIPREF, noai, robots.txt, TDMRep were honoured" in impact
    only_tdmrep = run.policies.optout.model_copy(update={"protocols": ["tdmrep"]})
    run = run.model_copy(update={"policies": run.policies.model_copy(update={"optout": only_tdmrep})})
    assert "reservations expressed through TDMRep were honoured" in _fitness(run)["rai:dataSocialImpact"]
    for stages, says in (
        (["exact_dedup", "minhash_dedup"], "Near-duplicates were removed with MinHash LSH"),
        (["exact_dedup"], "Deduplication is exact (identical text only)"),
        (["url_dedup"], "Only repeated fetches of the same URL were removed"),
    ):
        spec = run.config.model_copy(update={"stages": [*run.config.stages, *(StageSpec(use=u) for u in stages)]})
        with_dedup = run.model_copy(update={"config": spec})
        assert says in " ".join(_fitness(with_dedup)["rai:dataLimitations"]), stages


def test_optout_without_captures_for_some_hosts_says_so_per_host_and_warns(runs):
    out = runs["partial"]
    summary, md, card, croissant, report = _docs(out)
    opt = summary["3_data_processing"]["3.1_reservation_of_rights"]
    assert opt["opt_outs_checked"] == "yes" and opt["missing_robots"] == "allow"
    assert opt["hosts_with_robots_capture"] == 1
    assert "evil.example.com" in opt["hosts_without_robots_capture"]
    assert "evil.example.com" in opt["hosts_without_robots_capture_in_kept_text"]
    assert "news.good.example.eu" not in opt["hosts_without_robots_capture"]
    for text in (md, card, croissant, report):
        assert "robots.txt captures covered 1 of" in text and "evil.example.com" in text
        assert "let their pages through without a robots.txt check" in text
        assert "3 of them have documents in the kept text (=cmd|calc, evil.example.com, other.example.org)" in text
    assert "- evil.example.com" in md  # a Markdown list, not a Python list
    assert "['" not in md and "{'" not in md
    rows = {r["registrable_domain"]: r for r in csv.DictReader(io.StringIO((out / "reports/domains.csv").read_text()))}
    assert rows["example.eu"]["robots_txt"] == "captured"
    assert rows["example.com"]["robots_txt"] == "no capture, missing_robots=allow"
    log = (out / "logs" / "run.jsonl").read_text()
    assert "host(s) had no robots.txt capture; missing_robots=allow" in log
    # pii ran without fingerprints: no claim that erasure by identifier works
    pii = summary["3_data_processing"]["3.3_other_information"]["personal_data"]
    assert pii["processed"] == "yes" and pii["fingerprints_kept"] == "no"
    assert "fingerprints: false" in card and "keyed HMAC-SHA256 fingerprints" not in report
    run = orjson.loads((out / "run.json").read_bytes())
    assert run["policies"]["pii_redactor"] == {"fingerprints": False, "key_env": KEY, "key_id": None}


def test_a_hostile_url_reaches_domains_csv_without_credentials_port_or_formula(runs):
    for name in runs:
        text = (runs[name] / "reports" / "domains.csv").read_text()
        assert "user" not in text and "pass" not in text and "8443" not in text
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert "example.com" in cells and not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
        assert "'=cmd|calc" in cells


def test_url_domain_and_csv_cells():
    assert url_domain(HOSTILE) == "example.com"
    assert url_domain("https://News.BBC.co.uk:443/x") == "bbc.co.uk"
    assert url_domain("not a url") == "unknown"
    for hostile in ("=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(hostile) == "'" + hostile
    assert csv_cell("example.com") == "example.com" and csv_cell(3) == 3
    assert csv_text(["a"], [["=1+1"]]) == "a\r\n'=1+1\r\n"


@pytest.mark.parametrize("executor", ["local", None])
def test_a_pii_stage_without_a_key_refuses_to_start_with_one_line(tmp_path, warc_file, monkeypatch, capsys, executor):
    warc = warc_file("p.warc.gz", [WarcRecordSpec(url="https://a.example.eu/", body=html_page(ENGLISH).encode())])
    stages = [{"use": "warc_reader"}, {"use": "html_extractor"}, {"use": "pii"}, {"use": "text_parquet"}]
    spec = _spec(tmp_path / "spec.yaml", stages)
    if executor is None:  # the spec's default executor (Ray): the check runs before Ray starts
        spec.write_text(spec.read_text().replace("executor: local", "executor: ray"))
    monkeypatch.delenv(KEY, raising=False)
    capsys.readouterr()
    assert main(["run", str(spec), "--input", str(warc), "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"${KEY} is unset" in err[0] and "fingerprints: false" in err[0]
    assert not (tmp_path / "out" / "run.json").exists()


def test_erasure_by_identifier_is_refused_where_no_fingerprint_can_exist(runs, capsys):
    for name, says in (("bare", "had no `pii` stage"), ("partial", "kept no PII fingerprints")):
        capsys.readouterr()
        assert main(["erase", str(runs[name]), "--identifier", "anna@example.eu"]) == 2
        assert says in capsys.readouterr().err and not (runs[name] / "erasure_log.jsonl").exists()


def test_a_run_json_from_before_the_per_host_record_still_reads(local_run):
    from eurocurate.manifests.audit.run_manifest import parse_run_manifest
    from eurocurate.manifests.release.domains import robots_coverage

    raw = orjson.loads((local_run / "run.json").read_bytes())
    del raw["policies"]["optout"]["robots_captured_hosts"], raw["policies"]["pii_redactor"]
    old = parse_run_manifest(orjson.dumps(raw))
    coverage = robots_coverage(local_run, old)
    assert coverage.checked and not coverage.known and coverage.warning() is None
    assert coverage.domain_status("example.com").startswith("unknown")


def test_hosts_without_a_capture_whose_pages_later_stages_dropped_are_not_said_to_be_in_the_kept_text():
    """The opt-out stage let a host's pages through unchecked, then quality or dedup dropped them all: the reports
    say so, and do not claim those pages are in the data (the demo run had 26 such hosts and no kept page of them)."""
    from eurocurate.manifests.release.descriptions import robots_coverage_line
    from eurocurate.manifests.release.domains import RobotsCoverage

    coverage = RobotsCoverage(checked=True, known=True, missing_robots="allow", hosts_with=["news.good.example.eu"],
                              hosts_without=["spam.example.com"], kept_with=["news.good.example.eu"])  # fmt: skip
    for said in (coverage.warning(), robots_coverage_line(coverage)):
        assert "let their pages through without a robots.txt check" in said
        assert "none of them has a document in the kept text (later stages dropped all their pages)" in said
        assert "kept without" not in said
    assert coverage.domain_status("example.com") == "captured"  # the kept text of example.com: no unchecked host
    reserved = RobotsCoverage(checked=True, known=True, missing_robots="reserve", hosts_without=["spam.example.com"])
    assert "dropped as reserved (optout.robots_unreachable)" in reserved.warning()


def test_a_run_that_kept_no_document_says_what_its_tokenizer_and_robots_check_did(tmp_path):
    """Its summary said 'Languages (tokens): not counted (no tokenizer stage)' although the tokenizer ran, and
    'robots.txt captures covered every host (0)' when no page reached the opt-out stage."""
    warc = tmp_path / "in" / "gone.warc.gz"
    write_warc(warc, [WarcRecordSpec(url="https://gone.example.eu/a", body=b"Not here", status=404)])
    robots = tmp_path / "robots.warc.gz"
    write_warc(robots, [WarcRecordSpec(url="https://gone.example.eu/robots.txt", body=b"User-agent: *\nAllow: /\n",
                                       http_headers={"Content-Type": "text/plain"})])  # fmt: skip
    stages = [{"use": "warc_reader"}, {"use": "optout", "with": {"robots_warcs": [str(robots)]}},
              {"use": "html_extractor"}, {"use": "tokenizer", "with": {"vocab_size": 300}},
              {"use": "text_parquet"}, {"use": "token_shards"}]  # fmt: skip
    out = _run(tmp_path, "empty", stages, warc, key=None)
    summary, md, *_ = _docs(out)
    assert orjson.loads((out / "run.json").read_bytes())["totals"]["kept"] == 0
    assert "- **Languages (tokens):** none: the tokenizer ran, and no document reached the token shards" in md
    assert "no tokenizer stage" not in md
    robots_said = summary["3_data_processing"]["3.1_reservation_of_rights"]["robots_txt"]
    assert robots_said.startswith("no page with a host reached the opt-out stage") and "every host" not in md
