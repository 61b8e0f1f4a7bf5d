"""Quality filtering: Gopher, C4 and FineWeb rule families with per-language configurations."""

from eurocurate.filters.quality.params import LanguageQualityConfig, load_language_config
from eurocurate.filters.quality.step import QualityFilter, QualityFilterParams, assess_quality

__all__ = ["LanguageQualityConfig", "QualityFilter", "QualityFilterParams", "assess_quality", "load_language_config"]
