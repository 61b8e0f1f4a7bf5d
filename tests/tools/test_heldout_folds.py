"""Held-out folds keep a page, its translations and its mirrors on one side of every split."""

from __future__ import annotations

import pytest

from eurocurate.tools.heldout_folds import assign_folds, page_key


def test_language_segments_leave_the_page_key():
    assert page_key("https://help.x.example/7.4/de/text/a.html") == "help.x.example/7.4/text/a.html"
    assert page_key("https://help.x.example/7.4/pt-BR/text/a.html") == "help.x.example/7.4/text/a.html"
    assert page_key("https://www.x.example/news/ab12.html") == "www.x.example/news/ab12.html"


def test_translations_and_duplicate_groups_share_a_fold():
    rows = [{"record_id": f"de{i}", "url": f"https://h.example/7.4/de/p{i}.html"} for i in range(200)]
    rows += [{"record_id": f"fr{i}", "url": f"https://h.example/7.4/fr/p{i}.html"} for i in range(200)]
    rows += [
        {"record_id": "orig", "url": "https://www.a-news.se/news/1.html", "dup_group": 7},
        {"record_id": "copy", "url": "https://mirror2.a-news.se/7/copy.html", "dup_group": 7},
        {"record_id": "copy2", "url": "https://mirror3.b-news.se/7/copy.html", "dup_group": 7},
    ]
    folds = assign_folds(rows)
    assert all(folds[f"de{i}"] == folds[f"fr{i}"] for i in range(200))
    assert folds["orig"] == folds["copy"] == folds["copy2"]
    sizes = [list(folds.values()).count(f) for f in range(5)]
    assert min(sizes) > 40  # 200 independent groups spread over every fold
    assert assign_folds(list(reversed(rows))) == folds  # stable: no dependence on row order


def test_fewer_than_two_folds_is_an_error():
    with pytest.raises(ValueError, match="at least 2"):
        assign_folds([], folds=1)
