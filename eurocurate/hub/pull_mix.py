"""Pull a token mix from wherever a run lives: a local output folder or a Hub dataset repo.

Owns the choice between the two sources (`pull` reads a folder, `hub_pull` a repo; both give the
same documents in the same order) and writing the stream to one Parquet file for a trainer. The
mixing (quotas, interleaving, cuts) is `pull`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from eurocurate.hub.pull import PulledDocument, PullError, pull

PULL_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("lang", pa.string()),
        ("input_ids", pa.list_(pa.uint32())),
        ("truncated", pa.bool_()),
    ]
)


def pull_any(
    source: str | Path,
    langs: list[str],
    weights: list[float] | None = None,
    tokens: int | None = None,
    *,
    revision: str | None = None,
    endpoint: str | None = None,
) -> Iterator[PulledDocument]:
    """Stream the mix from `source`: a run's output folder if it is a folder, else the Hub dataset ORG/NAME
    (at `revision`, on `endpoint`). Raises `PullError` for a source that is neither, or a request the
    source cannot serve."""
    path = Path(source)
    if path.is_dir():
        return pull(path, langs, weights, tokens)
    if str(source).count("/") != 1:
        raise PullError(f"{path} is neither a folder nor a Hub dataset id (ORG/NAME)")
    from eurocurate.hub.hub_pull import pull_from_hub  # the Hub client is only imported when it is used

    return pull_from_hub(str(source), langs, weights, tokens, revision=revision, endpoint=endpoint)


def pull_mix(
    source: str | Path,
    langs: list[str],
    weights: list[float] | None = None,
    tokens: int | None = None,
    *,
    output: str | Path | None = None,
    revision: str | None = None,
    endpoint: str | None = None,
) -> dict[str, int]:
    """Pull the mix (see `pull_any`) and return the tokens pulled per language, in `langs` order; with
    `output`, also write the stream to that Parquet file (doc_id, lang, input_ids, truncated; zstd)."""
    totals: dict[str, int] = dict.fromkeys(langs, 0)
    rows: dict[str, list] = {name: [] for name in PULL_SCHEMA.names}
    for doc in pull_any(source, langs, weights, tokens, revision=revision, endpoint=endpoint):
        totals[doc.lang] += len(doc.input_ids)
        if output:
            for name in rows:
                rows[name].append(getattr(doc, name))
    if output:
        pq.write_table(pa.table(rows, schema=PULL_SCHEMA), output, compression="zstd")
    return totals
