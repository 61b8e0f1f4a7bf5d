"""Property-based attacks (hypothesis) on what parses untrusted bytes: the WARC and ARC record readers,
HTTP header blocks, TDMRep files and values, PDF stream dictionaries and filters.

Properties: no exception ever leaves a reader; every record of a damaged archive is accounted for as a
document or a drop; a record whose own bytes or Content-Length are damaged costs no other record. The
budget is the hypothesis profile (tests/conftest.py): small in `make test`, large in `make fuzz`.
"""

from __future__ import annotations

import contextlib
import gzip
import tempfile
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

from eurocurate.filters.optout.tdmrep import decide_tdmrep, location_matches, match_file, parse_tdmrep_file
from eurocurate.pipelines.ingest.arc import arc_documents
from eurocurate.pipelines.ingest.formats import read_source
from eurocurate.pipelines.ingest.pdf_streams import WORST_RATIO, decoded_size_past, parse_object
from eurocurate.pipelines.ingest.records import HttpPayload, parse_http_block
from eurocurate.pipelines.ingest.source_document import NotADocument, ReadLimits, SourceDocument
from eurocurate.pipelines.ingest.warc import WarcReader
from eurocurate.schema import Stat
from eurocurate.stage import Drop
from tests.pipelines.ingest.conftest import arc_record, http_response, write_arc
from tests.pipelines.ingest.hostile import lying, page_record

N_RECORDS = 4
LIMITS = ReadLimits(max_bytes=1 << 16)


