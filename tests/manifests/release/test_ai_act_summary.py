"""The AI Act public summary: size bands, the top-domain rule, and every section of the Commission's template
(July 2025) filled with an explicit answer, in the JSON and in the Markdown; the config is remembered."""

import csv
import io

import orjson
import pytest

from eurocurate.cli import main
from eurocurate.manifests.release.ai_act_summary import NOT_PROVIDED, size_band
from eurocurate.manifests.release.domains import top_domains


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


MD_HEADINGS = (
    "## 1. General information", "### 1.1 Provider identification", "### 1.2 Model identification",
    "### 1.3 Modalities, overall training data size and other characteristics", "## 2. List of data sources",
    "### 2.1 Publicly available datasets: no",
    "### 2.2 Private non-publicly available datasets obtained from third parties: no",
    "- **2.2.1 Datasets commercially licensed by rights holders:** no",
    "- **2.2.2 Private datasets obtained from other third parties:** no",
    "### 2.3 Data crawled and scraped from online sources: yes", "### 2.4 User data: no",
    "### 2.5 Synthetic data: no", "### 2.6 Other sources of data: no", "## 3. Data processing aspects",
    "### 3.1 Respect of reservation of rights from the text and data mining exception",
    "### 3.2 Removal of illegal and unwanted content", "### 3.3 Other information: personal data",
)  # fmt: skip


