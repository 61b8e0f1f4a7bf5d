"""Whether a command line will want an embedded Ray, and of how many workers, read before the spec is loaded; and a
cluster address that nothing answers at."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from eurocurate.pipelines.engine.embedded_ray import RayUnreachable, check_reachable, init_ray, planned_embedded_workers
from tests.ports import free_ports


def _spec(tmp_path: Path, execution: str = "") -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(f"version: 1\nname: t\nstages:\n  - use: warc_reader\n{execution}")
    return path


def test_the_spec_and_the_flags_say_how_many_workers_the_embedded_ray_gets(tmp_path):
    spec = _spec(tmp_path, "execution:\n  executor: ray\n  workers: 3\n")
    assert planned_embedded_workers(spec) == 3
    assert planned_embedded_workers(spec, workers=5) == 5
    assert planned_embedded_workers(spec, ["execution.workers=4"]) == 4
    assert planned_embedded_workers(_spec(tmp_path)) == 2  # the spec's defaults: Ray, 2 workers


def test_no_embedded_ray_for_a_local_run_or_a_cluster_address(tmp_path):
    local = _spec(tmp_path, "execution:\n  executor: local\n")
    assert planned_embedded_workers(local) is None
    assert planned_embedded_workers(local, executor="ray") == 2
    assert planned_embedded_workers(_spec(tmp_path), ["execution.executor=local"]) is None
    assert planned_embedded_workers(_spec(tmp_path), executor="local") is None
    assert planned_embedded_workers(_spec(tmp_path), ray_address="127.0.0.1:6379") is None


def test_a_spec_that_cannot_tell_starts_nothing_early(tmp_path):
    assert planned_embedded_workers(tmp_path / "missing.yaml") is None
    broken = tmp_path / "broken.yaml"
    broken.write_text("execution: [unclosed\n")
    assert planned_embedded_workers(broken) is None
    assert planned_embedded_workers(_spec(tmp_path, "execution:\n  workers: 0\n")) is None  # invalid: load_spec says
    assert planned_embedded_workers(_spec(tmp_path, "execution:\n  executor: spark\n")) is None
    not_a_mapping = tmp_path / "list.yaml"
    not_a_mapping.write_text("- a\n- b\n")
    assert planned_embedded_workers(not_a_mapping) is None


def test_a_cluster_address_where_nothing_listens_is_one_line_not_a_run_that_waits_forever(
    demo_inputs, tmp_path, capsys, monkeypatch
):
    from eurocurate.cli import main

    (port,) = free_ports(1)  # nothing listens there
    out = tmp_path / "out"
    spec = _spec(tmp_path)
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(out), "--ray-address",
                 f"127.0.0.1:{port}"]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert f"no Ray cluster answers at --ray-address 127.0.0.1:{port}" in err and "ray start --head" in err
    assert not out.exists()  # refused before OUT/logs is written
    monkeypatch.setattr("eurocurate.pipelines.engine.embedded_ray._REACH_WAIT_S", 0.5)
    with pytest.raises(RayUnreachable, match="Connection refused"):
        init_ray(f"127.0.0.1:{port}", 1)  # the library's entry says it too


def test_a_head_that_starts_listening_while_the_address_is_checked_is_joined(tmp_path):
    import grpc  # Ray's own dependency: a real gRPC server, which is what a GCS is on the wire

    (port,) = free_ports(1)
    server = grpc.server(ThreadPoolExecutor(max_workers=1))

    def listen_later() -> None:
        time.sleep(1.5)
        assert server.add_insecure_port(f"127.0.0.1:{port}") == port
        server.start()

    thread = threading.Thread(target=listen_later)
    thread.start()
    try:
        check_reachable(f"127.0.0.1:{port}")
    finally:
        thread.join()
        server.stop(None)
    for address in ("auto", "local", "ray://127.0.0.1:1", "not-an-address"):
        check_reachable(address, wait_s=0)  # Ray's own forms, and what Ray itself rejects with its own message


@pytest.fixture
def http_server():
    """A real HTTP/1 server on 127.0.0.1, as Ray's dashboard is (the port users paste by mistake)."""
    (port,) = free_ports(1)
    server = ThreadingHTTPServer(("127.0.0.1", port), SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield port
    server.shutdown()
    server.server_close()


def test_a_cluster_address_where_a_web_server_listens_is_refused_not_waited_on(demo_inputs, tmp_path, capsys,
                                                                                http_server):  # fmt: skip
    from eurocurate.cli import main

    out = tmp_path / "out"
    assert main(["run", str(_spec(tmp_path)), "--input", str(demo_inputs), "--output", str(out), "--ray-address",
                 f"127.0.0.1:{http_server}"]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert f"what listens at --ray-address 127.0.0.1:{http_server} is not a Ray cluster" in err
    assert "a web server answered, in HTTP/1" in err and "GCS port" in err and "8265" in err
    assert not out.exists()


def test_a_server_that_takes_the_connection_and_says_nothing_is_not_taken_for_a_cluster(monkeypatch):
    monkeypatch.setattr("eurocurate.pipelines.engine.embedded_ray._ANSWER_WAIT_S", 0.5)
    (port,) = free_ports(1)
    with socket.socket() as silent:  # the kernel accepts; nothing ever reads or writes
        silent.bind(("127.0.0.1", port))
        silent.listen()
        with pytest.raises(RayUnreachable, match="is not a Ray cluster .it answered nothing within"):
            check_reachable(f"127.0.0.1:{port}", wait_s=1)
        with socket.socket() as closing:  # one that hangs up at once
            (other,) = free_ports(1)
            closing.bind(("127.0.0.1", other))
            closing.listen()
            stop = threading.Event()

            def hang_up() -> None:
                while not stop.is_set():
                    conn, _ = closing.accept()
                    conn.close()

            threading.Thread(target=hang_up, daemon=True).start()
            with pytest.raises(RayUnreachable, match="closed the connection without answering|connection failed"):
                check_reachable(f"127.0.0.1:{other}", wait_s=1)
            stop.set()


def test_with_ray_tls_on_only_the_connection_is_checked(monkeypatch, http_server):
    monkeypatch.setenv("RAY_USE_TLS", "1")  # the GCS would expect a TLS handshake, not an HTTP/2 preface
    check_reachable(f"127.0.0.1:{http_server}", wait_s=1)
