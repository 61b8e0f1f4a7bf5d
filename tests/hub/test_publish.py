"""Publishing a run to the Hub and pulling it back, against a Hub that the test starts on 127.0.0.1.

Endpoints implemented by `fake_hub.FakeHub`, exactly those `huggingface_hub` 2.4.0 calls on these paths:
- `POST /api/repos/create` (create_repo; 409 when it exists, which `exist_ok` swallows)
- `GET /api/datasets/{repo}[/revision/{rev}]` (repo_info: head sha, `private`; HfFileSystem's existence check)
- `POST /api/datasets/{repo}/branch/{branch}` (create_branch, `startingPoint`; 409 when it exists)
- `GET /api/datasets/{repo}/tree/{rev}[/{path}]?recursive&expand` (list_repo_tree; paginated by `Link` headers)
- `POST /api/datasets/{repo}/paths-info/{rev}` (get_paths_info, which HfFileSystem.info falls back to)
- `POST /api/validate-yaml` (create_commit checks README.md's front matter before anything is uploaded)
- `POST /api/datasets/{repo}/preupload/{rev}` (upload mode per file) and `POST .../commit/{rev}` (ndjson commit,
  `parentCommit` checked: 412 when the branch moved)
- `GET|HEAD /datasets/{repo}/resolve/{rev}/{path}` with `Range` (HfFileSystem reads Parquet by byte ranges)

Why this is faithful: our code only calls `HfApi`/`HfFileSystem`; the HTTP is huggingface_hub's own, unmodified,
so what is tested is the real client against the documented wire format. Two simplifications, both outside
our code: (1) preupload answers `uploadMode: "regular"` for every file, so content travels base64 inside the
commit call instead of through LFS/Xet storage. That transfer is chosen and performed by huggingface_hub after
our code has decided *which* files to commit; the operations, the single commit, its parent and message are
the same. The tree still reports `*.parquet` as LFS files (per the repo's `.gitattributes`, as the Hub stores
them), so the diff's LFS-sha256 comparison is exercised alongside the git-blob-sha1 one. (2) `resolve`
answers directly instead of redirecting to a CDN; huggingface_hub follows redirects transparently.
Every request carries a request id (`X-Amzn-Trace-Id`, set by huggingface_hub); the `hub` fixture records
the ids the client sent, refuses (before sending) any request not addressed to 127.0.0.1, and asserts that
the server saw each id. One huggingface_hub 2.4 request ignores `endpoint=`: the user-agent code fetches
`{constants.ENDPOINT}/api/agent-harnesses` once per process; the fixture pre-seeds that cache with the
empty registry huggingface_hub itself uses when offline.
"""

from __future__ import annotations

import collections
import fnmatch
import hashlib
import json
import logging
import os
from pathlib import Path

import httpx2
import pyarrow.parquet as pq
import pytest
import yaml
from huggingface_hub import HfApi, HfFileSystem, set_client_factory
from huggingface_hub.errors import RepositoryNotFoundError
from huggingface_hub.utils._http import default_client_factory, hf_request_event_hook

from eurocurate.cli import main
from eurocurate.hub.hub_pull import hub_shard_files, open_shard, pull_from_hub
from eurocurate.hub.publish import PublishError, is_published, publish, published_files
from eurocurate.hub.pull import PullError, available_tokens, pull
from tests.hub.fake_hub import FakeHub

TOKEN = "hf_fakeTokenThatMustNeverLeak0123456789"
REPO = "eurocurate-test/demo"


