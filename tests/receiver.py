"""A real webhook receiver on 127.0.0.1 that records what arrives and answers as the test tells it."""

import dataclasses
import threading
import time
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer


@dataclasses.dataclass
class Received:
    """One request as it arrived, with when the receiver started and finished answering it."""

    headers: dict
    body: bytes
    status: int
    started: float
    finished: float = 0.0

    @property
    def message_id(self):
        return self.headers["webhook-id"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        receiver = self.server.receiver
        started = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, retry_after, delay = receiver.answer()
        received = Received({k.lower(): v for k, v in self.headers.items()}, body, status, started)
        receiver.record(received)
        if delay:
            receiver.released.wait(delay)
        try:
            self.send_response(status)
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.send_header("Content-Length", "0")
            # One request per connection, so that a stopped receiver really refuses the next one.
            self.send_header("Connection", "close")
            self.end_headers()
        except OSError:
            pass  # the sender gave up waiting (a timeout the test asked for)
        received.finished = time.monotonic()
        self.close_connection = True

    def log_message(self, format, *args):
        pass


class Receiver:
    """A threaded HTTP server on 127.0.0.1; answer() decides each response from what the test set."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.status = 204
        self.retry_after = None
        self.delay = 0.0
        self.released = threading.Event()
        self.server = None
        self.port = 0

    def start(self):
        """Listen (again, on the same port after a stop) and serve in a thread; return self."""
        self.released.clear()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self.server.daemon_threads = True
        self.server.receiver = self
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        """Stop listening, so that connections are refused, and let sleeping answers go."""
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def respond(self, status=204, retry_after=None, delay=0.0):
        """Answer every following request with this status, Retry-After header and delay (seconds)."""
        with self.lock:
            self.status, self.retry_after, self.delay = status, retry_after, delay

    def answer(self):
        with self.lock:
            return self.status, self.retry_after, self.delay

    def record(self, received):
        with self.lock:
            self.requests.append(received)

    def received(self):
        """Return a copy of every request so far."""
        with self.lock:
            return list(self.requests)

    def delivered_ids(self):
        """Return the webhook-ids that were answered with a 2xx."""
        return {r.message_id for r in self.received() if 200 <= r.status < 300}


def wait_for(predicate, timeout=60, interval=0.05):
    """Poll until predicate() is true; fail after timeout seconds (a guard against hanging, not a measure)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout}s waiting for {predicate.__doc__ or predicate}")
        time.sleep(interval)
