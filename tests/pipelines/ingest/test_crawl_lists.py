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


def test_robots_captures_among_the_input_records_decide_when_asked(tmp_path):
    robots = WarcRecordSpec(
        url=f"https://{HOST}/robots.txt",
        body=b"User-agent: *\nDisallow: /a\n",
        http_headers={"Content-Type": "text/plain"},
    )
    # the page comes before the capture in the file: the captures are collected before any page is judged
    pages = [WarcRecordSpec(url=f"https://{HOST}{path}", body=html_page(text).encode()) for path, text in TEXT.items()]
    write_warc(tmp_path / "crawl" / "own.warc.gz", [pages[0], robots, pages[1]])
    spec_file = spec(tmp_path / "spec.yaml")
    urls = {}
    for setting in ("false", "true"):
        out = tmp_path / f"out-{setting}"
        args = ["run", str(spec_file), "-i", str(tmp_path / "crawl"), "-o", str(out)]
        assert main([*args, "--set", f"stages.optout.robots_in_inputs={setting}"]) == 0
        urls[setting] = sorted(
            r["url"].rsplit("/", 1)[1] for r in read_parquet(OutputLayout(out).text_files()).to_pylist()
        )
    assert urls == {"false": ["a.html", "b.html"], "true": ["b.html"]}


