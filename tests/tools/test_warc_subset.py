import gzip

import pytest

from eurocurate.pipelines.ingest.source_document import NotADocument
from eurocurate.pipelines.ingest.warc import WarcReader
from eurocurate.tools.bench_reference import response_ids
from eurocurate.tools.warc_subset import write_first_records
from eurocurate.tools.warc_writer import WarcRecordSpec, deterministic_record_id, record_bytes, write_warc
from tests.conftest import ENGLISH, html_page


def _crawl(warc_file, sizes: list[int]):
    """WARC files like a crawler's: a warcinfo record, then `size` HTML responses each, gzipped per record."""
    files, n = [], 0
    for f, size in enumerate(sizes):
        specs = [WarcRecordSpec("", b"software: test-crawler\r\n", record_type="warcinfo", record_id=f"<urn:f{f}>")]
        for _ in range(size):
            specs.append(
                WarcRecordSpec(f"https://site.example.eu/{n}.html", html_page(ENGLISH, title=f"Page {n}").encode())
            )
            n += 1
        files.append(warc_file(f"crawl-{f}.warc.gz", specs))
    return files


def _eurocurate_documents(path) -> list[str]:
    reader = WarcReader(files=[path.name], root=str(path.parent), out_dir="", work_dir="", sources={})
    return [d.key for d in reader.read_file(path, path.name) if not isinstance(d, NotADocument)]


def _datatrove_documents(folder) -> list[str]:
    from datatrove.pipeline.readers import WarcReader as DatatroveWarcReader

    return [d.id for d in DatatroveWarcReader(str(folder)).run()]


def test_subset_keeps_whole_records_in_file_order_and_both_readers_see_the_same_documents(warc_file, tmp_path):
    inputs = _crawl(warc_file, [4, 3, 2])
    wanted = [deterministic_record_id(f"https://site.example.eu/{n}.html", "response") for n in range(6)]

    written, taken = write_first_records(inputs, 6, tmp_path / "subset")

    assert taken == 6 and [p.name for p in written] == ["crawl-0.warc.gz", "crawl-1.warc.gz"]  # the third: none
    assert written[0].read_bytes() == inputs[0].read_bytes()  # a file wholly inside the limit: byte for byte
    # the second file up to the end of its second response: warcinfo + 2 records, each a whole gzip member
    cut = written[1].read_bytes()
    assert inputs[1].read_bytes().startswith(cut)
    assert gzip.decompress(cut).count(b"WARC-Type: response") == 2
    assert gzip.decompress(cut).endswith(b"</html>\r\n\r\n")
    # the benchmark's two sides: the reference's input count, datatrove's reader, eurocurate's reader
    assert response_ids(written) == wanted
    assert sorted(_datatrove_documents(tmp_path / "subset")) == sorted(wanted)
    assert [i for p in written for i in _eurocurate_documents(p)] == wanted


def test_a_limit_beyond_the_input_copies_every_file_and_says_how_many_it_holds(warc_file, tmp_path):
    inputs = _crawl(warc_file, [2, 1])
    written, taken = write_first_records(inputs, 1000, tmp_path / "subset")
    assert taken == 3 and [p.read_bytes() for p in written] == [p.read_bytes() for p in inputs]


def test_a_rerun_with_a_smaller_limit_leaves_no_file_of_the_larger_one(warc_file, tmp_path):
    inputs = _crawl(warc_file, [2, 2])
    write_first_records(inputs, 4, tmp_path / "subset")
    written, taken = write_first_records(inputs, 1, tmp_path / "subset")
    assert taken == 1 and sorted(p.name for p in (tmp_path / "subset").iterdir()) == ["crawl-0.warc.gz"]
    assert response_ids(written) == [deterministic_record_id("https://site.example.eu/0.html", "response")]


def test_a_file_gzipped_as_one_stream_is_refused_with_the_reason(tmp_path):
    specs = [WarcRecordSpec(f"https://site.example.eu/{n}.html", html_page(ENGLISH).encode()) for n in range(3)]
    one_stream = tmp_path / "one-stream.warc.gz"
    one_stream.write_bytes(gzip.compress(b"".join(record_bytes(s) for s in specs)))
    with pytest.raises(ValueError, match="gzipped per record"):
        write_first_records([one_stream], 2, tmp_path / "subset")


def test_an_uncompressed_warc_is_cut_at_a_record_boundary(tmp_path):
    specs = [WarcRecordSpec(f"https://site.example.eu/{n}.html", html_page(ENGLISH).encode()) for n in range(3)]
    plain = tmp_path / "plain.warc"
    offsets = write_warc(plain, specs)
    written, taken = write_first_records([plain], 2, tmp_path / "subset")
    assert taken == 2 and written[0].read_bytes() == plain.read_bytes()[: offsets[2]]


def test_a_limit_below_one_is_an_error(warc_file, tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        write_first_records(_crawl(warc_file, [1]), 0, tmp_path / "subset")
