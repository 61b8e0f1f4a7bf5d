"""Per-language minimum scores: lowered only as far as the unwanted pages allow."""

from __future__ import annotations

from eurocurate.langid.calibration import ScoredPages, derive_min_scores, kept_share, min_score_grid


def test_grid_runs_from_the_floor_to_the_default_in_steps():
    assert min_score_grid(0.65) == [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65]


def test_a_threshold_is_lowered_until_it_would_let_an_unwanted_page_through():
    pages = ScoredPages()
    for s in (0.38, 0.5, 0.9):
        pages.add("ga", s, wanted=True)
    pages.add("ga", 0.31, wanted=False)  # a low-quality page labelled Irish
    assert derive_min_scores(pages, default=0.65) == {"ga": 0.35}


def test_unwanted_pages_above_the_default_do_not_hold_a_threshold_up():
    pages = ScoredPages()
    pages.add("hr", 0.96, wanted=False)  # a Bosnian page read as Croatian: no threshold below 0.65 drops it
    pages.add("hr", 0.4, wanted=True)
    assert derive_min_scores(pages, default=0.65) == {"hr": 0.1}


def test_a_language_whose_unwanted_pages_sit_just_below_the_default_keeps_the_default():
    pages = ScoredPages()
    pages.add("bg", 0.61, wanted=False)
    pages.add("bg", 0.95, wanted=True)
    assert derive_min_scores(pages, default=0.65) == {}


def test_kept_share_counts_scores_at_or_above_the_threshold():
    assert kept_share([0.1, 0.5, 0.65, 0.9], 0.65) == 0.5
    assert kept_share([], 0.65) == 1.0
