"""A limit on writes per API key and per client address, counted in the database so that every worker shares it.

Each write to the API (POST, PUT, PATCH or DELETE under /api/v1/) counts once against two fixed one-minute
windows: its API key's, when it sends a valid key, and its client address's. A write that takes either past
CLAIMLEDGER_RATE_LIMIT_PER_MINUTE is answered 429 with Retry-After (the seconds left in the window) before
anything else looks at it; 0 switches the limit off. Refused writes count too, so a client that keeps
writing past the limit stays limited, and a flood of writes with made-up keys is limited by its address.

Why the database: gunicorn runs several worker processes, each with its own memory, and a counter kept in
one of them would let a client write the limit times the number of workers (more after each restart). The
database is already shared by every worker, so the counters live in rate_limit_window, one row per bucket
and window, upserted (one statement per bucket) in a transaction of their own that commits before the
request goes on. The first write of a bucket in a new window deletes the windows that have ended, so the
table holds about one row per client active in the last minute.

The client address is the connection's (request.remote_addr): behind a reverse proxy, run the app with
werkzeug's ProxyFix so that it is the client's and not the proxy's.
"""

import time

from flask import current_app
from flask import request

from service.http import guard
from service.ledger.errors import TooManyRequests
from service.ledger.errors import Unauthorized
from service.storage import db
from service.storage.models import RateLimitWindow

WINDOW_SECONDS = 60
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def window_start(now):
    """Return the first second of the window that now (seconds since the epoch) falls in."""
    return int(now) - int(now) % WINDOW_SECONDS


def _count(bucket, start):
    """Add one to the bucket's window and return its new count, in one statement."""
    query = (
        RateLimitWindow.insert(bucket=bucket, window_start=start, hits=1)
        .on_conflict(
            conflict_target=[RateLimitWindow.bucket, RateLimitWindow.window_start],
            update={RateLimitWindow.hits: RateLimitWindow.hits + 1},
        )
        .returning(RateLimitWindow.hits)
        .tuples()
    )
    return query.execute()[0][0]


def hit(buckets, limit, now=None):
    """Count one write against each bucket; return (the first bucket past the limit or None, seconds to wait)."""
    now = time.time() if now is None else now
    start = window_start(now)
    with db.database.atomic():
        counts = {bucket: _count(bucket, start) for bucket in buckets}
        if 1 in counts.values():
            RateLimitWindow.delete().where(RateLimitWindow.window_start < start).execute()
    over = next((bucket for bucket, count in counts.items() if count > limit), None)
    return over, (start + WINDOW_SECONDS - int(now) if over else 0)


def _key_bucket():
    try:
        key = guard.current_key()
    except Unauthorized:
        # The view refuses the bad key with 401; this write still counts against its address.
        return None
    return f"key:{key.id}" if key is not None else None


def check_request():
    """Before a write to the API: count it, and answer 429 if its key or address is past the limit."""
    limit = current_app.config["RATE_LIMIT_PER_MINUTE"]
    if limit <= 0 or request.method not in WRITE_METHODS or not request.path.startswith("/api/v1/"):
        return
    buckets = [f"address:{request.remote_addr}"]
    key_bucket = _key_bucket()
    if key_bucket:
        buckets.append(key_bucket)
    over, retry_after = hit(buckets, limit)
    if over:
        whose = "this API key" if over.startswith("key:") else "this address"
        raise TooManyRequests(f"More than {limit} writes a minute from {whose}; retry in {retry_after} s.", retry_after)
