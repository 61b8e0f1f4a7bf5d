"""Deduplication: exact content hashes, normalised URLs and MinHash-LSH near-duplicates.

Each family has the same three parts: a map-side step that records keys, a bucketed barrier that
decides, and a ledger stage after the barrier that drops (see `exact`, `url_stage`, `minhash_stage`).
"""

from eurocurate.dedup.exact import (
    ContentHasher,
    ExactDuplicateFilter,
    ExactDuplicateIndex,
    content_hash,
    find_exact_duplicates,
)
from eurocurate.dedup.minhash import MinhashConfig, band_keys, signatures
from eurocurate.dedup.url import normalise_url

__all__ = [
    "ContentHasher",
    "ExactDuplicateFilter",
    "ExactDuplicateIndex",
    "MinhashConfig",
    "band_keys",
    "content_hash",
    "find_exact_duplicates",
    "normalise_url",
    "signatures",
]
