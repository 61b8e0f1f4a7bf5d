"""Every release document of a run from one Python call, at the paths the CLI names."""

import orjson

from eurocurate.manifests.release.ai_act_summary import SummaryConfig
from eurocurate.manifests.release.summary import write_release_documents


def test_write_release_documents_writes_summary_croissant_and_card(run_copy):
    docs = write_release_documents(run_copy, SummaryConfig(provider_name="Example AI"), repo_id="org/name")
    assert docs.croissant == run_copy / "croissant.json" and docs.card == run_copy / "README.md"
    assert orjson.loads(docs.summary_json.read_bytes()) == docs.summary
    assert docs.summary_md.read_text() == docs.markdown and "Example AI" in docs.markdown
    assert "provider_name" not in docs.missing_fields and "model_name" in docs.missing_fields
    assert orjson.loads(docs.croissant.read_bytes())["@type"] == "sc:Dataset"
    assert "org/name" in docs.card.read_text() and docs.domains_csv.is_file()
