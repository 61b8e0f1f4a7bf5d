"""Language of a document: primary language, share of characters per language, per-paragraph segments.

Owns the whole-document sample (windows in proportion to the paragraphs' length, read first and enough
for most documents), splitting a document into newline-separated paragraphs and reading a bounded sample
of each when it is not (so long documents cost no more than `max_chars`), letting short paragraphs
inherit a language, and the character shares. The decisions are `EuLanguageIdentifier`'s.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import NamedTuple

from eurocurate.langid.config import LangIdConfig
from eurocurate.langid.identifier import EuLanguageIdentifier, FirstPass, LangGuess
from eurocurate.langid.languages import CONFUSABLE_GROUPS, EU24_SCRIPT, GROUP_OF, OTHER, UNDETERMINED
from eurocurate.schema import EU24

_WINDOW_CHARS = 50  # the whole-document sample is read in windows of about this many characters
EU24_SET = frozenset(EU24)


class Segment(NamedTuple):
    """One paragraph: `text[start:end]` of the document, its language and score; `inherited` if it was not read
    (too short, or beyond the sample) and took its language from its neighbours or the document."""

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
    """(start, end) of each non-blank line, without its surrounding white space."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        n = len(line)
        if n:
            stripped = line.strip()
            if stripped:
                lead = 0 if line[0] == stripped[0] else n - len(line.lstrip())
                spans.append((pos + lead, pos + lead + len(stripped)))
        pos += n + 1
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
    return dict.fromkeys(long, cap)


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
    """Primary language, shares and per-paragraph segments of `text`.

    With `document_first` (the default), a sample of the whole document is read first and settles most
    documents as single-language; the others, and all of them without it, are read paragraph by paragraph.
    """
    cfg = identifier.config
    spans = _paragraphs(text)
    if not spans:
        return DocumentLanguage(UNDETERMINED, 0.0, {}, ())
    lengths = [e - s for s, e in spans]
    page: FirstPass | None = None
    if cfg.document_first:
        parts, read = _document_sample(text, spans, lengths, cfg)
        if len(read) > 1:  # one paragraph: its own reading below is the whole document's
            page = identifier.read_document(parts, lambda n: _leading_text(text, spans, cfg.paragraph_min_chars, n))
            if page.decided is not None:
                lang, score = page.decided.lang, round(page.decided.score, 4)
                segs = tuple(Segment(s, e, lang, score, i not in read) for i, (s, e) in enumerate(spans))
                return DocumentLanguage(lang, score, {lang: 1.0}, segs)
    plan = _read_plan(lengths, cfg.paragraph_min_chars, cfg.paragraph_chars, cfg.min_sample_chars, cfg.max_chars)
    if not plan:  # only short lines: read them together as one text
        joined = " ".join(text[s:e] for s, e in spans)[: cfg.max_chars]
        g = identifier.identify_text(joined)
        segs = tuple(Segment(s, e, g.lang, g.score) for s, e in spans)
        return DocumentLanguage(g.lang, g.score, {g.lang: 1.0}, segs)
    views: dict[int, dict[str, float]] = {}
    labels = _label_paragraphs(identifier, text, spans, plan, page, views)
    if cfg.vetoes:
        labels = _veto_paragraphs(identifier, text, spans, labels, views)
    return _by_paragraphs(identifier, text, spans, lengths, labels)


def _veto_paragraphs(
    identifier: EuLanguageIdentifier,
    text: str,
    spans: list[tuple[int, int]],
    labels: list[LangGuess | None],
    views: dict[int, dict[str, float]],
) -> list[LangGuess | None]:
    """The long-tail veto once per EU-24 label of the document, on its paragraphs read together (up to
    `veto_chars`): a Corsican page fastText reads as Italian paragraph by paragraph becomes Corsican as a whole.
    `views`: fastText's view of each paragraph read; the veto gets each language's best odds over the paragraphs."""
    by_lang: dict[str, list[int]] = {}
    for i, g in enumerate(labels):
        if g is not None and g.lang in EU24_SET:
            # paragraph by paragraph (`segments` mode) each is vetoed on its own: one Friulian paragraph must not
            # take five Italian ones with it, nor an Italian page keep a Corsican paragraph
            key = g.lang if identifier.config.document_first else f"{g.lang}#{i}"
            by_lang.setdefault(key, []).append(i)
    budget = identifier.config.veto_chars
    for key, idx in by_lang.items():
        lang = key.split("#", 1)[0]
        pieces, n = [], 0
        rivals: dict[str, float] = {}
        for i in idx:
            s, e = spans[i]
            pieces.append(" ".join(text[s : min(e, s + budget - n)].split()))
            n += len(pieces[-1]) + 1
            for code, q in views.get(i, {}).items():
                if q > rivals.get(code, 0.0):
                    rivals[code] = q
            if n >= budget:
                break
        first = labels[idx[0]]
        assert first is not None
        # no fastText view of them together (heliport reads), but its views of each
        verdict = identifier.veto(" ".join(pieces), first, {}, rivals)
        if verdict.lang != lang:
            for i in idx:
                labels[i] = verdict
    return labels


