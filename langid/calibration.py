"""Per-language thresholds of language ID, derived from pages of known language.

Owns two derivations: reading labelled pages exactly as `identify_document` samples them and turning
fastText's probabilities into `document_sure_scores`; and the per-language `min_scores` of the stage from
the document scores of wanted and unwanted pages (`derive_min_scores`, run by `tools/derive_min_scores.py`
on held-out folds). Used by the evaluations and by whoever re-tunes the defaults; nothing reads it at run time.
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


@dataclass
class ScoredPages:
    """Document scores of pages by the language they were labelled, split by whether they should be kept."""

    wanted: dict[str, list[float]] = field(default_factory=dict)  # label == the page's language, a good page
    unwanted: dict[str, list[float]] = field(default_factory=dict)  # another language's page, or a low-quality one

    def add(self, label: str, score: float, wanted: bool) -> None:
        (self.wanted if wanted else self.unwanted).setdefault(label, []).append(score)


def min_score_grid(default: float, floor: float = 0.10, step: float = 0.05) -> list[float]:
    """The candidate thresholds, from `floor` up to `default` in `step`s (`default` included)."""
    grid = [round(floor + i * step, 2) for i in range(int(round((default - floor) / step)) + 1)]
    return sorted({v for v in grid if v < default} | {default})


def derive_min_scores(pages: ScoredPages, default: float, floor: float = 0.10, step: float = 0.05) -> dict[str, float]:
    """Per label: the lowest threshold on `min_score_grid` that lets through no more unwanted pages than
    `default` does (a page of another language, or a low-quality page, labelled so). Lowering a threshold
    keeps more good pages; it is only done as far as the unwanted pages say it costs nothing. Labels whose
    lowest such threshold is `default` get no entry (they use the global value)."""
    grid = min_score_grid(default, floor, step)
    scores = {}
    for lang in sorted(set(pages.wanted) | set(pages.unwanted)):
        unwanted = pages.unwanted.get(lang, [])
        allowed = sum(s >= default for s in unwanted)
        best = next(t for t in grid if sum(s >= t for s in unwanted) <= allowed)
        if best < default:
            scores[lang] = best
    return scores


def kept_share(scores: list[float], threshold: float) -> float:
    return sum(s >= threshold for s in scores) / len(scores) if scores else 1.0
