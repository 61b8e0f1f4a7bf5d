"""An in-memory Hugging Face Hub on 127.0.0.1 for tests: the endpoints `huggingface_hub` 2.4 calls to publish and pull.

Repos hold commits (full file snapshots, content shared between them) and branches; every request is
logged with the request id `huggingface_hub` puts on it, so a test can prove that all its traffic came
here. The server binds a random port, serves from a daemon thread, answers at most `max_requests`
requests and shuts itself down after `lifetime` seconds if the test did not stop it first.
See tests/hub/test_publish.py for which endpoints, and why this is faithful.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

DEFAULT_GITATTRIBUTES = b"".join(
    b"*.%s filter=lfs diff=lfs merge=lfs -text\n" % ext for ext in (b"parquet", b"arrow", b"bin", b"zst")
)
_REPO = r"/api/datasets/(?P<repo>[^/]+/[^/]+)"
ROUTES = [
    ("POST", re.compile(r"/api/repos/create"), "create_repo"),
    ("POST", re.compile(r"/api/validate-yaml"), "validate_yaml"),
    ("GET", re.compile(_REPO + r"(?:/revision/(?P<rev>[^/]+))?"), "repo_info"),
    ("GET", re.compile(_REPO + r"/tree/(?P<rev>[^/]+)(?:/(?P<path>.+))?"), "tree"),
    ("POST", re.compile(_REPO + r"/paths-info/(?P<rev>[^/]+)"), "paths_info"),
    ("POST", re.compile(_REPO + r"/preupload/(?P<rev>[^/]+)"), "preupload"),
    ("POST", re.compile(_REPO + r"/commit/(?P<rev>[^/]+)"), "commit"),
    ("POST", re.compile(_REPO + r"/branch/(?P<branch>[^/]+)"), "create_branch"),
    ("GET", re.compile(r"/datasets/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)"), "resolve"),
    ("HEAD", re.compile(r"/datasets/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)"), "resolve"),
]


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Commit:
    oid: str
    parent: str | None
    message: str
    files: dict[str, bytes]


@dataclass
class Repo:
    repo_id: str
    private: bool
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)

    def resolve(self, rev: str) -> Commit | None:
        oid = self.branches.get(rev, rev)
        return self.commits.get(oid)


class HubError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


class FakeHub:
    """`with FakeHub(token) as hub:` then point `huggingface_hub` at `hub.endpoint`."""

    def __init__(self, token: str, lifetime: float = 300.0, max_requests: int = 20_000, tree_page_size: int = 1000):
        self.token = token
        self.repos: dict[str, Repo] = {}
        self.requests: list[dict] = []  # method, path, route, request id, authenticated, status
        self.tree_page_size = tree_page_size
        self.max_requests = max_requests
        self._lock = threading.Lock()
        self._oids = itertools.count()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                hub._handle(self)

            do_POST = do_HEAD = do_PUT = do_DELETE = do_GET

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-hub", daemon=True)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    def __enter__(self) -> FakeHub:
        self._thread.start()
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    # --- inspection helpers for tests -------------------------------------------------------------

    def files(self, repo_id: str, rev: str = "main") -> dict[str, bytes]:
        return dict(self.repos[repo_id].resolve(rev).files)

    def head(self, repo_id: str, rev: str = "main") -> Commit:
        return self.repos[repo_id].resolve(rev)

    def routes(self) -> list[str]:
        return [r["route"] for r in self.requests]

    # --- HTTP plumbing ----------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        route, match = next(
            ((name, m) for method, rx, name in ROUTES if method == h.command and (m := rx.fullmatch(url.path))),
            (None, None),
        )
        auth = h.headers.get("Authorization")
        entry = {
            "method": h.command,
            "path": url.path,
            "route": route,
            "request_id": h.headers.get("X-Amzn-Trace-Id"),
            "authenticated": auth == f"Bearer {self.token}",
        }
        with self._lock:
            self.requests.append(entry)
            over = len(self.requests) > self.max_requests
        try:
            if over:
                raise HubError(503, "fake hub request budget exhausted")
            if auth is not None and not entry["authenticated"]:
                raise HubError(401, "Invalid credentials in Authorization header")
            if route is None:
                raise HubError(404, f"fake hub: no such endpoint {h.command} {url.path}")
            params = {k: v[-1] for k, v in parse_qs(url.query).items()}
            args = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
            with self._lock:
                status, payload, headers = getattr(self, f"_{route}")(entry["authenticated"], body, params, h, **args)
        except HubError as e:
            status, payload, headers = (
                e.status,
                json.dumps({"error": e.message}).encode(),
                {"Content-Type": "application/json", "X-Error-Message": e.message},
            )
            if e.code:
                headers["X-Error-Code"] = e.code
        entry["status"] = status
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(payload)

    @staticmethod
    def _json(obj, status: int = 200, **headers) -> tuple[int, bytes, dict]:
        return status, json.dumps(obj).encode(), {"Content-Type": "application/json", **headers}

    def _new_oid(self, *parts: str) -> str:
        return hashlib.sha1("\n".join([*parts, str(next(self._oids))]).encode()).hexdigest()

    def _repo(self, repo_id: str, authenticated: bool) -> Repo:
        repo = self.repos.get(repo_id)
        if repo is None or (repo.private and not authenticated):  # the Hub hides private repos behind the same answer
            raise HubError(401 if not authenticated else 404, "Repository not found", "RepoNotFound")
        return repo

    def _commit_at(self, repo: Repo, rev: str) -> Commit:
        commit = repo.resolve(rev)
        if commit is None:
            raise HubError(404, f"Invalid rev id: {rev}", "RevisionNotFound")
        return commit

    @staticmethod
    def _require_auth(authenticated: bool) -> None:
        if not authenticated:
            raise HubError(401, "You must be authenticated to do this")

    # --- git-ish views --------------------------------------------------------------------------

    @staticmethod
    def _lfs_patterns(commit: Commit) -> list[str]:
        text = commit.files.get(".gitattributes", b"").decode()
        return [line.split()[0] for line in text.splitlines() if "filter=lfs" in line]

    def _file_entry(self, commit: Commit, path: str) -> dict:
        data = commit.files[path]
        entry = {"type": "file", "path": path, "size": len(data), "oid": git_blob_id(data)}
        if any(fnmatch.fnmatch(path.rsplit("/", 1)[-1], p) for p in self._lfs_patterns(commit)):
            sha = hashlib.sha256(data).hexdigest()
            pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {len(data)}\n".encode()
            entry.update(oid=git_blob_id(pointer), lfs={"oid": sha, "size": len(data), "pointerSize": len(pointer)})
        return entry

    @staticmethod
    def _folders(commit: Commit) -> set[str]:
        return {"/".join(p.split("/")[:i]) for p in commit.files for i in range(1, p.count("/") + 1)}

    def _entry(self, commit: Commit, path: str) -> dict | None:
        if path in commit.files:
            return self._file_entry(commit, path)
        if path in self._folders(commit):
            return {
                "type": "directory",
                "path": path,
                "size": 0,
                "oid": hashlib.sha1(f"{commit.oid}:{path}".encode()).hexdigest(),
            }
        return None

    # --- endpoints ------------------------------------------------------------------------------

    def _create_repo(self, authenticated, body, params, h):
        self._require_auth(authenticated)
        req = json.loads(body)
        if req.get("type") != "dataset":
            raise HubError(400, "fake hub only serves dataset repos")
        repo_id = f"{req['organization']}/{req['name']}" if req.get("organization") else req["name"]
        url = f"{self.endpoint}/datasets/{repo_id}"
        if repo_id in self.repos:
            return self._json({"error": "You already created this dataset repo", "url": url}, 409)
        repo = Repo(repo_id, private=req.get("visibility") == "private")
        first = Commit(self._new_oid(repo_id), None, "initial commit", {".gitattributes": DEFAULT_GITATTRIBUTES})
        repo.commits[first.oid] = first
        repo.branches["main"] = first.oid
        self.repos[repo_id] = repo
        return self._json({"url": url, "name": repo_id, "id": first.oid})

    def _validate_yaml(self, authenticated, body, params, h):
        content = json.loads(body)["content"]
        match = re.match(r"^---\n(.*?)\n---\n", content, re.S)
        errors = []
        try:
            meta = yaml.safe_load(match.group(1)) if match else {}
            for config in (meta or {}).get("configs", []):
                if not config.get("config_name") or not config.get("data_files"):
                    errors.append({"message": f"configs: each needs config_name and data_files, got {config}"})
        except yaml.YAMLError as e:
            errors.append({"message": str(e)})
        return self._json({"errors": errors, "warnings": []}, 400 if errors else 200)

    def _repo_info(self, authenticated, body, params, h, repo, rev="main"):
        r = self._repo(repo, authenticated)
        commit = self._commit_at(r, rev)
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        return self._json(
            {"_id": repo, "id": repo, "author": repo.split("/")[0], "sha": commit.oid, "private": r.private,
             "gated": False, "disabled": False, "lastModified": now, "createdAt": now, "tags": [],
             "siblings": [{"rfilename": p} for p in sorted(commit.files)]}
        )  # fmt: skip

    def _tree(self, authenticated, body, params, h, repo, rev, path=""):
        commit = self._commit_at(self._repo(repo, authenticated), rev)
        recursive = params.get("recursive", "false").lower() in ("true", "1")
        base = f"{path.rstrip('/')}/" if path else ""
        if path and self._entry(commit, path) is None:
            raise HubError(404, f"{path} does not exist on {rev}", "EntryNotFound")
        names = sorted({p for p in [*commit.files, *self._folders(commit)] if p.startswith(base)})
        if not recursive:
            names = [p for p in names if "/" not in p[len(base) :]]
        entries = [self._entry(commit, p) for p in names]
        entries.sort(key=lambda e: (e["type"] != "directory", e["path"]))  # the Hub lists folders first
        size = 50 if params.get("expand", "false").lower() in ("true", "1") else self.tree_page_size
        start = int(params.get("cursor", 0))
        headers = {}
        if start + size < len(entries):
            query = "&".join(f"{k}={v}" for k, v in {**params, "cursor": start + size}.items())
            headers["Link"] = f'<{self.endpoint}{urlsplit(h.path).path}?{query}>; rel="next"'
        return self._json(entries[start : start + size], **headers)

    def _paths_info(self, authenticated, body, params, h, repo, rev):
        commit = self._commit_at(self._repo(repo, authenticated), rev)
        form = parse_qs(body.decode())
        found = [self._entry(commit, p) for p in form.get("paths", [])]
        return self._json([e for e in found if e is not None])

    def _preupload(self, authenticated, body, params, h, repo, rev):
        self._require_auth(authenticated)
        commit = self._commit_at(self._repo(repo, authenticated), rev)
        files = json.loads(body)["files"]
        # Always "regular": content comes inline, base64, in the commit call (see the test module docstring)
        answer = [
            {
                "path": f["path"],
                "uploadMode": "regular",
                "shouldIgnore": False,
                "oid": git_blob_id(commit.files[f["path"]]) if f["path"] in commit.files else None,
            }
            for f in files
        ]
        return self._json({"files": answer, "commitOid": commit.oid})

    def _commit(self, authenticated, body, params, h, repo, rev):
        self._require_auth(authenticated)
        r = self._repo(repo, authenticated)
        if rev not in r.branches:
            raise HubError(404, f"Invalid rev id: {rev}", "RevisionNotFound")
        if h.headers.get("Content-Type") != "application/x-ndjson":
            raise HubError(400, "commit payload must be application/x-ndjson")
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        header = lines[0]
        if header.get("key") != "header" or not header["value"].get("summary"):
            raise HubError(400, "first line must be the commit header with a summary")
        parent = r.commits[r.branches[rev]]
        if header["value"].get("parentCommit") not in (None, parent.oid):
            raise HubError(412, "A commit has happened since. Please refresh and try again.")
        files = dict(parent.files)
        for op in lines[1:]:
            value = op["value"]
            if op["key"] == "file":
                files[value["path"]] = base64.b64decode(value["content"])
            elif op["key"] == "deletedFile":
                if files.pop(value["path"], None) is None:
                    raise HubError(404, "A file with this name doesn't exist", "EntryNotFound")
            elif op["key"] == "deletedFolder":
                for p in [p for p in files if p.startswith(value["path"].rstrip("/") + "/")]:
                    del files[p]
            else:  # lfsFile: this hub never answers "lfs" to preupload, so a client sending one is off-protocol
                raise HubError(400, f"fake hub does not accept {op['key']} operations")
        commit = Commit(
            self._new_oid(repo, parent.oid, header["value"]["summary"]), parent.oid, header["value"]["summary"], files
        )
        r.commits[commit.oid] = commit
        r.branches[rev] = commit.oid
        return self._json(
            {
                "success": True,
                "commitOid": commit.oid,
                "commitUrl": f"{self.endpoint}/datasets/{repo}/commit/{commit.oid}",
                "pullRequestUrl": None,
            }
        )

    def _create_branch(self, authenticated, body, params, h, repo, branch):
        self._require_auth(authenticated)
        r = self._repo(repo, authenticated)
        start = (json.loads(body) if body else {}).get("startingPoint") or "main"
        if branch in r.branches:
            raise HubError(409, "Reference already exists")
        r.branches[branch] = self._commit_at(r, start).oid
        return self._json({})

    def _resolve(self, authenticated, body, params, h, repo, rev, path):
        commit = self._commit_at(self._repo(repo, authenticated), rev)
        if path not in commit.files:
            raise HubError(404, "Entry not found", "EntryNotFound")
        data, entry = commit.files[path], self._file_entry(commit, path)
        headers = {"Content-Type": "application/octet-stream", "Accept-Ranges": "bytes", "X-Repo-Commit": commit.oid,
                   "ETag": f'"{entry["lfs"]["oid"] if "lfs" in entry else entry["oid"]}"'}  # fmt: skip
        ranged = re.fullmatch(r"bytes=(\d+)-(\d*)", h.headers.get("Range", ""))
        if not ranged:
            return 200, data, headers
        start, end = int(ranged[1]), int(ranged[2]) if ranged[2] else len(data) - 1
        if start >= len(data):
            raise HubError(416, "Range not satisfiable")
        end = min(end, len(data) - 1)
        return 206, data[start : end + 1], {**headers, "Content-Range": f"bytes {start}-{end}/{len(data)}"}
