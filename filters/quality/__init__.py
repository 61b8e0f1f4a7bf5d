"""Quality rules: statistics measured once per document, thresholds applied from the stored values."""

from eurocurate.filters.quality.gopher import GopherQualityFilter, GopherThresholds, gopher_verdict, quality_stats

__all__ = ["GopherQualityFilter", "GopherThresholds", "gopher_verdict", "quality_stats"]
