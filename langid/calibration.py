"""Per-language thresholds of the whole-document reading, derived from pages of known language.

Owns reading labelled pages exactly as `identify_document` samples them and turning fastText's
probabilities into `document_sure_scores`. Used by the evaluation (which prints derived against
configured values) and by whoever re-tunes the defaults; nothing reads it at run time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from eurocurate.langid.document import document_sample
from eurocurate.langid.identifier import EuLanguageIdentifier


@dataclass
class DocumentReadings:
    """fastText's top probability on the document sample of pages whose language is known."""

    right: dict[str, list[float]] = field(default_factory=dict)  # gold language -> p, where the top label is right
    wrong: dict[str, float] = field(default_factory=dict)  # label -> highest p it got on a page in another language


def read_pages(identifier: EuLanguageIdentifier, pages: Iterable[tuple[str, str]]) -> DocumentReadings:
    """Read (text, language) pages the way the whole-document reading does."""
    readings = DocumentReadings()
    for text, gold in pages:
        parts = document_sample(text, identifier.config)
        if not parts:
            continue
        ft: dict[str, float] = {}
        n = sum(len(part) for part in parts)
        for part in parts:
            for code, q in identifier.fasttext_top(part).items():
                ft[code] = ft.get(code, 0.0) + q * len(part) / n
        top = max(ft, key=ft.__getitem__)
        if top == gold:
            readings.right.setdefault(gold, []).append(ft[top])
        else:
            readings.wrong[top] = max(readings.wrong.get(top, 0.0), ft[top])
    return readings


def document_sure_scores(
    readings: DocumentReadings, quantile: float = 0.10, floor: float = 0.80, cap: float = 0.95, step: float = 0.05
) -> dict[str, float]:
    """Per language: the `quantile` of fastText's probability on its pages, rounded down to `step`, within
    [`floor`, `cap`]. `floor` must stay above every probability in `readings.wrong`."""
    scores = {}
    for lang, ps in sorted(readings.right.items()):
        ps = sorted(ps)
        q = ps[min(len(ps) - 1, int(quantile * len(ps)))]
        scores[lang] = round(min(cap, max(floor, math.floor(q / step + 1e-9) * step)), 2)
    return scores
