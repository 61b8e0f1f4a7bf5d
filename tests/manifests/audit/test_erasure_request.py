"""Erasing from Python: one subject per request, the current user signs by default, the run changes."""

import getpass

import orjson
import pytest

from eurocurate.manifests.audit.erasure import ErasureError
from eurocurate.manifests.audit.erasure_request import erase_subject
from eurocurate.manifests.audit.run_folder import NotARunError


def test_erase_subject_needs_exactly_one_subject_and_a_finished_run(local_run, tmp_path):
    with pytest.raises(ErasureError, match="exactly one"):
        erase_subject(local_run)
    with pytest.raises(ErasureError, match="got url, domain"):
        erase_subject(local_run, url="https://a.example/", domain="a.example")
    with pytest.raises(NotARunError):
        erase_subject(tmp_path, url="https://a.example/")


def test_erase_subject_removes_a_url_and_logs_the_current_user(run_copy):
    import pyarrow.parquet as pq

    prov = pq.read_table(sorted((run_copy / "provenance").glob("*.parquet"))[0], columns=["url"])
    url = prov["url"].to_pylist()[0]
    result = erase_subject(run_copy, url=url, reason="test")
    assert len(result.doc_ids) >= 1
    entry = orjson.loads((run_copy / "erasure_log.jsonl").read_text().splitlines()[-1])
    assert getpass.getuser() in orjson.dumps(entry).decode()
