"""Per-language k-fold evidence of the quality thresholds: good pages kept and low-quality pages dropped on
folds no derivation saw (each fold judged by the values derived on the other folds).

    python -m eurocurate.tools.quality_crossval --corpus $EUROCURATE_CORPUS [--work DIR]

The same procedure `tools/derive_quality_config.py --write` runs before writing the `held_out:` block of
each `filters/quality/configs/<lang>.yaml`; `make eval` asserts its figures (tests/eval/test_quality_eval.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from eurocurate.schema import EU24
from eurocurate.tools.derive_quality_config import (
    BUDGET,
    HeldOut,
    cross_validate,
    format_held_out,
    labelled_documents,
    pages_by_language,
    pooled_by_fold,
)


def held_out_by_language(docs: list[dict], budget: float = BUDGET) -> dict[str, HeldOut]:
    """`cross_validate` for every EU-24 language over `corpus_documents` rows."""
    by_lang = pages_by_language(docs)
    pooled = pooled_by_fold(by_lang, budget)
    return {lang: cross_validate(lang, by_lang[lang], budget, pooled=pooled) for lang in sorted(EU24)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="The eu24-dev corpus folder (truth.jsonl, warc/).")
    ap.add_argument("--work", type=Path, help="Folder for the labelled corpus; reused when it already holds one.")
    ap.add_argument("--budget", type=float, default=BUDGET, help="Share of the ok pages one rule may drop.")
    args = ap.parse_args(argv)
    results = held_out_by_language(labelled_documents(args.corpus, args.work), args.budget)
    for lang, h in results.items():
        print(format_held_out(lang, h))
    ok = sum(h.ok_kept for h in results.values()), sum(h.ok_pages for h in results.values())
    low = sum(h.low_dropped for h in results.values()), sum(h.low_pages for h in results.values())
    print(f"all: held-out ok kept {ok[0]}/{ok[1]} ({ok[0] / ok[1]:.2%}), low dropped {low[0]}/{low[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
