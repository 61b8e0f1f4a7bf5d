"""The AI Act public summary: size bands, the top-domain rule, and every template section filled."""

import csv
import io

import orjson
import pytest

from eurocurate.cli import main
from eurocurate.manifests.release.ai_act_summary import NOT_PROVIDED, size_band, top_domains


@pytest.mark.parametrize(
    ("tokens", "band"),
    [
        (0, "less than 1 billion tokens"),
        (999_999_999, "less than 1 billion tokens"),
        (1_000_000_000, "1 billion to 10 trillion tokens"),
        (9_999_999_999_999, "1 billion to 10 trillion tokens"),
        (10_000_000_000_000, "more than 10 trillion tokens"),
    ],
)
def test_size_band_edges(tokens, band):
    assert size_band(tokens) == band


def test_top_domains_are_the_top_ten_percent_by_size_and_sme_five_percent_capped():
    sizes = {f"d{i:03d}.eu": 1000 - i for i in range(25)}
    assert [d for d, _ in top_domains(sizes)] == ["d000.eu", "d001.eu", "d002.eu"]  # ceil(2.5)
    assert [d for d, _ in top_domains(sizes, sme=True)] == ["d000.eu", "d001.eu"]  # ceil(1.25)
    many = {f"d{i:06d}.eu": i for i in range(30_000)}
    assert len(top_domains(many)) == 3000 and len(top_domains(many, sme=True)) == 1000


def test_summary_of_a_run_fills_every_section_and_names_what_a_human_must_add(run_copy, tmp_path, capsys):
    assert main(["summary", str(run_copy), "--format", "json"]) == 0
    summary = orjson.loads((run_copy / "reports" / "ai_act_summary.json").read_bytes())
    assert set(summary["missing_fields"]) >= {"provider_name", "provider_contact", "model_name"}
    assert summary["1_general_information"]["1.1_provider"]["name"].startswith(NOT_PROVIDED)
    size = summary["1_general_information"]["1.3_modalities_and_size"]
    assert size["text_size_band"] == "less than 1 billion tokens" and len(size["languages"]) >= 12
    assert size["latest_collection_date"].startswith("2026-")
    crawl = summary["2_data_sources"]["2.3_crawled_data"]
    assert crawl["top_domains"] and len(crawl["top_domains"]) == -(-crawl["domains_total"] // 10)  # ceil(10%)
    opt = summary["3_data_processing"]["3.1_text_and_data_mining_opt_outs"]
    assert "robots" in opt["protocols_honoured"] and sum(opt["documents_excluded_by_reason"].values()) > 0
    assert summary["3_data_processing"]["3.3_personal_data"]["values_replaced_by_type"]
    rows = list(csv.DictReader(io.StringIO((run_copy / "reports" / "domains.csv").read_text())))
    assert [r["registrable_domain"] for r in rows if r["in_top_list"] == "True"] == [
        d["domain"] for d in crawl["top_domains"]
    ]

    config = tmp_path / "provider.yaml"
    config.write_text("provider_name: Example AI SE\nprovider_contact: summary@example.eu\nmodel_name: Example-7B v1\n"
                      "crawler_name: ExampleBot\n")  # fmt: skip
    assert main(["summary", str(run_copy), "--config", str(config)]) == 0
    md = (run_copy / "reports" / "ai_act_summary.md").read_text()
    assert "Example AI SE" in md and "ExampleBot" in md and NOT_PROVIDED not in md
