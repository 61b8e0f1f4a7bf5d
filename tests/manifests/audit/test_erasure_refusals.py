"""Erasure never silently misses (issue #15, acceptance 3): another PII key than the run's, a URL or an identifier
that matches nothing each exit non-zero and leave the run and its erasure log unchanged; `--dry-run` changes
nothing; a URL matches however the requester writes it (http/https, trailing slash, host case)."""

from __future__ import annotations

import hashlib
import os

import orjson
import pyarrow.parquet as pq
import pytest

from eurocurate.cli import main
from eurocurate.cli.erase import NOTHING_MATCHED
from eurocurate.filters.pii.step import key_id
from eurocurate.manifests.audit.erasure_match import url_match_key

KEY = "EUROCURATE_PII_KEY"


def _state(out) -> str:
    """A digest of every file of the run: equal before and after means nothing changed."""
    digest = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file() and "logs" not in p.parts):
        digest.update(path.relative_to(out).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def _prov(out) -> list[dict]:
    return pq.read_table(sorted((out / "provenance").glob("*.parquet"))[0]).to_pylist()


def test_the_run_records_the_public_id_of_its_pii_key(local_run):
    policy = orjson.loads((local_run / "run.json").read_bytes())["policies"]["pii_redactor"]
    assert policy == {"fingerprints": True, "key_env": KEY, "key_id": key_id(os.environ[KEY].encode())}
    assert len(policy["key_id"]) == 16 and os.environ[KEY] not in (local_run / "run.json").read_text()


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--identifier", "anna@example.eu"], 2, "not the one this run used"),  # with another key, below
        (["--url", "https://nowhere.example.eu/none"], NOTHING_MATCHED, "no document of this run matches"),
        (["--identifier", "nobody-at-all@example.eu"], NOTHING_MATCHED, "no document of this run matches"),
    ],
    ids=["wrong-key", "unmatched-url", "unmatched-identifier"],
)
def test_a_request_that_cannot_match_exits_non_zero_and_changes_nothing(
    run_copy, monkeypatch, capsys, args, code, says
):
    if code == 2:
        monkeypatch.setenv(KEY, "not-the-run-key")
    before = _state(run_copy)
    capsys.readouterr()
    assert main(["erase", str(run_copy), *args]) == code
    err = " ".join(capsys.readouterr().err.split())
    assert says in err and "nothing was erased" in err.lower()
    assert _state(run_copy) == before and not (run_copy / "erasure_log.jsonl").exists()


def test_dry_run_lists_what_would_go_and_changes_nothing(run_copy, capsys):
    victim = _prov(run_copy)[0]
    before = _state(run_copy)
    capsys.readouterr()
    assert main(["erase", str(run_copy), "--url", victim["url"], "--dry-run"]) == 0
    shown = capsys.readouterr()
    assert victim["doc_id"] in shown.out and "would be erased" in shown.err
    assert _state(run_copy) == before and not (run_copy / "erasure_log.jsonl").exists()


def test_a_url_matches_however_the_requester_writes_it(run_copy, capsys):
    victim = next(r for r in _prov(run_copy) if r["url"].startswith("https://"))
    host, _, path = victim["url"].removeprefix("https://").partition("/")
    written = f"http://{host.upper()}/{path}/"
    assert url_match_key(written) == url_match_key(victim["url"])
    capsys.readouterr()
    assert main(["erase", str(run_copy), "--url", written, "--dry-run"]) == 0
    assert victim["doc_id"] in capsys.readouterr().out
    assert main(["erase", str(run_copy), "--url-prefix", f"http://{host}/", "--dry-run"]) == 0
    assert victim["doc_id"] in capsys.readouterr().out


def test_url_match_key_folds_what_url_dedup_folds():
    base = url_match_key("https://news.example.eu/a/b?x=1")
    for same in ("http://news.example.eu/a/b?x=1", "https://NEWS.example.eu:443/a/b?x=1&utm_source=mail",
                 "https://news.example.eu/a/b/?x=1", "https://news.example.eu/a/b?x=1#top"):  # fmt: skip
        assert url_match_key(same) == base, same
    assert url_match_key("https://news.example.eu/a/c?x=1") != base
    assert url_match_key("https://news.example.eu/") == url_match_key("http://news.example.eu")