@pytest.fixture
def hub(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_TOKEN_PATH", str(tmp_path / "no-stored-token"))
    # huggingface_hub builds its user agent from a registry it fetches from `constants.ENDPOINT` (not from
    # `endpoint=`); seed its in-process cache with the registry it falls back to offline, so it never asks.
    monkeypatch.setattr("huggingface_hub.utils._detect_agent._registry", {"standardEnvVars": [], "harnesses": {}})
    sent: list[tuple[str, str | None]] = []

    def record(request: httpx2.Request) -> None:
        sent.append((request.url.host, request.headers.get("X-Amzn-Trace-Id")))
        if request.url.host != "127.0.0.1":  # refuse before sending: nothing may leave this machine
            raise httpx2.ConnectError(f"test guard: refused request to {request.url.host}", request=request)

    set_client_factory(
        lambda: httpx2.Client(
            event_hooks={"request": [hf_request_event_hook, record]}, follow_redirects=True, timeout=None
        )
    )
    try:
        with FakeHub(TOKEN, lifetime=300, tree_page_size=50) as fake:  # small pages: listings paginate
            yield fake
    finally:
        set_client_factory(default_client_factory)
    assert {host for host, _ in sent} <= {"127.0.0.1"}
    assert collections.Counter(rid for _, rid in sent) == collections.Counter(r["request_id"] for r in fake.requests)
    assert all(r["route"] is not None for r in fake.requests), [r["path"] for r in fake.requests if r["route"] is None]


@pytest.fixture
def summarised(run_copy) -> Path:
    """A private copy of the demo run with its dataset card and Croissant file written."""
    assert main(["summary", str(run_copy)]) == 0
    return run_copy


def test_only_shards_manifests_card_and_public_reports_are_published():
    published = [
        "README.md", "croissant.json", "run.json", "text/de/part-00000.parquet", "shards/de/part-00000-0000.parquet",
        "shards/de/part-00000-0000.manifest.json", "tokenizer/tokenizer.json", "reports/fertility.md",
    ]  # fmt: skip
    private = [
        "provenance/part-00000.parquet", "exclusions/part-optout-00000.parquet", "erasure_log.jsonl",
        "suppression.yaml", "reports/report.html", "_work/state.json", "logs/run.jsonl", "stats/map1.json",
        "text/de/part-00000.parquet.tmp-123", "text/de/nested/part.parquet",
    ]  # fmt: skip
    assert all(map(is_published, published))
    assert not any(map(is_published, private))


def test_publish_mirrors_the_output_layout_per_language_with_card_and_manifests(hub, summarised):
    result = publish(summarised, REPO, endpoint=hub.endpoint)
    local = published_files(summarised)
    remote = hub.files(REPO)
    assert set(remote) == {".gitattributes", *local}
    assert all(remote[rel] == f.path.read_bytes() for rel, f in local.items())
    assert (result.uploaded, result.unchanged, result.deleted) == (tuple(local), 0, ())
    assert result.bytes == sum(f.size for f in local.values())
    # per language, the card's configs resolve to files on the Hub; every token shard has its manifest
    meta = yaml.safe_load(remote["README.md"].decode().split("---\n")[1])
    for config in meta["configs"]:
        for data_files in config["data_files"]:
            assert fnmatch.filter(remote, data_files["path"]), data_files
    langs = {p.split("/")[1] for p in remote if p.startswith("text/")}
    assert langs and langs == {p.split("/")[1] for p in remote if p.startswith("shards/")}
    shards = [p for p in remote if p.startswith("shards/") and p.endswith(".parquet")]
    assert all(p.removesuffix(".parquet") + ".manifest.json" in remote for p in shards)
    assert not any(
        p.startswith(("provenance/", "exclusions/", "_work/", "logs/", "stats/")) or p == "reports/report.html"
        for p in remote
    )
    # one commit, named after the run
    run_id = json.loads((summarised / "run.json").read_text())["run_id"]
    head = hub.head(REPO)
    assert head.oid == result.commit and run_id in head.message and hub.routes().count("commit") == 1


def test_republishing_uploads_nothing_and_a_changed_file_alone(hub, summarised):
    first = publish(summarised, REPO, endpoint=hub.endpoint)
    again = publish(summarised, REPO, endpoint=hub.endpoint)
    assert (again.commit, again.uploaded, again.deleted, again.bytes) == (None, (), (), 0)
    assert again.unchanged == len(first.uploaded) and hub.head(REPO).oid == first.commit
    assert hub.routes().count("commit") == 1 and hub.routes().count("preupload") == 1

    fertility = summarised / "reports" / "fertility.md"
    fertility.write_text(fertility.read_text() + "\nReviewed.\n")
    changed = publish(summarised, REPO, endpoint=hub.endpoint)
    assert (changed.uploaded, changed.deleted, changed.bytes) == (
        ("reports/fertility.md",),
        (),
        fertility.stat().st_size,
    )
    assert hub.head(REPO).parent == first.commit and hub.files(REPO)["reports/fertility.md"] == fertility.read_bytes()


def test_an_erasure_reuploads_only_rewritten_files_and_deletes_the_replaced_ones(hub, summarised):
    publish(summarised, REPO, endpoint=hub.endpoint)
    before = published_files(summarised)
    card, run_json = summarised / "README.md", summarised / "run.json"
    card_before = card.read_bytes()
    shard = sorted((summarised / "text" / "de").glob("*.parquet"))[0]
    url = pq.read_table(shard, columns=["url"])["url"][0].as_py()
    assert main(["erase", str(summarised), "--url", url, "--reason", "test takedown", "--signed-off-by", "test"]) == 0
    # the erasure rewrote the card and summary; the card from before it (restored from a backup, say) is refused,
    # however new its modification time
    card_after = card.read_bytes()
    card.write_bytes(card_before)
    os.utime(card, (run_json.stat().st_atime, run_json.stat().st_mtime + 60))
    with pytest.raises(PublishError, match="README.md describes another run.json"):
        publish(summarised, REPO, endpoint=hub.endpoint)
    card.write_bytes(card_after)
    after = published_files(summarised)

    result = publish(summarised, REPO, endpoint=hub.endpoint)
    expected_new = {rel for rel, f in after.items() if rel not in before or before[rel].sha256 != f.sha256}
    assert set(result.uploaded) == expected_new and set(result.deleted) == set(before) - set(after)
    assert shard.relative_to(summarised).as_posix() in result.deleted
    assert not any(
        p.startswith(("text/", "shards/")) and "/de/" not in p for p in result.uploaded
    )  # other languages untouched
    assert result.unchanged == len(after) - len(expected_new)
    assert set(hub.files(REPO)) == {".gitattributes", *after} and hub.routes().count("commit") == 2


def test_publish_decides_by_what_the_card_and_croissant_describe_not_by_file_times(hub, summarised, tmp_path):
    """Staleness was judged by modification time: a folder copied without its times (card older than run.json) was
    refused, and a stale card touched after run.json was published. Each document now names run.json's sha256."""
    run_json = summarised / "run.json"
    for name in ("README.md", "croissant.json"):  # as a copy may leave them: older than run.json, content current
        os.utime(summarised / name, (run_json.stat().st_atime, run_json.stat().st_mtime - 3600))
    assert publish(summarised, REPO, endpoint=hub.endpoint).commit is not None

    # run.json changed since the summary (a field the counts do not hold), the documents touched after it: refused
    manifest = json.loads(run_json.read_text())
    manifest["finished_at"] = "2030-01-01T00:00:00+00:00"
    run_json.write_text(json.dumps(manifest, indent=2))
    for name in ("README.md", "croissant.json"):
        os.utime(summarised / name, (run_json.stat().st_atime, run_json.stat().st_mtime + 3600))
    with pytest.raises(PublishError, match="README.md describes another run.json"):
        publish(summarised, REPO, endpoint=hub.endpoint)
    assert main(["summary", str(summarised)]) == 0  # written again from this run.json: publishable
    assert publish(summarised, REPO, endpoint=hub.endpoint).commit is not None
    croissant = summarised / "croissant.json"
    croissant.write_text(croissant.read_text().replace(hashlib.sha256(run_json.read_bytes()).hexdigest(), "0" * 64))
    with pytest.raises(PublishError, match="croissant.json describes another run.json"):
        publish(summarised, REPO, endpoint=hub.endpoint)


def test_a_stale_ai_act_summary_is_refused_like_a_stale_card(hub, summarised):
    """The public summary of training content is published (reports/ai_act_summary.json and .md) but named no
    run.json: one written before an erasure, beside a current card and Croissant file, was published."""
    run_json, reports = summarised / "run.json", summarised / "reports"
    digest = hashlib.sha256(run_json.read_bytes()).hexdigest()
    assert json.loads((reports / "ai_act_summary.json").read_text())["run_manifest_sha256"] == digest
    assert f"describes `run.json` with sha256 `{digest}`" in (reports / "ai_act_summary.md").read_text()
    for name in ("ai_act_summary.json", "ai_act_summary.md"):
        doc = reports / name
        current = doc.read_bytes()
        doc.write_bytes(current.replace(digest.encode(), b"1" * 64))
        with pytest.raises(PublishError, match=f"{name} describes another run.json"):
            publish(summarised, REPO, endpoint=hub.endpoint)
        doc.write_bytes(current.replace(f"{digest}".encode(), b""))  # written before summaries named it
        with pytest.raises(PublishError, match=f"{name} does not name the run.json it describes"):
            publish(summarised, REPO, endpoint=hub.endpoint)
        doc.write_bytes(current)
    assert publish(summarised, REPO, endpoint=hub.endpoint).commit is not None


def test_publish_refuses_a_folder_that_does_not_match_its_manifests(hub, summarised):
    shard = sorted((summarised / "shards" / "fr").glob("*.parquet"))[0]
    shard.write_bytes(shard.read_bytes() + b"tampered")
    with pytest.raises(PublishError, match="does not match its manifests"):
        publish(summarised, REPO, endpoint=hub.endpoint)
    assert hub.requests == []  # refused before contacting the Hub


def test_token_comes_from_the_environment_and_is_never_logged_or_written(hub, summarised, caplog, capsys, monkeypatch):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="huggingface_hub")
    monkeypatch.setattr("huggingface_hub.constants.HF_DEBUG", True)  # huggingface_hub logs every request as curl
    result = publish(summarised, REPO, endpoint=hub.endpoint)
    writes = [r for r in hub.requests if r["method"] == "POST"]
    assert writes and all(r["authenticated"] for r in writes)  # HF_TOKEN was used, not passed by us
    captured = capsys.readouterr()
    assert "preupload" in caplog.text and "published" in caplog.text  # the logs were on
    assert TOKEN not in caplog.text + captured.out + captured.err + repr(result)
    assert not any(TOKEN.encode() in p.read_bytes() for p in summarised.rglob("*") if p.is_file())
    assert not any(TOKEN.encode() in data for data in hub.files(REPO).values())

    monkeypatch.delenv("HF_TOKEN")
    with pytest.raises(PublishError, match="no Hugging Face token"):
        publish(summarised, REPO, endpoint=hub.endpoint)


