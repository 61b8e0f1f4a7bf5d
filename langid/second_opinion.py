"""lingua-language-detector restricted to a confusable group: the second opinion on texts fastText is unsure of.

Owns the detectors (one per language set; cheap to build, because lingua keeps loaded models in one
process-wide cache that `preload` fills up front) and turning lingua's confidences into
{iso code: probability}. When to ask is
`langid.identifier`'s decision.
"""

from __future__ import annotations

from functools import cache, lru_cache

from eurocurate.langid.languages import LINGUA_NAME


@cache  # sets that occur are few; a detector shares the cached models
def _detector(codes: tuple[str, ...]):  # -> lingua.LanguageDetector (compiled extension, untyped)
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, LINGUA_NAME[c]) for c in codes]
    return LanguageDetectorBuilder.from_languages(*languages).build()


_CODE_OF: dict[str, str] = {name: code for code, name in LINGUA_NAME.items()}


def lingua_known(codes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The codes among `codes` that lingua has a model for, sorted (the detector cache key)."""
    return tuple(sorted({c for c in codes if c in LINGUA_NAME}))


def lingua_probabilities(text: str, codes: tuple[str, ...]) -> dict[str, float]:
    """lingua's confidence for each of `codes` (which it must know; at least two), summing to 1 or all 0."""
    detector = _detector(codes)
    try:
        values = detector.compute_language_confidence_values(text)
    except UnicodeEncodeError:  # lone surrogates from a broken page: read what can be read
        values = detector.compute_language_confidence_values(text.encode("utf-8", "replace").decode("utf-8"))
    return {_CODE_OF[v.language.name]: float(v.value) for v in values}


@lru_cache(maxsize=1)
def preload(codes: tuple[str, ...] = tuple(sorted(LINGUA_NAME))) -> None:
    """Load the models of `codes` into lingua's cache now (once per process, a few seconds) rather than
    on the first unsure text of each language."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, LINGUA_NAME[c]) for c in codes]
    LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
