"""Deduplication: exact content hashes today (hash in the map stage, bucketed barrier, drop after it)."""

from eurocurate.dedup.exact import (
    ContentHasher,
    ExactDuplicateFilter,
    ExactDuplicateIndex,
    content_hash,
    find_exact_duplicates,
)

__all__ = ["ContentHasher", "ExactDuplicateFilter", "ExactDuplicateIndex", "content_hash", "find_exact_duplicates"]
