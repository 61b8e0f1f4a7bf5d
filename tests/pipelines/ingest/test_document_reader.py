"""The document reader on a folder of every format: each file dispatched by name, every document either
forwarded or in the ledger with a reason, provenance per input, and a failing reader costs one file only."""

from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from eurocurate.manifests.audit.ledger import ledger_path
from eurocurate.pipelines.extract.jsonl import extract_to_jsonl
from eurocurate.pipelines.ingest import document_reader as reader_module
from eurocurate.pipelines.ingest.document_reader import DocumentReader
from eurocurate.pipelines.ingest.formats import ALL_FORMATS, format_of, suffixes_of
from eurocurate.pipelines.ingest.inputs import resolve_inputs
from eurocurate.pipelines.ingest.source_document import ReadLimits
from eurocurate.schema import Meta, Reason, Stat
from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc
from tests.conftest import ENGLISH, html_page
from tests.pipelines.ingest.conftest import (
    AKOMA_NTOSO,
    FORMEX,
    arc_record,
    http_response,
    make_docx,
    make_pdf,
    write_arc,
)

# a Formex `.doc.xml` as EUR-Lex packages ship it beside the act's text file
FORMEX_DESCRIPTOR = """<?xml version="1.0" encoding="UTF-8"?>
<DOC><BIB.DOC><NO.DOC FORMAT="YYYYNNNN" TYPE="OJ"><NO.CURRENT>2024/1</NO.CURRENT></NO.DOC><LG.DOC>EN</LG.DOC></BIB.DOC>
<FMX><DOC.MAIN.PUB><REF.PHYS FILE="oj.xml" TYPE="DOC.XML"/></DOC.MAIN.PUB></FMX></DOC>"""


def build_mixed_folder(root: Path) -> dict[str, int]:
    """One file of every format plus broken ones; returns the expected drops by reason."""
    jpeg = {"Content-Type": "image/jpeg"}
    write_warc(root / "crawl" / "a.warc.gz", [
        WarcRecordSpec(url="", record_type="warcinfo", body=b"software: test\r\n"),
        WarcRecordSpec(url="https://news.example.ie/a", body=html_page(ENGLISH).encode()),
        WarcRecordSpec(url="https://news.example.ie/img", body=b"\xff\xd8\xff" + bytes(50), http_headers=jpeg),
    ])  # fmt: skip
    write_warc(root / "crawl" / "a.warc.wet.gz", [
        WarcRecordSpec(url="https://news.example.ie/a", record_type="conversion", body=ENGLISH.encode(),
                       warc_content_type="text/plain"),
    ])  # fmt: skip
    old_page = http_response(html_page(ENGLISH).encode())
    write_arc(root / "archive" / "old.arc.gz", [arc_record("http://old.example.ie/", old_page)], layout="per_record")
    (root / "site").mkdir(parents=True)
    (root / "site" / "index.HTM").write_text(html_page(ENGLISH))
    (root / "datasets").mkdir()
    (root / "datasets" / "rows.jsonl").write_bytes(orjson.dumps({"text": ENGLISH, "id": "r1"}) + b"\n{broken\n")
    pq.write_table(pa.table({"text": [ENGLISH, None]}), root / "datasets" / "rows.parquet")
    make_pdf(
        root / "pub" / "report.pdf",
        [["The report describes the state of the rivers."], ["Der Bericht beschreibt die Flüsse."]],
    )
    make_pdf(root / "pub" / "locked.pdf", [["secret"]], encrypted=True)
    (root / "pub" / "act.xml").write_text(AKOMA_NTOSO)
    (root / "pub" / "oj.xml").write_text(FORMEX)
    (root / "pub" / "oj.doc.xml").write_text(FORMEX_DESCRIPTOR)  # the package's list of its files: no document
    (root / "pub" / "broken.xml").write_text("<ACT><TITLE>unclosed</ACT>")
    make_docx(root / "pub" / "note.docx", ["A note of the ministry."])
    (root / "pub" / "readme.txt").write_text("not an input format")
    (root / "sources.yaml").write_text("- match: 'pub/**'\n  publisher: Ministry\n  source_category: public_sector\n")
    return {
        Reason.NON_HTML: 1,
        Reason.MALFORMED_ROW: 1,
        Reason.NO_TEXT_FIELD: 1,
        Reason.PDF_ENCRYPTED: 1,
        Reason.XML_MALFORMED: 1,
    }


