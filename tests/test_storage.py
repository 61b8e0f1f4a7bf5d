"""Locations: local paths and URLs resolve to one filesystem interface; secrets in URLs are refused and never shown."""

from __future__ import annotations

import pytest

from eurocurate import storage
from eurocurate.errors import StorageError
from tests.s3_server import ACCESS_KEY, SECRET_KEY


def test_a_local_path_and_its_file_url_are_the_same_place(tmp_path):
    (tmp_path / "a" / "b.txt").parent.mkdir()
    (tmp_path / "a" / "b.txt").write_text("x")
    plain, url = storage.locate(tmp_path / "a"), storage.locate(f"file://{tmp_path / 'a'}")
    assert plain.is_local and url.is_local and plain.path == url.path
    assert [f.relative_to(plain) for f in storage.list_files(url)] == ["b.txt"]


@pytest.mark.parametrize(
    "url",
    [
        "s3://AKIDEXAMPLE:wJalrXUtnFEMI@bucket/warc/",
        "https://user:hunter2@example.org/data.warc.gz",
        "s3://someone@bucket/x",
        "s3://AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCY@bucket/warc/",  # a `/` in the secret, as AWS keys have
        "https://user:hunter2/x@example.org/a.warc.gz",
    ],
)
def test_a_url_with_a_user_or_password_is_refused_without_repeating_it(url):
    with pytest.raises(StorageError) as e:
        storage.locate(url)
    message = str(e.value)
    assert "AWS_ACCESS_KEY_ID" in message
    for secret in ("AKIDEXAMPLE", "wJalrXUtnFEMI", "K7MDENG", "hunter2", "someone"):
        assert secret not in message


def test_a_presigned_url_is_refused_without_repeating_its_signature():
    url = (
        "https://bucket.s3.amazonaws.com/warc/a.warc.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=deadbeefcafe"
    )
    with pytest.raises(StorageError, match="presigned") as e:
        storage.locate(url)
    assert "AKIDEXAMPLE" not in str(e.value) and "deadbeefcafe" not in str(e.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("s3://AKID:SECRET@bucket/k", "s3://***@bucket/k"),
        ("https://h.example/a?X-Amz-Signature=abc", "https://h.example/a?***"),
        ("s3://AKID:se/cr+et@bucket/k", "s3://***@bucket/k"),
        ("https://h.example:8443/a.warc.gz", "https://h.example:8443/a.warc.gz"),
        ("hf://datasets/org/name@main/data", "hf://datasets/org/name@main/data"),
        ("s3://bucket/warc/", "s3://bucket/warc/"),
        ("/data/warc", "/data/warc"),
    ],
)
def test_display_shows_a_location_without_its_credentials(url, shown):
    assert storage.display(url) == shown


@pytest.mark.parametrize(
    ("url", "expected"),
    [("ftp://host/x", "unsupported scheme ftp://"), ("s3:///key", "names no bucket"), ("   ", "empty location")],
)
def test_an_unusable_location_is_one_clear_error(url, expected):
    with pytest.raises(StorageError, match=expected):
        storage.locate(url)


@pytest.mark.slow
def test_s3_locations_read_list_and_glob_through_the_endpoint_in_the_environment(s3):
    fs = storage.locate(s3).fs
    for key in ("warc/CC-MAIN-1/a.warc.gz", "warc/CC-MAIN-1/b.warc.gz", "warc/CC-MAIN-2/c.warc.gz", "other.txt"):
        fs.pipe(storage.locate(f"{s3}/{key}").path, key.encode())
    base = storage.locate(f"{s3}/warc/")
    files = storage.list_files(f"{s3}/warc/")
    assert [f.relative_to(base) for f in files] == [
        "CC-MAIN-1/a.warc.gz",
        "CC-MAIN-1/b.warc.gz",
        "CC-MAIN-2/c.warc.gz",
    ]
    assert all(f.url.startswith(f"{s3}/warc/") for f in files)
    assert [f.url for f in storage.glob(f"{s3}/warc/*/a*.gz")] == [f"{s3}/warc/CC-MAIN-1/a.warc.gz"]
    with storage.open_file(files[2]) as f:
        assert f.read() == b"warc/CC-MAIN-2/c.warc.gz"
    assert storage.exists(f"{s3}/other.txt") and not storage.exists(f"{s3}/missing.txt")


@pytest.mark.slow
def test_a_missing_bucket_is_one_line_naming_it(s3):
    with pytest.raises(StorageError, match="not found: s3://no-such-bucket-h5/warc") as e:
        storage.list_files("s3://no-such-bucket-h5/warc/")
    assert "\n" not in str(e.value)


@pytest.mark.slow
def test_wrong_credentials_are_an_access_error_that_does_not_repeat_them(s3, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    with pytest.raises(StorageError, match="access denied") as e:
        storage.list_files(f"{s3}/")
    assert "not-the-secret" not in str(e.value) and ACCESS_KEY not in str(e.value) and SECRET_KEY not in str(e.value)


@pytest.mark.slow
def test_an_unreachable_endpoint_is_one_line_pointing_at_aws_endpoint_url(s3, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(StorageError, match="AWS_ENDPOINT_URL") as e:
        storage.list_files(f"{s3}/warc/")
    assert "\n" not in str(e.value)
