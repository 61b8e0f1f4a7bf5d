"""Languages outside the EU-24: routed to their own text shards when a spec asks (`route_languages`), otherwise
dropped with a counted reason; run.json, the AI Act summary, the dataset card and Croissant say which."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from datatrove.data import Document

from eurocurate.cli import main
from eurocurate.langid.step import LanguageIdentifier, LanguageIdParams
from eurocurate.manifests.audit.run_manifest import read_run_manifest
from eurocurate.manifests.audit.verify import verify_output
from eurocurate.manifests.release.ai_act_summary import SummaryConfig, build_summary, to_markdown
from eurocurate.manifests.release.croissant import build_croissant
from eurocurate.manifests.release.dataset_card import dataset_card
from eurocurate.schema import Meta, Reason
from eurocurate.tools.demo_corpus import load_texts
from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc
from tests.conftest import html_page
from tests.langid.sentences import LOOKALIKE_SENTENCES

CATALAN = (
    "L'ajuntament de la ciutat es va reunir dimarts al vespre per parlar dels nous carrils bici que s'han de "
    "construir al llarg del riu. Els veïns van demanar passos de vianants més segurs a prop de l'escola i més bancs "
    "al parc del barri. L'alcaldessa va explicar que el primer tram s'obrirà a la primavera i que el pressupost de "
    "les obres es va aprovar per una àmplia majoria després d'un llarg debat sobre els costos i el calendari.\n"
    "En la mateixa reunió, la biblioteca municipal va anunciar que allargarà l'horari d'obertura durant els mesos "
    "d'hivern, de manera que els estudiants tinguin un lloc càlid i tranquil on estudiar al vespre i els caps de "
    "setmana. També es van presentar els resultats de l'enquesta sobre el transport públic, que mostren que la "
    "majoria dels usuaris voldria més autobusos nocturns i bitllets més barats per als joves.\n"
    "Finalment, els representants de les associacions de comerciants van recordar que el mercat setmanal tornarà a "
    "la plaça major quan acabin les obres, i van agrair als veïns la paciència que han tingut durant aquests mesos "
    "de sorolls i desviaments."
)
NORWEGIAN = LOOKALIKE_SENTENCES["nb"] + "\n" + LOOKALIKE_SENTENCES["nb"].replace("Bystyret", "Kommunestyret")


def _spec(path: Path, route: list[str] | None) -> Path:
    langid = {"min_score": 0.5} | ({"route_languages": route} if route is not None else {})
    spec = {
        "version": 1,
        "name": "routing",
        "source": {"publisher": "test", "source_category": "own_crawl", "licence": "CC0-1.0"},
        "stages": [
            {"use": "warc_reader"},
            {"use": "html_extractor", "with": {"favour_precision": True}},
            {"use": "language_id", "with": langid},
            {"use": "quality_filter"},
            {"use": "text_parquet"},
        ],
        "execution": {"executor": "local", "workers": 1},
    }
    path.write_text(yaml.safe_dump(spec))
    return path


def _run(tmp_path: Path, route: list[str] | None) -> Path:
    german = load_texts()["de"].paragraphs
    inputs = tmp_path / "in"
    write_warc(
        inputs / "a.warc.gz",
        [
            WarcRecordSpec(url="https://a.example.de/1", body=html_page("\n".join(german[:3]), "de").encode()),
            WarcRecordSpec(url="https://a.example.cat/2", body=html_page(CATALAN, "ca").encode()),
            WarcRecordSpec(url="https://a.example.no/3", body=html_page(NORWEGIAN, "nb").encode()),
        ],
    )
    out = tmp_path / "out"
    spec = _spec(tmp_path / "spec.yaml", route)
    assert main(["run", str(spec), "--input", str(inputs), "--output", str(out)]) == 0
    return out


def _ledger(out: Path) -> list[dict]:
    files = sorted((out / "exclusions").glob("*.parquet"))
    return pa.concat_tables([pq.read_table(f) for f in files]).to_pylist() if files else []


@pytest.mark.slow
def test_a_routed_language_gets_its_own_shards_and_the_release_documents_say_so(tmp_path):
    out = _run(tmp_path, ["ca"])
    assert sorted(p.name for p in (out / "text").iterdir()) == ["ca", "de"]
    catalan = pq.read_table(next((out / "text" / "ca").glob("*.parquet"))).to_pylist()
    assert [(r["url"], r["language"], r["language_script"]) for r in catalan] == [
        ("https://a.example.cat/2", "cat", "Latn")
    ]  # FineWeb-2's label, as for the EU-24
    # the Norwegian page is not routed: a counted drop with its language, not a silent loss
    dropped = [(r["url"], r["reason"], r["lang"]) for r in _ledger(out) if r["stage"] == "language_id"]
    assert dropped == [("https://a.example.no/3", Reason.LANG_NOT_EU, "nb")]
    # the quality filter judged the routed page (with the default configuration: there is no ca.yaml)
    prov = pa.concat_tables([pq.read_table(f) for f in (out / "provenance").glob("*.parquet")]).to_pylist()
    assert {r[Meta.LANG] for r in prov} == {"ca", "de"} and all(r[Meta.QUALITY] for r in prov)
    totals = read_run_manifest(out).totals
    assert totals.documents_by_language == {"ca": 1, "de": 1} and totals.non_eu24_excluded == {"nb": 1}
    assert verify_output(out).ok

    summary = build_summary(out, SummaryConfig())
    size = summary["1_general_information"]["1.3_modalities_and_size"]
    assert size["documents_by_language"] == {"ca": 1, "de": 1}
    assert size["non_eu24_documents"]["routed_to_own_shards"] == {"ca": 1}
    assert size["non_eu24_documents"]["excluded"] == {"nb": 1}
    statement = size["non_eu24_documents"]["statement"]
    assert "1 documents in 1 languages were routed" in statement and "default configuration for ca" in statement
    assert "1 documents were excluded as neither EU-24 nor routed" in statement and "nb 1" in statement
    assert "Languages outside the EU-24:" in to_markdown(summary)
    card = dataset_card(out)
    assert "routed to their own shards" in card and "`route_languages`" in card
    limits = " ".join(build_croissant(out)["rai:dataLimitations"])
    assert "routed languages in shards of their own" in limits and "Documents by language: ca 1, de 1." in limits


@pytest.mark.slow
def test_without_routing_every_non_eu24_page_is_a_counted_drop(tmp_path):
    out = _run(tmp_path, None)
    assert sorted(p.name for p in (out / "text").iterdir()) == ["de"]
    dropped = sorted((r["lang"], r["reason"]) for r in _ledger(out) if r["stage"] == "language_id")
    assert dropped == [("ca", Reason.LANG_NOT_EU), ("nb", Reason.LANG_NOT_EU)]
    run = read_run_manifest(out)
    assert run.totals.non_eu24_excluded == {"ca": 1, "nb": 1} and run.totals.documents_by_language == {"de": 1}
    statement = build_summary(out, SummaryConfig())["1_general_information"]["1.3_modalities_and_size"][
        "non_eu24_documents"
    ]["statement"]
    assert statement.startswith("2 documents were excluded as neither EU-24 nor routed")
    limits = build_croissant(out)["rai:dataLimitations"]
    assert any(line.startswith("Only documents identified as one of the EU's 24") for line in limits)


def test_routing_keeps_the_routed_language_and_drops_the_others_with_their_label(tmp_path):
    step = LanguageIdentifier(str(tmp_path), route_languages=("ca",))
    catalan, norwegian = Document(text=CATALAN, id="ca"), Document(text=NORWEGIAN, id="nb")
    v_ca, v_nb = step.judge_batch([catalan, norwegian])
    assert v_ca is None and catalan.metadata[Meta.LANG] == "ca"
    assert v_nb.reason == Reason.LANG_NOT_EU and norwegian.metadata[Meta.LANG] == "nb"
    everything = LanguageIdentifier(str(tmp_path), route_languages=("*",))
    assert everything.judge_batch([Document(text=NORWEGIAN, id="nb2")]) == [None]


@pytest.mark.parametrize("spelling", ["ca", "cat", "cat_Latn"])
def test_a_routed_language_may_be_named_as_iso_639_3_or_with_its_script(tmp_path, spelling):
    """FineWeb-2 and GlotLID name Catalan `cat_Latn`: routed as the identifier names it (`ca`), not silently never."""
    step = LanguageIdentifier(str(tmp_path), route_languages=(spelling,))
    assert step.route_languages == frozenset({"ca"})
    catalan = Document(text=CATALAN, id="ca")
    assert step.judge_batch([catalan]) == [None] and catalan.metadata[Meta.LANG] == "ca"


def test_a_script_suffix_is_said_to_route_the_language_in_every_script(tmp_path, caplog):
    """`srp_Latn` reads as Latin-script Serbian only, but routing is by the identifier's label (`sr`): the spec's
    writer is told, not left to find Cyrillic pages in text/sr/."""
    with caplog.at_level(logging.WARNING, logger="eurocurate.langid.step"):
        assert LanguageIdentifier(str(tmp_path), route_languages=("srp_Latn", "fur")).route_languages == {"sr", "fur"}
    assert "route_languages srp_Latn: documents are routed by language, not script" in caplog.text
    assert "every document labelled sr, in any script" in caplog.text


def test_routing_in_segment_mode_never_mixes_routed_text_into_an_eu24_document(tmp_path):
    step = LanguageIdentifier(str(tmp_path), route_languages=("ca",), segment_mode="segments")
    german = "\n".join(load_texts()["de"].paragraphs[:3])
    doc = Document(text=german + "\n" + CATALAN.split("\n")[0], id="mixed")
    assert step.judge(doc) is None
    assert doc.metadata[Meta.LANG] == "de" and "ajuntament" not in doc.text


@pytest.mark.parametrize(
    ("route", "says"),
    [
        (["de"], "EU-24 languages; EU-24 languages are kept by `languages`"),
        (["hrv_Latn"], r"\['hrv_Latn'\] are EU-24 languages"),
        (["fru", "ca"], r"\['fru'\] are not ISO 639 language codes, so no document would be routed"),
        (["xx"], r"\['xx'\] are not ISO 639"),
        (["other"], "are not language codes"),
        (["Catalan"], "are not language codes"),
        (["*", "ca"], "'*' already routes every language"),
        (["cat_Lant"], r"\['cat_Lant'\]: the suffix is no ISO 15924 script code"),
    ],
)
def test_route_languages_mistakes_are_refused_with_what_to_write(route, says):
    with pytest.raises(ValueError, match=says):
        LanguageIdParams(route_languages=route)


@pytest.mark.parametrize(
    ("scores", "says"),
    [
        (
            {"hrv": 0.1},
            "min_scores key 'hrv' is no language code as the identifier labels documents; did you mean 'hr'",
        ),
        ({"DE": 0.2}, "did you mean 'de'"),
        ({"xx": 0.3}, "min_scores key 'xx' is no language code"),
        ({"de": 5.0}, "min_scores de: 5.0 is not a score between 0 and 1"),
    ],
)
def test_min_scores_a_run_would_silently_ignore_or_that_drop_everything_are_refused(scores, says):
    with pytest.raises(ValueError, match=says):
        LanguageIdParams(min_scores=scores)
    assert LanguageIdParams(min_scores={"de": 0.3, "fur": 0.2}).min_scores == {"de": 0.3, "fur": 0.2}


def test_alemannic_is_labelled_and_routed_as_gsw_not_as_albanian(tmp_path):
    """lid.176 writes Alemannic `als`, which ISO 639-3 gives Tosk Albanian: routing `gsw` routed nothing, and `als`
    (as the route code's ISO reading) routed Albanian."""
    swiss = (
        "Mir händ hüt am Morge zäme im Garte gschaffet und am Abig simmer no es bitzeli go laufe. "
        "D Chind händ im Bach gspillt und de Grossvater het verzellt, wie's früener gsi isch im Dorf. "
        "Am Sunntig gömmer dänn alli zäme uf de Bärg, wänn s Wätter guet isch."
    )
    step = LanguageIdentifier(str(tmp_path), route_languages=("gsw",))
    doc = Document(text=swiss, id="gsw")
    step.judge_batch([doc])
    assert doc.metadata[Meta.LANG] == "gsw"
    assert LanguageIdentifier(str(tmp_path), route_languages=("als",)).route_languages == frozenset({"sq"})


def test_a_model_path_that_is_no_fasttext_model_is_one_line_before_the_run(tmp_path):
    bogus = tmp_path / "bogus.bin"
    bogus.write_bytes(b"not a model at all")
    with pytest.raises(ValueError, match=r"model_path .*bogus.bin is not a fastText model"):
        LanguageIdentifier(str(tmp_path), model_path=str(bogus))


def test_a_routed_language_without_its_own_threshold_is_warned_about(tmp_path, caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger="eurocurate.langid.step"):
        LanguageIdentifier(str(tmp_path), min_score=0.65, route_languages=("fur", "ca"), min_scores={"ca": 0.3})
    assert "route_languages fur have no min_scores entry: min_score 0.65 applies" in caplog.text


ITALIAN = [
    "Il consiglio comunale si è riunito martedì sera per discutere delle nuove piste ciclabili lungo il fiume.",
    "I residenti hanno chiesto attraversamenti pedonali più sicuri vicino alla scuola e più panchine nel parco.",
    "Il sindaco ha spiegato che il primo tratto aprirà in primavera e che il bilancio è stato approvato.",
]
FRIULIAN = (
    "Il consei comunâl si è cjatât martars di sere par discuti des gnovis pistis pes biciclets dilunc dal flum, "
    "e i abitants a àn domandât passaçs plui sigûrs dongje de scuele."
)


@pytest.mark.parametrize("where", [0, 1, 3])
def test_in_segment_mode_a_regional_paragraph_is_removed_wherever_it_stands_and_takes_no_eu_text(tmp_path, where):
    """An audit's page: Italian paragraphs and one Friulian one. Read paragraph by paragraph, the Friulian one was
    vetoed together with the Italian ones (the page dropped when it came first) or kept as Italian (last)."""
    paragraphs = list(ITALIAN)
    paragraphs.insert(where, FRIULIAN)
    step = LanguageIdentifier(str(tmp_path), segment_mode="segments")
    doc = Document(text="\n".join(paragraphs), id="mixed")
    assert step.judge(doc) is None and doc.metadata[Meta.LANG] == "it"
    assert doc.text.split("\n") == ITALIAN  # every Italian paragraph, and not the Friulian one


def test_in_segment_mode_a_catalan_paragraph_fasttext_is_sure_of_is_not_kept_as_spanish(tmp_path):
    spanish = (
        "La Comisión Europea ha presentado hoy una propuesta para reforzar la protección de los datos personales "
        "de los ciudadanos en toda la Unión, con nuevas obligaciones para las empresas tecnológicas."
    )
    step = LanguageIdentifier(str(tmp_path), segment_mode="segments", route_languages=("ca",))
    doc = Document(text=spanish + "\n" + CATALAN.split("\n")[0], id="es+ca")
    assert step.judge(doc) is None and doc.metadata[Meta.LANG] == "es"
    assert doc.text == spanish and "ajuntament" not in doc.text
