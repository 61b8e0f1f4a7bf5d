"""Document filters: quality, opt-outs, personal data."""

from eurocurate.filters.quality import QualityFilter, QualityFilterParams

__all__ = ["QualityFilter", "QualityFilterParams"]
