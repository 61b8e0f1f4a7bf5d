"""Paragraph-level language of a document: primary language, share of characters per language, segments.

Owns splitting a document into newline-separated paragraphs, reading a bounded sample of each
(so long documents cost no more than `max_chars`), letting short paragraphs inherit a language,
and the character shares. The decision for one paragraph is `EuLanguageIdentifier.identify_text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from eurocurate.langid.identifier import EuLanguageIdentifier, FirstPass, LangGuess
from eurocurate.schema import EU24
from eurocurate.langid.languages import CONFUSABLE_GROUPS, GROUP_OF, OTHER, UNDETERMINED

_LINE = re.compile(r"[^\n]+")
EU24_SET = frozenset(EU24)


@dataclass(frozen=True, slots=True)
class Segment:
    """One paragraph: `text[start:end]` of the document, its language and score; `inherited` if too short to read."""

    start: int
    end: int
    lang: str
    score: float
    inherited: bool = False


@dataclass(frozen=True, slots=True)
class DocumentLanguage:
    lang: str  # primary language: most characters
    score: float  # character-weighted score of the primary language's paragraphs
    shares: dict[str, float] = field(default_factory=dict)  # language -> share of characters, sums to 1
    segments: tuple[Segment, ...] = ()


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _LINE.finditer(text):
        start, end = m.span()
        chunk = m.group()
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((start + lead, start + lead + len(stripped)))
    return spans


def _read_plan(lengths: list[int], min_chars: int, per_paragraph: int, min_sample: int, budget: int) -> dict[int, int]:
    """Which paragraphs to read and how many characters of each, within the document budget."""
    long = [i for i, n in enumerate(lengths) if n >= min_chars]
    if not long:
        return {}
    cap = max(min_sample, min(per_paragraph, budget // len(long)))
    if cap * len(long) > budget:  # too many paragraphs even at the minimum: read an even subset
        keep = max(1, budget // cap)
        step = len(long) / keep
        long = sorted({long[int(k * step)] for k in range(keep)})
    return {i: cap for i in long}


def _inherit(labels: list[LangGuess | None], primary: str) -> list[tuple[LangGuess, bool]]:
    """Short paragraphs take the language of equal neighbours, else the document's primary language."""
    out: list[tuple[LangGuess, bool]] = []
    n = len(labels)
    prev_known: list[LangGuess | None] = [None] * n
    last = None
    for i, g in enumerate(labels):
        if g is not None and g.lang != UNDETERMINED:
            last = g
        prev_known[i] = last
    next_known: list[LangGuess | None] = [None] * n
    last = None
    for i in range(n - 1, -1, -1):
        g = labels[i]
        if g is not None and g.lang != UNDETERMINED:
            last = g
        next_known[i] = last
    for i, g in enumerate(labels):
        if g is not None and g.lang != UNDETERMINED:
            out.append((g, False))
            continue
        before, after = prev_known[i], next_known[i]
        if before is not None and after is not None and before.lang == after.lang:
            out.append((LangGuess(before.lang, min(before.score, after.score), "inherited"), True))
        else:
            out.append((LangGuess(primary, 0.0, "inherited"), True))
    return out


def identify_document(identifier: EuLanguageIdentifier, text: str) -> DocumentLanguage:
    """Primary language, shares and per-paragraph segments of `text`."""
    cfg = identifier.config
    spans = _paragraphs(text)
    if not spans:
        return DocumentLanguage(UNDETERMINED, 0.0, {}, ())
    lengths = [e - s for s, e in spans]
    plan = _read_plan(lengths, cfg.paragraph_min_chars, cfg.paragraph_chars, cfg.min_sample_chars, cfg.max_chars)
    if not plan:  # only short lines: read them together as one text
        joined = " ".join(text[s:e] for s, e in spans)[: cfg.max_chars]
        g = identifier.identify_text(joined)
        segs = tuple(Segment(s, e, g.lang, g.score) for s, e in spans)
        return DocumentLanguage(g.lang, g.score, {g.lang: 1.0}, segs)
    labels = _label_paragraphs(identifier, text, spans, plan)
    primary = _primary(labels, lengths)
    # a page does not switch between look-alikes mid-text: paragraphs in the primary's group follow it
    group = GROUP_OF.get(primary) if primary != OTHER else None
    if group is not None:
        members = set(CONFUSABLE_GROUPS[group]) | {OTHER}
        labels = [
            LangGuess(primary, g.score, g.path) if g is not None and g.lang in members and g.lang != primary else g
            for g in labels
        ]
    resolved = _inherit(labels, primary)
    chars: dict[str, int] = {}
    weighted: dict[str, float] = {}
    for (g, inherited), n in zip(resolved, lengths):
        chars[g.lang] = chars.get(g.lang, 0) + n
        if not inherited:
            weighted[g.lang] = weighted.get(g.lang, 0.0) + g.score * n
    total = sum(chars.values())
    shares = {lang: round(n / total, 4) for lang, n in sorted(chars.items(), key=lambda kv: -kv[1])}
    primary = next(iter(shares))
    read = sum(n for (g, inh), n in zip(resolved, lengths) if g.lang == primary and not inh)
    score = weighted.get(primary, 0.0) / read if read else 0.0
    segments = tuple(Segment(s, e, g.lang, round(g.score, 4), inh) for (s, e), (g, inh) in zip(spans, resolved))
    return DocumentLanguage(primary, round(score, 4), shares, segments)