def _run(step: DocumentReader) -> list:
    return list(step.run(None, rank=0, world_size=1))


def _ledger(out: Path) -> list[dict]:
    return pq.read_table(ledger_path(out, "document_reader", 0)).to_pylist()


def test_every_format_is_read_and_every_document_accounted_for(tmp_path):
    expected_drops = build_mixed_folder(tmp_path / "in")
    inputs = resolve_inputs([str(tmp_path / "in")], suffixes_of(ALL_FORMATS))
    assert "pub/readme.txt" not in inputs.files and "sources.yaml" not in inputs.files
    assert len(inputs.files) == 13 and all(format_of(f) for f in inputs.files)
    sources = {f: ({Meta.PUBLISHER: "Ministry", Meta.SOURCE_CATEGORY: "public_sector", Meta.LICENCE: None}
                   if f.startswith("pub/") else {Meta.SOURCE_CATEGORY: "own_crawl"}) for f in inputs.files}  # fmt: skip
    out = tmp_path / "out"
    step = DocumentReader(inputs.files, inputs.root, str(out), str(tmp_path / "work"), sources)
    docs = _run(step)
    stats = {k: v.total for k, v in step.stats.stats.items()}
    assert stats[Stat.TOTAL] == stats[Stat.FORWARDED] + stats[Stat.DROPPED]
    assert {
        k.removeprefix(Stat.DROPPED_PREFIX): v for k, v in stats.items() if k.startswith(Stat.DROPPED_PREFIX)
    } == expected_drops
    assert stats[Stat.OTHER_RECORDS] == 2  # the warcinfo record and the ARC filedesc
    assert stats[Stat.FORMEX_DESCRIPTORS] == 1
    formats = {d.metadata[Meta.INPUT_FORMAT] for d in docs}
    assert formats == {"warc", "wet", "arc", "html", "jsonl", "parquet", "pdf", "akoma_ntoso", "formex", "docx"}
    ledger = _ledger(out)
    assert len(ledger) == stats[Stat.DROPPED] and {r["reason"] for r in ledger} == set(expected_drops)
    by_path = {d.metadata[Meta.SOURCE_PATH]: d for d in docs}
    pdf = by_path["pub/report.pdf"]
    assert pdf.metadata[Meta.PUBLISHER] == "Ministry" and pdf.metadata[Meta.SOURCE_CATEGORY] == "public_sector"
    assert Meta.LICENCE not in pdf.metadata  # an undeclared licence leaves no key, as in the WARC reader
    assert by_path["site/index.HTM"].metadata[Meta.SOURCE_CATEGORY] == "own_crawl"
    assert len({d.id for d in docs} | {r["doc_id"] for r in ledger}) == stats[Stat.TOTAL]  # ids unique
    assert len({d.metadata[Meta.ORDER_KEY] for d in docs}) == len(docs)
    # the same inputs read again give the same ids
    again = DocumentReader(inputs.files, inputs.root, str(tmp_path / "out2"), str(tmp_path / "work2"), sources)
    assert [d.id for d in _run(again)] == [d.id for d in docs]


