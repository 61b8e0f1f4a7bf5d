from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from eurocurate.langid.document import identify_document
from eurocurate.langid.identifier import EuLanguageIdentifier
from eurocurate.langid.long_tail import (
    EUROPEAN_NON_EU24,
    heliport_probabilities,
    heliport_scores,
    long_tail_veto,
    shared_heliport,
    spelling_tell,
    worth_asking,
)
from eurocurate.langid.orthography import words
from eurocurate.schema import EU24
from tests.langid.sentences import EU24_SENTENCES, LOOKALIKE_SENTENCES

# Written for these tests: Luxembourgish and Silesian (Ślabikŏrz spelling) about the same town council.
LUXEMBOURGISH = (
    "De Gemengerot huet gëschter decidéiert, en neie Vëlosweeër laanscht d'Uelzecht ze bauen, an d'Aarbechten "
    "fänken am Fréijoer un."
)
SILESIAN = (
    "Wszyjske ludzie rodzōm sie wolne i rōwne we godności i prawach. Sōm ôbdarzōne rozumym i sumiyniym i winni "
    "sie ku sobie zachowywać we duchu bractwa, bo niy ma inkszyj drōgi. Tyż dŏ sie to zrobić."
)


@pytest.fixture(scope="module")
def without_veto() -> EuLanguageIdentifier:
    return EuLanguageIdentifier(long_tail_veto=False)


def test_heliport_is_loaded_once_and_shared_by_every_identifier_of_the_process(identifier):
    other = EuLanguageIdentifier(min_score=0.7, veto_margin=0.3)
    assert shared_heliport() is shared_heliport()
    assert shared_heliport.cache_info().currsize == 1
    assert (
        other.identify_text(LOOKALIKE_SENTENCES["co"]).lang == identifier.identify_text(LOOKALIKE_SENTENCES["co"]).lang
    )


def test_corsican_that_fasttext_reads_as_italian_is_labelled_corsican(identifier):
    guess = identifier.identify_text(LOOKALIKE_SENTENCES["co"])
    assert guess.lang == "co"
    assert not guess.is_eu


def test_silesian_that_the_models_read_as_polish_is_vetoed_by_its_spelling(identifier, without_veto):
    assert without_veto.identify_text(SILESIAN).lang == "pl"  # what the veto is there for
    guess = identifier.identify_text(SILESIAN)
    assert (guess.lang, guess.path) == ("szl", "veto:spelling")


def test_a_whole_document_in_a_regional_language_is_not_kept_as_eu_text(identifier):
    page = "\n".join([LUXEMBOURGISH, LOOKALIKE_SENTENCES["co"], SILESIAN])
    assert identify_document(identifier, page).lang not in EU24
    assert identify_document(identifier, SILESIAN + "\n" + SILESIAN).lang == "szl"


@pytest.mark.parametrize("lang", EU24)
def test_the_veto_leaves_eu_sentences_alone(identifier, without_veto, lang):
    for sentence in EU24_SENTENCES[lang]:
        assert identifier.identify_text(sentence) == without_veto.identify_text(sentence)


# heliport's part of the veto alone (the regional classifier has its own tests)
_VETO = {
    "margins": {},
    "gate_score": 0.99,
    "rival_score": 0.01,
    "fasttext_score": 0.1,
    "min_hits": 3,
    "regional": False,
}


def test_a_veto_needs_heliports_lead_over_its_runner_up():
    text = LOOKALIKE_SENTENCES["co"]
    assert long_tail_veto(text, "it", {"it": 0.9}, default_margin=0.1, **_VETO).lang == "co"
    assert long_tail_veto(text, "it", {"it": 0.9}, default_margin=5.0, **_VETO) is None
    assert long_tail_veto(text, "it", {"it": 0.9}, default_margin=5.0, **{**_VETO, "margins": {"co": 0.1}}) is not None


