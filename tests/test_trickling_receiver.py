"""A webhook receiver that trickles its answer cannot hold an attempt past its total timeout."""

import collections
import select
import socket
import threading
import time

import pytest
from factories import make_claim
from receiver import wait_for
from test_worker import stop
from test_worker import subscribe
from test_worker import workers  # noqa: F401 (a fixture)

from service.delivery import sender as delivery
from service.storage.models import Delivery
from service.storage.models import DeliveryAttempt

pytestmark = pytest.mark.slow  # real servers or worker processes: make test runs it, make test-fast does not

TRICKLE_SECONDS = 0.5
TRICKLE_FOR_SECONDS = 120


class TricklingReceiver:
    """A TCP server on 127.0.0.1 that reads a request, then sends a status line and one header line every
    TRICKLE_SECONDS, never ending its headers; it records when each connection opened and closed."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.connections = []
        self.stopping = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn):
        record = {"opened": time.monotonic(), "closed": None, "webhook_id": None}
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                head += chunk
            for line in head.decode("latin-1").split("\r\n"):
                if line.lower().startswith("webhook-id:"):
                    record["webhook_id"] = line.split(":", 1)[1].strip()
            with self.lock:
                self.connections.append(record)
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                give_up = time.monotonic() + TRICKLE_FOR_SECONDS
                line = 0
                while time.monotonic() < give_up and not self.stopping.is_set():
                    # Waiting on the socket sees the sender hang up the moment it does.
                    readable, _, _ = select.select([conn], [], [], TRICKLE_SECONDS)
                    if readable and not conn.recv(65536):
                        break
                    line += 1
                    conn.sendall(f"X-Trickle-{line}: {line}\r\n".encode())
            except OSError:
                pass  # the sender hung up: what the test wants
            record["closed"] = time.monotonic()

    def snapshot(self):
        with self.lock:
            return [dict(record) for record in self.connections]

    def stop(self):
        self.stopping.set()
        self.listener.close()


@pytest.fixture
def trickling():
    running = TricklingReceiver()
    yield running
    running.stop()


def test_an_attempt_is_cut_at_its_total_timeout(app, trickling):
    subscribe(trickling.url)
    make_claim()
    options = delivery.Options(allow_private=True, timeout=1.5, retry_base=60, retry_max=60)

    assert delivery.deliver_due(options=options) == 1

    [attempt] = DeliveryAttempt.select()
    assert attempt.error == "timed out after 1.5s"
    assert Delivery.get().status == "pending"
    wait_for(lambda: all(record["closed"] for record in trickling.snapshot()), timeout=30)


def test_two_workers_never_send_one_webhook_id_at_once_to_a_trickling_receiver(app, trickling, workers):  # noqa: F811
    subscribe(trickling.url)
    make_claim()
    # A lock of 2 x 2 + 5 = 9 s; the receiver would keep one attempt going for 120 s.
    running = [workers("--concurrency", "1", timeout="2") for _ in range(2)]

    def three_attempts():
        """three attempts recorded"""
        return DeliveryAttempt.select().count() >= 3

    wait_for(three_attempts, timeout=90)
    assert [stop(process) for process in running] == [0, 0]

    by_id = collections.defaultdict(list)
    for record in trickling.snapshot():
        by_id[record["webhook_id"]].append(record)
    assert len(by_id) == 1
    overlapping = [
        (first, second)
        for records in by_id.values()
        for index, first in enumerate(records)
        for second in records[index + 1 :]
        if first["opened"] < (second["closed"] or float("inf")) and second["opened"] < (first["closed"] or float("inf"))
    ]
    assert overlapping == []
    assert {attempt.error for attempt in DeliveryAttempt.select()} == {"timed out after 2s"}
