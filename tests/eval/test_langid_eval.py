"""Language identification on $EUROCURATE_CORPUS, against the acceptance targets of issue 4.

Scored on the truth's `main_text` of the assembled (EU-24) and look-alike (non-EU) pages, so the
figures measure the identifier, not the HTML extractor. LibreOffice help pages are not scored here:
many fi/et/pt/sv/pl/hu/es pages are untranslated English that the truth labels by URL.
Tuned on this corpus: thresholds and priors in `LangIdConfig` only; no model is trained on it.
"""

from __future__ import annotations

import collections
import re

import pytest

from eurocurate.langid.calibration import document_sure_scores, read_pages
from eurocurate.langid.document import identify_document
from eurocurate.langid.identifier import EuLanguageIdentifier
from eurocurate.schema import EU24

# a sentence ends at . ! ? … before an upper-case letter (Latin, Greek, Cyrillic) or an opening quote
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'«„“(]?[A-ZÀ-ÖØ-ÞĀ-ſΑ-ΩА-Я])")
_WORD = re.compile(r"[^\W\d_]{2,}")


def sentences(main_text: str) -> list[str]:
    """Sentences of at least 20 characters and 3 words: drops PII carrier lines like "Iban: BE58 3168 ..."."""
    out = []
    for paragraph in main_text.split("\n"):
        for s in _SENTENCE_END.split(paragraph):
            s = s.strip()
            if len(s) >= 20 and len(_WORD.findall(s)) >= 3:
                out.append(s)
    return out


@pytest.fixture(scope="module")
def identifier() -> EuLanguageIdentifier:
    return EuLanguageIdentifier()


def _table(title: str, per: dict[str, list[int]], confusions: collections.Counter) -> dict[str, float]:
    print(f"\n{title}")
    print(f"{'lang':<5}{'right':>7}{'total':>7}{'acc':>8}  confused with")
    acc = {}
    for lang in sorted(per):
        right, total = per[lang]
        acc[lang] = right / total
        wrong = ", ".join(f"{p}:{n}" for (g, p), n in confusions.most_common() if g == lang)
        print(f"{lang:<5}{right:>7}{total:>7}{acc[lang]:>8.3f}  {wrong}")
    return acc


def test_document_level_eu24_pages(truth, identifier):
    pages = [t for t in truth if t["source"] == "assembled" and t.get("main_text")]
    per: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    confusions: collections.Counter = collections.Counter()
    calibration: dict[int, list[int]] = collections.defaultdict(lambda: [0, 0])
    for t in pages:
        result = identify_document(identifier, t["main_text"])
        gold = t["gold_lang"]
        per[gold][1] += 1
        ok = result.lang == gold
        per[gold][0] += ok
        calibration[min(int(result.score * 10), 9)][0] += ok
        calibration[min(int(result.score * 10), 9)][1] += 1
        if not ok:
            confusions[(gold, result.lang)] += 1
    acc = _table("(1) document level, EU-24 assembled pages (main text)", per, confusions)
    overall = sum(r for r, _ in per.values()) / sum(n for _, n in per.values())
    print(f"overall {overall:.4f} on {len(pages)} pages; lowest {min(acc, key=acc.get)} {min(acc.values()):.3f}")
    print(
        "score bin: accuracy (pages)  "
        + "  ".join(f"{b / 10:.1f}: {r / n:.2f} ({n})" for b, (r, n) in sorted(calibration.items()))
    )
    assert set(per) == set(EU24)
    assert overall >= 0.995
    assert min(acc.values()) >= 0.98


def test_sentence_level_macro_accuracy(truth, identifier):
    per: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    confusions: collections.Counter = collections.Counter()
    seen: set[str] = set()
    for t in truth:
        if t["source"] != "assembled" or not t.get("main_text"):
            continue
        for s in sentences(t["main_text"]):
            if s in seen:  # near-duplicate pages share sentences
                continue
            seen.add(s)
            guess = identifier.identify_text(s)
            per[t["gold_lang"]][1] += 1
            per[t["gold_lang"]][0] += guess.lang == t["gold_lang"]
            if guess.lang != t["gold_lang"]:
                confusions[(t["gold_lang"], guess.lang)] += 1
    acc = _table("(2) single sentences of the assembled pages' main text", per, confusions)
    macro = sum(acc.values()) / len(acc)
    print(f"macro accuracy {macro:.4f} over {len(acc)} languages, {len(seen)} sentences")
    assert macro >= 0.97


