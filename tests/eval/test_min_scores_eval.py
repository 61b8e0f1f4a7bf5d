"""Per-language language-ID score thresholds on $EUROCURATE_CORPUS: the `min_scores` of the bundled web and
public-sector specs (derived on held-out folds 0-2 by tools/derive_min_scores.py) keep at least 97% of every
official language's good pages on folds 3-4, which nothing was tuned on. The unwanted pages they let through
there (other languages' pages, low-quality pages) are printed beside the global `min_score`'s; the
low-quality ones are the quality stage's to drop (tests/eval/test_quality_eval.py)."""

from __future__ import annotations

import pytest

from eurocurate.config import load_spec
from eurocurate.langid.step import LanguageIdParams
from eurocurate.schema import EU24
from eurocurate.tools.corpus_view import content_warcs, extracted_and_identified
from eurocurate.tools.derive_min_scores import PIPELINES, SPECS, report, scored_pages
from eurocurate.tools.heldout_folds import MIN_SCORE_REPORT_FOLDS, assign_folds


@pytest.mark.parametrize("spec_name", SPECS)
def test_min_scores_keep_97_percent_of_every_languages_good_pages_on_held_out_folds(
    spec_name, corpus, truth, labelled_corpus_dir
):
    params = LanguageIdParams.model_validate(load_spec(PIPELINES / spec_name).stage("language_id").params)
    rows = extracted_and_identified(content_warcs(corpus), labelled_corpus_dir, reuse=True)
    pages = scored_pages(rows, {t["record_id"]: t for t in truth}, assign_folds(truth), MIN_SCORE_REPORT_FOLDS)
    print("\n" + "\n".join(report(f"{spec_name} folds {sorted(MIN_SCORE_REPORT_FOLDS)}", pages, params.min_score,
                                  params.min_scores)))  # fmt: skip
    for lang in EU24:
        good = pages.wanted.get(lang, [])
        threshold = params.min_scores.get(lang, params.min_score)
        assert good, f"no held-out good page of {lang}"
        assert sum(s >= threshold for s in good) / len(good) >= 0.97, lang
