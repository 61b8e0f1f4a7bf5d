"""What a run costs on object storage, per document: requests, bytes and CPU-seconds, against a local-disk run.

Usage: python tools/bench_object_storage.py SPEC WARC... [--robots WARC] [--set K=V ...]

Starts a SeaweedFS on 127.0.0.1 (tests/s3_server.py), uploads the WARCs and the robots captures, then runs the spec
twice with the in-process local executor (one worker, so every task's requests and CPU are this process's): from
local disk to local disk, and from s3:// to s3://. Prints one JSON object: documents read and kept, CPU-seconds of
each run, the requests the S3 server counted by type (its own metrics, not the client's), the bytes this process
moved, and the output's stored bytes. docs/data-engineer.md ("Running on a cluster against object storage") turns
these into money.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import tempfile
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _s3_requests(metrics_port: int) -> dict[str, float]:
    """Requests the S3 gateway served, by action (SeaweedFS_s3_request_total{type=...})."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read().decode()
    counts: dict[str, float] = {}
    for line in text.splitlines():
        m = re.match(r'SeaweedFS_s3_request_total\{[^}]*type="([^"]+)"[^}]*\} ([0-9.e+]+)', line)
        if m:
            counts[m[1]] = counts.get(m[1], 0.0) + float(m[2])
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec")
    parser.add_argument("warcs", nargs="+")
    parser.add_argument("--robots", help="a WARC of robots.txt captures")
    parser.add_argument("--set", action="append", default=[], help="spec override KEY=VALUE (repeatable)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from tests.s3_server import start_seaweedfs, weed_binary

    work = Path(tempfile.mkdtemp(prefix="bench-object-storage-"))
    server = start_seaweedfs(work / "seaweedfs", weed_binary())
    os.environ.update(server.env())
    os.environ["EUROCURATE_SCRATCH"] = str(work / "scratch")
    (work / "scratch").mkdir()
    metrics_port = int(next(a for a in server.process.args if a.startswith("-metricsPort=")).split("=")[1])
    try:
        import fsspec

        from eurocurate.pipelines.engine.launch import run_spec
        from eurocurate.remote_output import TRANSFERS

        fs = fsspec.filesystem("s3", skip_instance_cache=True)
        fs.mkdir("bench")
        local_in = work / "in"
        local_in.mkdir()
        for w in args.warcs:
            (local_in / Path(w).name).symlink_to(Path(w).resolve())
            fs.put_file(w, f"bench/in/{Path(w).name}")
        local_sets, s3_sets = list(args.set), list(args.set)
        if args.robots:
            fs.put_file(args.robots, f"bench/robots/{Path(args.robots).name}")
            local_sets.append(f"stages.optout.robots_warcs=[{Path(args.robots).resolve()}]")
            s3_sets.append(f"stages.optout.robots_warcs=[s3://bench/robots/{Path(args.robots).name}]")
        common = {"executor": "local", "workers": 1}

        cpu = _cpu_seconds()
        local = run_spec(args.spec, [str(local_in)], work / "out", overrides=local_sets, **common)
        cpu_local = _cpu_seconds() - cpu

        before = _s3_requests(metrics_port)
        cpu = _cpu_seconds()
        remote = run_spec(args.spec, ["s3://bench/in/"], "s3://bench/out", overrides=s3_sets, **common)
        cpu_s3 = _cpu_seconds() - cpu
        after = _s3_requests(metrics_port)
        stored = sum(info["size"] for info in fs.find("bench/out", detail=True).values() if info["type"] == "file")
        final = sum(o.bytes for o in remote.outputs)
        print(
            json.dumps(
                {
                    "documents_read": remote.totals.read,
                    "documents_kept": remote.totals.kept,
                    "same_as_local_disk": local.totals == remote.totals,
                    "input_bytes": sum(Path(w).stat().st_size for w in args.warcs),
                    "cpu_seconds_local_disk": round(cpu_local, 1),
                    "cpu_seconds_s3": round(cpu_s3, 1),
                    "s3_requests_by_type": {k: after.get(k, 0) - before.get(k, 0) for k in sorted(after)},
                    "client_transfers": vars(TRANSFERS),
                    "stored_bytes_after_run": stored,
                    "published_output_bytes": final,
                },
                indent=2,
            )
        )
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