def test_heliport_is_not_asked_where_fasttext_leaves_no_room_for_another_language():
    text = LOOKALIKE_SENTENCES["co"]
    assert not worth_asking({"it": 0.995, "en": 0.001}, "it", 0.99, 0.01)
    assert long_tail_veto(text, "it", {"it": 0.995}, default_margin=0.1, **_VETO) is None
    assert worth_asking({"it": 0.995, "co": 0.02}, "it", 0.99, 0.01)  # a European look-alike in the top five
    assert worth_asking({"it": 0.9}, "it", 0.99, 0.01)
    assert worth_asking({}, "it", 0.99, 0.01)


def test_a_language_heliport_cannot_name_takes_fasttexts_name():
    # heliport has no Venetian; when it reads a European non-EU-24 neighbour and fastText's top five hold Venetian,
    # the label is Venetian
    text = LOOKALIKE_SENTENCES["co"]
    found = long_tail_veto(text, "it", {"it": 0.6, "vec": 0.2}, default_margin=0.1, **_VETO)
    assert found is not None and found.lang == "vec"


def test_spelling_tells_need_both_words_and_letters():
    assert spelling_tell(words(SILESIAN), SILESIAN, 3) == "szl"
    polish = "Wszyscy ludzie rodzą się wolni i równi pod względem swej godności i swych praw. Nie ma innej drogi."
    assert spelling_tell(words(polish), polish, 3) is None
    english = "The theatre is open on Thursday and the pharmacy on the other side of the path is closed."
    assert spelling_tell(words(english), english, 3) is None
    romanian = "În fiecare sâmbătă dimineața, piața de producători umple scuarul din fața primăriei cu pâine."
    assert spelling_tell(words(romanian), romanian, 3) is None


def test_heliport_probabilities_sum_to_one_and_favour_the_lowest_raw_score():
    raw = heliport_scores(LOOKALIKE_SENTENCES["co"])
    probs = heliport_probabilities(raw, ("co", "it", "fur"), 8.0)
    assert abs(sum(probs.values()) - 1) < 1e-9
    assert max(probs, key=probs.get) == "co"
    assert probs["fur"] < probs["it"]  # not in heliport's top k: below everything it ranked
    assert heliport_probabilities({}, ("a", "b"), 8.0) == {"a": 0.5, "b": 0.5}


def test_the_european_set_holds_no_eu_language():
    assert not EUROPEAN_NON_EU24 & set(EU24)


