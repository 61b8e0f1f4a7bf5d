"""Provenance answers, per kept document: where from, which decisions, where it went."""

import pyarrow as pa
import pyarrow.parquet as pq

from eurocurate.filters.quality.params import load_language_config


def test_every_kept_document_traces_back_to_its_record_and_forward_to_its_rows(local_run):
    prov = pa.concat_tables(
        [pq.read_table(f) for f in sorted((local_run / "provenance").glob("*.parquet"))]
    ).to_pylist()
    assert prov
    for row in prov:
        assert row["source_path"].endswith(".warc.gz") and row["source_offset"] >= 0
        assert row["warc_record_id"].startswith("<urn:uuid:") and row["url"].startswith("https://")
        assert row["fetch_date"] and row["lang"] and 0 < row["lang_score"] <= 1
        assert dict(row["optout"])["reserved"] == "no"
        assert row["dedup_cluster_size"] >= 1 and row["dedup_cluster_id"]  # FineWeb-2 style re-weighting signal
        assert abs(sum(dict(row["lang_shares"]).values()) - 1) < 0.01
        # kept: at least the language's own minimum, measured and stored for re-thresholding
        assert (
            dict(row["quality"])["gopher_quality.n_words"]
            >= load_language_config(row["lang"]).gopher_quality.min_doc_words
        )
        text = pq.read_table(local_run / row["text_shard"]).slice(row["text_row"], 1).to_pylist()[0]
        assert text["id"] == row["doc_id"]
        tokens = pq.read_table(local_run / row["token_shard"]).slice(row["token_row"], 1).to_pylist()[0]
        assert tokens["doc_id"] == row["doc_id"] and tokens["n_tokens"] == row["n_tokens"]
    # hosts with a robots.txt capture carry the decision and the capture that made it
    assert any("/robots.txt (" in dict(r["optout"]).get("robots", "") for r in prov)


def test_pii_fingerprints_are_recorded_and_the_key_is_never_written(local_run):
    import os

    prov = pa.concat_tables(
        [pq.read_table(f) for f in sorted((local_run / "provenance").glob("*.parquet"))]
    ).to_pylist()
    with_pii = [r for r in prov if r["pii_counts"]]
    assert with_pii, "the demo corpus puts personal data in about one page in five"
    for row in with_pii:
        # one fingerprint per distinct replaced value
        assert 1 <= len(row["pii_fingerprints"]) <= sum(dict(row["pii_counts"]).values())
        assert all(":" in f and len(f.split(":", 1)[1]) == 64 for f in row["pii_fingerprints"])
    key = os.environ["EUROCURATE_PII_KEY"].encode()
    leaks = [p for p in local_run.rglob("*") if p.is_file() and key in p.read_bytes()]
    assert not leaks, leaks
