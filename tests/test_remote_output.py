"""Commits to an output folder on object storage (real SeaweedFS): all or nothing for readers, settled after a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from eurocurate.remote_output import COMMITS, RemoteOutput, output_copy


def _folder(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def _read(remote: RemoteOutput) -> dict[str, bytes]:
    return {rel: remote.fs.cat_file(obj.path) for rel, obj in remote.committed().items()}


def test_a_commit_replaces_and_removes_objects_and_leaves_no_staging(s3, tmp_path):
    remote = RemoteOutput(f"{s3}/out")
    old = _folder(tmp_path / "old", {"run.json": b"v1", "text/a.parquet": b"A1", "text/b.parquet": b"B"})
    remote.commit(old, ["run.json", "text/a.parquet", "text/b.parquet"])
    new = _folder(tmp_path / "new", {"run.json": b"v2", "text/a.e1.parquet": b"A2"})
    remote.commit(new, ["run.json", "text/a.e1.parquet"], ["text/a.parquet"])
    assert _read(remote) == {"run.json": b"v2", "text/a.e1.parquet": b"A2", "text/b.parquet": b"B"}
    assert remote._find(COMMITS) == {}


def test_a_commit_that_crashed_after_its_plan_is_seen_whole_by_readers_and_finished_by_settle(
    s3, tmp_path, monkeypatch
):
    remote = RemoteOutput(f"{s3}/out")
    remote.commit(_folder(tmp_path / "old", {"run.json": b"v1", "x": b"old"}), ["run.json", "x"])
    copied = []

    def crash_after_first_copy(src, dst, **kw):
        if copied:
            raise KeyboardInterrupt("killed mid-commit")
        copied.append(dst)
        return type(remote.fs).copy(remote.fs, src, dst, **kw)

    with monkeypatch.context() as m, pytest.raises(KeyboardInterrupt):
        m.setattr(remote.fs, "copy", crash_after_first_copy)
        remote.commit(_folder(tmp_path / "new", {"run.json": b"v2", "x": b"new"}), ["run.json", "x"])
    reader = RemoteOutput(f"{s3}/out")
    assert _read(reader) == {"run.json": b"v2", "x": b"new"}  # the plan's view, though run.json is still v1
    assert reader.fs.cat_file(f"{reader.root}/run.json") == b"v1"
    (settled,) = reader.settle()
    assert "finished" in settled
    assert reader.fs.cat_file(f"{reader.root}/run.json") == b"v2"
    assert reader._find(COMMITS) == {}


def test_staging_without_a_plan_is_invisible_and_rolled_back(s3, tmp_path, monkeypatch):
    remote = RemoteOutput(f"{s3}/out")
    remote.commit(_folder(tmp_path / "old", {"run.json": b"v1"}), ["run.json"])
    with monkeypatch.context() as m, pytest.raises(KeyboardInterrupt):
        m.setattr(remote.fs, "pipe_file", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
        remote.commit(_folder(tmp_path / "new", {"run.json": b"v2", "y": b"new"}), ["run.json", "y"])
    assert _read(remote) == {"run.json": b"v1"}
    (settled,) = remote.settle()
    assert "rolled back" in settled
    assert remote._find(COMMITS) == {}
    assert _read(remote) == {"run.json": b"v1"}


def test_a_command_copy_commits_what_the_command_changed_and_nothing_else(s3, tmp_path):
    remote = RemoteOutput(f"{s3}/out")
    remote.commit(
        _folder(tmp_path / "old", {"run.json": b"v1", "keep": b"k", "gone": b"g"}), ["run.json", "keep", "gone"]
    )
    with output_copy(f"{s3}/out", write=True) as local:
        assert sorted(p.name for p in local.iterdir()) == ["gone", "keep", "run.json"]
        (local / "run.json").write_bytes(b"v2")
        (local / "gone").unlink()
    assert _read(remote) == {"run.json": b"v2", "keep": b"k"}
    with output_copy(f"{s3}/out") as local:
        (local / "keep").write_bytes(b"changed by a reader")
    assert _read(remote)["keep"] == b"k"  # a read-only copy commits nothing
