"""Packing shared by `pull --seq-len` and the `pack_sequences` stage: separators, rows that keep documents whole
(padded), and the flags a trainer needs to mask attention across documents."""

from __future__ import annotations

import pytest

from eurocurate.pipelines.output.mixing import PulledDocument
from eurocurate.pipelines.output.sequences import pack, with_separators

PAD, BOS, EOS = 0, 1, 2


def _docs(lengths: list[int], eos: bool = True) -> list[PulledDocument]:
    return [PulledDocument(f"d{i}", "de", [100 + i] * (n - 1) + ([EOS] if eos else [100 + i]), False) for i, n in
            enumerate(lengths)]  # fmt: skip


def test_separators_are_added_only_where_the_stored_ids_lack_them():
    docs = [PulledDocument("a", "de", [5, 6], False), PulledDocument("b", "de", [BOS, 7, EOS], False)]
    assert [d.input_ids for d in with_separators(docs, EOS)] == [[5, 6, EOS], [BOS, 7, EOS]]
    assert [d.input_ids for d in with_separators(docs, EOS, BOS)] == [[BOS, 5, 6, EOS], [BOS, 7, EOS]]


def test_without_splitting_a_document_that_does_not_fit_starts_the_next_row_and_the_row_is_padded():
    rows = list(pack(_docs([3, 2, 4, 6, 2]), seq_len=5, split=False, pad_id=PAD))
    assert [r.input_ids for r in rows] == [
        [100, 100, EOS, 101, EOS],
        [102, 102, 102, EOS, PAD],
        [103, 103, 103, 103, 103],  # longer than a row: split, as it has to be
        [EOS, 104, EOS, PAD, PAD],  # the last row is padded, not dropped
    ]
    assert [(r.doc_ids, r.document_starts, r.continues, r.padding) for r in rows] == [
        (["d0", "d1"], [0, 3], False, 0),
        (["d2"], [0], False, 1),
        (["d3"], [0], False, 0),
        (["d3", "d4"], [0, 1], True, 2),
    ]
    assert [r.position for r in rows] == [0, 1, 2, 3]


def test_padding_without_a_pad_token_is_refused():
    with pytest.raises(ValueError, match="declares no pad token"):
        list(pack(_docs([3]), 4, split=False))
