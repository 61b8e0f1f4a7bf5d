"""The quality stage: per-language configurations, each rule family's verdicts and evidence, parity with
datatrove's own filters (real datatrove, real spaCy tokenizers), C4 line editing and the model hook."""

from __future__ import annotations

import importlib.resources
import random
from types import SimpleNamespace

import pytest
from datatrove.data import Document
from datatrove.pipeline.filters.gopher_repetition_filter import find_all_duplicate, find_top_duplicate, get_n_grams
from hypothesis import given
from hypothesis import strategies as st

from eurocurate.config import SpecError
from eurocurate.filters.quality.params import (
    GopherQualityParams,
    LanguageQualityConfig,
    bundled_configs,
    load_language_config,
)
from eurocurate.filters.quality.rules import gopher_quality_verdict
from eurocurate.filters.quality.signals import TextSignals, _duplicates
from eurocurate.filters.quality.step import (
    MODEL_SCORE_KEY,
    QualityFilter,
    QualityFilterParams,
    QualityModelParams,
    assess_quality,
)
from eurocurate.filters.quality.words import count_sentences, word_splitter
from eurocurate.langid.fasttext_lid import bundled_lid176_path
from eurocurate.schema import EU24, Meta, Reason
from eurocurate.tools.quality_reference import reference_decision, reference_stack

EN = (
    "The regional library will extend its opening hours during the winter, so that students and families have a "
    "warm place to read. The council approved the budget after a short debate.\n"
    "The first evening sessions start next month with talks about local history and nature. Everyone is welcome "
    "to join, and the reading room will have new chairs and lamps.\n"
    "Volunteers from the town have offered to run a small café in the entrance hall. The profits will go to the "
    "children's section, which needs more books in the languages spoken by the families who moved here recently.\n"
    "The mayor said that the library is the living room of the town and that it should be open when people need it."
)
DE = (
    "Die Stadtbibliothek verlängert im Winter ihre Öffnungszeiten, damit Schüler und Familien einen warmen Ort zum "
    "Lesen haben. Der Gemeinderat hat den Haushalt nach einer kurzen Debatte beschlossen.\n"
    "Die ersten Abendveranstaltungen beginnen im nächsten Monat mit Vorträgen über die Geschichte der Region und die "
    "Natur. Alle sind herzlich eingeladen, und der Lesesaal bekommt neue Stühle und Lampen.\n"
    "Freiwillige aus der Stadt betreiben ein kleines Café im Eingangsbereich. Der Gewinn geht an die Kinderabteilung, "
    "die mehr Bücher in den Sprachen der Familien braucht, die vor kurzem hierher gezogen sind."
)
FR = (
    "La bibliothèque municipale prolonge ses horaires d'ouverture pendant l'hiver, afin que les élèves et les familles "
    "aient un endroit chaud pour lire. Le conseil a voté le budget après un court débat.\n"
    "Les premières soirées commencent le mois prochain avec des conférences sur l'histoire de la région et la nature. "
    "Tout le monde est le bienvenu, et la salle de lecture aura de nouvelles chaises et des lampes.\n"
    "Des bénévoles de la ville tiendront un petit café dans le hall d'entrée. Les bénéfices iront à la section des "
    "enfants, qui a besoin de plus de livres dans les langues des familles arrivées récemment."
)
_SPAM_WORDS = (
    "gigantes monos conejitos cangrejos habas perros medianos animales acostumbrados visto nunca pequeños Estamos "
    "Tema Gestión cultural Prainha evento última encheu ontem campanha tarde organizado entrada semana Agosto jovens "
    "Praia desportivo cidade Ribeira Brava Nicolau candidatura apoiantes"
).split()
_rng = random.Random(1)
SPAM = " ".join(_rng.choice(_SPAM_WORDS) for _ in range(400)) + "."  # keyword spam: no function words


def test_every_eu_language_has_a_configuration_that_names_its_source():
    configs = bundled_configs()
    assert set(EU24) | {"default"} <= set(configs)
    for lang in EU24:
        cfg = load_language_config(lang)
        assert cfg.gopher_quality.stop_words, lang
        assert cfg.gopher_quality.min_stop_words == 2, lang
    text = (importlib.resources.files("eurocurate.filters.quality") / "configs" / "pl.yaml").read_text()
    assert "fineweb-2" in text and "pol_Latn" in text  # the published figures are cited in the file


