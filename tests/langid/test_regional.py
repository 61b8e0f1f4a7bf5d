from __future__ import annotations

from pathlib import Path

import pytest

from eurocurate.langid import regional
from eurocurate.langid.document import identify_document
from eurocurate.langid.identifier import EuLanguageIdentifier
from eurocurate.langid.long_tail import (
    EUROPEAN_NON_EU24,
    VETO_ASKED,
    VETO_GLANCED,
    VETO_HELIPORT,
    VETO_REGIONAL,
    glance_can_stop,
)
from eurocurate.langid.ngram_model import NgramModelError, load_model
from eurocurate.langid.regional import (
    REGIONAL_MODEL_PATH,
    read_text,
    regional_glance,
    regional_model,
    regional_reading,
    regional_veto,
)
from eurocurate.schema import EU24
from tests.langid.sentences import EU24_SENTENCES

# Written for these tests (not from the long-tail set): user-interface messages and a sentence about a town's new
# cycle path, in the regional languages the bundled identifiers read as an EU-24 language.
REGIONAL_SENTENCES = {
    "an": "No s'ha puesto ubrir o fichero porque o servidor no ye disponible en iste momento.",
    "ast": "Nun se pudo abrir el ficheru porque'l sirvidor nun ta disponible nesti momentu.",
    "lij": "O file o no se peu arvî perché o server o no l'é disponibile in sto momento.",
    "fur": "Nol è stât pussibil vierzi il file parcè che il servidôr nol è disponibil in chest moment.",
    "szl": "Niy szło ôtworzić zbioru, bo serwer niy ma terozki dostympny.",
    "li": "Dit bestandj kin neet geäöpend waere umtot de server noe neet bereikbaar is.",
    "rom": "O them sas but phuro thaj e manuša dživenas ande cikne khera. Akana e čhave džan ande škola sako džives.",
    "nds": "De Gemeenderaat hett güstern beslaten, en nee'en Radweg an'n Stroom lang to bauen, un de Arbeid fangt "
    "in't Fröhjohr an.",
    "vec": "El consejo comunal el ga decidesto jeri de far na nova pista ciclabile longo el fiume, e i lavori i "
    "scomisiarà in primavera.",
    "gl": "Non foi posíbel abrir o ficheiro porque o servidor non está dispoñíbel neste momento.",
    "dsb": "Dataja njedajo se wócyniś, dokulaž serwer tuchylu njejo k dispoziciji.",
    "mwl": "L cunceilho decidiu onte fazer un camino nuobo pa las bicicletas a la borda de l riu, i ls trabalhos ban "
    "a ampeçar na primabera.",
}


@pytest.fixture(scope="module")
def without_regional() -> EuLanguageIdentifier:
    return EuLanguageIdentifier(regional_veto=False)


# Venetian, Low German and Mirandese have ~30 UDHR paragraphs in the dev part: too few for the model to know them on
# other topics (it reads these sentences as Catalan, Frisian and Occitan); the rest of the veto labels them
READ_BY_THE_MODEL = sorted(set(REGIONAL_SENTENCES) - {"vec", "nds", "mwl"})


@pytest.mark.parametrize("lang", READ_BY_THE_MODEL)
def test_the_regional_model_reads_each_regional_language_as_itself(lang):
    reading = regional_reading(regional_model(), REGIONAL_SENTENCES[lang])
    assert reading.lang == lang
    assert reading.lead >= regional_model().calibration["min_lead"]


# fastText is 0.993 sure this Friulian message is Italian: above `veto_gate_score`, so the veto is not asked
ASKED = sorted(set(REGIONAL_SENTENCES) - {"fur"})


@pytest.mark.parametrize("lang", ASKED)
def test_regional_sentences_and_pages_are_not_labelled_eu24(identifier, lang):
    sentence = REGIONAL_SENTENCES[lang]
    assert identifier.identify_text(sentence).lang not in EU24
    assert identify_document(identifier, "\n".join([sentence] * 3)).lang not in EU24


def test_silesian_that_fasttext_and_heliport_read_as_polish_is_vetoed_by_the_model(identifier, without_regional):
    silesian = REGIONAL_SENTENCES["szl"]
    assert without_regional.identify_text(silesian).lang == "pl"  # what the model is there for
    guess = identifier.identify_text(silesian)
    assert (guess.lang, guess.path) == ("szl", "veto:regional")


def test_a_text_fasttext_is_sure_of_is_not_asked_unless_the_gate_says_so(identifier):
    friulian = REGIONAL_SENTENCES["fur"]
    assert identifier.identify_text(friulian).lang == "it"
    always_ask = EuLanguageIdentifier(veto_gate_score=1.0)
    assert always_ask.identify_text(friulian).lang == "fur"