def _write(data: bytes, name: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    path = folder / name
    path.write_bytes(data)
    return path


def _records() -> list[bytes]:
    return [page_record(i) for i in range(N_RECORDS)]


def _pack(records: list[bytes], gz: bool) -> bytes:
    return b"".join(gzip.compress(r, mtime=0) for r in records) if gz else b"".join(records)


def _read_all(path: Path, fmt: str = "warc") -> list[SourceDocument | NotADocument]:
    items = list(read_source(path, fmt, LIMITS))  # raises, if anything does: the property fails
    assert all(isinstance(i, SourceDocument | NotADocument) for i in items)
    assert all(i.problem is None or isinstance(i.problem, Drop) for i in items if isinstance(i, SourceDocument))
    return items


def _kept_urls(items: list[SourceDocument | NotADocument]) -> set[str]:
    return {str(i.metadata.get("url")) for i in items if isinstance(i, SourceDocument) and i.problem is None}


@given(st.binary(max_size=4096), st.sampled_from(["x.warc", "x.warc.gz"]))
def test_random_bytes_never_raise_out_of_the_warc_reader(data, name):
    _read_all(_write(data, name))


@given(st.binary(max_size=4096), st.sampled_from(["x.arc", "x.arc.gz"]))
def test_random_bytes_never_raise_out_of_the_arc_reader(data, name):
    items = list(arc_documents(_write(data, name), LIMITS))
    assert all(isinstance(i, SourceDocument | NotADocument) for i in items)


@given(st.booleans(), st.data())
def test_a_truncated_archive_keeps_every_record_before_the_cut(gz, data):
    records = _records()
    blob = _pack(records, gz)
    cut = data.draw(st.integers(0, len(blob)))
    items = _read_all(_write(blob[:cut], "t.warc.gz" if gz else "t.warc"))
    ends = [sum(len(gzip.compress(r, mtime=0) if gz else r) for r in records[: i + 1]) for i in range(N_RECORDS)]
    whole = {f"https://example.eu/ordinary/{i}" for i, end in enumerate(ends) if end <= cut}
    assert whole <= _kept_urls(items)
    # what is cut is a drop, never silently gone: kept and dropped together cover every record begun
    begun = sum(1 for i in range(N_RECORDS) if (ends[i - 1] if i else 0) < cut)
    assert len([i for i in items if isinstance(i, SourceDocument)]) >= begun


@given(st.booleans(), st.integers(0, N_RECORDS - 1), st.integers(0, 10**9))
def test_a_lying_content_length_costs_no_other_record(gz, victim, length):
    records = _records()
    real = len(records[victim]) - records[victim].find(b"\r\n\r\n") - 8  # the block, without its separator
    rest = sum(len(r) for r in records[victim + 1 :])
    # Not attacked here (a known limit): a length that ends exactly at a later record's separator makes
    # the records in between part of the block, like a record that holds them; in a WARC gzipped per
    # record, a long length that stays inside the file is read across the members it spans.
    ends = [real + sum(len(r) for r in records[victim + 1 : j + 1]) for j in range(victim + 1, N_RECORDS)]
    assume(not any(end - 4 <= length <= end + 4 for end in ends))
    if gz:
        assume(length < real or length > real + rest)
    records[victim] = lying(records[victim], length)
    items = _read_all(_write(_pack(records, gz), "l.warc.gz" if gz else "l.warc"))
    others = {f"https://example.eu/ordinary/{i}" for i in range(N_RECORDS) if i != victim}
    assert others <= _kept_urls(items)


@given(st.integers(0, N_RECORDS - 1), st.data())
def test_a_damaged_gzip_member_costs_no_other_record(victim, data):
    members = [gzip.compress(r, mtime=0) for r in _records()]
    damaged = bytearray(members[victim])
    for _ in range(data.draw(st.integers(1, 8))):
        # the gzip header's first bytes stay: a member that does not start as one is found by no scan
        damaged[data.draw(st.integers(10, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    members[victim] = bytes(damaged)
    items = _read_all(_write(b"".join(members), "d.warc.gz"))
    others = {f"https://example.eu/ordinary/{i}" for i in range(N_RECORDS) if i != victim}
    assert others <= _kept_urls(items)


@given(st.booleans(), st.data())
def test_the_stage_accounts_for_every_document_of_a_mutated_archive(gz, data):
    blob = bytearray(_pack(_records(), gz))
    for _ in range(data.draw(st.integers(1, 6))):
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    path = _write(bytes(blob), "m.warc.gz" if gz else "m.warc")
    step = WarcReader([path.name], str(path.parent), str(path.parent / "out"), str(path.parent / "work"), {})
    kept = list(step.run(None))
    stats = {k: v.total for k, v in step.stats.stats.items()}
    assert stats.get(Stat.TOTAL, 0) == len(kept) + stats.get(Stat.DROPPED, 0)
    assert not any(k.endswith("error.stage_exception") for k in stats)  # no reader failed unforeseen


@given(st.booleans(), st.data())
def test_a_mutated_arc_file_is_read_without_an_exception(gz, data):
    records = [arc_record(f"http://www.example.cz/{i}", http_response(b"<p>page %d</p>" % i)) for i in range(3)]
    path = write_arc(Path(tempfile.mkdtemp(prefix="fuzz-")) / ("a.arc.gz" if gz else "a.arc"), records,
                     "per_record" if gz else "plain")  # fmt: skip
    blob = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(blob)))
    path.write_bytes(bytes(blob[:cut]))
    _read_all(path, "arc")


_HEADER_NAMES = st.sampled_from(
    ["Content-Type", "Content-Encoding", "Transfer-Encoding", "tdm-reservation", "X-Robots-Tag", "Link", "X"]
)
_HEADER_VALUES = st.one_of(
    st.sampled_from(["gzip", "deflate", "x-gzip", "br", "chunked", "identity", "text/html", "1", "0"]),
    st.text(max_size=40).map(lambda t: t.replace("\r", "").replace("\n", "")),
)


@given(
    st.text(max_size=30).map(lambda t: t.replace("\r", "").replace("\n", "")),
    st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES), max_size=6),
    st.binary(max_size=512),
    st.sampled_from([b"\r\n\r\n", b"\n\n", b""]),
)
def test_http_header_blocks_parse_or_drop_never_raise(status_line, headers, body, separator):
    head = "\r\n".join([status_line, *(f"{k}: {v}" for k, v in headers)]).encode("utf-8", "surrogatepass")
    got = parse_http_block(head + separator + body, max_bytes=4096)
    assert isinstance(got, HttpPayload | Drop)
    if isinstance(got, HttpPayload):
        assert len(got.body) <= max(4096, len(body))