def test_an_unreachable_hub_or_a_bad_repo_id_is_one_line_not_a_traceback(summarised, monkeypatch, capsys):
    from eurocurate.cli import main
    from tests.ports import free_ports

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    nobody = f"http://127.0.0.1:{free_ports(1)[0]}"  # a port nothing listens on
    with pytest.raises(PublishError, match=f"publishing {REPO} to {nobody} failed: ConnectError"):
        publish(summarised, REPO, endpoint=nobody)
    with pytest.raises(PublishError, match="'not a repo id' is not a Hub repo id"):
        publish(summarised, "not a repo id", endpoint=nobody)
    assert main(["publish", str(summarised), "--repo", REPO, "--endpoint", nobody]) == 2
    err = capsys.readouterr().err
    assert "failed: ConnectError" in err and "Traceback" not in err and TOKEN not in err


def test_private_creates_a_repo_anonymous_readers_cannot_see_and_never_publishes_to_a_public_one(hub, summarised):
    result = publish(summarised, REPO, private=True, endpoint=hub.endpoint)
    assert result.private is True and hub.repos[REPO].private
    with pytest.raises(RepositoryNotFoundError):
        HfApi(endpoint=hub.endpoint, token=False).repo_info(REPO, repo_type="dataset")

    public = "eurocurate-test/public"
    publish(summarised, public, endpoint=hub.endpoint)
    (summarised / "reports" / "fertility.md").write_text("changed\n")
    with pytest.raises(PublishError, match="exists and is public"):
        publish(summarised, public, private=True, endpoint=hub.endpoint)
    assert hub.files(public)["reports/fertility.md"] != b"changed\n"