@pytest.mark.parametrize("lang", EU24)
def test_the_model_vetoes_no_eu_sentence(lang):
    for sentence in EU24_SENTENCES[lang]:
        assert regional_veto(sentence, lang) is None, sentence


def test_labels_the_model_does_not_hold_are_left_to_the_rest_of_the_veto():
    # Greek and Bulgarian are not in the model (another script): no reading, whatever the text
    assert "el" not in regional_model().labels
    assert regional_veto(REGIONAL_SENTENCES["fur"], "el") is None


def test_a_veto_needs_the_derived_lead_unless_a_spec_sets_another():
    text = REGIONAL_SENTENCES["an"]
    reading = regional_reading(regional_model(), text)
    assert regional_veto(text, "es") == reading
    assert regional_veto(text, "es", min_lead=reading.lead + 1) is None


def test_every_non_eu_label_of_the_model_is_a_european_language_the_veto_knows():
    labels = set(regional_model().labels)
    assert labels - set(EU24) - EUROPEAN_NON_EU24 == {"af"}  # Dutch's look-alike sharpens the model, vetoes nothing
    assert {"an", "ast", "lij", "fur", "szl", "li", "rom", "nds", "vec", "gl", "dsb", "mwl"} <= labels
    assert not labels & {"bs", "sr", "hbs"}  # Croatian's neighbours are langid.hbs's


def test_the_packaged_model_is_small_and_memory_mapped():
    assert REGIONAL_MODEL_PATH.stat().st_size < 6 * 2**20
    assert load_model(REGIONAL_MODEL_PATH).calibration["min_lead"] > 0


def test_a_damaged_model_file_is_refused_with_its_path(tmp_path):
    bad = tmp_path / "regional.npz"
    bad.write_bytes(REGIONAL_MODEL_PATH.read_bytes()[:1000])
    with pytest.raises(NgramModelError, match="regional.npz"):
        load_model(bad)


def test_a_regional_text_still_gets_its_label_with_the_glance(identifier):
    # the glance stops the veto only where the model reads the text as EU-24 by far: Silesian passes it
    silesian = REGIONAL_SENTENCES["szl"]
    glance = regional_glance(silesian, "pl", identifier.config.veto_glance_chars)
    assert glance is not None and glance.lead > identifier.config.veto_glance_lead
    before = identifier.counts.copy()
    guess = identifier.identify_text(silesian)
    assert (guess.lang, guess.path) == ("szl", "veto:regional")
    counted = identifier.counts - before
    assert counted[VETO_REGIONAL] == 1 and counted[VETO_GLANCED] == 0


@pytest.mark.parametrize("lang", ["it", "pl", "de", "nl", "sv"])
def test_an_eu_text_the_model_reads_as_eu24_by_far_skips_the_rest_of_the_veto(lang):
    ident = EuLanguageIdentifier(veto_gate_score=1.0)  # fastText's gate always leaves room: the glance decides
    reads_whole = EuLanguageIdentifier(veto_gate_score=1.0, veto_glance_lead=None)
    sentence = " ".join(EU24_SENTENCES[lang])
    guess = ident.identify_text(sentence)
    assert guess == reads_whole.identify_text(sentence) and guess.lang == lang
    assert ident.counts[VETO_GLANCED] == ident.counts[VETO_ASKED] == 1
    assert ident.counts[VETO_REGIONAL] == ident.counts[VETO_HELIPORT] == 0
    assert reads_whole.counts[VETO_REGIONAL] == 1 and reads_whole.counts[VETO_GLANCED] == 0


def test_fasttext_naming_a_language_the_model_does_not_know_keeps_heliport_asked():
    assert glance_can_stop({"it": 0.9}, {}, 0.01)
    assert not glance_can_stop({"it": 0.9, "lmo": 0.05}, {}, 0.01)  # Lombard: heliport's to name
    assert not glance_can_stop({}, {"scn": 0.02}, 0.01)  # a paragraph's view counts too
    assert glance_can_stop({"it": 0.9, "co": 0.05}, {}, 0.01)  # Corsican: the model weighed it
    assert glance_can_stop({"hr": 0.6, "sr": 0.3, "bs": 0.1}, {}, 0.01)  # langid.hbs's, not the veto's


GLANCED = [*REGIONAL_SENTENCES.values(), *(" ".join(sentences) for sentences in EU24_SENTENCES.values())]