def test_lookalike_pages_are_not_labelled_as_eu_languages(truth, identifier):
    pages = [t for t in truth if t["source"] == "lookalike" and t.get("main_text")]
    labelled: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for t in pages:
        labelled[t["gold_lang"]][identify_document(identifier, t["main_text"]).lang] += 1
    print("\n(3) non-EU look-alike pages: labels given")
    as_eu = 0
    for lang in sorted(labelled):
        eu = sum(n for lab, n in labelled[lang].items() if lab in EU24)
        as_eu += eu
        print(f"{lang:<4} EU-24: {eu:>2}/{sum(labelled[lang].values()):<3} {dict(labelled[lang].most_common())}")
    share = as_eu / len(pages)
    print(f"labelled as an EU-24 language: {as_eu}/{len(pages)} = {share:.4f}")
    assert share <= 0.03


def test_document_thresholds_match_the_corpus(truth, identifier):
    """The whole-document reading's per-language thresholds against those the corpus gives today, and the
    safety margin: no page in another language may reach the lowest of them."""
    pages = [
        (t["main_text"], t["gold_lang"])
        for t in truth
        if t["source"] in ("assembled", "lookalike") and t.get("main_text")
    ]
    readings = read_pages(identifier, pages)
    derived = document_sure_scores(readings)
    cfg = identifier.config
    print("\n(4) document_sure_scores: derived from this corpus / configured")
    print(
        "  ".join(
            f"{lang} {derived[lang]:.2f}/{cfg.document_sure_score_for(lang):.2f}" for lang in EU24 if lang in derived
        )
    )
    worst = max(readings.wrong.items(), key=lambda kv: kv[1])
    print(
        f"highest probability of a wrong label on the document sample: {worst[0]} {worst[1]:.2f} (floor "
        f"{cfg.document_sure_score})"
    )
    assert worst[1] < cfg.document_sure_score


def _with_foreign_block(truth: list[dict], share: float, n: int) -> list[tuple[str, str, str]]:
    """(text, language, foreign language) of `n` assembled pages, each with a block of another language's
    paragraphs making about `share` of its characters, at the end, the start, the middle or spread (deterministic)."""
    pages = [t for t in truth if t["source"] == "assembled" and t.get("main_text")]
    langs = sorted({t["gold_lang"] for t in pages})
    by_lang = {lang: [t["main_text"] for t in pages if t["gold_lang"] == lang] for lang in langs}
    out = []
    for k in range(n):
        a, b = langs[k % len(langs)], ("en", "de", "fr", *langs)[(k * 7) % (len(langs) + 3)]
        b = b if b != a else "en" if a != "en" else "de"
        lines = by_lang[a][k % len(by_lang[a])].split("\n")
        want = share * len(by_lang[a][k % len(by_lang[a])]) / (1 - share)
        foreign, n_chars = [], 0
        for line in by_lang[b][(k * 3) % len(by_lang[b])].split("\n"):
            if n_chars >= want * 0.8:
                break
            foreign.append(line[: int(want - n_chars) + 40])
            n_chars += len(foreign[-1])
        where = k % 4
        if where == 0:
            lines = lines + foreign
        elif where == 1:
            lines = foreign + lines
        elif where == 2:
            lines = lines[: len(lines) // 2] + foreign + lines[len(lines) // 2 :]
        else:
            for j, line in enumerate(foreign):
                lines.insert((j * 5 + k) % (len(lines) + 1), line)
        out.append(("\n".join(lines), a, b))
    return out


def test_foreign_blocks_found_in_shares(truth, identifier):
    """Printed, not asserted: how often `shares` shows a foreign block, by how the document is read."""
    readers = {
        "one reading first (default)": identifier,
        "two parts first": EuLanguageIdentifier(document_parts=2),
        "paragraphs only": EuLanguageIdentifier(document_first=False),
    }
    print("\n(5) pages with a block of another language: foreign language in `shares`, primary language right")
    for share in (0.15, 0.25, 0.35):
        docs = _with_foreign_block(truth, share, 240)
        row = []
        for name, ident in readers.items():
            found = right = 0
            for text, a, b in docs:
                result = identify_document(ident, text)
                found += result.shares.get(b, 0.0) > 0
                right += result.lang == a
            row.append(f"{name}: {found / len(docs):.2f} / {right / len(docs):.2f}")
        print(f"foreign {share:.0%}: " + "; ".join(row))


def test_speed_on_1_to_5_kb_documents(identifier):
    """Printed, not asserted: the figure depends on the machine and its load
    (`python -m eurocurate.tools.bench_langid`)."""
    from eurocurate.tools.bench_langid import bench_langid, default_documents

    sets = default_documents(1200)
    plain = EuLanguageIdentifier(second_opinion=False)
    for name, ident in (("fastText lid.176 alone", plain), ("full identifier", identifier)):
        for set_name, docs in sets.items():
            r = bench_langid(docs, repeat=1, identifier=ident)
            print(f"\n{name}: {r['docs_per_s_per_core']:,.0f} documents/s per core (CPU time) on {r['docs']} "
                  f"{set_name} docs of 1-5 KB ({r['kb_per_doc']:.2f} KB on average)")  # fmt: skip
