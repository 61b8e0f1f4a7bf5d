"""ARC files written by hand (uncompressed, gzip per record, whole-file gzip) read into documents."""

import gzip

import pytest

from eurocurate.pipelines.ingest.arc import arc_documents, iter_arc_records
from eurocurate.pipelines.ingest.source_document import NotADocument, ReadLimits
from eurocurate.schema import Meta, Reason
from tests.pipelines.ingest.conftest import arc_filedesc, arc_record, http_response, write_arc

CZECH = "Vláda schválila nový zákon o ochraně řek."


def _records() -> list[bytes]:
    return [
        arc_record(
            "http://www.example.cz/zakon",
            http_response(
                f"<html><body><p>{CZECH}</p></body></html>".encode("cp1250"), "text/html; charset=windows-1250"
            ),
        ),
        arc_record(
            "http://www.example.cz/logo.gif", http_response(b"GIF89a" + bytes(40), "image/gif"), mime="image/gif"
        ),
        arc_record("http://www.example.cz/gone", http_response(b"<html>gone</html>", status="404 Not Found")),
        arc_record(
            "http://www.example.cz/en",
            http_response(b"<html><body><p>The government passed a law.</p></body></html>"),
            date="20080102030405",
        ),
    ]


@pytest.mark.parametrize("layout", ["plain", "per_record", "whole_file"])
def test_arc_responses_become_documents_with_their_drops(tmp_path, layout):
    path = write_arc(tmp_path / ("a.arc" if layout == "plain" else "a.arc.gz"), _records(), layout)
    got = list(arc_documents(path, ReadLimits()))
    assert isinstance(got[0], NotADocument)  # the filedesc header
    docs = got[1:]
    assert [d.metadata[Meta.URL] for d in docs] == [
        "http://www.example.cz/zakon",
        "http://www.example.cz/logo.gif",
        "http://www.example.cz/gone",
        "http://www.example.cz/en",
    ]
    assert [d.problem.reason if d.problem else None for d in docs] == [None, Reason.NON_HTML, Reason.HTTP_STATUS, None]
    assert CZECH in docs[0].text and docs[0].metadata[Meta.CHARSET] == "cp1250"
    assert docs[3].metadata[Meta.FETCH_DATE] == "2008-01-02T03:04:05Z"
    assert all(d.metadata[Meta.INPUT_FORMAT] == "arc" and d.metadata[Meta.WARC_RECORD_ID] is None for d in docs)
    # keys are stable: the same file read twice gives the same keys (warcio's invented record ids are not used)
    assert [d.key for d in docs] == [d.key for d in list(arc_documents(path, ReadLimits()))[1:]]
    assert len({d.key for d in docs}) == len(docs)


def test_arc_offsets_point_at_each_gzip_member(tmp_path):
    members = [gzip.compress(r, mtime=0) for r in [arc_filedesc("m.arc.gz"), *_records()]]
    (tmp_path / "m.arc.gz").write_bytes(b"".join(members))
    offsets = [r.offset for r in iter_arc_records(tmp_path / "m.arc.gz")]
    assert offsets == [sum(len(m) for m in members[:i]) for i in range(len(members))]


def test_a_corrupt_member_is_one_drop_and_the_reader_resumes(tmp_path):
    members = [gzip.compress(r, mtime=0) for r in [arc_filedesc("c.arc.gz"), *_records()]]
    broken = bytearray(members[2])
    broken[len(broken) // 2 : len(broken) // 2 + 12] = b"\x00" * 12
    members[2] = bytes(broken)
    (tmp_path / "c.arc.gz").write_bytes(b"".join(members))
    got = [d for d in arc_documents(tmp_path / "c.arc.gz", ReadLimits()) if not isinstance(d, NotADocument)]
    reasons = [d.problem.reason if d.problem else None for d in got]
    assert Reason.WARC_CORRUPT in reasons
    assert [d.metadata[Meta.URL] for d in got if d.problem is None] == [
        "http://www.example.cz/zakon",
        "http://www.example.cz/en",
    ]


def test_an_oversize_arc_record_is_a_drop(tmp_path):
    big = arc_record("http://www.example.cz/big", http_response(b"<html><body>" + b"x" * 5000 + b"</body></html>"))
    path = write_arc(tmp_path / "o.arc", [big, *_records()])
    got = [d for d in arc_documents(path, ReadLimits(max_bytes=1000)) if not isinstance(d, NotADocument)]
    assert got[0].problem.reason == Reason.OVERSIZE and "max_bytes 1000" in got[0].problem.evidence
    assert got[1].problem is None and CZECH in got[1].text
