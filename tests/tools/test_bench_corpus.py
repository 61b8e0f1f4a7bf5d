import base64
import gzip
import hashlib
import re

from fastwarc.warc import ArchiveIterator

from eurocurate.tools.bench_corpus import build_scaled_corpus
from eurocurate.tools.warc_writer import WarcRecordSpec
from tests.conftest import ENGLISH, html_page

CZECH = (
    "Městská rada projednala v úterý nové cyklostezky podél řeky a bezpečnější přechody u školy. "
    "Starosta uvedl, že první úsek bude otevřen na jaře a že rozpočet byl schválen velkou většinou."
)


def _source(warc_file):
    records = [
        WarcRecordSpec("", b"software: test\r\n", record_type="warcinfo"),
        WarcRecordSpec("https://news.example.ie/a/1.html", html_page(ENGLISH).encode()),
        WarcRecordSpec(
            "https://zpravy.example.cz/clanek.html",
            html_page(CZECH, lang="cs").replace("utf-8", "windows-1250").encode("windows-1250"),
            http_headers={"Content-Type": "text/html; charset=windows-1250"},
        ),
        WarcRecordSpec(
            "https://news.example.ie/b/2.html",
            (html_page(ENGLISH, title="Scripted") + "<script>var council = 'mayor river budget';</script>").encode(),
        ),
        WarcRecordSpec(
            "https://img.example.ie/x.jpg", b"\xff\xd8\xff" + bytes(200), http_headers={"Content-Type": "image/jpeg"}
        ),
    ]
    path = warc_file("source.warc.gz", records)
    with open(path, "ab") as f:
        f.write(gzip.compress(_with_digests("https://news.example.ie/c/3.html", html_page(ENGLISH, title="Digests"))))
    return [path]


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def _with_digests(url: str, page: str) -> bytes:
    """A response record as Common Crawl writes them: block and payload digests."""
    body = page.encode()
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000003>\r\n"
        f"WARC-Date: 2026-11-01T12:00:00Z\r\nWARC-Target-URI: {url}\r\nWARC-Payload-Digest: {_sha1(body)}\r\n"
        f"WARC-Block-Digest: {_sha1(block)}\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def _read(paths):
    out = []
    for path in paths:
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f, parse_http=False):
                if "WARC-Block-Digest" in rec.headers:
                    assert rec.verify_block_digest(False)
                if rec.headers.get("WARC-Type") == "response":
                    rec.parse_http()
                if "WARC-Payload-Digest" in rec.headers:
                    assert rec.verify_payload_digest(False)
                length = rec.http_headers.get("Content-Length") if rec.http_headers else None
                payload = rec.reader.read()
                out.append(
                    (rec.headers.get("WARC-Type"), rec.headers.get("WARC-Target-URI"), rec.record_id, payload, length)
                )
    return out


def test_scaled_corpus_has_factor_times_the_records_and_valid_warc(warc_file, tmp_path):
    src = _source(warc_file)
    files = build_scaled_corpus(src, tmp_path / "out", factor=4, seed=7)
    records = _read(files)  # digests, where a record has them, are verified
    assert len(files) == 4 and len(records) == 4 * 6
    assert len({r[2] for r in records}) == len(records)  # record IDs stay unique
    uris = [r[1] for r in records if r[1]]
    assert len(set(uris)) == len(uris)  # every later round moves every URL
    assert {u.split("/")[2].rsplit(".", 1)[-1] for u in uris} == {"ie", "cz"}  # same TLDs


def test_scaled_corpus_is_deterministic_for_the_seed(warc_file, tmp_path):
    src = _source(warc_file)
    a = build_scaled_corpus(src, tmp_path / "a", factor=3, seed=7)
    b = build_scaled_corpus(src, tmp_path / "b", factor=3, seed=7)
    c = build_scaled_corpus(src, tmp_path / "c", factor=3, seed=8)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert [p.read_bytes() for p in a] != [p.read_bytes() for p in c]


def test_rounds_written_by_several_processes_are_the_same_files(warc_file, tmp_path):
    src = _source(warc_file)
    serial = build_scaled_corpus(src, tmp_path / "serial", factor=3, seed=7)
    parallel = build_scaled_corpus(src, tmp_path / "parallel", factor=3, seed=7, jobs=2)
    assert [p.name for p in parallel] == [p.name for p in serial]
    assert [p.read_bytes() for p in parallel] == [p.read_bytes() for p in serial]
    assert not list((tmp_path / "parallel").glob("*.partial"))


def test_perturbed_pages_keep_markup_scripts_and_charset_and_swap_a_few_words(warc_file, tmp_path):
    src = _source(warc_file)
    records = _read(build_scaled_corpus(src, tmp_path / "out", factor=6, seed=1, replace_share=0.1, exact_share=0.0))
    originals = {r[1]: r[3] for r in records[:6] if r[1]}
    changed = 0
    for _, uri, _, body, length in records[6:]:
        if uri is None:
            continue
        original = originals[re.sub(r"//[a-z]+\d+\.", "//", re.sub(r"(\.[a-z]+)/[a-z]+\d+/", r"\1/", uri))]
        if b"image/jpeg" in original:
            assert body == original  # not HTML: copied
            continue
        assert re.findall(rb"<[^>]*>", body) == re.findall(rb"<[^>]*>", original)  # tags byte for byte
        if b"<script>" in original:  # words inside scripts are not text
            assert re.search(rb"<script>.*</script>", body)[0] == re.search(rb"<script>.*</script>", original)[0]
        if b"windows-1250" in original:
            body.decode("windows-1250")  # still the page's charset
        assert int(length) == len(body)  # the HTTP header follows the new payload
        changed += body != original
    assert changed > 0


def test_exact_share_keeps_payloads_byte_for_byte(warc_file, tmp_path):
    src = _source(warc_file)
    records = _read(build_scaled_corpus(src, tmp_path / "out", factor=3, seed=1, exact_share=1.0))
    payloads = [r[3] for r in records if r[0] == "response"]
    assert payloads[:5] * 3 == payloads
