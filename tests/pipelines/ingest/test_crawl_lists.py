"""Common Crawl as it is published, on a real S3 server: a warc.paths.gz list relative to a base, the robots.txt
captures of each segment in the `robotstxt/` folder beside its `warc/` folder, and each page judged by the
capture of its own crawl (two crawls of one host with opposite rules)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from eurocurate import storage
from eurocurate.cli import main
from eurocurate.layout import OutputLayout
from eurocurate.schema import Reason
from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc
from tests.conftest import ENGLISH, html_page

pytestmark = pytest.mark.slow

HOST = "news.crawled.example.eu"
# Crawl → (fetch date, the path its robots.txt disallowed). The later crawl reverses the earlier one's rule,
# so a page judged by the latest capture of any crawl, not its own, comes out the other way.
CRAWLS = {
    "CC-MAIN-2026-10": ("2026-03-01T10:00:00Z", "/a"),
    "CC-MAIN-2026-20": ("2026-05-10T10:00:00Z", "/b"),
}
SEGMENT = "1767000000000.1"
TEXT = {"/a.html": ENGLISH, "/b.html": ENGLISH.replace("council", "assembly")}


def _segment(crawl: str) -> str:
    return f"crawl-data/{crawl}/segments/{SEGMENT}"


def build_crawls(local: Path) -> list[str]:
    """Both crawls in Common Crawl's layout under `local`; the page WARCs' paths relative to it."""
    paths = []
    for crawl, (date, disallowed) in CRAWLS.items():
        pages = [
            WarcRecordSpec(url=f"https://{HOST}{path}", body=html_page(f"{text}\n{crawl}").encode(), date=date)
            for path, text in TEXT.items()
        ]
        page_warc = f"{_segment(crawl)}/warc/{crawl}-{SEGMENT}-00000.warc.gz"
        write_warc(local / page_warc, pages)
        robots = WarcRecordSpec(
            url=f"https://{HOST}/robots.txt",
            body=f"User-agent: *\nDisallow: {disallowed}\n".encode(),
            http_headers={"Content-Type": "text/plain"},
            date=date,
        )
        write_warc(local / f"{_segment(crawl)}/robotstxt/{crawl}-{SEGMENT}-00000.warc.gz", [robots])
        paths.append(page_warc)
    return paths


def spec(path: Path) -> Path:
    stages = [{"use": "warc_reader"}, {"use": "optout"}, {"use": "html_extractor"}, {"use": "text_parquet"}]
    doc = {"name": "crawl-list", "source": {"source_category": "public_dataset"}, "stages": stages,
           "execution": {"executor": "local", "workers": 1}}  # fmt: skip
    path.write_text(yaml.safe_dump(doc))
    return path


def read_parquet(files: list[Path]) -> pa.Table:
    return pa.concat_tables([pq.read_table(f) for f in files])


def test_pages_from_a_paths_list_are_judged_by_their_own_crawls_robots_capture(s3, tmp_path):
    local = tmp_path / "commoncrawl"
    page_warcs = build_crawls(local)
    store = storage.locate(s3)
    for f in sorted(p for p in local.rglob("*") if p.is_file()):
        store.fs.put_file(str(f), store.child(f.relative_to(local).as_posix()).path)
    listing = tmp_path / "warc.paths.gz"
    listing.write_bytes(gzip.compress(("\n".join(page_warcs) + "\n").encode()))

    out = tmp_path / "out"
    code = main(["run", str(spec(tmp_path / "spec.yaml")), "--input-list", str(listing), "--input-base", s3,
                 "--output", str(out)])  # fmt: skip
    assert code == 0

    layout = OutputLayout(out)
    kept = read_parquet(layout.text_files()).to_pylist()
    assert sorted((row["dump"], row["url"].rsplit("/", 1)[1]) for row in kept) == [
        ("CC-MAIN-2026-10", "b.html"),
        ("CC-MAIN-2026-20", "a.html"),
    ]
    assert {row["file_path"] for row in kept} == set(page_warcs)  # relative to the base, as listed
    dropped = [r for r in read_parquet(layout.exclusion_files()).to_pylist() if r["reason"] == Reason.OPTOUT_ROBOTS]
    assert sorted((r["source_path"].split("/")[1], r["url"].rsplit("/", 1)[1]) for r in dropped) == [
        ("CC-MAIN-2026-10", "a.html"),
        ("CC-MAIN-2026-20", "b.html"),
    ]
    for row in dropped:  # the evidence names the capture of the page's own crawl
        assert CRAWLS[row["source_path"].split("/")[1]][0] in row["evidence"]
    # the captures were found beside the page WARCs, with no robots_warcs in the spec
    run = (out / "run.json").read_text()
    for crawl in CRAWLS:
        assert f"{s3}/{_segment(crawl)}/robotstxt/{crawl}-{SEGMENT}-00000.warc.gz" in run


def test_a_plain_paths_list_with_a_path_leaving_the_base_is_refused(s3, tmp_path, capsys):
    listing = tmp_path / "paths.txt"
    listing.write_text("crawl-data/CC-MAIN-2026-10/segments/1/warc/x.warc.gz\n../../secrets/y.warc.gz\n")
    code = main(["run", str(spec(tmp_path / "spec.yaml")), "--input-list", str(listing), "--input-base", s3,
                 "--output", str(tmp_path / "out")])  # fmt: skip
    assert code == 2
    assert "line 2" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_listed_file_missing_from_the_store_is_a_counted_drop_not_a_failed_run(s3, tmp_path):
    local = tmp_path / "commoncrawl"
    page_warcs = build_crawls(local)
    store = storage.locate(s3)
    for f in sorted(p for p in local.rglob("*") if p.is_file()):
        store.fs.put_file(str(f), store.child(f.relative_to(local).as_posix()).path)
    missing = f"{_segment('CC-MAIN-2026-10')}/warc/gone.warc.gz"
    listing = tmp_path / "paths.txt"
    listing.write_text("\n".join([*page_warcs, missing]) + "\n")
    out = tmp_path / "out"
    code = main(["run", str(spec(tmp_path / "spec.yaml")), "--input-list", str(listing), "--input-base", s3,
                 "--output", str(out)])  # fmt: skip
    assert code == 0
    ledger = read_parquet(OutputLayout(out).exclusion_files()).to_pylist()
    gone = [r for r in ledger if r["reason"] == Reason.INPUT_MISSING]
    assert [r["source_path"] for r in gone] == [missing]