def test_good_prose_is_kept_in_its_language_and_statistics_are_stored(tmp_path):
    step = QualityFilter(str(tmp_path))
    for lang, text in (("en", EN), ("de", DE), ("fr", FR)):
        doc = Document(text=text, id=lang, metadata={Meta.LANG: lang})
        assert step.judge(doc) is None, (lang, doc.metadata[Meta.QUALITY])
        stats = doc.metadata[Meta.QUALITY]
        assert stats["gopher_quality.stop_words"] >= 2 and stats["gopher_quality.n_words"] > 80


def test_stored_statistics_re_threshold_without_re_running():
    stats = assess_quality(EN, "en", load_language_config("en")).stats
    n = stats["gopher_quality.n_words"]
    stricter = GopherQualityParams(min_doc_words=n + 1)
    drop = gopher_quality_verdict(stats, stricter)
    assert drop.reason == f"{Reason.QUALITY_GOPHER}.n_words" and drop.evidence == f"gopher_quality:n_words={n}<{n + 1}"


def test_keyword_spam_fails_the_stop_word_rule_with_its_measured_value():
    result = assess_quality(SPAM, "es", load_language_config("es"))
    assert result.drop.reason == f"{Reason.QUALITY_GOPHER}.stop_words"
    assert result.drop.evidence == "gopher_quality:stop_words=0<2"


def test_repetition_rules_name_the_rule_and_the_value():
    cfg = load_language_config("en")
    repeated = EN + "\n" + "\n".join(["Buy cheap tickets now, the best offer of the year is here for you."] * 20)
    drop = assess_quality(repeated, "en", cfg).drop
    assert (
        drop.reason.startswith(Reason.QUALITY_GOPHER_REPETITION + ".dup_") and "gopher_repetition:dup_" in drop.evidence
    )


def test_c4_rules_drop_lorem_ipsum_and_edit_out_policy_lines():
    cfg = load_language_config("en")
    lorem = EN + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor."
    assert assess_quality(lorem, "en", cfg).drop.reason == f"{Reason.QUALITY_C4}.lorem_ipsum"
    with_policy = EN + "\nThis website uses cookies to improve your experience, read our cookie policy."
    result = assess_quality(with_policy, "en", cfg)
    assert result.drop is None and "cookie policy" not in result.text and result.stats["c4.lines_removed"] >= 1
    few = "One sentence only. Two sentences here."
    cfg_few = load_language_config(
        "en",
        overrides={
            "gopher_quality": {"enabled": False},
            "gopher_repetition": {"enabled": False},
            "c4": {"min_num_sentences": 5},
        },
    )
    assert assess_quality(few, "en", cfg_few).drop.evidence == "c4:sentences=2<5"


def test_fineweb_rules_measure_lines():
    off = {"enabled": False}
    cfg = load_language_config(
        "en",
        overrides={"gopher_repetition": off, "gopher_quality": off, "c4": off, "fineweb": {"line_punct_thr": 0.12}},
    )
    listy = "\n".join(f"item number {i} in the list" for i in range(60))
    drop = assess_quality(listy, "en", cfg).drop
    assert drop.reason == f"{Reason.QUALITY_FINEWEB}.line_punct" and drop.evidence == "fineweb:line_punct=0.0<0.12"


def test_word_splitting_matches_spacy_on_typical_sentences():
    from datatrove.utils.word_tokenizers import load_word_tokenizer

    sentences = {
        "en": "Don't worry: it's the well-known U.S. policy (since 2015), costing $5 and 10% more.",
        "de": "Am 21. Mai 2015 hat Frau Müller die Ein- und Ausgänge der Baden-Württemberg-Halle geprüft.",
        "fr": "L'homme qu'on voit là-bas n'est pas celui d'hier : c'est « le nouveau » directeur.",
        "pl": "W 2015 roku firma zatrudniła 1,5 tysiąca osób w Warszawie i Krakowie.",
        "cs": "Vláda schválila zákon o 3,5 % růstu; opozice byla proti.",
    }
    for lang, text in sentences.items():
        assert word_splitter(lang)(text) == load_word_tokenizer(lang).word_tokenize(text), lang