def test_warc_records_keep_the_ids_the_warc_reader_gives_them(tmp_path):
    from eurocurate.pipelines.ingest.warc import WarcReader

    write_warc(
        tmp_path / "in" / "a.warc",
        [WarcRecordSpec(url=f"https://e.ie/{i}", body=html_page(ENGLISH).encode()) for i in range(3)],
    )
    files = ["a.warc"]
    sources = {"a.warc": {Meta.SOURCE_CATEGORY: "own_crawl", Meta.LICENCE: None, Meta.PUBLISHER: "Crawler"}}
    ours = _run(DocumentReader(files, str(tmp_path / "in"), str(tmp_path / "o1"), str(tmp_path / "w1"), sources))
    warc_reader = WarcReader(files, str(tmp_path / "in"), str(tmp_path / "o2"), str(tmp_path / "w2"), sources)
    theirs = list(warc_reader.run(None))
    assert [d.id for d in ours] == [d.id for d in theirs]
    assert [d.text for d in ours] == [d.text for d in theirs]
    # the same source metadata; only the document reader names the format and numbers documents in the order key
    for seq, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert a.metadata.pop(Meta.INPUT_FORMAT) == "warc" and Meta.INPUT_FORMAT not in b.metadata
        assert a.metadata.pop(Meta.ORDER_KEY) == b.metadata.pop(Meta.ORDER_KEY) + f"\x00{seq:010d}"
        assert a.metadata == b.metadata
    first = theirs[0].metadata
    assert (first[Meta.SOURCE_PATH], first[Meta.URL], first[Meta.PUBLISHER]) == ("a.warc", "https://e.ie/0", "Crawler")
    assert Meta.LICENCE not in first and first[Meta.HTTP_STATUS] == 200 and first[Meta.WARC_RECORD_ID]


def test_limits_reach_every_reader(tmp_path):
    build_mixed_folder(tmp_path / "in")
    inputs = resolve_inputs([str(tmp_path / "in")], suffixes_of(ALL_FORMATS))
    out = tmp_path / "out"
    step = DocumentReader(inputs.files, inputs.root, str(out), str(tmp_path / "work"), {}, ReadLimits(max_bytes=200))
    _run(step)
    oversize = {r["source_path"] for r in _ledger(out) if r["reason"] == Reason.OVERSIZE}
    assert {"pub/report.pdf", "pub/act.xml", "pub/note.docx", "site/index.HTM"} <= oversize
    assert {"crawl/a.warc.gz", "datasets/rows.jsonl", "datasets/rows.parquet", "archive/old.arc.gz"} <= oversize


def test_a_reader_that_fails_loses_the_rest_of_its_file_not_the_task(tmp_path, monkeypatch):
    for name in ("a.jsonl", "b.jsonl"):
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / name).write_bytes(orjson.dumps({"text": f"text of {name}"}) + b"\n")
    real = reader_module.read_source

    def fragile(path, fmt, limits):
        yield from real(path, fmt, limits)
        if path.name == "a.jsonl":
            raise RuntimeError("reader bug")

    monkeypatch.setattr(reader_module, "read_source", fragile)
    out = tmp_path / "out"
    step = DocumentReader(["a.jsonl", "b.jsonl"], str(tmp_path / "in"), str(out), str(tmp_path / "work"), {})
    docs = _run(step)
    assert [d.text for d in docs] == ["text of a.jsonl", "text of b.jsonl"]
    [row] = _ledger(out)
    assert row["reason"] == Reason.STAGE_ERROR and row["source_path"] == "a.jsonl" and "reader bug" in row["evidence"]


def test_extract_writes_every_format_to_jsonl(tmp_path):
    build_mixed_folder(tmp_path / "in")
    dst = tmp_path / "x.jsonl"
    counts = extract_to_jsonl([str(tmp_path / "in")], str(dst))
    rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    by_path = {r[Meta.SOURCE_PATH]: r for r in rows}
    assert by_path["pub/report.pdf"]["text"].startswith("The report describes")
    assert by_path["pub/act.xml"]["title"] == "Regulation (EU) 2024/1 on the protection of rivers"
    assert "The city council met" in by_path["site/index.HTM"]["text"]
    assert "The city council met" in by_path["archive/old.arc.gz"]["text"]
    # warcinfo, ARC filedesc and the Formex descriptor
    assert counts[f"dropped_{Reason.PDF_ENCRYPTED}"] == 1 and counts["not_documents"] == 3
    assert (
        counts["written"]
        == len(rows)
        == counts["records"] - sum(v for k, v in counts.items() if k.startswith("dropped_"))
    )
    with pytest.raises(ValueError, match="no reader for this file name"):
        extract_to_jsonl([str(tmp_path / "in" / "pub" / "readme.txt")], str(dst))
