import gzip
import zlib

from hypothesis import given
from hypothesis import strategies as st

from eurocurate.pipelines.ingest.records import parse_http_block
from eurocurate.pipelines.ingest.warc import iter_warc_records, target_uri
from eurocurate.schema import Reason
from eurocurate.stage import Drop
from eurocurate.tools.warc_writer import WarcRecordSpec, record_bytes, write_warc


def _pages(n):
    return [
        WarcRecordSpec(url=f"https://example.eu/{i}", body=f"<html><body>page {i}</body></html>".encode())
        for i in range(n)
    ]


def test_reads_all_record_types_with_offsets(tmp_path):
    records = [
        WarcRecordSpec(url="", record_type="warcinfo", body=b"software: test\r\n"),
        *_pages(3),
        WarcRecordSpec(
            url="https://example.eu/r", record_type="resource", body=b"<html>r</html>", warc_content_type="text/html"
        ),
        WarcRecordSpec(url="https://example.eu/0", record_type="revisit"),
    ]
    for name in ("plain.warc", "gz.warc.gz"):
        offsets = write_warc(tmp_path / name, records)
        got = list(iter_warc_records(tmp_path / name))
        assert [r.record_type for r in got] == ["warcinfo", "response", "response", "response", "resource", "revisit"]
        assert [r.offset for r in got] == offsets
        assert all(r.problem is None for r in got)
        assert got[1].url == "https://example.eu/0" and got[1].record_id.startswith("<urn:uuid:")