def test_maltese_articles_are_tokens_as_in_fineweb2_stop_words():
    words = word_splitter("mt")("Il-Prim Ministru tal-Unjoni tkellem fil-Parlament u l-ħaddiema.")
    assert {"Il-", "tal-", "fil-", "l-", "u"} <= set(words)


def test_ngram_statistics_equal_datatrove_definitions():
    rng = random.Random(7)
    vocab = "alpha beta gamma delta epsilon zeta eta theta".split()
    for trial in range(60):
        words = [rng.choice(vocab[: rng.randint(2, 8)]) for _ in range(rng.randint(0, 300))]
        s = TextSignals(" ".join(words), "en")
        assert s.words == words
        top, dup = s.ngram_repetition([2, 3, 4], [5, 6, 7, 8, 9, 10])
        for n in (2, 3, 4):
            grams = get_n_grams(words, n)
            assert top[n] == (find_top_duplicate(grams) if grams else 0), (trial, n)
        for n in range(5, 11):
            assert dup[n] == find_all_duplicate(words, n), (trial, n)


@pytest.mark.parametrize("lang,text", [("en", EN), ("de", DE), ("fr", FR)])
def test_decisions_agree_with_datatrove_configured_alike(lang, text):
    cfg = load_language_config(lang)
    stack = reference_stack(cfg, lang)
    variants = [
        text,
        SPAM,
        text.replace(".", ""),
        "\n".join([text.splitlines()[0]] * 6),
        "\n".join(w for w in text.split()),
        text[:150],
        text + "\n" + "{code: 1}",
    ]
    for v in variants:
        ours = assess_quality(v, lang, cfg).drop is None
        assert ours == reference_decision(stack, v)[0], (lang, v[:60])


def test_overrides_and_the_min_words_shortcut(tmp_path):
    step = QualityFilter(
        str(tmp_path), QualityFilterParams(min_words=500, overrides={"de": {"gopher_quality": {"min_doc_words": 10}}})
    )
    en = Document(text=EN, id="en", metadata={Meta.LANG: "en"})
    assert step.judge(en).reason == f"{Reason.QUALITY_GOPHER}.n_words"
    de = Document(text=DE, id="de", metadata={Meta.LANG: "de"})
    assert step.judge(de) is None
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "fr.yaml").write_text("gopher_quality: {min_stop_wordz: 3}\n")
    with pytest.raises(SpecError, match="quality configuration for 'fr'"):
        QualityFilter(str(tmp_path), QualityFilterParams(config_dir=str(tmp_path / "cfg"))).config_for("fr")


def test_unknown_language_uses_language_independent_rules():
    cfg = load_language_config("xx")
    assert cfg == load_language_config("default") and not cfg.gopher_quality.min_stop_words
    assert isinstance(cfg, LanguageQualityConfig)


def test_model_score_hook_with_a_real_fasttext_model(tmp_path):
    # lid.176 is a fastText classifier shipped with the package: its `__label__en` probability stands in
    # for a quality model's `__label__hq` (same file format, same predict call).
    model = QualityModelParams(path=str(bundled_lid176_path()), label="__label__en", min_score=0.5)
    step = QualityFilter(
        str(tmp_path), QualityFilterParams(model=model, overrides={"*": {"gopher_quality": {"min_stop_words": 0}}})
    )
    en = Document(text=EN, id="en", metadata={Meta.LANG: "en"})
    assert step.judge(en) is None and en.metadata[Meta.QUALITY][MODEL_SCORE_KEY] > 0.9
    de = Document(text=DE, id="de", metadata={Meta.LANG: "en"})
    drop = step.judge(de)
    assert drop.reason == Reason.QUALITY_MODEL and drop.evidence.startswith("model:score=")


def test_sentence_counting():
    assert count_sentences("One. Two! Three? Four") == 4
    assert count_sentences("No final mark") == 1
    assert count_sentences("") == 0


def test_word_cache_is_bounded_per_process_and_does_not_change_tokens():
    from eurocurate.filters.quality.words import WordSplitter, _Budget

    budget = _Budget(5)
    cached = WordSplitter("de", budget)
    assert cached(DE) == WordSplitter("de", _Budget(0))(DE) == word_splitter("de")(DE)
    assert budget.left == 0 and len(cached._cache) == 5


