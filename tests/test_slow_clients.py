"""Slow clients cannot starve the server: four sockets trickling their headers, and /healthz still answers."""

import socket
import threading

import pytest
import requests
import servers

pytestmark = pytest.mark.slow  # real servers or worker processes: make test runs it, make test-fast does not

SLOW_CLIENTS = 4
HEALTH_CHECKS = 10


def _trickle(port, stop):
    """Send a request line, then one header line a second until told to stop (never finishing the request)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        line = 0
        while not stop.wait(1):
            line += 1
            slow.sendall(f"X-Slow-{line}: {line}\r\n".encode())


def test_four_trickling_sockets_leave_healthz_answering(database_url, tmp_path):
    process, base_url = servers.serve(database_url, tmp_path / "serve.log", workers=3)
    port = int(base_url.rsplit(":", 1)[1])
    stop = threading.Event()
    tricklers = [threading.Thread(target=_trickle, args=(port, stop)) for _ in range(SLOW_CLIENTS)]
    try:
        for trickler in tricklers:
            trickler.start()
        # Give every slow socket time to be taken up by a worker before checking.
        stop.wait(3)
        answers = []
        for _ in range(HEALTH_CHECKS):
            try:
                answers.append(requests.get(f"{base_url}/healthz", timeout=10).status_code)
            except requests.Timeout:
                answers.append("timed out")
        assert answers == [200] * HEALTH_CHECKS
        assert all(trickler.is_alive() for trickler in tricklers), "the slow sockets must still be sending"
    finally:
        stop.set()
        for trickler in tricklers:
            trickler.join(timeout=30)
        servers.stop(process)