def test_revision_creates_the_branch_from_main_and_leaves_main_alone(hub, summarised):
    main_commit = publish(summarised, REPO, endpoint=hub.endpoint).commit
    (summarised / "reports" / "fertility.md").write_text("candidate\n")
    result = publish(summarised, REPO, revision="candidate", endpoint=hub.endpoint)
    assert result.revision == "candidate" and result.uploaded == ("reports/fertility.md",)
    assert hub.head(REPO, "candidate").parent == main_commit and hub.head(REPO).oid == main_commit
    assert (
        publish(summarised, REPO, revision="candidate", endpoint=hub.endpoint).commit is None
    )  # branch exists: reused


def test_pull_from_the_hub_streams_what_the_local_pull_yields(hub, summarised):
    publish(summarised, REPO, endpoint=hub.endpoint)
    have = available_tokens(summarised)
    langs = sorted(have, key=lambda lang: -have[lang])[:3]
    weights = [0.5, 0.3, 0.2]
    budget = int(min(have[lang] / w for lang, w in zip(langs, weights)) * 0.9)
    fetched_before = len(hub.requests)

    remote = list(pull_from_hub(REPO, langs, weights, budget, endpoint=hub.endpoint))
    assert remote == list(pull(summarised, langs, weights, budget))
    totals = collections.Counter()
    for d in remote:
        totals[d.lang] += len(d.input_ids)
    assert sum(totals.values()) == budget and all(
        abs(totals[lang] / budget - w) <= 0.02 for lang, w in zip(langs, weights)
    )
    read = {
        r["path"].split("/resolve/", 1)[1].split("/", 1)[1]
        for r in hub.requests[fetched_before:]
        if r["route"] == "resolve"
    }
    assert read and all(p.split("/")[1] in langs for p in read)  # no other language's shard was touched

    with pytest.raises(PullError, match="no shards for \\['xx'\\]"):
        list(pull_from_hub(REPO, ["xx"], endpoint=hub.endpoint))
    with pytest.raises(PullError, match="not enough tokens"):
        list(pull_from_hub(REPO, [langs[0]], None, 10**12, endpoint=hub.endpoint))


def test_hub_shard_files_and_open_shard_read_the_same_rows_as_the_folder(hub, summarised):
    publish(summarised, REPO, endpoint=hub.endpoint)
    files = hub_shard_files(REPO, ["de", "fr", "xx"], None, hub.endpoint)
    for lang in ("de", "fr"):
        assert files[lang] == [
            p.relative_to(summarised).as_posix() for p in sorted((summarised / "shards" / lang).glob("*.parquet"))
        ]
    assert files["xx"] == []
    fs = HfFileSystem(endpoint=hub.endpoint, skip_instance_cache=True)
    head = hub.head(REPO).oid
    with open_shard(fs, REPO, head, files["de"][0]) as f:
        assert pq.read_table(f).equals(pq.read_table(summarised / files["de"][0]))
