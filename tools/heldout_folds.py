"""Held-out folds of the eval corpus: every truth record in one of `FOLDS` folds, near-copies together.

Thresholds derived from the corpus (quality bounds, per-language language-ID scores) are derived on some
folds and reported on the others. A fold split is only honest if a page and its near-copies cannot sit
on both sides: records are joined when they share a page key (host + URL path without its language
segments, so `/7.4/de/text/x.html` and `/7.4/fr/text/x.html` — one help page in two languages — are one
key) or the corpus's duplicate group (a page and its mirrors); each joined group goes to the fold its
smallest page key hashes to (sha256, stable across runs and machines).

    python -m eurocurate.tools.heldout_folds --corpus $EUROCURATE_CORPUS     # fold sizes per language
"""

from __future__ import annotations

import argparse
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import pycountry

FOLDS = 5
# The split the threshold tools use: derive on these folds, report on the others.
MIN_SCORE_DERIVE_FOLDS = frozenset({0, 1, 2})
MIN_SCORE_REPORT_FOLDS = frozenset({3, 4})

_LANG_SEGMENT = re.compile(r"^(?P<lang>[a-z]{2,3})(?:[-_][a-z]{2,4})?$", re.IGNORECASE)


def _is_language_code(segment: str) -> bool:
    m = _LANG_SEGMENT.match(segment)
    if m is None:
        return False
    code = m.group("lang").lower()
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    return found is not None


def page_key(url: str) -> str:
    """host + path with every language-code segment removed (`help.x/7.4/de/a.html` -> `help.x/7.4/a.html`)."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s and not _is_language_code(s)]
    return f"{(parts.hostname or '').lower()}/{'/'.join(segments)}"


class _Groups:
    """Union-find over string keys."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the root is the group's smallest key


def assign_folds(truth: Iterable[Mapping], folds: int = FOLDS) -> dict[str, int]:
    """record id -> fold (0..folds-1) for truth rows with `record_id`, `url` and optional `dup_group`."""
    if folds < 2:
        raise ValueError(f"folds must be at least 2, got {folds}")
    groups = _Groups()
    key_of: dict[str, str] = {}
    for row in truth:
        key = "page:" + page_key(row["url"])
        key_of[row["record_id"]] = key
        groups.find(key)
        if row.get("dup_group") is not None:
            groups.union(key, f"dup:{row['dup_group']}")
    return {rid: _fold(groups.find(key), folds) for rid, key in key_of.items()}


def _fold(root: str, folds: int) -> int:
    return int.from_bytes(hashlib.sha256(root.encode()).digest()[:8], "big") % folds


def read_truth(corpus: Path) -> list[dict]:
    return [orjson.loads(line) for line in (corpus / "truth.jsonl").read_bytes().splitlines()]


def corpus_folds(corpus: Path, folds: int = FOLDS) -> dict[str, int]:
    """`assign_folds` over the corpus's truth.jsonl."""
    return assign_folds(read_truth(corpus), folds)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="The eu24-dev corpus folder (truth.jsonl).")
    ap.add_argument("--folds", type=int, default=FOLDS)
    args = ap.parse_args(argv)
    truth = read_truth(args.corpus)
    fold_of = assign_folds(truth, args.folds)
    sizes = Counter(fold_of.values())
    print("fold sizes: " + ", ".join(f"{f}: {sizes[f]}" for f in range(args.folds)))
    by_lang: dict[str, Counter] = {}
    for row in truth:
        if row.get("quality") in ("ok", "low") and row.get("eu_official"):
            by_lang.setdefault(f"{row['gold_lang']} {row['quality']}", Counter())[fold_of[row["record_id"]]] += 1
    for name in sorted(by_lang):
        print(f"  {name:8} " + " ".join(f"{by_lang[name][f]:4}" for f in range(args.folds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
