import pyarrow as pa
import pytest

from eurocurate.dedup.url import normalise_url, url_key
from eurocurate.dedup.url_stage import find_url_duplicates


@pytest.mark.parametrize(
    "url, expected",
    [
        ("HTTP://Example.COM/Path", "http://example.com/Path"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a?utm_source=x&id=7&UTM_Campaign=y&fbclid=z", "https://example.com/a?id=7"),
        ("https://example.com/a?", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),
        ("http://[2001:db8::1]:80/x", "http://[2001:db8::1]/x"),
        ("https://Example.com./", "https://example.com/"),
    ],
)
def test_normalise_url(url, expected):
    assert normalise_url(url) == expected


def test_unparsable_url_does_not_raise():
    assert normalise_url("http://exa mple.com:99999/") == "http://exa mple.com:99999/"


def test_latest_fetch_wins_and_ties_go_to_input_order():
    rows = [
        ("d1", "https://e.eu/a?utm_source=n", "2024-01-01T00:00:00Z", "f\x000001"),
        ("d2", "https://E.eu/a", "2025-03-01T00:00:00Z", "f\x000002"),
        ("d3", "https://e.eu/a#top", "2023-01-01T00:00:00Z", "f\x000003"),
        ("t2", "https://e.eu/b", "2024-01-01T00:00:00Z", "f\x000009"),
        ("t1", "https://e.eu/b", "2024-01-01T00:00:00Z", "f\x000008"),
        ("u", "https://e.eu/c", "2024-01-01T00:00:00Z", "f\x000010"),
    ]
    table = pa.table(
        {
            "url_hash": pa.array([url_key(r[1]) for r in rows], pa.uint64()),
            "fetch_date": [r[2] for r in rows],
            "order_key": [r[3] for r in rows],
            "doc_id": [r[0] for r in rows],
            "url": [r[1] for r in rows],
            "rank": pa.array([0] * len(rows), pa.int32()),
        }
    )
    dups = find_url_duplicates(table)
    assert sorted(zip(dups["doc_id"].to_pylist(), dups["duplicate_of"].to_pylist())) == [
        ("d1", "d2"),
        ("d3", "d2"),
        ("t2", "t1"),
    ]


def test_the_latest_fetch_is_told_by_time_not_by_how_the_date_is_written():
    """`10:00+02:00` is 08:00 UTC, before `09:00Z`; `09:00:00.500Z` is after `09:00:00Z`. Compared as text, both pairs
    came out the other way and URL dedup kept the older fetch."""
    from eurocurate.dedup.url_stage import sortable_utc

    assert sortable_utc("2024-01-01T10:00:00+02:00") < sortable_utc("2024-01-01T09:00:00Z")
    assert sortable_utc("2024-01-01T09:00:00Z") < sortable_utc("2024-01-01T09:00:00.500Z")
    assert sortable_utc("no date") == sortable_utc(None) == "" < sortable_utc("1999-12-31")