@pytest.fixture
def http_folder(tmp_path):
    """A real HTTP server on 127.0.0.1 serving a folder (with directory listings), stopped after the test."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    folder = tmp_path / "served"
    folder.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_paths_list_over_https_style_web_base_reads_the_same_pages(http_folder, tmp_path):
    served, base = http_folder
    page_warcs = build_crawls(served)
    listing = tmp_path / "warc.paths"
    listing.write_text("\n".join(page_warcs) + "\n")
    out = tmp_path / "out"
    code = main(["run", str(spec(tmp_path / "spec.yaml")), "--input-list", str(listing), "--input-base", f"{base}/",
                 "--output", str(out)])  # fmt: skip
    assert code == 0
    kept = read_parquet(OutputLayout(out).text_files()).to_pylist()
    # the robotstxt/ folders are listed by the server, so each crawl's capture decides as it does on S3
    assert sorted((row["dump"], row["url"].rsplit("/", 1)[1]) for row in kept) == [
        ("CC-MAIN-2026-10", "b.html"),
        ("CC-MAIN-2026-20", "a.html"),
    ]


def test_sources_file_and_suppression_file_may_be_urls(s3, tmp_path):
    local = tmp_path / "commoncrawl"
    build_crawls(local)
    store = storage.locate(s3)
    for f in sorted(p for p in local.rglob("*") if p.is_file()):
        store.fs.put_file(str(f), store.child(f.relative_to(local).as_posix()).path)
    # rules match paths relative to the inputs' common folder (here s3://BUCKET/crawl-data)
    rules = [{"match": "CC-MAIN-2026-20/**", "source_category": "licensed", "publisher": "Crawl 20 Ltd"}]
    store.fs.pipe(store.child("config/sources.yaml").path, yaml.safe_dump(rules).encode())
    store.fs.pipe(
        store.child("config/suppression.yaml").path, yaml.safe_dump({"urls": [f"https://{HOST}/b.html"]}).encode()
    )
    spec_file = spec(tmp_path / "spec.yaml")
    doc = yaml.safe_load(spec_file.read_text())
    doc["sources_file"] = f"{s3}/config/sources.yaml"
    doc["stages"][1]["with"] = {"suppression_file": f"{s3}/config/suppression.yaml", "robots_beside_inputs": False}
    spec_file.write_text(yaml.safe_dump(doc))
    out = tmp_path / "out"
    assert main(["run", str(spec_file), "-i", f"{s3}/crawl-data/", "-o", str(out)]) == 0
    kept = read_parquet(OutputLayout(out).text_files()).to_pylist()
    assert sorted((r["dump"], r["url"].rsplit("/", 1)[1], r["source_category"]) for r in kept) == [
        ("CC-MAIN-2026-10", "a.html", "public_dataset"),
        ("CC-MAIN-2026-20", "a.html", "licensed"),
    ]
    # the robots.txt captures under the crawl folder were not read as pages (the same rule as on local disk)
    manifest = yaml.safe_load((out / "run.json").read_text())
    assert [Path(p).parent.name for p in manifest["inputs_set_aside"]] == ["robotstxt", "robotstxt"]
    assert all(p.startswith(f"{s3}/crawl-data/") for p in manifest["inputs_set_aside"])
    # a sources_file URL that does not exist fails the spec, in one line
    doc["sources_file"] = f"{s3}/config/missing.yaml"
    spec_file.write_text(yaml.safe_dump(doc))
    assert main(["run", str(spec_file), "-i", f"{s3}/crawl-data/", "-o", str(tmp_path / "out2")]) == 2


def test_input_list_and_input_base_go_together(tmp_path, capsys):
    listing = tmp_path / "paths.txt"
    listing.write_text("a.warc.gz\n")
    assert (
        main(["run", str(spec(tmp_path / "spec.yaml")), "--input-list", str(listing), "-o", str(tmp_path / "o")]) == 2
    )
    assert "--input-list and --input-base go together" in capsys.readouterr().err


def test_a_listed_file_missing_from_a_local_base_is_a_counted_drop_too(tmp_path):
    local = tmp_path / "commoncrawl"
    page_warcs = build_crawls(local)
    listing = tmp_path / "paths.txt"
    listing.write_text("\n".join([*page_warcs, "crawl-data/gone.warc.gz"]) + "\n")
    out = tmp_path / "out"
    code = main(["run", str(spec(tmp_path / "spec.yaml")), "--input-list", str(listing), "--input-base", str(local),
                 "--output", str(out)])  # fmt: skip
    assert code == 0
    ledger = read_parquet(OutputLayout(out).exclusion_files()).to_pylist()
    assert [r["source_path"] for r in ledger if r["reason"] == Reason.INPUT_MISSING] == ["crawl-data/gone.warc.gz"]
    manifest = yaml.safe_load((out / "run.json").read_text())
    assert [i["sha256"] for i in manifest["inputs"] if i["path"].endswith("gone.warc.gz")] == [""]


def test_a_crawl_folder_reads_only_the_segments_pages_and_records_what_it_set_aside(tmp_path, capsys):
    """A folder above the segments holds robots.txt captures, failed fetches and WET text beside the page WARCs:
    only `warc/` is read as documents, the captures still decide, and run.json names the files set aside."""
    local = tmp_path / "commoncrawl"
    build_crawls(local)
    seg = local / _segment("CC-MAIN-2026-10")
    gone = WarcRecordSpec(url=f"https://{HOST}/gone.html", body=html_page(ENGLISH).encode(), status=404)
    write_warc(seg / "crawldiagnostics" / "diag.warc.gz", [gone])
    wet = WarcRecordSpec(url=f"https://{HOST}/b.html", body=ENGLISH.encode(), record_type="conversion")
    write_warc(seg / "wet" / "text.warc.wet.gz", [wet])
    spec_file = spec(tmp_path / "spec.yaml")
    doc = yaml.safe_load(spec_file.read_text())
    doc["stages"][0] = {"use": "document_reader"}  # reads WET too: the wet/ folder is set aside, not read twice
    spec_file.write_text(yaml.safe_dump(doc))

    assert main(["check", str(spec_file), "-i", str(local / "crawl-data")]) == 0
    printed = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "4 input file(s)" not in printed and "2 input file(s)" in printed
    assert "4 file(s) of Common Crawl segment folders beside warc/ are not read as pages" in printed

    out = tmp_path / "out"
    assert main(["run", str(spec_file), "-i", str(local / "crawl-data"), "-o", str(out)]) == 0
    manifest = yaml.safe_load((out / "run.json").read_text())
    assert [Path(i["path"]).parent.name for i in manifest["inputs"]] == ["warc", "warc"]
    assert sorted(Path(p).parent.name for p in manifest["inputs_set_aside"]) == [
        "crawldiagnostics", "robotstxt", "robotstxt", "wet"
    ]  # fmt: skip
    assert manifest["totals"]["read"] == 4  # two pages of each crawl; no robots.txt, 404 or WET record
    kept = read_parquet(OutputLayout(out).text_files()).to_pylist()
    assert sorted((row["dump"], row["url"].rsplit("/", 1)[1]) for row in kept) == [
        ("CC-MAIN-2026-10", "b.html"),
        ("CC-MAIN-2026-20", "a.html"),
    ]

    # named alone, a segment's wet/ folder is what the user asked for, and is read
    only_wet = tmp_path / "out-wet"
    assert main(["run", str(spec_file), "-i", str(seg / "wet"), "-o", str(only_wet)]) == 0
    assert yaml.safe_load((only_wet / "run.json").read_text())["totals"]["read"] == 1