def _by_paragraphs(
    identifier: EuLanguageIdentifier,
    text: str,
    spans: list[tuple[int, int]],
    lengths: list[int],
    labels: list[LangGuess | None],
) -> DocumentLanguage:
    """Primary language, shares and segments from the labels of the paragraphs that were read."""
    primary = _primary(labels, lengths)
    # a page does not switch between look-alikes mid-text: paragraphs in the primary's group follow it (read as a
    # whole page; paragraph by paragraph, each keeps its own label, so that `segments` mode keeps only its languages)
    group = GROUP_OF.get(primary) if primary != OTHER and identifier.config.document_first else None
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


def document_sample(text: str, config: LangIdConfig) -> list[str]:
    """The parts of `text` the whole-document reading gives fastText (for calibrating its thresholds)."""
    spans = _paragraphs(text)
    return _document_sample(text, spans, [e - s for s, e in spans], config)[0]


def _document_sample(
    text: str, spans: list[tuple[int, int]], lengths: list[int], cfg: LangIdConfig
) -> tuple[list[str], set[int]]:
    windows, read = _windows(text, spans, lengths, cfg.paragraph_min_chars, cfg.document_chars)
    n = cfg.document_parts
    parts = [" ".join(" ".join(windows[len(windows) * k // n : len(windows) * (k + 1) // n]).split()) for k in range(n)]
    return [part for part in parts if part], read


def _windows(
    text: str, spans: list[tuple[int, int]], lengths: list[int], min_chars: int, budget: int
) -> tuple[list[str], set[int]]:
    """A sample of the document's paragraphs of at least `min_chars` characters in proportion to their length:
    windows of about `_WINDOW_CHARS` at even steps through their text (all of it when it fits in `budget`),
    without words cut in two. Returns the windows in document order and the paragraphs they fall in."""
    long = [i for i, n in enumerate(lengths) if n >= min_chars]
    ends = list(accumulate([lengths[i] for i in long]))  # of each long paragraph in their text end to end
    total = ends[-1] if ends else 0
    if total <= budget:
        return [text[spans[i][0] : spans[i][1]] for i in long], set(long)
    n_windows = max(1, budget // _WINDOW_CHARS)
    width = budget // n_windows
    step = total / n_windows
    windows, read = [], set()
    for w in range(n_windows):
        pos = min(max(0, int((w + 0.5) * step - width / 2)), total - width)
        j = bisect_right(ends, pos)
        s, e = spans[long[j]]
        start = s + pos - (ends[j - 1] if j else 0)
        end = min(e, start + width)
        piece = text[start:end]
        if start > s and not text[start - 1].isspace():  # drop the word cut at the start
            cut = piece.find(" ")
            piece = piece[cut + 1 :] if 0 <= cut < width // 2 else piece
        if end < e and not text[end].isspace():  # and at the end
            cut = piece.rfind(" ")
            piece = piece[:cut] if cut > width // 2 else piece
        windows.append(piece)
        read.add(long[j])
    return windows, read


def _leading_text(text: str, spans: list[tuple[int, int]], min_chars: int, budget: int) -> str:
    """The document's paragraphs of at least `min_chars` characters, flattened, up to `budget` characters."""
    pieces, n = [], 0
    for s, e in spans:
        if e - s >= min_chars:
            piece = " ".join(text[s : min(e, s + budget - n)].split())
            pieces.append(piece)
            n += len(piece) + 1
            if n >= budget:
                break
    return " ".join(pieces)


def _page_language(page: FirstPass | None) -> tuple[str | None, str | None]:
    """The EU-24 language fastText reads a whole-document sample as (however unsure), and its group."""
    if page is None or not page.ft:
        return None, None
    top = max(page.ft, key=page.ft.__getitem__)
    if top not in EU24_SET or EU24_SCRIPT[top] != page.script:
        return None, None
    return top, page.group if page.group is not None and top in CONFUSABLE_GROUPS[page.group] else None


def _label_paragraphs(
    identifier: EuLanguageIdentifier,
    text: str,
    spans: list[tuple[int, int]],
    plan: dict[int, int],
    page: FirstPass | None = None,
    views: dict[int, dict[str, float]] | None = None,
) -> list[LangGuess | None]:
    """fastText on every planned paragraph; then one second opinion per confusable group that has an
    unsure paragraph, read on the group's paragraphs together, which labels all of them. With the reading
    of the whole document (`page`), unsure paragraphs that give the page's language a chance join its group.
    `views`, when given, receives fastText's view of each paragraph read."""
    cfg = identifier.config
    page_lang, page_group = _page_language(page)
    labels: list[LangGuess | None] = [None] * len(spans)

    def shared(i: int, group: str) -> bool:
        """Whether the group's pooled opinion labels paragraph `i`. Read as a whole page (`document_first`), every
        paragraph of the group takes it; paragraph by paragraph (`segments` mode), only those fastText was unsure of,
        and all of a group it cannot tell apart at all (`always_ask`: Croatian, Bosnian, Serbian): a Catalan
        paragraph fastText is sure of stays Catalan in a Spanish page, and is not kept as Spanish."""
        return cfg.document_first or firsts[i][1].decided is None or group in cfg.always_ask

    firsts: dict[int, tuple[str, FirstPass]] = {}
    by_group: dict[str, list[int]] = {}
    unsure_groups: set[str] = set()
    broad: list[int] = []
    for i, cap in plan.items():
        s, e = spans[i]
        flat = " ".join(text[s : min(e, s + cap)].split())
        first = identifier.first_pass(flat)
        firsts[i] = (flat, first)
        if views is not None:
            views[i] = first.ft
        labels[i] = first.decided
        group = first.group
        if first.decided is None and page_lang is not None and first.ft.get(page_lang, 0.0) >= cfg.page_join_score:
            if page_group is None:
                labels[i] = LangGuess(page_lang, first.ft[page_lang], "fast:page")
                continue
            group = page_group
        if group is not None and (first.decided is None or first.decided.path == "fast"):
            by_group.setdefault(group, []).append(i)
        if first.decided is None:
            if group is None:
                broad.append(i)
            else:
                unsure_groups.add(group)
    for group in unsure_groups:
        if group in cfg.always_ask or group == page_group:
            pass  # the whole-document reading already left fastText unsure of the page's group
        else:
            # fastText once more on the group's paragraphs read together: a page leaves it in less doubt
            together = " ".join(firsts[i][0] for i in by_group[group])[: cfg.pooled_chars]
            ft = identifier.fasttext_top(together)
            top = max(ft, key=ft.__getitem__)
            rivals = sum(q for code, q in ft.items() if code in CONFUSABLE_GROUPS[group] and code != top)
            if (
                top in EU24_SET
                and ft[top] >= cfg.sure_score_for(top) - cfg.pooled_margin
                and rivals <= cfg.pooled_rival_score
            ):
                for i in by_group[group]:
                    if shared(i, group):
                        labels[i] = LangGuess(top, ft[top], "fast:pooled")
                continue
        budget = cfg.always_ask_chars if group in cfg.always_ask else cfg.pooled_chars
        idx = sorted(by_group[group], key=lambda i: firsts[i][1].decided is not None)  # unsure ones first
        pooled, ft = _pool(text, spans, idx, firsts, budget)
        guess = identifier.second_opinion(pooled, FirstPass(firsts[idx[0]][1].script, ft, group, None))
        for i in by_group[group]:
            if shared(i, group):
                labels[i] = guess
    # a paragraph fastText is unsure of everything about: if it gives the page's language a fair chance it
    # is read as that language; otherwise it gets a Europe-wide second opinion, read together with the
    # other such paragraphs fastText leans the same way on (lingua is surer, and cheaper, on more text)
    if broad:
        provisional = page_lang or _primary(labels, [spans[i][1] - spans[i][0] for i in range(len(spans))])
        alike: dict[tuple[str, str], list[int]] = {}
        for i in broad:
            first = firsts[i][1]
            q = first.ft.get(provisional, 0.0)
            if provisional in EU24_SET and q >= cfg.page_language_score:
                labels[i] = LangGuess(provisional, q, "fast:page")
            else:
                alike.setdefault((first.script, max(first.ft, key=first.ft.__getitem__)), []).append(i)
        for (script, _), idx in alike.items():
            if len(idx) == 1:
                flat, first = firsts[idx[0]]
                labels[idx[0]] = identifier.second_opinion(flat, first)
                continue
            pooled, ft = _pool(text, spans, idx, firsts, cfg.pooled_chars)
            guess = identifier.second_opinion(pooled, FirstPass(script, ft, None, None))
            for i in idx:
                labels[i] = guess
    return labels


def _pool(
    text: str, spans: list[tuple[int, int]], idx: list[int], firsts: dict[int, tuple[str, FirstPass]], budget: int
) -> tuple[str, dict[str, float]]:
    """The paragraphs `idx` read together (up to `budget` characters) and fastText's view of them, weighted by
    length."""
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
    return " ".join(pieces), ({code: q / weight for code, q in ft.items()} if weight else {})


def _primary(labels: list[LangGuess | None], lengths: list[int]) -> str:
    weights: dict[str, float] = {}
    for g, n in zip(labels, lengths):
        if g is not None and g.lang != UNDETERMINED:
            weights[g.lang] = weights.get(g.lang, 0.0) + n
    return max(weights, key=weights.__getitem__) if weights else UNDETERMINED


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
