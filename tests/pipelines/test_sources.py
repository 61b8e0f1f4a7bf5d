"""Declared sources flow into every document's provenance and into run.json's inputs."""

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from eurocurate.cli import main
from eurocurate.tools.demo_corpus import load_texts
from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc
from tests.conftest import html_page, write_spec


def test_each_input_carries_its_publisher_category_and_licence(tmp_path):
    inputs = tmp_path / "in"
    en = load_texts()["en"].paragraphs
    write_warc(
        inputs / "eurlex" / "a.warc.gz",
        [WarcRecordSpec(url="https://eur-lex.europa.eu/a", body=html_page(en[0] + "\n" + en[1]).encode())],
    )
    write_warc(
        inputs / "crawl.warc.gz",
        [WarcRecordSpec(url="https://news.example.ie/b", body=html_page(en[2] + "\n" + en[3]).encode())],
    )
    rules = tmp_path / "sources.yaml"
    rules.write_text("- match: 'eurlex/**'\n  publisher: Publications Office of the EU\n"
                     "  source_category: public_sector\n  licence: CC-BY-4.0\n"
                     "  collection_period: 2026-01/2026-06\n")  # fmt: skip
    spec = write_spec(tmp_path / "spec.yaml", executor="local", workers=1)
    out = tmp_path / "out"
    assert main(["run", str(spec), "--input", str(inputs), "--output", str(out), "--set", f"sources_file={rules}",
                 "--set", "stages.quality_filter.min_words=20"]) == 0  # fmt: skip
    prov = pa.concat_tables([pq.read_table(f) for f in (out / "provenance").glob("*.parquet")]).to_pylist()
    by_url = {r["url"]: r for r in prov}
    assert by_url["https://eur-lex.europa.eu/a"]["licence"] == "CC-BY-4.0"
    assert by_url["https://eur-lex.europa.eu/a"]["source_category"] == "public_sector"
    assert by_url["https://news.example.ie/b"]["publisher"] == "eurocurate demo generator (a simulated crawl)"
    inputs_json = {i["path"].rsplit("/", 1)[-1]: i for i in orjson.loads((out / "run.json").read_bytes())["inputs"]}
    assert inputs_json["a.warc.gz"]["collection_period"] == "2026-01/2026-06"
    assert inputs_json["crawl.warc.gz"]["source_category"] == "own_crawl"


def test_a_rule_matches_when_every_input_sits_in_the_one_subfolder_it_names(tmp_path):
    """`--input PUBS/` with every file under PUBS/eurlex/: paths are relative to the folder named, so the rule
    `eurlex/**` applies (they were relative to eurlex/ itself, and every document lost its publisher and licence)."""
    inputs = tmp_path / "PUBS"
    en = load_texts()["en"].paragraphs
    for name, url in (("a", "https://eur-lex.europa.eu/a"), ("b", "https://eur-lex.europa.eu/b")):
        body = html_page(en[0 if name == "a" else 2] + "\n" + en[1 if name == "a" else 3]).encode()
        write_warc(inputs / "eurlex" / f"{name}.warc.gz", [WarcRecordSpec(url=url, body=body)])
    rules = inputs / "sources.yaml"
    rules.write_text("- match: 'eurlex/**'\n  publisher: Publications Office of the EU\n"
                     "  source_category: public_sector\n  licence: CC-BY-4.0\n")  # fmt: skip
    spec = write_spec(tmp_path / "spec.yaml", executor="local", workers=1)
    out = tmp_path / "out"
    assert main(["run", str(spec), "--input", str(inputs), "--output", str(out), "--set", f"sources_file={rules}",
                 "--set", "stages.quality_filter.min_words=20"]) == 0  # fmt: skip
    run = orjson.loads((out / "run.json").read_bytes())
    assert [(i["path"].removeprefix(f"{inputs}/"), i["publisher"], i["licence"]) for i in run["inputs"]] == [
        ("eurlex/a.warc.gz", "Publications Office of the EU", "CC-BY-4.0"),
        ("eurlex/b.warc.gz", "Publications Office of the EU", "CC-BY-4.0"),
    ]
    prov = pa.concat_tables([pq.read_table(f) for f in (out / "provenance").glob("*.parquet")]).to_pylist()
    assert prov and {(r["publisher"], r["licence"]) for r in prov} == {("Publications Office of the EU", "CC-BY-4.0")}