def test_a_text_read_again_gets_the_reading_it_got_first():
    model = regional_model()
    for _ in range(2):  # the second round reads the kept readings
        for text in GLANCED:
            assert regional_glance(text, "it", 60) == regional_reading(model, text[:60], 60)
            assert regional_glance(text, "el", 60) is None  # Greek: not one of the model's labels
            exact = regional_reading(model, text)
            for min_lead in (None, 0.0, exact.lead, exact.lead + 1e-4):
                needed = model.calibration["min_lead"] if min_lead is None else min_lead
                assert regional_veto(text, "it", min_lead) == (exact if exact.lead >= needed else None)
    assert read_text(GLANCED[0][:60]) is read_text(GLANCED[0][:60])


def test_the_kept_readings_are_bounded(monkeypatch):
    monkeypatch.setattr(regional, "CACHED_READINGS", 3)
    regional_model()._memo.clear()  # what earlier readings left
    for text in GLANCED[:10]:
        assert read_text(text) == regional_reading(regional_model(), text, len(text))
        assert len(regional_model()._memo) <= 3


def _model_reading_silesian_as_kashubian(path):
    """A regional model of two labels, Polish and Kashubian, whose "Kashubian" is the Silesian test sentence and two
    more written for this test: only this file can make the veto name Kashubian for that sentence."""
    from eurocurate.tools.train_regional import RegionalRow, fit

    silesian = [
        REGIONAL_SENTENCES["szl"],
        "Ôtwōrz zbiōr i zapisz zmiany, zanim zawrzesz ôkno programu.",
        "Niy idzie sie połōnczyć ze serwerym, sprōbuj zaś niyskorzij.",
    ]
    rows = [RegionalRow(text, "pl", f"t:{i}", 0) for i, text in enumerate(EU24_SENTENCES["pl"])]
    rows += [RegionalRow(text, "csb", f"t:{i}", 0) for i, text in enumerate(silesian)]
    model = fit(rows)
    type(model)(model.labels, model.weights, model.bias, model.spec, "test", {"min_lead": 0.0}).save(path)
    return path


def test_a_spec_can_point_the_veto_at_a_regional_model_it_built(tmp_path, without_regional):
    """`regional_model_path`: the veto reads that file instead of the packaged one (a model trained with
    `train_regional --desktop`, which is not packaged), in a process that also uses the packaged one."""
    path = str(_model_reading_silesian_as_kashubian(tmp_path / "mine.npz"))
    silesian = REGIONAL_SENTENCES["szl"]
    assert without_regional.identify_text(silesian).lang == "pl"
    mine = EuLanguageIdentifier(regional_model_path=path)
    assert (mine.identify_text(silesian).lang, mine.identify_text(silesian).path) == ("csb", "veto:regional")
    packaged = EuLanguageIdentifier()
    assert (packaged.identify_text(silesian).lang, packaged.identify_text(silesian).path) == ("szl", "veto:regional")


@pytest.mark.parametrize(
    ("name", "answer"),
    [("missing.npz", "no such file"), ("hbs", "is not a regional-language model")],
)
def test_a_wrong_regional_model_path_is_one_line_before_the_run(tmp_path, name, answer):
    from eurocurate.langid.hbs import HBS_MODEL_PATH
    from eurocurate.langid.step import LanguageIdentifier

    path = str(HBS_MODEL_PATH if name == "hbs" else tmp_path / name)
    with pytest.raises(NgramModelError, match=answer):
        LanguageIdentifier(str(tmp_path / "out"), regional_model_path=path)


def test_a_regional_model_the_veto_would_not_read_is_refused_before_the_run(tmp_path, capsys, monkeypatch):
    """A user mistake: `regional_model_path` with the lingua second opinion, which has no long-tail veto. The model
    would never be read while the spec the run records names it; `check` says so in one line."""
    from eurocurate.cli import main
    from eurocurate.langid.config import LangIdConfig

    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.warc.gz").write_bytes(b"")
    spec = Path(__file__).resolve().parents[2] / "pipelines" / "web.yaml"
    monkeypatch.setenv("EUROCURATE_PII_KEY", "test-key")
    sets = ["--set", "stages.language_id.second_opinion_model=lingua",
            "--set", f"stages.language_id.regional_model_path={REGIONAL_MODEL_PATH}"]  # fmt: skip
    assert main(["check", str(spec), "--input", str(inputs), "--output", str(tmp_path / "out"), *sets]) != 0
    said = capsys.readouterr()
    assert "would not be read: only the long-tail veto reads it" in said.err + said.out
    assert "second_opinion_model is lingua" in said.err + said.out and "Traceback" not in said.err
    with pytest.raises(ValueError, match="here long_tail_veto is off"):
        LangIdConfig(regional_model_path=str(REGIONAL_MODEL_PATH), long_tail_veto=False)
    assert LangIdConfig(regional_model_path=str(REGIONAL_MODEL_PATH)).reads_regional_model
