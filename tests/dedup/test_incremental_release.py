"""Incremental dedup through `eurocurate run`: a second release over the same crawl plus new pages keeps
only the new pages, because the first release's MinHash index (same content at other URLs) or URL
index (same URLs, new content) is given to it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from eurocurate import storage
from eurocurate.cli import main
from eurocurate.schema import Reason
from eurocurate.tools.demo_corpus import load_texts
from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc
from tests.conftest import html_page, write_spec


def _pages(indexes: list[tuple[int, ...]], host: str, lang: str = "de") -> list[WarcRecordSpec]:
    """One page per tuple of paragraph indexes of a demo text (pages share no paragraph)."""
    paras = load_texts()[lang].paragraphs
    return [
        WarcRecordSpec(url=f"https://{host}/{n}", body=html_page("\n".join(paras[i] for i in idx), lang=lang).encode())
        for n, idx in enumerate(indexes)
    ]


def _two_releases(
    tmp_path, first_crawl, second_crawl, stage: str, bucket: str | None = None
) -> tuple[Path, Path, Path]:
    """Release 1 over `first_crawl` publishing `stage`'s index, then release 2 over `second_crawl` against
    that index (copied to `bucket` first when given), both with short pages kept; (release 1, its index, release 2)."""
    spec = write_spec(tmp_path / "spec.yaml", executor="local", workers=1)
    release1, release2 = tmp_path / "release1", tmp_path / "release2"
    index = release1 / "dedup_index" / stage
    runs = [(first_crawl, release1, "write_index=true"), (second_crawl, release2, f"index_dir=[{index}]")]
    for n, (records, out, setting) in enumerate(runs, 1):
        if n == 2 and bucket is not None:
            remote = storage.locate(f"{bucket}/releases/1/dedup_index/{stage}")
            for f in sorted(p for p in index.rglob("*") if p.is_file()):
                remote.fs.put_file(str(f), remote.child(f.relative_to(index).as_posix()).path)
            setting = f"index_dir=[{remote.url}]"
        write_warc(tmp_path / f"crawl{n}" / "a.warc.gz", records)
        args = ["run", str(spec), "--input", str(tmp_path / f"crawl{n}"), "--output", str(out)]
        assert main([*args, "--set", "stages.quality_filter.min_words=20", "--set", f"stages.{stage}.{setting}"]) == 0
    return release1, index, release2


def _table(out, sub):
    return pa.concat_tables([pq.read_table(f) for f in sorted((out / sub).glob("*.parquet"))])


def test_second_release_over_old_plus_new_input_emits_only_the_new_documents(tmp_path):
    _check_minhash_release(tmp_path, bucket=None)


@pytest.mark.slow
def test_an_earlier_release_index_on_object_storage_works_as_one_on_disk(tmp_path, s3, monkeypatch):
    _local_copies_in(tmp_path, monkeypatch)
    _check_minhash_release(tmp_path, bucket=s3)
    assert len(list((tmp_path / "tmp").glob("eurocurate-mirror-*"))) == 1  # the index was read from one local copy


def _check_minhash_release(tmp_path: Path, bucket: str | None) -> None:
    old = _pages([(i, i + 5) for i in range(5)], "news.example.de")
    # the second crawl fetched the same pages again (other URLs: mirrors) and five new ones
    refetched = [
        WarcRecordSpec(url=r.url.replace("news.", "mirror."), body=r.body, date="2026-12-01T00:00:00Z") for r in old
    ]
    new = _pages([(10 + i,) for i in range(5)], "fresh.example.de")
    release1, index, release2 = _two_releases(tmp_path, old, refetched + new, "minhash_dedup", bucket)
    assert index.is_dir()
    assert _table(release1, "provenance").num_rows == 5
    kept_urls = sorted(_table(release2, "provenance")["url"].to_pylist())
    assert kept_urls == sorted(r.url for r in new)
    ledger = _table(release2, "exclusions").to_pylist()
    earlier = [r for r in ledger if r["reason"] == Reason.IN_EARLIER_RELEASE]
    assert sorted(r["url"] for r in earlier) == sorted(r.url for r in refetched)


def test_second_release_with_the_url_index_drops_refetched_urls_even_with_new_content(tmp_path):
    _check_url_release(tmp_path, bucket=None)


@pytest.mark.slow
def test_an_earlier_release_url_index_on_object_storage_works_as_one_on_disk(tmp_path, s3, monkeypatch):
    _local_copies_in(tmp_path, monkeypatch)
    _check_url_release(tmp_path, bucket=s3)
    assert len(list((tmp_path / "tmp").glob("eurocurate-mirror-*"))) == 1


def _local_copies_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The local copy of a remote index goes to this test's folder, not the machine's /tmp (the local executor
    runs in this process)."""
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))


def _check_url_release(tmp_path: Path, bucket: str | None) -> None:
    old = _pages([(i, i + 5) for i in range(5)], "news.example.de")
    # the second crawl fetched the same URLs again (pages rewritten since: other text) and five new pages
    rewritten = [
        WarcRecordSpec(url=r.url, body=page.body, date="2026-12-01T00:00:00Z")
        for r, page in zip(old, _pages([(i, i + 5) for i in range(5)], "x", lang="fr"))
    ]
    new = _pages([(10 + i,) for i in range(5)], "fresh.example.de")
    release1, index, release2 = _two_releases(tmp_path, old, rewritten + new, "url_dedup", bucket)
    assert (index / "config.json").is_file()
    assert sorted(_table(release2, "provenance")["url"].to_pylist()) == sorted(r.url for r in new)
    ledger = _table(release2, "exclusions").to_pylist()
    earlier = [r for r in ledger if r["reason"] == Reason.URL_IN_EARLIER_RELEASE]
    assert sorted(r["url"] for r in earlier) == sorted(r.url for r in old)
    published = {r["doc_id"] for r in _table(release1, "provenance").to_pylist()}
    assert all(r["evidence"].split()[0].removeprefix("duplicate_of=") in published for r in earlier)
