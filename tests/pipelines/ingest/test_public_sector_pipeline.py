"""pipelines/public_sector.yaml end to end on a folder of publications: `eurocurate run` + `eurocurate verify`."""

from xml.sax.saxutils import escape

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from eurocurate.cli import main
from eurocurate.config import load_spec
from eurocurate.manifests.audit.run_manifest import read_run_manifest
from eurocurate.pipelines.ingest.sources_stage import accepted_suffixes
from eurocurate.schema import Reason
from eurocurate.tools.demo_corpus import load_texts
from tests.conftest import REPO, html_page
from tests.pipelines.ingest.conftest import make_pdf, tdm_xmp

SPEC = REPO / "pipelines" / "public_sector.yaml"


def _akoma_ntoso(paragraphs: list[str]) -> str:
    body = "".join(
        f'<article eId="art_{i}"><num>Artikel {i}</num>'
        f"<paragraph><content><p>{escape(p)}</p></content></paragraph></article>"
        for i, p in enumerate(paragraphs, 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">'
        '<act><meta><identification source="#x"><FRBRExpression><FRBRthis value="/akn/de/act/2024/7/deu@"/>'
        '<FRBRlanguage language="deu"/></FRBRExpression>'
        "</identification></meta><preface><longTitle><p>Gesetz über die Straßen</p></longTitle></preface>"
        f"<body>{body}</body></act></akomaNtoso>"
    )


def _publications(root):
    texts = load_texts()
    en, de, fr = texts["en"].paragraphs, texts["de"].paragraphs, texts["fr"].paragraphs
    make_pdf(
        root / "ministry" / "report.pdf", [en[0:2], en[2:4]], info={"Title": "Annual report", "Author": "Ministry"}
    )
    make_pdf(
        root / "ministry" / "reserved.pdf", [en[4:6], en[6:8]], xmp=tdm_xmp(1, "https://ministry.example.ie/tdm.json")
    )
    make_pdf(root / "ministry" / "locked.pdf", [en[8:10]], encrypted=True)
    (root / "bund" / "gesetz.xml").parent.mkdir(parents=True)
    (root / "bund" / "gesetz.xml").write_text(_akoma_ntoso(de[0:4]), encoding="utf-8")
    (root / "bund" / "kaputt.xml").write_text("<akomaNtoso><act><body><p>offen</body></act>", encoding="utf-8")
    (root / "mairie").mkdir()
    page = html_page("\n".join(fr[0:4]), lang="fr", title="Avis").replace("charset='utf-8'", "charset='windows-1252'")
    (root / "mairie" / "avis.html").write_bytes(page.encode("cp1252", errors="replace"))
    (root / "mairie" / "notes.txt").write_text("not an input: left out")
    rules = root / "sources.yaml"
    rules.write_text(
        "- match: 'bund/**'\n  publisher: Bundesamt\n  source_category: public_sector\n  licence: DL-DE-BY-2.0\n"
        "- match: 'ministry/**'\n  publisher: Ministry of the Environment\n"
        "  source_category: public_sector\n  licence: CC-BY-4.0\n"
    )
    return rules


def test_the_spec_reads_the_formats_of_public_sector_publications():
    suffixes = accepted_suffixes(load_spec(SPEC))
    assert {".pdf", ".xml", ".html", ".htm", ".docx", ".warc.gz"} <= set(suffixes)
    assert accepted_suffixes(load_spec(REPO / "pipelines" / "web.yaml")) is None  # WARC resolution as before


@pytest.mark.slow
def test_public_sector_pipeline_runs_and_verifies_on_a_folder_of_publications(tmp_path):
    inputs = tmp_path / "publications"
    rules = _publications(inputs)
    out = tmp_path / "out"
    overrides = [
        f"sources_file={rules}", "execution.executor=local", "execution.workers=1", "execution.tasks=2",
        "stages.tokenizer.vocab_size=600", "stages.tokenizer.sample_chars_per_lang=20000",
        "stages.token_shards.max_tokens_per_shard=2000000", "stages.shard_packing.target_tokens_per_shard=2000000",
    ]  # fmt: skip
    args = ["run", str(SPEC), "--input", str(inputs), "--output", str(out)]
    for item in overrides:
        args += ["--set", item]
    assert main(args) == 0
    assert main(["verify", str(out)]) == 0

    run = orjson.loads((out / "run.json").read_bytes())
    assert read_run_manifest(out).stage("document_reader").docs_in == run["stages"][0]["in"]  # the typed model reads it
    reader = run["stages"][0]
    assert reader["stage"] == "document_reader" and reader["in"] == 6  # notes.txt and sources.yaml are no inputs
    assert reader["dropped_by_reason"] == {Reason.PDF_ENCRYPTED: 1, Reason.XML_MALFORMED: 1}
    optout = next(s for s in run["stages"] if s["stage"] == "optout")
    assert optout["dropped_by_reason"] == {Reason.OPTOUT_TDMREP: 1}
    inputs_json = {i["path"].rsplit("/", 1)[-1]: i for i in run["inputs"]}
    assert (
        inputs_json["gesetz.xml"]["licence"] == "DL-DE-BY-2.0"
        and inputs_json["avis.html"]["source_category"] == "public_sector"
    )

    prov = pa.concat_tables([pq.read_table(f) for f in (out / "provenance").glob("*.parquet")]).to_pylist()
    by_path = {r["source_path"]: r for r in prov}
    assert set(by_path) == {"ministry/report.pdf", "bund/gesetz.xml", "mairie/avis.html"}
    assert by_path["bund/gesetz.xml"]["publisher"] == "Bundesamt" and by_path["bund/gesetz.xml"]["lang"] == "de"
    assert (
        by_path["ministry/report.pdf"]["title"] == "Annual report"
        and by_path["ministry/report.pdf"]["licence"] == "CC-BY-4.0"
    )
    assert by_path["mairie/avis.html"]["lang"] == "fr" and by_path["mairie/avis.html"]["publisher"] is None
    # the act's own identifier (its expression's FRBRthis) is in provenance: the document can be traced upstream
    assert by_path["bund/gesetz.xml"]["source_id"] == "/akn/de/act/2024/7/deu@"
    assert by_path["ministry/report.pdf"]["source_id"] is None
