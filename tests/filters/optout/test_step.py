"""The opt-out stage on real WARC bytes: captures read from a robots WARC, every protocol combined,
suppression lists, evidence in the ledger and a policy hash for run.json."""

import orjson
import pyarrow.parquet as pq
from datatrove.data import Document

from eurocurate.filters.optout.step import OptOutFilter
from eurocurate.filters.optout.suppression import SuppressionList
from eurocurate.pipelines.ingest.formats import format_of, read_source
from eurocurate.pipelines.ingest.source_document import ReadLimits
from eurocurate.schema import Meta, Reason
from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc


def robots_warc(path):
    def rec(url, body, status=200, date="2026-01-01T00:00:00Z"):
        return WarcRecordSpec(
            url=url, body=body.encode(), status=status, http_headers={"Content-Type": "text/plain"}, date=date
        )

    write_warc(path, [
        rec("https://open.example.eu/robots.txt", "User-agent: *\nDisallow:\n"),
        rec("https://closed.example.eu/robots.txt", "User-agent: *\nAllow: /\n", date="2025-01-01T00:00:00Z"),
        rec("https://closed.example.eu/robots.txt", "User-agent: CCBot\nDisallow: /\n"),  # the latest capture applies
        rec("https://down.example.eu/robots.txt", "<html>busy</html>", status=503),
        rec("https://tdm.example.eu/robots.txt", "User-agent: *\nDisallow:\n"),
        rec("https://tdm.example.eu/.well-known/tdmrep.json", '[{"location": "/", "tdm-reservation": 1}]'),
    ])  # fmt: skip
    return path


def doc(url, html="<html><head></head><body>x</body></html>", headers=None):
    md = {Meta.URL: url}
    if headers:
        md[Meta.HTTP_HEADERS] = headers
    return Document(text=html, id=url, metadata=md)


def test_each_protocol_decides_with_its_evidence(tmp_path):
    step = OptOutFilter(str(tmp_path), robots_warcs=(str(robots_warc(tmp_path / "r.warc.gz")),))
    kept = doc("https://open.example.eu/a")
    assert step.judge(kept) is None and kept.metadata[Meta.OPTOUT]["reserved"] == "no"
    closed = step.judge(doc("https://closed.example.eu/a"))
    assert closed.reason == Reason.OPTOUT_ROBOTS and "CCBot may not fetch /a" in closed.evidence
    assert step.judge(doc("https://down.example.eu/a")).reason == Reason.OPTOUT_ROBOTS_UNREACHABLE
    tdm = step.judge(doc("https://tdm.example.eu/a"))
    assert tdm.reason == Reason.OPTOUT_TDMREP and "tdmrep.json" in tdm.evidence
    lifted = doc("https://tdm.example.eu/b", html='<head><meta name="tdm-reservation" content="0"></head>')
    assert step.judge(lifted) is None
    noai = step.judge(doc("https://open.example.eu/n", headers={"x-robots-tag": ["noai"]}))
    assert noai.reason == Reason.OPTOUT_NOAI and noai.evidence == "X-Robots-Tag: noai"
    assert step.judge(doc("https://open.example.eu/o", headers={"x-robots-tag": ["otherbot: noai"]})) is None
    aipref = step.judge(doc("https://open.example.eu/p", headers={"content-usage": ["train-ai=n"]}))
    assert aipref.reason == Reason.OPTOUT_AIPREF
    both = step.judge(doc("https://closed.example.eu/q", headers={"tdm-reservation": ["1"]}))
    assert both.reason == Reason.OPTOUT_ROBOTS and "tdm-reservation header=1" in both.evidence


def test_missing_capture_follows_the_policy_and_operator_agent_counts(tmp_path):
    warc = str(robots_warc(tmp_path / "r.warc.gz"))
    assert OptOutFilter(str(tmp_path), robots_warcs=(warc,)).judge(doc("https://unknown.example.eu/a")) is None
    strict = OptOutFilter(str(tmp_path), robots_warcs=(warc,), missing_robots="reserve")
    assert strict.judge(doc("https://unknown.example.eu/a")).reason == Reason.OPTOUT_ROBOTS_UNREACHABLE