def test_lines_of_only_layout_whitespace_are_not_repeated_lines():
    page = "\n".join(EN.split("\n") + ["\t\t", "  ", "\t\t\t"] * 10)
    stats = assess_quality(page, "en", load_language_config("en")).stats
    assert (
        stats["gopher_repetition.dup_line_frac"]
        == assess_quality(EN, "en", load_language_config("en")).stats["gopher_repetition.dup_line_frac"]
    )
    repeated = "\n".join(EN.split("\n") + ["Read more."] * 10)
    assert assess_quality(repeated, "en", load_language_config("en")).stats["gopher_repetition.dup_line_frac"] > 0.3


@given(st.lists(st.sampled_from(["", "a", "bb", "a ", "Read more.", "ü"]), max_size=30))
def test_duplicate_lines_count_every_occurrence_after_the_first(items):
    seen: set[str] = set()
    repeated = [item for item in items if item in seen or seen.add(item)]
    assert _duplicates(items) == (len(repeated), sum(map(len, repeated)))


@pytest.mark.parametrize(
    ("params", "says"),
    [
        (
            {"overrides": {"de": {"gopher_quality": {"min_doc_word": 80}}}},
            "unknown key 'gopher_quality.min_doc_word'; did you mean 'min_doc_words'",
        ),
        ({"overrides": {"de": {"gopher_quality": {"min_doc_words": "lots"}}}}, "gopher_quality.min_doc_words"),
        ({"overrides": {"*": {"gopher_qualty": {}}}}, "unknown key 'gopher_qualty'; did you mean 'gopher_quality'"),
        (
            {"overrides": {"deu": {"gopher_quality": {"min_doc_words": 80}}}},
            "'deu': not a language code .*did you mean 'de'",
        ),
    ],
)
def test_a_quality_configuration_mistake_is_refused_when_the_stage_is_built_not_in_every_document(params, says):
    """Each passed `check`, and the run then exited 0 with every document of the language an error drop."""
    from eurocurate.config import SpecError
    from eurocurate.filters.quality.step import QualityFilterParams, build_quality_filter

    with pytest.raises(SpecError, match=says):
        build_quality_filter(QualityFilterParams.model_validate(params), SimpleNamespace(out_dir="/tmp"), "quality")


def test_a_config_dir_file_with_a_typo_or_a_name_that_is_no_language_is_refused(tmp_path):
    from eurocurate.config import SpecError
    from eurocurate.filters.quality.step import QualityFilterParams, build_quality_filter

    ctx = SimpleNamespace(out_dir=str(tmp_path))
    (tmp_path / "de.yaml").write_text("gopher_quality: {min_doc_word: 80}\n")
    with pytest.raises(SpecError, match="unknown key 'gopher_quality.min_doc_word'"):
        build_quality_filter(QualityFilterParams(config_dir=str(tmp_path)), ctx, "quality")
    (tmp_path / "de.yaml").unlink()
    (tmp_path / "ger.yaml").write_text("gopher_quality: {min_doc_words: 80}\n")
    with pytest.raises(SpecError, match="'ger': not a language code"):
        build_quality_filter(QualityFilterParams(config_dir=str(tmp_path)), ctx, "quality")
    (tmp_path / "ger.yaml").rename(tmp_path / "fur.yaml")  # a routed language's own configuration is fine
    assert build_quality_filter(QualityFilterParams(config_dir=str(tmp_path)), ctx, "quality").map_steps


def test_a_routed_language_the_identifier_names_without_an_iso_code_has_its_own_configuration(tmp_path):
    """`route_languages: [eml]` routes lid.176's Emilian-Romagnol (no ISO 639-3 code since 2009): its quality
    configuration, under the same key, was refused as "not a language code"."""
    from eurocurate.filters.quality.step import QualityFilterParams, build_quality_filter
    from eurocurate.langid.step import check_route_languages

    assert check_route_languages(["eml"]) == {"eml"}
    overrides = {"eml": {"gopher_quality": {"min_doc_words": 20}}}
    built = build_quality_filter(
        QualityFilterParams.model_validate({"overrides": overrides}), SimpleNamespace(out_dir=str(tmp_path)), "quality"
    )
    assert built.map_steps
    (tmp_path / "eml.yaml").write_text("gopher_quality: {min_doc_words: 20}\n")
    assert build_quality_filter(
        QualityFilterParams(config_dir=str(tmp_path)), SimpleNamespace(out_dir=str(tmp_path)), "quality"
    ).map_steps
