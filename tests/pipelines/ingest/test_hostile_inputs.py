"""Hostile inputs, written as the attack: decompression bombs, lying Content-Lengths, deep HTML, empty files.

Each ends in a counted drop with its reason, and the record after the hostile one is read: never a lost
record, never memory beyond the reader's limits (issue #16).
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest
import yaml
from datatrove.data import Document

from eurocurate.manifests.audit.ledger import ledger_path
from eurocurate.pipelines.extract.document import ExtractionOptions, extract_document
from eurocurate.pipelines.extract.stage import HtmlExtractor
from eurocurate.pipelines.ingest.base import EMPTY_INPUTS_STAT
from eurocurate.pipelines.ingest.formats import read_source
from eurocurate.pipelines.ingest.records import parse_http_block
from eurocurate.pipelines.ingest.source_document import ReadLimits, SourceDocument
from eurocurate.pipelines.ingest.warc import WarcReader, iter_warc_records
from eurocurate.schema import Meta, Reason, Stat
from eurocurate.tools.warc_writer import WarcRecordSpec, record_bytes
from tests.pipelines.ingest.hostile import (
    GIB,
    bomb_member,
    gzip_body_bomb,
    lying,
    nested_divs,
    page_record,
    write_members,
)

MB = 1 << 20


def _problems(path: Path, max_bytes: int | None = None) -> list[tuple[str | None, str | None]]:
    return [(r.problem.reason if r.problem else None, r.url) for r in iter_warc_records(path, max_bytes)]


def _peak_rss_of_tree(proc: subprocess.Popen) -> int:
    """Peak resident memory of `proc` and its children, sampled until it exits."""
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        total = 0
        for p in members:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
        peak = max(peak, total)
        time.sleep(0.02)
    return peak


def test_a_1_gib_bomb_in_a_1_mb_warc_gz_is_an_oversize_drop_in_bounded_memory_and_the_next_record_is_kept(tmp_path):
    """Acceptance 2: read → extract → text of a 1.5 MB .warc.gz whose first record inflates to 1 GiB."""
    inputs = write_members(tmp_path / "in" / "bomb.warc.gz", [bomb_member(GIB), page_record(1)]).parent
    assert (inputs / "bomb.warc.gz").stat().st_size < 2 * MB
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "name": "bomb",
                "stages": [{"use": "warc_reader"}, {"use": "html_extractor"}, {"use": "text_parquet"}],
                "execution": {"executor": "local", "workers": 1},
            }
        )
    )
    out = tmp_path / "out"
    cli = Path(sys.executable).parent / "eurocurate"
    log = tmp_path / "run.log"  # a file, not a pipe: a pipe nobody reads while sampling could fill and stall the run
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [str(cli), "run", str(spec), "--input", str(inputs), "--output", str(out)], stdout=sink, stderr=sink
        )
        peak = _peak_rss_of_tree(proc)
    output = log.read_text(errors="replace")
    assert proc.wait() == 0, output
    print(f"peak memory of the run's process tree: {peak / GIB:.2f} GiB")
    assert peak < 1.5 * GIB, f"peak memory of the run's process tree: {peak / GIB:.2f} GiB"
    drops = pq.read_table(ledger_path(out, "warc_reader", 0)).to_pylist()
    assert [(d["url"], d["reason"]) for d in drops] == [("https://example.eu/bomb", Reason.OVERSIZE)]
    assert f"max_bytes {64 * MB}" in drops[0]["evidence"] and f"block of {GIB + 59} bytes" in drops[0]["evidence"]
    kept = [row for f in sorted((out / "text").rglob("*.parquet")) for row in pq.read_table(f).to_pylist()]
    assert [row["url"] for row in kept] == ["https://example.eu/ordinary/1"]
    verify = subprocess.run([str(cli), "verify", str(out)], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_gzip_content_encoding_bomb_is_an_oversize_drop_inflated_no_further_than_max_bytes(tmp_path):
    path = write_members(tmp_path / "enc.warc.gz", [gzip_body_bomb(GIB), page_record(1)])
    tracemalloc.start()
    try:
        docs = list(read_source(path, "warc", ReadLimits()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < ReadLimits().max_bytes + 64 * MB  # the inflated body is never held beyond the limit
    assert all(isinstance(d, SourceDocument) for d in docs)
    assert [d.problem.reason if d.problem else None for d in docs] == [Reason.OVERSIZE, None]
    assert f"max_bytes {ReadLimits().max_bytes}" in docs[0].problem.evidence
    assert "content-encoding gzip" in docs[0].problem.evidence
    assert "Ordinary page 1" in docs[1].text
    # the same body in warc_reader, whose limit is now the same parameter
    step = WarcReader(["enc.warc.gz"], str(tmp_path), str(tmp_path / "out"), str(tmp_path / "work"), {}, max_bytes=MB)
    kept = list(step.run(None))
    assert [d.metadata[Meta.URL] for d in kept] == ["https://example.eu/ordinary/1"]
    stats = {k: v.total for k, v in step.stats.stats.items()}
    assert stats[Stat.DROPPED_PREFIX + Reason.OVERSIZE] == 1


def test_parse_http_block_bounds_a_body_bomb_and_keeps_truncated_bodies_undecodable():
    import zlib

    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = z.compress(b"\0" * (8 * MB)) + z.flush()
    block = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + body
    assert parse_http_block(block, max_bytes=MB).reason == Reason.OVERSIZE
    assert len(parse_http_block(block, max_bytes=8 * MB).body) == 8 * MB
    assert parse_http_block(block[:-20], max_bytes=16 * MB).reason == Reason.UNDECODABLE


def test_a_lying_content_length_in_a_per_record_warc_gz_does_not_take_the_next_record(tmp_path):
    liar = lying(page_record(0), 200 * MB)  # 200 MB declared, a few hundred bytes present
    path = write_members(tmp_path / "liar.warc.gz", [page_record(1), liar, page_record(2), page_record(3)])
    ok = ["https://example.eu/ordinary/1", "https://example.eu/ordinary/2", "https://example.eu/ordinary/3"]
    # under the default limit the declared length is oversize; above it, the block comes up short: a lie
    for max_bytes, reason in ((None, Reason.WARC_LYING_LENGTH), (64 * MB, Reason.OVERSIZE)):
        got = _problems(path, max_bytes)
        assert got[1] == (reason, "https://example.eu/ordinary/0"), max_bytes
        assert [url for problem, url in got if problem is None] == ok, max_bytes


def test_a_moderate_lie_in_a_per_record_warc_gz_is_a_drop_and_the_records_after_it_are_read(tmp_path):
    liar = lying(page_record(0), 10_000)  # longer than the rest of the file
    path = write_members(tmp_path / "liar.warc.gz", [liar, page_record(1)])
    assert _problems(path) == [
        (Reason.WARC_LYING_LENGTH, "https://example.eu/ordinary/0"),
        (None, "https://example.eu/ordinary/1"),
    ]


@pytest.mark.parametrize("off_by", [-40, +60])
def test_a_small_lie_in_a_per_record_warc_gz_is_a_drop_not_a_document_with_the_next_header_in_it(tmp_path, off_by):
    """A Content-Length a little too long takes the next record's WARC header into the block (plain text would
    carry it into the shards); a little too short cuts the page mid-word. Both went through as documents."""
    record = page_record(0)
    block = len(record.partition(b"\r\n\r\n")[2]) - 4  # the block, without the record separator
    liar = lying(record, block + off_by)
    path = write_members(tmp_path / "liar.warc.gz", [page_record(1), liar, page_record(2)])
    assert _problems(path) == [
        (None, "https://example.eu/ordinary/1"),
        (Reason.WARC_LYING_LENGTH, "https://example.eu/ordinary/0"),
        (None, "https://example.eu/ordinary/2"),
    ]


def test_a_lie_in_a_warc_gzipped_as_one_member_is_counted_with_the_records_it_makes_unreachable(tmp_path):
    """One gzip member for the whole file: after the liar no record start can be found; the records lost with it
    are one counted drop, where they vanished without a trace."""
    record = page_record(0)
    block = len(record.partition(b"\r\n\r\n")[2]) - 4
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(page_record(1) + lying(record, block - 40) + page_record(2) + page_record(3)))
    got = _problems(path)
    assert got[:2] == [
        (None, "https://example.eu/ordinary/1"),
        (Reason.WARC_LYING_LENGTH, "https://example.eu/ordinary/0"),
    ]
    assert got[2:] == [(Reason.WARC_CORRUPT, None)]


def test_a_lying_content_length_in_a_plain_warc_over_the_limit_does_not_take_the_next_record(tmp_path):
    path = tmp_path / "liar.warc"
    path.write_bytes(page_record(1) + lying(page_record(0), 200 * MB) + page_record(2))
    got = _problems(path, 64 * MB)
    assert got == [
        (None, "https://example.eu/ordinary/1"),
        (Reason.OVERSIZE, "https://example.eu/ordinary/0"),
        (None, "https://example.eu/ordinary/2"),
    ]


def test_after_an_honest_oversize_record_the_next_record_is_read_in_every_compression(tmp_path):
    big = record_bytes(WarcRecordSpec(url="https://example.eu/big", body=b"<p>x</p>" * 10_000))
    records = [page_record(1), big, page_record(2)]
    (tmp_path / "o.warc").write_bytes(b"".join(records))
    write_members(tmp_path / "o-members.warc.gz", records)
    import gzip

    (tmp_path / "o-whole.warc.gz").write_bytes(gzip.compress(b"".join(records), mtime=0))
    for name in ("o.warc", "o-members.warc.gz", "o-whole.warc.gz"):
        got = _problems(tmp_path / name, 10_000)
        assert [p for p, _ in got] == [None, Reason.OVERSIZE, None], name
        assert got[2][1] == "https://example.eu/ordinary/2", name


def test_a_lying_record_in_document_reader_is_a_counted_drop_and_totals_add_up(tmp_path):
    from eurocurate.pipelines.ingest.document_reader import DocumentReader

    liar = lying(page_record(0), 200 * MB)
    write_members(tmp_path / "in" / "liar.warc.gz", [liar, page_record(1)])
    (tmp_path / "in" / "liar.warc").write_bytes(lying(page_record(0), 200 * MB) + page_record(2))
    step = DocumentReader(
        ["liar.warc", "liar.warc.gz"], str(tmp_path / "in"), str(tmp_path / "out"), str(tmp_path / "w"), {}
    )
    kept = list(step.run(None))
    assert sorted(d.metadata[Meta.URL] for d in kept) == [
        "https://example.eu/ordinary/1",
        "https://example.eu/ordinary/2",
    ]
    stats = {k: v.total for k, v in step.stats.stats.items()}
    assert stats[Stat.DROPPED] == 2 and stats[Stat.FORWARDED] == 2
    ledger = pq.read_table(ledger_path(tmp_path / "out", "document_reader", 0)).to_pylist()
    assert [row["reason"] for row in ledger] == [Reason.OVERSIZE, Reason.OVERSIZE]


def test_deeply_nested_html_is_a_too_deep_drop_and_the_next_page_is_extracted(tmp_path):
    deep = Document(text=nested_divs(100_000), id="deep", metadata={Meta.URL: "https://example.eu/deep"})
    ok_html = "<html><body><main><p>" + "A sentence of ordinary text here. " * 20 + "</p></main></body></html>"
    ordinary = Document(text=ok_html, id="ok", metadata={Meta.URL: "https://example.eu/ok"})
    step = HtmlExtractor(str(tmp_path / "out"))
    kept = list(step.run(iter([deep, ordinary])))
    assert [d.id for d in kept] == ["ok"] and kept[0].text.startswith("A sentence")
    assert deep.metadata[Meta.DROP_REASON] == Reason.EXTRACTION_TOO_DEEP
    assert "max_depth 1000" in deep.metadata[Meta.DROP_EVIDENCE]
    # a page nested within the limit is read
    shallow = extract_document(nested_divs(500).replace("deep text", "text within the limit"), "text/html", None)
    assert shallow.drop is None and shallow.text == "text within the limit"


def test_a_page_over_its_time_limit_is_a_timeout_drop():
    html = "<html><body><main><p>" + "Words of a page. " * 50 + "</p></main></body></html>"
    slow = extract_document(html, "text/html", None, ExtractionOptions(timeout_s=1e-9))
    assert slow.drop is not None and slow.drop.reason == Reason.EXTRACTION_TIMEOUT
    assert "timeout_s 1e-09 passed after parsing" in slow.drop.evidence
    assert extract_document(html, "text/html", None).drop is None


def test_a_0_byte_input_file_is_a_counted_logged_skip(tmp_path, caplog):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.warc.gz").write_bytes(b"")
    write_members(tmp_path / "in" / "one.warc.gz", [page_record(1)])
    step = WarcReader(
        ["empty.warc.gz", "one.warc.gz"], str(tmp_path / "in"), str(tmp_path / "out"), str(tmp_path / "w"), {}
    )
    with caplog.at_level(logging.WARNING):
        kept = list(step.run(None))
    assert [d.metadata[Meta.URL] for d in kept] == ["https://example.eu/ordinary/1"]
    stats = {k: v.total for k, v in step.stats.stats.items()}
    assert stats[EMPTY_INPUTS_STAT] == 1 and stats[Stat.TOTAL] == 1
    assert any("empty.warc.gz: input file of 0 bytes" in r.getMessage() for r in caplog.records)


def test_invalid_utf8_in_warc_target_uri_is_percent_encoded_so_the_bytes_are_recoverable(tmp_path):
    record = page_record(1).replace(b"https://example.eu/ordinary/1", b"https://example.eu/caf\xe9/\xff\xc3\xa9", 1)
    for name, data in (("u.warc", record), ("u.warc.gz", None)):
        path = tmp_path / name
        if data is None:
            write_members(path, [record])
        else:
            path.write_bytes(data)
        [raw] = list(iter_warc_records(path))
        assert raw.url == "https://example.eu/caf%E9/%FFé"  # valid UTF-8 stays as it is
        from urllib.parse import unquote_to_bytes

        assert unquote_to_bytes(raw.url) == b"https://example.eu/caf\xe9/\xff\xc3\xa9"


def test_deflate_content_encoding_is_read_with_or_without_its_zlib_header():
    """RFC 9110 says zlib; many servers send raw deflate (browsers read both), and some send gzip under that name."""
    import zlib

    body = b"<html><body><p>" + b"Der Rat beschloss den Haushalt. " * 40 + b"</p></body></html>"
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    for encoded in (zlib.compress(body), raw.compress(body) + raw.flush(), gzip.compress(body)):
        block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: deflate\r\n\r\n" + encoded
        assert parse_http_block(block).body == body


def test_brotli_content_encoding_is_read_and_a_brotli_bomb_is_an_oversize_drop():
    """`br` was an undecodable drop: most pages browsers are served, and a robots.txt capture, which then counted as
    no capture at all. Inflated in steps like gzip: 480 bytes that would be 300 MiB stop one step past the limit."""
    import brotli

    body = b"<html><body><p>" + b"Der Rat beschloss den Haushalt. " * 40 + b"</p></body></html>"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\n\r\n"
    assert parse_http_block(head + brotli.compress(body)).body == body
    bomb = parse_http_block(head + brotli.compress(b"\0" * (64 * MB + 1), quality=5), max_bytes=MB)
    assert bomb.reason == Reason.OVERSIZE
    assert parse_http_block(head + brotli.compress(body)[:-10]).reason == Reason.UNDECODABLE