def _label_paragraphs(
    identifier: EuLanguageIdentifier, text: str, spans: list[tuple[int, int]], plan: dict[int, int]
) -> list[LangGuess | None]:
    """fastText on every planned paragraph; then one second opinion per confusable group that has an
    unsure paragraph, read on the group's paragraphs together, which labels all of them."""
    cfg = identifier.config
    labels: list[LangGuess | None] = [None] * len(spans)
    firsts: dict[int, tuple[str, FirstPass]] = {}
    by_group: dict[str, list[int]] = {}
    unsure_groups: set[str] = set()
    broad: list[int] = []
    for i, cap in plan.items():
        s, e = spans[i]
        flat = " ".join(text[s : min(e, s + cap)].split())
        first = identifier.first_pass(flat)
        firsts[i] = (flat, first)
        labels[i] = first.decided
        if first.group is not None and (first.decided is None or first.decided.path == "fast"):
            by_group.setdefault(first.group, []).append(i)
        if first.decided is None:
            if first.group is None:
                broad.append(i)
            else:
                unsure_groups.add(first.group)
    for group in unsure_groups:
        if group in cfg.always_ask:
            pass
        else:
            # fastText once more on the group's paragraphs read together: a page leaves it in less doubt
            together = " ".join(firsts[i][0] for i in by_group[group])[: cfg.pooled_chars]
            ft = identifier.fasttext_top(together)
            top = max(ft, key=ft.__getitem__)
            rivals = sum(q for code, q in ft.items() if code in CONFUSABLE_GROUPS[group] and code != top)
            if top in EU24_SET and ft[top] >= cfg.sure_score_for(top) - cfg.pooled_margin and rivals <= cfg.pooled_rival_score:
                for i in by_group[group]:
                    labels[i] = LangGuess(top, ft[top], "fast:pooled")
                continue
        budget = cfg.always_ask_chars if group in cfg.always_ask else cfg.pooled_chars
        idx = sorted(by_group[group], key=lambda i: firsts[i][1].decided is not None)  # unsure ones first
        pieces, n_chars, ft, weight = [], 0, {}, 0.0
        for i in idx:
            if n_chars >= budget:
                break
            s, e = spans[i]
            piece = " ".join(text[s:e].split())[: budget - n_chars]
            pieces.append(piece)
            n_chars += len(piece) + 1
            for code, q in firsts[i][1].ft.items():
                ft[code] = ft.get(code, 0.0) + q * len(piece)
            weight += len(piece)
        ft = {code: q / weight for code, q in ft.items()} if weight else {}
        pooled = " ".join(pieces)
        first = firsts[idx[0]][1]
        guess = identifier.second_opinion(pooled, FirstPass(first.script, ft, group, None))
        for i in by_group[group]:
            labels[i] = guess
    # a paragraph fastText is unsure of everything about: if it gives the page's language a fair chance it
    # is read as that language; otherwise it gets its own Europe-wide second opinion
    if broad:
        provisional = _primary(labels, [spans[i][1] - spans[i][0] for i in range(len(spans))])
        for i in broad:
            flat, first = firsts[i]
            q = first.ft.get(provisional, 0.0)
            if provisional in EU24_SET and q >= cfg.page_language_score:
                labels[i] = LangGuess(provisional, q, "fast:page")
            else:
                labels[i] = identifier.second_opinion(flat, first)
    return labels


def _primary(labels: list[LangGuess | None], lengths: list[int]) -> str:
    weights: dict[str, float] = {}
    for g, n in zip(labels, lengths):
        if g is not None and g.lang != UNDETERMINED:
            weights[g.lang] = weights.get(g.lang, 0.0) + n
    return max(weights, key=weights.__getitem__) if weights else UNDETERMINED


def segment_text(text: str, doc: DocumentLanguage, languages: frozenset[str]) -> dict[str, str]:
    """The paragraphs of `text` per language among `languages`, joined by newlines (for keep/route modes)."""
    parts: dict[str, list[str]] = {}
    for seg in doc.segments:
        if seg.lang in languages:
            parts.setdefault(seg.lang, []).append(text[seg.start : seg.end])
    return {lang: "\n".join(ps) for lang, ps in parts.items()}


def kept_text(text: str, doc: DocumentLanguage, languages: frozenset[str]) -> tuple[str, str, float]:
    """The paragraphs in `languages`, in document order, with the primary language and score of that part."""
    kept = [seg for seg in doc.segments if seg.lang in languages]
    chars: dict[str, int] = {}
    for seg in kept:
        chars[seg.lang] = chars.get(seg.lang, 0) + seg.end - seg.start
    if not chars:
        return "", UNDETERMINED, 0.0
    lang = max(chars, key=chars.__getitem__)
    read = [seg for seg in kept if seg.lang == lang and not seg.inherited]
    n = sum(seg.end - seg.start for seg in read)
    score = sum(seg.score * (seg.end - seg.start) for seg in read) / n if n else doc.score
    return "\n".join(text[seg.start : seg.end] for seg in kept), lang, score
