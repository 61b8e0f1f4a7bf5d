"""Filters that decide whether a document is kept: `quality/` (rule sets), later `pii/` and `optout/`."""

from eurocurate.filters.quality import GopherQualityFilter, GopherThresholds

__all__ = ["GopherQualityFilter", "GopherThresholds"]
