"""Scores against the corpus truth, shared by the benchmarks: extraction token/snippet scores, language
accuracy and duplicate pair recall. Pure functions over plain lists and dicts.

The extraction scores are the ones `tests/eval/test_extraction_eval.py` defines (same pooling, same
tokens); they live here because tools cannot import test modules. Reading the corpus is not here.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping

_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _norm(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def token_scores(texts: list[str], truths: list[str]) -> dict[str, float]:
    """Pooled bag-of-`\\w+`-tokens precision/recall/F1 of extracted texts against true main texts
    (lower-cased; overlap = multiset intersection). A page an extractor dropped is an empty text."""
    overlap = extracted = expected = 0
    for text, truth in zip(texts, truths, strict=True):
        a, b = Counter(_TOKEN.findall((text or "").lower())), Counter(_TOKEN.findall(truth.lower()))
        overlap += sum((a & b).values())
        extracted += sum(a.values())
        expected += sum(b.values())
    p = overlap / extracted if extracted else 0.0
    r = overlap / expected if expected else 0.0
    return {"precision": p, "recall": r, "f1": f1(p, r)}


def snippet_scores(texts: list[str], withs: list[list[str]], withouts: list[list[str]]) -> dict[str, float]:
    """trafilatura's benchmark counting: a `with` snippet found is a TP, missing a FN; a `without`
    snippet found is a FP. Whitespace is collapsed on both sides."""
    tp = fn = fp = tn = 0
    for text, must, must_not in zip(texts, withs, withouts, strict=True):
        text = _norm(text)
        for s in must:
            tp, fn = (tp + 1, fn) if _norm(s) in text else (tp, fn + 1)
        for s in must_not:
            fp, tn = (fp + 1, tn) if _norm(s) in text else (fp, tn + 1)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": f1(p, r), "without_absent": tn / (tn + fp) if tn + fp else 1.0}


def language_accuracy(gold: Mapping[str, str], predicted: Mapping[str, str | None]) -> dict[str, float | int]:
    """Share of documents whose predicted ISO 639-1 code equals the gold one. `accuracy` counts a document
    with no prediction (dropped before language ID) as wrong; `accuracy_labelled` leaves it out."""
    labelled = {doc: predicted[doc] for doc in gold if predicted.get(doc) is not None}
    correct = sum(labelled[doc] == gold[doc] for doc in labelled)
    return {
        "pages": len(gold),
        "labelled": len(labelled),
        "accuracy": correct / len(gold) if gold else 0.0,
        "accuracy_labelled": correct / len(labelled) if labelled else 0.0,
    }


def pair_recall(
    groups: Mapping[str, str],
    kinds: Mapping[str, str],
    cluster_of: Mapping[str, str],
    present: Iterable[str],
    precision_scope: set[str] | None = None,
) -> dict[str, float | int]:
    """Duplicate pairs (two documents of one `dup_group`) found in the same cluster.

    `groups`/`kinds`: doc id -> dup_group / dup_kind for the documents that have one; `cluster_of`: doc id
    -> cluster label (documents absent are singletons); `present`: the documents that reached dedup.
    Pairs with a member that never reached dedup are counted apart (`pairs_lost_upstream`), not as misses.
    Precision: predicted same-cluster pairs that share a dup group, among the pairs with both members
    in `precision_scope` (default: all present) — the documents whose truth lists every duplicate.
    """
    present = set(present)
    label = {doc: cluster_of.get(doc, doc) for doc in present}
    members: dict[str, list[str]] = defaultdict(list)
    for doc, group in groups.items():
        members[group].append(doc)
    counts: Counter = Counter()
    for docs in members.values():
        for a, b in itertools.combinations(sorted(docs), 2):
            kind = "near" if "near" in (kinds.get(a), kinds.get(b)) else "exact"
            if a not in present or b not in present:
                counts["lost_upstream"] += 1
                continue
            counts[kind] += 1
            counts[f"{kind}_found"] += label[a] == label[b]
    clusters: dict[str, list[str]] = defaultdict(list)
    for doc, lab in label.items():
        clusters[lab].append(doc)
    scope = present if precision_scope is None else present & precision_scope
    predicted = [
        (a, b) for docs in clusters.values() for a, b in itertools.combinations(docs, 2) if a in scope and b in scope
    ]
    correct = sum(groups.get(a) is not None and groups.get(a) == groups.get(b) for a, b in predicted)
    pairs = counts["near"] + counts["exact"]
    found = counts["near_found"] + counts["exact_found"]
    return {
        "pairs": pairs,
        "pairs_lost_upstream": counts["lost_upstream"],
        "recall": found / pairs if pairs else 0.0,
        "near_pairs": counts["near"],
        "near_recall": counts["near_found"] / counts["near"] if counts["near"] else 0.0,
        "exact_pairs": counts["exact"],
        "exact_recall": counts["exact_found"] / counts["exact"] if counts["exact"] else 0.0,
        "predicted_pairs": len(predicted),
        "precision": correct / len(predicted) if predicted else 1.0,
    }


def extraction_and_language_scores(
    truth: list[dict], text_of: Callable[[str], str | None], lang_of: Callable[[str], str | None]
) -> dict[str, dict]:
    """Extraction scores on the assembled pages (token) and trafilatura's evaluation pages (snippets),
    and language accuracy on the EU-24 assembled pages, from a truth row's record id to what a pipeline
    extracted (`text_of`) and labelled (`lang_of`; None: never labelled)."""
    assembled = [t for t in truth if t["source"] == "assembled" and t.get("main_text")]
    snippets = [t for t in truth if t["source"] == "trafilatura_eval"]
    eu = {t["record_id"]: t["gold_lang"] for t in truth if t["source"] == "assembled" and t.get("eu_official")}
    return {
        "extraction_assembled": {
            "pages": len(assembled),
            **token_scores([text_of(t["record_id"]) or "" for t in assembled], [t["main_text"] for t in assembled]),
        },
        "extraction_trafilatura_eval": {
            "pages": len(snippets),
            **snippet_scores(
                [text_of(t["record_id"]) or "" for t in snippets],
                [t.get("with") or [] for t in snippets],
                [t.get("without") or [] for t in snippets],
            ),
        },
        "language_eu24_assembled": language_accuracy(eu, {rid: lang_of(rid) for rid in eu}),
    }


def truth_pair_scores(
    truth: list[dict], cluster_of: Mapping[str, str], present: Iterable[str]
) -> dict[str, float | int]:
    """`pair_recall` over the truth's dup groups. Precision counts only pages with a main text: the truth
    lists every duplicate of its assembled pages (no two share a sentence), while untranslated LibreOffice
    pages in several languages are duplicates it does not list."""
    groups = {t["record_id"]: t["dup_group"] for t in truth if t.get("dup_group")}
    kinds = {t["record_id"]: t.get("dup_kind") for t in truth if t.get("dup_group")}
    scope = {t["record_id"] for t in truth if t.get("main_text")}
    return pair_recall(groups, kinds, cluster_of, present, scope)
