import orjson
import pytest

from eurocurate.tools.bench_reference import STAGES, STREAM_STAGES, ReferenceConfig, run_reference
from eurocurate.tools.demo_corpus import load_texts
from eurocurate.tools.warc_writer import WarcRecordSpec, deterministic_record_id
from tests.conftest import html_page


@pytest.fixture
def five_pages(warc_file, tmp_path):
    """Four English articles, one exact copy of the first on a mirror host, and their truth rows."""
    paragraphs = load_texts()["en"].paragraphs
    pages = [(f"https://news.example.ie/{i}.html", "\n".join(paragraphs[3 * i : 3 * i + 3])) for i in range(4)]
    pages.append(("https://mirror.example.ie/0.html", pages[0][1]))
    specs = [
        WarcRecordSpec(url, html_page(text, title=f"Article {i % 4}").encode()) for i, (url, text) in enumerate(pages)
    ]
    truth = tmp_path / "truth.jsonl"
    rows = [
        {
            "record_id": deterministic_record_id(url, "response"),
            "source": "assembled",
            "gold_lang": "en",
            "eu_official": True,
            "main_text": text,
            "dup_group": "g0" if i in (0, 4) else None,
            "dup_kind": {0: "original", 4: "exact"}.get(i),
        }
        for i, (url, text) in enumerate(pages)
    ]
    truth.write_bytes(b"\n".join(orjson.dumps(r) for r in rows))
    return warc_file("pages.warc.gz", specs), truth


@pytest.mark.slow
def test_reference_reports_every_stage_with_consistent_counts_and_quality(five_pages, tmp_path):
    warc, truth = five_pages
    result = run_reference([warc], tmp_path / "work", repeats=2, truth=truth, config=ReferenceConfig(vocab_size=400))
    stages = result["stages"]
    assert list(stages) == list(STAGES)
    for name, s in stages.items():
        assert s["docs_in"] == s["docs_out"] + s["dropped"], name
        assert s["cpu_s"] >= 0 and len(s["cpu_s_runs"]) == 2 and s["peak_rss_mb"] > 0, name
    for upstream, downstream in zip(STREAM_STAGES, STREAM_STAGES[1:]):
        assert stages[upstream]["docs_out"] == stages[downstream]["docs_in"]
    assert stages["warc_reader"]["docs_in"] == 5
    assert stages["trafilatura"]["child_cpu_s"] > 0  # the extractor's forked sandbox is charged to it
    assert stages["minhash_filter"]["dropped"] == 1  # the exact copy
    e2e = result["end_to_end"]
    assert e2e["docs_in"] == 5 and e2e["docs_out"] == stages["tokenize"]["docs_out"] == 4
    assert e2e["cpu_s"] == pytest.approx(sum(s["cpu_s"] for s in stages.values()))
    q = result["quality"]
    assert q["extraction_assembled"]["pages"] == 5 and q["extraction_assembled"]["f1"] > 0.9
    assert q["language_eu24_assembled"]["accuracy"] == 1.0
    assert q["dedup_pairs"]["pairs"] == 1 and q["dedup_pairs"]["recall"] == 1.0