def test_a_second_identifier_and_its_tasks_share_the_first_ones_models():
    """In a fresh process (a worker): the first identifier loads the models; a second one with another
    configuration (as a second stage or task of the worker builds) and both reading every test sentence add little.
    heliport's tables are memory-mapped (`langid.heliport_tables`): the pages a worker touches are the node's page
    cache, shared, not a copy per process (heliport's own binding decoded ~830 MiB into each). The absolute figure,
    the interpreter and imports included, is what `make bench` reports."""
    code = (
        "from eurocurate.langid.identifier import EuLanguageIdentifier\n"
        "from eurocurate.langid.document import identify_document\n"
        "from tests.langid.sentences import EU24_SENTENCES, LOOKALIKE_SENTENCES\n"
        "def rss(field='VmRSS'):\n"
        "    return int([l.split()[1] for l in open('/proc/self/status') if l.startswith(field)][0]) / 1024\n"
        "a = EuLanguageIdentifier()\n"
        "first, private, mapped = rss(), rss('RssAnon'), rss('RssFile')\n"
        "b = EuLanguageIdentifier(min_score=0.7, veto_margin=0.3)\n"
        "for ident in (a, b):\n"
        "    for s in [*sum(EU24_SENTENCES.values(), []), *LOOKALIKE_SENTENCES.values()]:\n"
        "        ident.identify_text(s)\n"
        "        identify_document(ident, s + '\\n' + s)\n"
        "print(first, rss('RssAnon') - private, rss('RssFile') - mapped)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    first, private, mapped = map(float, done.stdout.split())
    assert first < 400, first  # fastText and heliport's tables mapped, not decoded into the process
    assert private < 64, private  # not a second copy of anything (lingua on hr/bs/sr is ~14 MiB)
    assert mapped < 160, mapped  # the pages of heliport's tables read (131 MiB in all), shared with other workers


def test_glotlid_and_openlid_labels_of_regional_languages_land_on_the_codes_the_veto_knows():
    from eurocurate.langid.fasttext_lid import normalize_label

    labels = ["ltz_Latn", "szl_Latn", "lim_Latn", "srd_Latn", "roh_Latn", "ydd_Hebr", "rmy_Latn", "fao_Latn"]
    codes = [normalize_label(f"__label__{label}") for label in labels]
    assert codes == ["lb", "szl", "li", "sc", "rm", "yi", "rom", "fo"]
    assert set(codes) <= EUROPEAN_NON_EU24


def test_sorbian_is_told_by_polish_and_czech_letters_together():
    lower = "Licba bajtow, kótarež su se pśez toś tu kupku pśetrjebali, bźez pódkupkow."
    upper = "Wšitke čłowjeske bytosće su wot naroda swobodne a maja samsnu dostojnosć a samsne prawa."
    assert spelling_tell(words(lower), lower, 3, "pl") == "dsb"
    assert spelling_tell(words(upper), upper, 3, "cs") == "hsb"
    czech = "Všichni lidé se rodí svobodní a sobě rovní co do důstojnosti a práv."
    polish = "Wszyscy ludzie rodzą się wolni i równi pod względem swej godności i swych praw."
    assert spelling_tell(words(czech), czech, 3, "cs") is None
    assert spelling_tell(words(polish), polish, 3, "pl") is None


def test_a_tell_only_vetoes_the_eu_languages_its_language_passes_for():
    scots = "Ye cannae chynge this settin, it isnae available fur yer wabsite the noo."
    assert spelling_tell(words(scots), scots, 3, "en") == "sco"
    assert spelling_tell(words(scots), scots, 3, "de") is None  # Scots is not read as German
    portuguese = "A condição é válida também para você: o pôr do sol e o português, à noite."
    assert spelling_tell(words(portuguese), portuguese, 3, "pt") is None  # ç ê ô are Portuguese too


_WITHOUT_HELIPORT = (
    "import sys; sys.modules['heliport'] = None; from eurocurate.cli import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.mark.parametrize(
    ("sets", "answer"),
    [
        ([], "heliport needs the heliport package (GPL-3.0"),
        (["--set", "stages.language_id.second_opinion_model=lingua"], None),
    ],
    ids=["heliport-asked-for", "lingua-chosen"],
)
def test_a_spec_asking_for_heliport_without_it_installed_gets_one_line_before_the_run(sets, answer, tmp_path):
    """heliport is GPL-3.0, an optional extra of this Apache-2.0 package: a user without it is told how to get it
    (or how to do without) by `check`, before a run starts, not by a traceback in a worker."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.warc.gz").write_bytes(b"")
    spec = Path(__file__).resolve().parents[2] / "pipelines" / "web.yaml"
    argv = ["check", str(spec), "--input", str(inputs), "--output", str(tmp_path / "out"), *sets]
    env = {**os.environ, "EUROCURATE_PII_KEY": "test-key"}
    done = subprocess.run([sys.executable, "-c", _WITHOUT_HELIPORT, *argv], capture_output=True, text=True, env=env)
    if answer is None:  # the setting the answer names is one a spec takes: the check passes
        assert done.returncode == 0 and "heliport" not in done.stdout + done.stderr, done.stdout + done.stderr
    else:
        assert done.returncode != 0
        assert answer in done.stdout + done.stderr and "pip install 'eurocurate[heliport]'" in done.stdout + done.stderr
        assert "Traceback" not in done.stderr


def test_aragonese_elisions_and_its_u_for_or_tell_it_from_spanish():
    # Written for this test in Aragonese spelling: d'/l' before a vowel, "u" for "or", dende, pachina
    aragonese = "Activar u desactivar l'actualización automatica dende a pachina d'opcions."
    assert spelling_tell(words(aragonese), aragonese, 2, "es") == "an"
    # Spanish writes "u" only before o- and never elides: no tell, even with a Catalan place name
    spanish = "Elija siete u ocho opciones de la página de configuración antes de viajar a l'Hospitalet."
    assert spelling_tell(words(spanish), spanish, 2, "es") is None