@given(st.binary(max_size=2048))
def test_random_http_blocks_parse_or_drop(block):
    assert isinstance(parse_http_block(block, max_bytes=4096), HttpPayload | Drop)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
_TDM_ITEM = st.fixed_dictionaries(
    {"location": st.text(max_size=20)},
    optional={"tdm-reservation": _JSON, "tdm-policy": _JSON},
)


@given(st.one_of(st.text(max_size=300), st.lists(_TDM_ITEM, max_size=5).map(__import__("json").dumps), _JSON.map(str)))
def test_tdmrep_files_parse_to_rules_or_nothing(body):
    rules = parse_tdmrep_file(body)
    assert all(r.reservation in (None, 0, 1) for r in rules)


@given(
    st.text(max_size=60),
    st.lists(_TDM_ITEM, max_size=4).map(lambda items: parse_tdmrep_file(__import__("json").dumps(items))),
    st.lists(st.text(max_size=10), max_size=3),
    st.lists(st.text(max_size=10), max_size=3),
)
def test_tdmrep_decisions_never_raise(url, rules, headers, metas):
    decision = decide_tdmrep(url, rules, headers, metas)
    assert decision.reserved in (None, True, False) and decision.ignored_values >= 0


_PATH_CHARS = st.text(alphabet="/ab*$.?=", max_size=12)


@given(_PATH_CHARS, st.text(alphabet="/ab.?=", max_size=16))
def test_tdmrep_location_matching_agrees_with_the_pattern_as_a_regular_expression(location, path):
    import re

    anchored = location.endswith("$")
    regex = re.escape(location.rstrip("$")).replace(r"\*", ".*") + ("$" if anchored else "")
    assert location_matches(location, path) == bool(re.match(regex, path))


def test_a_backtracking_tdmrep_location_is_matched_in_linear_time():
    # as a regular expression this took 36 s for one URL (10 stars); 10,000 stars now match at once
    rules = parse_tdmrep_file('[{"location": "/' + "*a" * 10_000 + '*b", "tdm-reservation": 1}]')
    assert match_file(rules, "https://x.eu/" + "a" * 10_000) is None
    assert match_file(rules, "https://x.eu/" + "a" * 10_000 + "b") is rules[0]


_FILTERS = st.lists(st.sampled_from([*WORST_RATIO, "DCTDecode", "Crypt"]), max_size=3)
_PDF_TOKENS = st.sampled_from(
    [b"<<", b">>", b"[", b"]", b"(", b")", b"\\", b"/Filter", b"/Fl#61te", b"/LZW", b" 1 0 obj ", b" 3 0 R",
     b"stream\n", b"endstream", b"%", b"\n", b"/Length 9", b"<0A>", b"1.5"]
)  # fmt: skip


@given(st.binary(max_size=2000), _FILTERS)
def test_pdf_stream_decoders_never_raise_and_stay_within_the_limit(data, filters):
    size = decoded_size_past(data, filters, 1 << 12)
    assert size is None or size > 1 << 12


@given(st.lists(st.one_of(_PDF_TOKENS, st.binary(max_size=8)), max_size=60))
def test_a_pdf_object_parser_raises_only_value_errors_and_a_pdf_of_garbage_is_a_drop(parts):
    data = b"".join(parts)
    with contextlib.suppress(ValueError, RecursionError):
        parse_object(data, 0)
    path = _write(b"%PDF-1.7\n" + data, "fuzz.pdf")
    [doc] = list(read_source(path, "pdf", LIMITS))
    assert isinstance(doc, SourceDocument)
