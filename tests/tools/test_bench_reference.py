import orjson
import pytest

from eurocurate.tools.bench_reference import STAGES, STREAM_STAGES, ReferenceConfig, run_reference
from eurocurate.tools.bench_reference_report import format_table
from eurocurate.tools.demo_corpus import load_texts
from eurocurate.tools.warc_writer import WarcRecordSpec, deterministic_record_id, write_warc
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
    turns = []  # the bench runs eurocurate's side here, between the reference's repeats
    result = run_reference(
        [warc],
        tmp_path / "work",
        repeats=2,
        truth=truth,
        config=ReferenceConfig(vocab_size=400),
        after_each=lambda i, tokenizer: turns.append((i, tokenizer.is_file())),
    )
    assert turns == [(0, True), (1, True)]  # after each repeat, with the tokenizer the first one trained
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
    assert e2e["cpu_s_runs"] == pytest.approx([sum(s["cpu_s_runs"][i] for s in stages.values()) for i in range(2)])
    q = result["quality"]
    assert q["extraction_assembled"]["pages"] == 5 and q["extraction_assembled"]["f1"] > 0.9
    assert q["language_eu24_assembled"]["accuracy"] == 1.0
    assert q["dedup_pairs"]["pairs"] == 1 and q["dedup_pairs"]["recall"] == 1.0


@pytest.mark.slow
@pytest.mark.parametrize("records", [5, 40], ids=["small-file-warcio-stops-silently", "large-file-eoferror"])
def test_reference_skips_what_datatrove_cannot_read_in_a_cut_warc_and_says_so(records, tmp_path):
    """A WARC cut inside its last gzip member (an interrupted download; the generated demo corpus holds one):
    datatrove's WarcReader raises EOFError from warcio on a large file (the task dies) and on a small one
    warcio stops without a word, losing the whole file. The reference keeps what datatrove read, counts the
    rest as the reader's drops and names the file, instead of crashing `make bench` or hiding the loss."""
    paragraphs = load_texts()["en"].paragraphs
    texts = ["\n".join(paragraphs[j % len(paragraphs)] for j in range(3 * i, 3 * i + 3)) for i in range(records)]
    specs = [
        WarcRecordSpec(f"https://news.example.ie/{i}.html", html_page(text, title=f"Article {i}").encode())
        for i, text in enumerate(texts)
    ]
    cut = tmp_path / "cut.warc.gz"
    offsets = write_warc(cut, specs)
    whole = cut.read_bytes()
    cut.write_bytes(whole[: offsets[-1] + (len(whole) - offsets[-1]) // 2])
    whole_file = tmp_path / "whole.warc.gz"
    write_warc(whole_file, specs[:3])
    result = run_reference([whole_file, cut], tmp_path / "work", config=ReferenceConfig(vocab_size=400))
    reader = result["stages"]["warc_reader"]
    [skipped] = result["unreadable_files"]
    assert skipped["file"] == "cut.warc.gz" and skipped["responses_in_file"] == records
    assert skipped["responses_read"] < records
    assert reader["docs_in"] == 3 + records
    assert reader["docs_out"] == 3 + skipped["documents_read"]
    assert reader["dropped"] == reader["docs_in"] - reader["docs_out"] > 0
    assert f"of the {records} responses of cut.warc.gz" in format_table(result)
