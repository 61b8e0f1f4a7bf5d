"""Quality-threshold derivation: k-fold evidence decides which published values move, and how far they may."""

from __future__ import annotations

import random

from eurocurate.tools.derive_quality_config import (
    apply_changes,
    config_of,
    cross_validate,
    derive,
    loosening_limit,
    pooled_excess,
)

_WORDS = (
    "Haus Stadt Leben Arbeit Menschen Zeit Jahr Kinder Schule Wasser Garten Straße Zug Buch Freund Abend Morgen "
    "Musik Wetter Sonne Regen Wald Berg Fluss Brücke Markt Küche Fenster Tür Tisch Stuhl Bild Brief Weg Reise"
).split()
_STOP = "der und die in von im den des mit das er dem als wurde für".split()
_NOTE = "Weitere Informationen finden Sie in der Hilfe zu diesem Thema und in den Beispielen."


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS if i % 2 else _STOP) for i in range(rng.randint(9, 13))]
    return " ".join(words).capitalize() + "."


def _page(rng: random.Random, repeated_note: bool = False) -> str:
    lines = [_sentence(rng) for _ in range(12)]
    return "\n".join(lines + [_NOTE] * 6) if repeated_note else "\n".join(lines)


def _corpus() -> list[dict]:
    rng = random.Random(7)
    docs = []
    for fold in range(5):
        docs += [{"text": _page(rng), "quality": "ok", "fold": fold} for _ in range(8)]
        # help pages that repeat one note: good pages the published repetition bounds drop, in every fold
        docs += [{"text": _page(rng, repeated_note=True), "quality": "ok", "fold": fold} for _ in range(2)]
        # a page that is one line over and over: low quality, whatever the derivation does
        docs.append({"text": "\n".join([_NOTE] * 40), "quality": "low", "fold": fold})
    return docs


def test_a_loosened_bound_stops_half_way_to_the_end_of_its_range():
    assert loosening_limit(0.2, "fineweb.line_punct", "<") == 0.1
    assert loosening_limit(0.2, "gopher_repetition.dup_line_frac", ">") == 0.6
    assert loosening_limit(12, "gopher_quality.mean_word_length", ">") == 24


def test_changes_supported_on_held_out_folds_keep_good_pages_and_still_drop_low_quality_ones():
    docs = _corpus()
    held_out = cross_validate("de", docs, budget=0.005)
    assert held_out.ok_kept_published == 40  # the help pages with the repeated note are all dropped as published
    assert held_out.ok_kept == 50
    assert held_out.low_dropped == held_out.low_pages == 5
    assert "gopher_repetition.dup_line_frac" in held_out.supported


def test_a_bound_never_moves_past_its_limit_however_far_the_pages_are():
    rng = random.Random(3)
    texts = [_page(rng, repeated_note=True) for _ in range(20)]
    raw, changes = derive("de", texts, budget=0.005)
    moved = {c["rule"]: c["derived"] for c in changes}
    assert 0.263 < moved["gopher_repetition.dup_line_frac"] <= loosening_limit(0.263, "", ">")
    assert config_of(raw).gopher_repetition.dup_line_frac == moved["gopher_repetition.dup_line_frac"]


def test_pooled_pages_move_a_bound_this_languages_own_pages_do_not():
    rng = random.Random(5)
    plain = [_page(rng) for _ in range(20)]
    pooled = pooled_excess({"de": [_page(rng, repeated_note=True) for _ in range(20)]}, budget=0.005)
    _, alone = derive("de", plain, budget=0.005)
    _, with_pooled = derive("de", plain, budget=0.005, pooled=pooled)
    assert not any(c["rule"] == "gopher_repetition.dup_line_frac" for c in alone)
    assert any(c["rule"] == "gopher_repetition.dup_line_frac" for c in with_pooled)


def test_changing_one_n_gram_bound_keeps_the_others_of_a_table_the_file_does_not_list():
    # English takes Gopher's n-gram tables from the defaults; one derived entry must not wipe the rest
    cfg = config_of(apply_changes("en", [{"rule": "gopher_repetition.dup_n_grams.5", "derived": 0.3}]))
    assert cfg.gopher_repetition.dup_n_grams[5] == 0.3
    assert set(cfg.gopher_repetition.dup_n_grams) == set(range(5, 11))


def test_pooled_short_pages_grow_a_stop_word_list_this_languages_own_pages_pass():
    rng = random.Random(11)
    # own pages pass the published list, some by exactly its minimum of 2 ("der", "die") and with "ist", "zu"
    near = "Der Wert ist zu klein, wenn die Zahl negativ ist und zu keinem Fall passt."
    own = [_page(rng) for _ in range(16)] + [f"{near}\nZahl Wert Fall.\n{near}" for _ in range(4)]
    # every language's pages: short help pages with one stop word or none
    short = ["Gibt True zurück, wenn ein Objekt ein Uno-Struct ist.\nBoolean\nUno type: Ein Uno-Objekt"] * 10
    pooled = pooled_excess({"de": own + short}, budget=0.005)
    _, alone = derive("de", own, budget=0.005)
    _, with_pooled = derive("de", own, budget=0.005, pooled=pooled)
    assert not any(c["rule"] == "gopher_quality.stop_words" for c in alone)
    (grown,) = [c for c in with_pooled if c["rule"] == "gopher_quality.stop_words"]
    # words are added until the near pages are a word clear of the minimum: one of their own short words
    assert {"ist", "zu", "wenn"} & set(grown["added"]) and grown["all_languages_failing_published"] > 0.005
