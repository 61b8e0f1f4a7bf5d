import gzip
import zlib

from eurocurate.pipelines.ingest.warc import iter_warc_records, parse_http_block
from eurocurate.schema import Reason
from eurocurate.stage import Drop
from eurocurate.tools.warc_writer import WarcRecordSpec, record_bytes, write_warc


def _pages(n):
    return [WarcRecordSpec(url=f"https://example.eu/{i}", body=f"<html><body>page {i}</body></html>".encode()) for i in range(n)]


def test_reads_all_record_types_with_offsets(tmp_path):
    records = [
        WarcRecordSpec(url="", record_type="warcinfo", body=b"software: test\r\n"),
        *_pages(3),
        WarcRecordSpec(url="https://example.eu/r", record_type="resource", body=b"<html>r</html>", warc_content_type="text/html"),
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
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n" + b"5\r\n<html\r\nd\r\n>hello</html>\r\n0\r\n\r\n"
    assert parse_http_block(chunked).body == body
    gz = zlib.compressobj(wbits=31)
    payload = gz.compress(body) + gz.flush()
    block = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\n\r\n" + payload
    parsed = parse_http_block(block)
    assert parsed.body == body and parsed.status == 200 and parsed.content_type == "text/html"
    assert isinstance(parse_http_block(b"no header terminator"), Drop)
    assert parse_http_block(b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\nxx").reason == Reason.UNDECODABLE