def test_suppression_list_matches_url_prefix_host_and_domain(tmp_path):
    sup = SuppressionList(
        urls=["https://a.eu/x"], url_prefixes=["https://b.eu/private/"], hosts=["c.eu"], domains=["d.eu"]
    )
    step = OptOutFilter(str(tmp_path), suppression=sup)
    assert step.judge(doc("https://a.eu/x")).evidence == "url:https://a.eu/x"
    assert step.judge(doc("https://b.eu/private/1")).evidence == "url_prefix:https://b.eu/private/"
    assert step.judge(doc("https://C.eu/1")).evidence == "host:c.eu"
    assert step.judge(doc("https://news.d.eu/1")).evidence == "domain:d.eu"
    assert step.judge(doc("https://notd.eu/1")) is None


def test_ledger_rows_and_policy_hash(tmp_path):
    warc = str(robots_warc(tmp_path / "r.warc.gz"))
    step = OptOutFilter(str(tmp_path), robots_warcs=(warc,))
    kept = list(step.run(iter([doc("https://open.example.eu/a"), doc("https://closed.example.eu/b")]), rank=3))
    assert [d.id for d in kept] == ["https://open.example.eu/a"]
    row = pq.read_table(tmp_path / "exclusions" / "part-optout-00003.parquet").to_pylist()[0]
    assert (
        row["stage"] == "optout"
        and row["reason"] == Reason.OPTOUT_ROBOTS
        and "https://closed.example.eu/robots.txt (" in row["evidence"]
    )
    policy = step.policy()
    assert policy["agents"] == ["GPTBot", "CCBot", "Google-Extended", "ClaudeBot", "*"]
    assert policy["robots_captures"][0]["captures"] == 6 and len(policy["policy_sha256"]) == 64
    other = OptOutFilter(str(tmp_path), robots_warcs=(warc,), agents=("GPTBot",)).policy()
    assert other["policy_sha256"] != policy["policy_sha256"]


def test_the_policy_names_the_parsers_of_the_protocols_that_ran_only(tmp_path):
    """run.json's parsers feed the card's "Parsers:" line: a tdmrep-only run named robots.txt and X-Robots-Tag too."""
    assert set(OptOutFilter(str(tmp_path)).policy()["parsers"]) == {"robots.txt", "tdmrep", "x-robots-tag", "aipref"}
    assert list(OptOutFilter(str(tmp_path), protocols=("tdmrep",)).policy()["parsers"]) == ["tdmrep"]
    assert list(OptOutFilter(str(tmp_path), protocols=("robots", "noai")).policy()["parsers"]) == [
        "x-robots-tag",
        "robots.txt",
    ]


def _read(path):
    """The documents the readers make of one input file, as the document reader forwards them."""
    read = [s for s in read_source(path, format_of(path.name), ReadLimits()) if s.problem is None]
    return [Document(text=s.text, id=f"{path.name}#{s.key}", metadata=dict(s.metadata)) for s in read]


def test_a_meta_tag_quoted_in_plain_text_reserves_nothing_while_an_html_page_head_does(tmp_path):
    # a web-publishing guide quoting the tag, as a dataset row: the publisher made no reservation
    guide = 'To keep crawlers away, write <meta name="robots" content="noai, noindex"> in the head of each page.'
    quoted = '<html><head><meta name="tdm-reservation" content="1"></head></html> is how TDMRep is declared.'
    rows = tmp_path / "guides.jsonl"
    rows.write_bytes(b"\n".join(orjson.dumps({"text": t, "url": "https://guide.example.eu/"}) for t in (guide, quoted)))
    page = tmp_path / "page.html"
    page.write_text('<html><head><meta name="robots" content="noai, noindex"></head><body><p>x</p></body></html>')
    step = OptOutFilter(str(tmp_path))
    guide_doc, quoted_doc = _read(rows)
    assert guide_doc.metadata[Meta.CONTENT_TYPE] == "text/plain"
    assert step.judge(guide_doc) is None and step.judge(quoted_doc) is None
    assert guide_doc.metadata[Meta.OPTOUT]["reserved"] == "no" and "noai" not in guide_doc.metadata[Meta.OPTOUT]
    (html_doc,) = _read(page)
    reserved = step.judge(html_doc)
    assert reserved.reason == Reason.OPTOUT_NOAI and "noai" in reserved.evidence
