"""`pull --seq-len`'s packing, under the names `pull` code imports; it lives in
`eurocurate.pipelines.output.sequences`, below both `pull` and the `pack_sequences` stage."""

from __future__ import annotations

from eurocurate.pipelines.output.sequences import PackedRow, pack, packed_rows, sequence_schema, with_separators

__all__ = ["PackedRow", "pack", "packed_rows", "sequence_schema", "with_separators"]
