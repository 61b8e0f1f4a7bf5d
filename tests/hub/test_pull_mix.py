"""Pulling a mix from Python: a folder source is read locally, the stream lands in one Parquet file."""

import pyarrow.parquet as pq
import pytest

from eurocurate.hub.pull import PullError, available_tokens
from eurocurate.hub.pull_mix import pull_mix


def test_pull_mix_from_a_run_folder_returns_tokens_per_language_and_writes_them(local_run, tmp_path):
    have = available_tokens(local_run)
    langs = sorted(have)[:2]
    totals = pull_mix(local_run, langs, output=tmp_path / "mix.parquet")
    assert list(totals) == langs and all(n > 0 for n in totals.values())
    table = pq.read_table(tmp_path / "mix.parquet")
    assert table.column_names == ["doc_id", "lang", "input_ids", "truncated"]
    assert sum(len(ids) for ids in table["input_ids"].to_pylist()) == sum(totals.values())


def test_pull_mix_refuses_a_source_that_is_neither_folder_nor_hub_id(tmp_path):
    with pytest.raises(PullError, match="neither a folder nor a Hub dataset id"):
        pull_mix(tmp_path / "missing", ["de"])
