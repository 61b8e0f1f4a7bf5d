"""Bad input never loses a run: each kind is a counted drop with a reason, and the run verifies."""

import gzip

import pyarrow as pa
import pyarrow.parquet as pq

from eurocurate.cli import main
from eurocurate.manifests.audit.verify import verify_output
from eurocurate.schema import Reason
from eurocurate.tools.demo_corpus import load_texts
from eurocurate.tools.warc_writer import WarcRecordSpec, record_bytes, write_warc
from tests.conftest import html_page, write_spec


def _ledger(out):
    return pa.concat_tables([pq.read_table(f) for f in sorted((out / "exclusions").glob("*.parquet"))])


def test_truncated_warc_non_html_and_undecodable_pages_are_counted_drops(tmp_path):
    paragraphs = load_texts()["en"].paragraphs  # six different pages: nothing here is a near duplicate
    good = [
        WarcRecordSpec(
            url=f"https://news.example.ie/{i}", body=html_page(paragraphs[i] + "\n" + paragraphs[i + 6]).encode()
        )
        for i in range(6)
    ]
    jpeg = WarcRecordSpec(
        url="https://img.example.ie/a.jpg",
        body=b"\xff\xd8\xff\xe0JFIF" + bytes(500),
        http_headers={"Content-Type": "image/jpeg"},
    )
    pdf_as_html = WarcRecordSpec(url="https://docs.example.ie/a", body=b"%PDF-1.7\n" + bytes(300))
    noise = WarcRecordSpec(
        url="https://broken.example.ie/", body=b"<html><body>" + bytes(range(0x80, 0xA0)) * 80 + b"</body></html>"
    )
    inputs = tmp_path / "in"
    write_warc(inputs / "a.warc.gz", [good[0], jpeg, good[1], pdf_as_html, noise, good[2]])
    # a download interrupted inside the last record
    members = [gzip.compress(record_bytes(r), mtime=0) for r in good[3:]]
    (inputs / "b.warc.gz").write_bytes(b"".join(members)[: -len(members[-1]) // 2])
    # a file in which nothing survives the reader, and one that is not a WARC at all
    write_warc(inputs / "c.warc.gz", [jpeg])
    (inputs / "d.warc.gz").write_bytes(b"\x1f\x8b\x08" + bytes(range(256)) * 4)

    out = tmp_path / "out"
    spec = write_spec(tmp_path / "spec.yaml", executor="local", workers=1)
    assert (
        main(
            [
                "run",
                str(spec),
                "--input",
                str(inputs),
                "--output",
                str(out),
                "--set",
                "stages.quality_filter.min_words=20",
            ]
        )
        == 0
    )

    ledger = _ledger(out)
    reasons = dict(zip(ledger["url"].to_pylist(), ledger["reason"].to_pylist()))
    assert reasons["https://img.example.ie/a.jpg"] == Reason.NON_HTML
    assert reasons["https://docs.example.ie/a"] == Reason.NON_HTML
    assert reasons["https://broken.example.ie/"] == Reason.UNDECODABLE
    truncated = [r for r in ledger.to_pylist() if r["reason"] == Reason.WARC_TRUNCATED]
    assert len(truncated) == 1 and truncated[0]["source_path"] == "b.warc.gz" and truncated[0]["stage"] == "warc_reader"
    # the records before the cut survived; copies of the same text were removed as duplicates, not lost
    manifest = verify_output(out)
    assert manifest.ok, manifest.problems
    run = __import__("orjson").loads((out / "run.json").read_bytes())
    reader = run["stages"][0]
    assert reader["in"] == 11 and reader["dropped_by_reason"] == {
        Reason.NON_HTML: 3,
        Reason.UNDECODABLE: 1,
        Reason.WARC_TRUNCATED: 1,
        Reason.WARC_CORRUPT: 1,
    }
    corrupt = [r for r in ledger.to_pylist() if r["reason"] == Reason.WARC_CORRUPT]
    assert corrupt[0]["source_path"] == "d.warc.gz" and corrupt[0]["evidence"].startswith("d.warc.gz@[0,")
    assert run["totals"]["kept"] == 5


def test_a_stage_exception_on_one_document_is_a_drop_not_a_dead_task(tmp_path):
    from datatrove.data import Document

    from eurocurate.stage import Drop, LedgerStage

    class Fragile(LedgerStage):
        name = "fragile"

        def judge(self, doc):
            if "boom" in doc.text:
                raise ValueError("cannot handle this one")
            return None

    step = Fragile(str(tmp_path))
    docs = [Document(text=t, id=str(i), metadata={}) for i, t in enumerate(["fine", "boom", "fine too"])]
    kept = list(step.run(iter(docs), rank=0))
    assert [d.id for d in kept] == ["0", "2"]
    rows = pq.read_table(tmp_path / "exclusions" / "part-fragile-00000.parquet").to_pylist()
    assert rows[0]["doc_id"] == "1" and rows[0]["reason"] == Reason.STAGE_ERROR
    assert rows[0]["evidence"] == "ValueError: cannot handle this one"
    assert step.stats["dropped"].total == 1 and step.stats["forwarded"].total == 2
    assert isinstance(Drop("x"), Drop)
