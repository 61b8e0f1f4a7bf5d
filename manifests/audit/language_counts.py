"""Documents per language of a finished run, for run.json's totals: kept documents by language (provenance
table) and the documents the langid stage dropped as neither EU-24 nor routed, by identified language
(exclusion ledger). Routing itself is `langid.step`; what the release documents say is `manifests.release`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from eurocurate.files import read_parquet
from eurocurate.layout import OutputLayout
from eurocurate.schema import EU24, Meta, Reason

_EU24 = frozenset(EU24)
UNLABELLED = "und"  # a kept document without a language label (a spec without the langid stage)


def documents_by_language(out: str | Path) -> dict[str, int]:
    """Kept documents per language label, from the provenance table."""
    counts: Counter[str] = Counter()
    for f in OutputLayout(out).provenance_files():
        parquet = pq.ParquetFile(f)
        if Meta.LANG in parquet.schema_arrow.names:
            counts.update(lang or UNLABELLED for lang in parquet.read(columns=[Meta.LANG])[Meta.LANG].to_pylist())
        else:
            counts[UNLABELLED] += parquet.metadata.num_rows
    return dict(sorted(counts.items()))


def excluded_non_eu24(out: str | Path) -> dict[str, int]:
    """Documents dropped as `langid.not_eu24` (neither EU-24 nor routed), per language the identifier gave."""
    counts: Counter[str] = Counter()
    for f in OutputLayout(out).exclusion_files():
        table = read_parquet(f, ["reason", "lang"])
        hits = table.filter(pc.equal(table["reason"], Reason.LANG_NOT_EU))
        counts.update(lang or UNLABELLED for lang in hits["lang"].to_pylist())
    return dict(sorted(counts.items()))


def routed_non_eu24(documents: dict[str, int]) -> dict[str, int]:
    """The part of `documents_by_language` in languages other than the EU-24 (kept because a spec routed them)."""
    return {lang: n for lang, n in documents.items() if lang not in _EU24 and lang != UNLABELLED}