def test_summary_follows_every_section_of_the_template_with_explicit_answers(run_copy, tmp_path):
    assert main(["summary", str(run_copy), "--format", "json"]) == 0
    summary = orjson.loads((run_copy / "reports" / "ai_act_summary.json").read_bytes())
    md = (run_copy / "reports" / "ai_act_summary.md").read_text()
    assert summary["template"].endswith("(July 2025)")
    # 1 general information
    general = summary["1_general_information"]
    assert set(general) == {"1.1_provider", "1.2_model", "1.3_modalities_and_size"}
    assert general["1.1_provider"]["name"].startswith(NOT_PROVIDED) and "provider_name" in summary["missing_fields"]
    size = general["1.3_modalities_and_size"]
    assert size["text_size_band"] == "less than 1 billion tokens" and len(size["languages"]) >= 12
    assert size["latest_collection_date"].startswith("2026-") and size["collection_period"]["declared"] == ["2026-11"]
    # 2 data sources: an explicit yes/no for every category
    src = summary["2_data_sources"]
    answers = {k: v["answer"] for k, v in src.items()}
    assert answers == {"2.1_publicly_available_datasets": "no", "2.2_private_third_party_datasets": "no",
                       "2.3_crawled_and_scraped_data": "yes", "2.4_user_data": "no", "2.5_synthetic_data": "no",
                       "2.6_other_sources": "no"}  # fmt: skip
    private = src["2.2_private_third_party_datasets"]
    assert private["2.2.1_licensed_by_rights_holders"]["answer"] == "no"
    assert private["2.2.2_obtained_from_other_third_parties"]["answer"] == "no"
    crawl = src["2.3_crawled_and_scraped_data"]
    assert crawl["crawler"].startswith(NOT_PROVIDED) and crawl["collection_period"]["first_capture"]
    [source] = crawl["sources"]  # one publisher, licence and period, whatever the number of input files
    assert source["publisher"] == "eurocurate demo generator (a simulated crawl)" and source["licence"] == "CC0-1.0"
    assert (
        source["files"] >= 3
        and source["bytes"] > 0
        and set(source) == {"publisher", "licence", "collection_period", "files", "bytes"}
    )
    assert crawl["top_domains"] and len(crawl["top_domains"]) == -(-crawl["domains_total"] // 10)  # ceil(10%)
    for path in (str(i) for i in run_copy.parent.parent.rglob("*.warc*")):
        assert path not in md and path not in orjson.dumps(summary).decode()  # never local paths as sources
    # 3 data processing
    proc = summary["3_data_processing"]
    opt = proc["3.1_reservation_of_rights"]
    assert opt["code_of_practice_signatory"].startswith(NOT_PROVIDED) and opt["opt_outs_checked"] == "yes"
    assert "robots" in opt["protocols_honoured"] and sum(opt["documents_excluded_by_reason"].values()) > 0
    assert opt["hosts_with_robots_capture"] > 0 and opt["robots_txt"].startswith("robots.txt captures covered")
    assert all(f"  - {host}" in md for host in opt["hosts_without_robots_capture"])
    removals = proc["3.2_removal_of_illegal_and_unwanted_content"]
    assert any(line.startswith("Quality-filtered") for line in removals)
    pii = proc["3.3_other_information"]["personal_data"]
    assert pii["processed"] == "yes" and pii["values_replaced_by_type"] and pii["fingerprints_kept"] == "yes"
    # the Markdown: every section, in order, lists as Markdown lists, the collection period
    positions = [md.index(h) for h in MD_HEADINGS]
    assert positions == sorted(positions)
    assert "- **Collection period:** pages captured 2026-" in md and "declared: 2026-11" in md
    assert "['" not in md and "{'" not in md and "  - " in md
    rows = list(csv.DictReader(io.StringIO((run_copy / "reports" / "domains.csv").read_text())))
    assert [r["registrable_domain"] for r in rows if r["in_top_list"] == "True"] == [
        d["domain"] for d in crawl["top_domains"]
    ]


def test_summary_config_is_stated_and_remembered_when_summary_is_rerun_after_an_erasure(run_copy, tmp_path):
    config = tmp_path / "provider.yaml"
    config.write_text(
        "provider_name: Example AI SE\nprovider_contact: summary@example.eu\nmodel_name: Example-7B v1\n"
        "crawler_name: ExampleBot\ncode_of_practice_signatory: true\nplaced_on_market: 2027-01\n"
    )
    # fmt: skip
    assert main(["summary", str(run_copy), "--config", str(config)]) == 0
    md = (run_copy / "reports" / "ai_act_summary.md").read_text()
    assert "Example AI SE" in md and "ExampleBot" in md and "Code of Practice:** yes" in md
    assert NOT_PROVIDED not in md

    # after an erasure the officer re-runs `summary` without --config: the config used last time still holds
    assert main(["erase", str(run_copy), "--url", _a_url(run_copy), "--reason", "test"]) == 0
    assert main(["summary", str(run_copy)]) == 0
    again = (run_copy / "reports" / "ai_act_summary.md").read_text()
    assert "Example AI SE" in again and "Erasures applied since the run:** 1" in again


def test_an_unquoted_market_date_is_read_as_the_date_it_states():
    """YAML reads `placed_on_market: 2027-01-01` as a date; the provider meant that date, not an error."""
    import yaml

    from eurocurate.manifests.release.ai_act_summary import SummaryConfig

    assert SummaryConfig.model_validate(yaml.safe_load("placed_on_market: 2027-01-01")).placed_on_market == "2027-01-01"


def _a_url(out):
    import pyarrow.parquet as pq

    return pq.read_table(sorted((out / "provenance").glob("*.parquet"))[0], columns=["url"])["url"][0].as_py()


def test_a_host_whose_pages_were_not_checked_by_their_own_origins_robots_txt_is_reported_without_one(run_copy):
    """Coverage follows what decided: an https:// page of a host whose http:// robots.txt alone was captured went
    unchecked (RFC 9309 scopes the file to scheme, host and port), so the reports list the host without a capture."""
    from eurocurate.filters.optout.robots import origin_of
    from eurocurate.manifests.audit.run_manifest import read_run_manifest
    from eurocurate.manifests.release.domains import robots_coverage

    run = read_run_manifest(run_copy)
    before = robots_coverage(run_copy, run)
    host = before.kept_with[0]
    origins = run.policies.optout.robots_captured_origins
    assert origins and f"https://{host}" in origins and all(origin_of(o + "/") == o for o in origins)
    changed = [("http://" + host) if o == f"https://{host}" else o for o in origins]
    run.policies.optout.robots_captured_origins = changed
    after = robots_coverage(run_copy, run)
    assert host in after.kept_without and host not in after.kept_with
    assert set(after.kept_with) == set(before.kept_with) - {host}
