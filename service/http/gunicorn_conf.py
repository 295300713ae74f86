"""gunicorn settings for claimledger (CLAIMLEDGER_* variables configure the app itself)."""

import os
import subprocess
import sys
import threading

import peewee

from service.ledger import matching

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Threads, so that a few clients sending their requests slowly cannot hold every worker: a sync worker
# spends itself on one connection until its last header arrives (up to `timeout` between bytes), so four
# slow sockets starved three workers. Each thread holds one request; gunicorn has no header read timeout,
# so a buffering reverse proxy belongs in front in production (README, "Serving it").
worker_class = "service.http.gunicorn_worker.ProblemThreadWorker"
threads = int(os.environ.get("CLAIMLEDGER_THREADS", "8"))
# gunicorn's largest request line: every documented query parameter at its longest in ASCII (about 4.2 KB)
# fits, which the default of 4094 did not. Longer lines get 414, a header over 8190 bytes 431, both as
# problem+json (service/http/gunicorn_worker.py) and both listed in the OpenAPI document.
limit_request_line = 8190
limit_request_field_size = 8190
# Long enough for a streamed export of a million claims (about 30 s) or a 10,000-claim batch with pairing.
timeout = 120
graceful_timeout = 10
keepalive = 5
max_requests = 10000
max_requests_jitter = 1000
accesslog = os.environ.get("GUNICORN_ACCESSLOG")
errorlog = "-"
# gunicorn's control socket sits at one path per user ($HOME/.gunicorn/gunicorn.ctl): several servers on
# one machine (tests, a second instance) would take it from each other, and the container's home is not
# writable. Nothing here uses gunicornc.
control_socket_disable = True


def on_starting(server):
    """Start the background embedder beside the server, so claims get vectors without another command."""
    server.embedder = None
    if os.environ.get("CLAIMLEDGER_EMBEDDER", "1") != "0":
        server.embedder = subprocess.Popen([sys.executable, "-m", "service.cli", "embed", "--follow", "--with-parent"])


def post_worker_init(worker):
    """Build the worker's claim vector index beside its first requests, so that no match waits for all of it."""
    threading.Thread(target=_warm_up, args=(worker.log,), name="vector-index-warm-up", daemon=True).start()


def _warm_up(log):
    try:
        matching.warm_up()
    except peewee.DatabaseError as error:
        # The first match builds it instead (a database not migrated yet, or down for a moment).
        log.warning("claim vector index not built at start: %s", type(error).__name__)


def on_exit(server):
    """Stop the embedder this server started."""
    embedder = getattr(server, "embedder", None)
    if embedder is not None and embedder.poll() is None:
        embedder.terminate()
        try:
            embedder.wait(timeout=10)
        except subprocess.TimeoutExpired:
            embedder.kill()
