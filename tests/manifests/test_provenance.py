"""Provenance answers, per kept document: where from, which decisions, where it went."""

import pyarrow as pa
import pyarrow.parquet as pq


def test_every_kept_document_traces_back_to_its_record_and_forward_to_its_rows(local_run):
    prov = pa.concat_tables([pq.read_table(f) for f in sorted((local_run / "provenance").glob("*.parquet"))]).to_pylist()
    assert prov
    for row in prov:
        assert row["source_path"].endswith(".warc.gz") and row["source_offset"] >= 0
        assert row["warc_record_id"].startswith("<urn:uuid:") and row["url"].startswith("https://")
        assert row["fetch_date"] and row["lang"] and 0 < row["lang_score"] <= 1
        assert dict(row["optout"])["reserved"] == "no"
        assert dict(row["quality"])["n_words"] >= 50
        text = pq.read_table(local_run / row["text_shard"]).slice(row["text_row"], 1).to_pylist()[0]
        assert text["doc_id"] == row["doc_id"]
        tokens = pq.read_table(local_run / row["token_shard"]).slice(row["token_row"], 1).to_pylist()[0]
        assert tokens["doc_id"] == row["doc_id"] and tokens["n_tokens"] == row["n_tokens"]
    # hosts with a robots.txt capture carry the decision and the capture that made it
    assert any("robots.txt of" in dict(r["optout"]).get("robots", "") for r in prov)