def test_truncated_last_record_is_reported_and_earlier_ones_survive(tmp_path):
    path = tmp_path / "t.warc.gz"
    write_warc(path, _pages(5))
    data = path.read_bytes()
    last = gzip.compress(record_bytes(_pages(5)[-1]), mtime=0)
    path.write_bytes(data[: len(data) - len(last) // 2])
    got = list(iter_warc_records(path))
    good = [r for r in got if r.problem is None]
    bad = [r for r in got if r.problem is not None]
    assert [r.url for r in good] == [f"https://example.eu/{i}" for i in range(4)]
    assert len(bad) == 1 and bad[0].problem.reason in (Reason.WARC_TRUNCATED, Reason.WARC_CORRUPT)


def test_reader_resumes_after_a_corrupt_gzip_member(tmp_path):
    members = [gzip.compress(record_bytes(r), mtime=0) for r in _pages(6)]
    broken = bytearray(members[2])
    broken[len(broken) // 2 : len(broken) // 2 + 20] = b"\x00" * 20  # zeroed in the middle
    members[2] = bytes(broken)
    path = tmp_path / "c.warc.gz"
    path.write_bytes(b"".join(members))
    got = list(iter_warc_records(path))
    assert [r.url for r in got if r.problem is None] == [f"https://example.eu/{i}" for i in (0, 1, 3, 4, 5)]
    corrupt = [r for r in got if r.problem is not None]
    assert len(corrupt) == 1 and corrupt[0].problem.reason == Reason.WARC_CORRUPT
    assert corrupt[0].offset == len(members[0]) + len(members[1])


def test_reader_finds_the_next_record_after_garbage_in_a_plain_warc(tmp_path):
    a, b = (record_bytes(r) for r in _pages(2))
    path = tmp_path / "g.warc"
    path.write_bytes(a + b"\x00garbage that is not a WARC header\r\n" * 3 + b)
    got = list(iter_warc_records(path))
    assert [r.url for r in got if r.problem is None] == ["https://example.eu/0", "https://example.eu/1"]


def test_http_block_parsing_handles_chunked_and_gzip_bodies():
    body = b"<html>hello</html>"
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n"
        + b"5\r\n<html\r\nd\r\n>hello</html>\r\n0\r\n\r\n"
    )
    assert parse_http_block(chunked).body == body
    gz = zlib.compressobj(wbits=31)
    payload = gz.compress(body) + gz.flush()
    block = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\n\r\n" + payload
    parsed = parse_http_block(block)
    assert parsed.body == body and parsed.status == 200 and parsed.content_type == "text/html"
    assert isinstance(parse_http_block(b"no header terminator"), Drop)
    assert parse_http_block(b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\nxx").reason == Reason.UNDECODABLE


def _lying(record: bytes, delta: int) -> bytes:
    """The record with its Content-Length changed by `delta` (the block itself unchanged)."""
    head, sep, rest = record.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    for i, line in enumerate(lines):
        if line.startswith(b"Content-Length: "):
            lines[i] = b"Content-Length: %d" % (int(line.split(b": ")[1]) + delta)
    return b"\r\n".join(lines) + sep + rest


def test_a_short_content_length_is_a_lying_length_drop_and_the_next_record_is_found(tmp_path):
    a, b, c = (record_bytes(r) for r in _pages(3))
    path = tmp_path / "lying.warc"
    liar = _lying(a, -40)
    path.write_bytes(liar + b + c)
    got = list(iter_warc_records(path))
    assert got[0].problem.reason == Reason.WARC_LYING_LENGTH and got[0].offset == 0
    assert "Content-Length" in got[0].problem.evidence
    assert [(r.url, r.offset) for r in got[1:]] == [
        ("https://example.eu/1", len(liar)),
        ("https://example.eu/2", len(liar) + len(b)),
    ]
    assert all(r.problem is None for r in got[1:])


def test_a_long_content_length_that_swallows_the_next_record_is_a_drop_and_that_record_survives(tmp_path):
    a, b, c = (record_bytes(r) for r in _pages(3))
    path = tmp_path / "long.warc"
    path.write_bytes(_lying(a, +60) + b + c)  # a's block now ends inside b's header
    got = list(iter_warc_records(path))
    assert got[0].problem.reason == Reason.WARC_LYING_LENGTH
    assert [r.url for r in got if r.problem is None] == ["https://example.eu/1", "https://example.eu/2"]
    # a length that runs past the end of the file over the last record: that record is found too
    path.write_bytes(a + _lying(b, +10_000) + c)
    got = list(iter_warc_records(path))
    assert [r.problem.reason if r.problem else None for r in got] == [None, Reason.WARC_LYING_LENGTH, None]
    assert got[2].url == "https://example.eu/2"


def test_offsets_after_a_resumed_region_are_file_offsets(tmp_path):
    a, b, c = (record_bytes(r) for r in _pages(3))
    path = tmp_path / "g.warc"
    garbage = b"\x00garbage that is not a WARC header\r\n" * 3
    path.write_bytes(a + garbage + b + c)
    got = [r for r in iter_warc_records(path) if r.problem is None]
    assert [r.offset for r in got] == [0, len(a) + len(garbage), len(a) + len(garbage) + len(b)]


def test_an_oversize_block_is_not_read_and_is_a_drop(tmp_path):
    big = WarcRecordSpec(url="https://example.eu/big", body=b"<html><body>" + b"x" * 5000 + b"</body></html>")
    for name in ("o.warc", "o.warc.gz"):
        write_warc(tmp_path / name, [_pages(1)[0], big, *_pages(2)[1:]])
        got = list(iter_warc_records(tmp_path / name, max_block_bytes=1000))
        assert [r.problem.reason if r.problem else None for r in got] == [None, Reason.OVERSIZE, None]
        assert got[1].block == b"" and "max_bytes 1000" in got[1].problem.evidence


def test_legacy_warc_0_18_is_read_plain_gzip_per_record_and_whole_file_gzip(tmp_path):
    records = [record_bytes(r).replace(b"WARC/1.1\r\n", b"WARC/0.18\r\n", 1) for r in _pages(3)]
    (tmp_path / "old.warc").write_bytes(b"".join(records))
    (tmp_path / "old-members.warc.gz").write_bytes(b"".join(gzip.compress(r, mtime=0) for r in records))
    (tmp_path / "old-whole.warc.gz").write_bytes(gzip.compress(b"".join(records), mtime=0))
    for name in ("old.warc", "old-members.warc.gz", "old-whole.warc.gz"):
        got = list(iter_warc_records(tmp_path / name))
        assert [r.url for r in got] == [f"https://example.eu/{i}" for i in range(3)], name
        assert all(r.problem is None and b"page" in r.block for r in got), name


def test_wet_conversion_records_become_plain_text_documents(tmp_path):
    from eurocurate.pipelines.ingest.source_document import NotADocument, ReadLimits
    from eurocurate.pipelines.ingest.warc import warc_documents
    from eurocurate.schema import Meta

    text = "Die Regierung hat ein neues Gesetz beschlossen.\nEs gilt ab Januar."
    body = text.encode()
    path = tmp_path / "crawl.warc.wet.gz"
    plain = "text/plain"
    write_warc(path, [
        WarcRecordSpec(url="", record_type="warcinfo", body=b"software: test\r\n"),
        WarcRecordSpec(url="https://example.de/a", record_type="conversion", body=body, warc_content_type=plain),
        WarcRecordSpec(url="https://example.de/b", record_type="conversion", body=b"", warc_content_type=plain),
    ])  # fmt: skip
    got = list(warc_documents(path, ReadLimits()))
    assert isinstance(got[0], NotADocument)
    doc, empty = got[1], got[2]
    assert doc.problem is None and doc.text == text
    assert doc.metadata[Meta.CONTENT_TYPE] == "text/plain" and doc.metadata[Meta.INPUT_FORMAT] == "wet"
    assert doc.metadata[Meta.URL] == "https://example.de/a" and doc.key.startswith("<urn:uuid:")
    assert empty.problem.reason == Reason.EMPTY_PAYLOAD


# valid UTF-8 takes a fast path; the result must be the rule's on any bytes
@given(st.binary(max_size=60) | st.text().map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_target_uri_equals_the_percent_encoding_rule(raw):
    text = raw.decode("utf-8", "surrogateescape")
    plain = "".join(f"%{ord(c) - 0xDC00:02X}" if "\udc80" <= c <= "\udcff" else c for c in text).strip()
    assert target_uri(raw) == plain


_HEADER_NAMES = st.sampled_from(
    [
        "Content-Type",
        "content-type",
        " CONTENT-TYPE ",
        "Content-Encoding",
        "Transfer-Encoding",
        "X-Robots-Tag",
        "tdm-reservation",
        "Link",
        "Server",
        "Set-Cookie",
        "",
    ]
)
_HEADER_VALUES = st.sampled_from(
    [
        "text/html; charset=utf-8",
        " text/plain ",
        "identity",
        "",
        "noai, noindex",
        "1",
        "<https://x.eu/tdm>; rel=x",
        "a:b",
    ]
)


@given(st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES), max_size=8))
def test_http_headers_parse_as_the_plain_rule_has_it(headers):
    # the last Content-Type wins; every opt-out header keeps all its values in order; names are case-blind
    block = b"HTTP/1.1 200 OK\r\n" + b"".join(f"{n}:{v}\r\n".encode() for n, v in headers) + b"\r\n<html>x</html>"
    last: dict[str, str] = {}
    kept: dict[str, list[str]] = {}
    for n, v in headers:
        name = n.strip().lower()
        last[name] = v.strip()
        if name in ("x-robots-tag", "tdm-reservation", "tdm-policy", "content-usage", "link"):
            kept.setdefault(name, []).append(v.strip())
    parsed = parse_http_block(block)
    if last.get("content-encoding", "") not in ("", "identity"):
        assert isinstance(parsed, Drop) and parsed.reason == Reason.UNDECODABLE
        return
    assert (parsed.status, parsed.content_type, parsed.optout_headers) == (200, last.get("content-type"), kept)
