"""gunicorn settings for claimledger (CLAIMLEDGER_* variables configure the app itself)."""

import os
import subprocess
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "sync"
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
        server.embedder = subprocess.Popen([sys.executable, "-m", "service.cli", "embed", "--follow"])


def on_exit(server):
    """Stop the embedder this server started."""
    embedder = getattr(server, "embedder", None)
    if embedder is not None and embedder.poll() is None:
        embedder.terminate()
        try:
            embedder.wait(timeout=10)
        except subprocess.TimeoutExpired:
            embedder.kill()
