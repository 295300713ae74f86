"""Idempotency-Key on POSTs under /api/v1: a retried request gets the first answer again and creates nothing.

A key belongs to a scope: the API key's id (the client's address when it sent none), the method and the
path. The first request with a key is answered normally and its answer kept; the same key with the same
body (by SHA-256) gets that answer again with `Idempotent-Replayed: true`; with another body it is 422;
while the first is still running it is 409. Error answers (4xx, 5xx) are not kept, so a retry may succeed.
Answers are kept CLAIMLEDGER_IDEMPOTENCY_TTL_HOURS, then ignored and purged.

How the record and the write stay in agreement:
1. reserve: the record is inserted with no answer yet and committed at once, so that a concurrent request
   with the same key finds it (409) instead of running the write a second time;
2. the view runs inside one transaction opened by run_view, the one wrapper the app puts around every
   view, in which the domain's own atomic() blocks nest as savepoints;
3. its answer is written into the record in that same transaction, and both commit together: a crash
   before the commit loses the write and the answer alike, a crash after it keeps both, and a client that
   lost the answer in transit gets it replayed;
4. an error answer, or an exception, rolls the transaction back and deletes the reservation.
The window that remains: a request that dies between 1 and 3 (worker killed, machine lost) leaves an
unanswered reservation whose write was rolled back with it. Retries get 409 until it is LEASE_SECONDS old;
then the next retry takes the reservation over and runs the write. A first attempt still running then
(gunicorn's gthread workers do not end long requests) finds at step 3 that the record is no longer its own,
rolls its write back and answers 409, so the write is never done twice.
"""

import datetime
import hashlib
import logging

import peewee
from flask import current_app
from flask import request

from service.http import guard
from service.http.problems import problem_response
from service.ledger.errors import BadRequest
from service.ledger.errors import Conflict
from service.ledger.errors import ValidationFailed
from service.storage import db
from service.storage.models import IdempotencyRecord
from service.storage.models import utcnow

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
LEASE_SECONDS = 150
KEPT_HEADERS = ("Content-Type", "Location", "ETag")
log = logging.getLogger(__name__)


class KeyInUse(Conflict):
    title, slug = "Idempotency key in use", "idempotency-key-in-use"

    def __init__(self):
        super().__init__(
            "A request with this Idempotency-Key is still being processed; retry shortly to get its answer.",
            headers={"Retry-After": "1"},
        )


class _TakenOver(KeyInUse):
    """A retry took this request's reservation over while it ran (past LEASE_SECONDS): roll its write back."""


class KeyReused(ValidationFailed):
    title, slug = "Idempotency key reused", "idempotency-key-reused"

    def __init__(self):
        super().__init__(
            "This Idempotency-Key was already used with a different request body; use a new key for a new request.",
            errors={HEADER: ["Already used with a different body."]},
        )


class Rollback(Exception):
    """The answer was an error: undo everything the request wrote."""


def _write_transaction():
    # On SQLite, take the write lock when the transaction begins, so that a transaction that reads before
    # it writes waits its turn instead of failing when another writer got in between.
    return db.database.atomic() if db.is_postgres() else db.database.atomic("IMMEDIATE")


def _valid_key(key):
    return 0 < len(key) <= MAX_KEY_LENGTH and all(" " <= char <= "~" for char in key)


def scope_of(principal, method, path):
    """Return the scope a key lives in: whose request, which method and which path, as a fixed-length digest."""
    return hashlib.sha256(f"{principal}\n{method}\n{path}".encode()).hexdigest()


def _lookup(scope, key, request_hash, now, ttl):
    """Return the live record for (scope, key), raising 422 for another body and 409 while it runs."""
    record = IdempotencyRecord.get_or_none((IdempotencyRecord.scope == scope) & (IdempotencyRecord.key == key))
    if record is None or record.created_at < now - ttl:
        return None
    if record.request_hash != request_hash:
        raise KeyReused()
    if record.status_code is None and record.created_at >= now - datetime.timedelta(seconds=LEASE_SECONDS):
        raise KeyInUse()
    return record


def reserve(scope, key, request_hash, ttl_hours, now=None):
    """Return the key's record: answered (replay it) or newly reserved for this request; raise 409 or 422."""
    now = now or utcnow()
    ttl = datetime.timedelta(hours=ttl_hours)
    # Reading first needs no lock, so a duplicate is answered at once even while the first holds the lock.
    record = _lookup(scope, key, request_hash, now, ttl)
    if record is not None and record.status_code is not None:
        return record
    with _write_transaction():
        IdempotencyRecord.delete().where(IdempotencyRecord.created_at < now - ttl).execute()
        record = _lookup(scope, key, request_hash, now, ttl)
        if record is not None and record.status_code is not None:
            return record
        if record is not None:
            # An unanswered reservation past its lease: its request died and its write was rolled back.
            taken = (
                IdempotencyRecord.update(created_at=now)
                .where(
                    (IdempotencyRecord.id == record.id)
                    & IdempotencyRecord.status_code.is_null()
                    & (IdempotencyRecord.created_at == record.created_at)
                )
                .execute()
            )
            if not taken:
                raise KeyInUse()
            record.created_at = now
            return record
        try:
            with db.database.atomic():
                return IdempotencyRecord.create(scope=scope, key=key, request_hash=request_hash, created_at=now)
        except peewee.IntegrityError as error:
            # Another request reserved the same key between our look-up and insert.
            raise KeyInUse() from error


def _replay(record):
    response = current_app.response_class(record.response_body, status=record.status_code)
    for name, value in (record.response_headers or {}).items():
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _release(record_id):
    IdempotencyRecord.delete().where(
        (IdempotencyRecord.id == record_id) & IdempotencyRecord.status_code.is_null()
    ).execute()


def _keyed():
    """Return the request's Idempotency-Key if this request is one the key applies to (a POST under /api/v1)."""
    key = request.headers.get(HEADER)
    if key is None or request.method != "POST" or not request.path.startswith("/api/v1/") or request.url_rule is None:
        return None
    if not _valid_key(key):
        raise BadRequest(
            f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
            errors={HEADER: [f"Use 1 to {MAX_KEY_LENGTH} printable ASCII characters, such as a UUID."]},
        )
    return key


def _reserve_for_request(key):
    api_key = guard.current_key()
    principal = f"key:{api_key.id}" if api_key is not None else f"address:{request.remote_addr}"
    scope = scope_of(principal, request.method, request.path)
    request_hash = hashlib.sha256(request.get_data()).hexdigest()
    return reserve(scope, key, request_hash, current_app.config["IDEMPOTENCY_TTL_HOURS"])


class _Undo(Exception):
    """The view answered with an error: roll its writes back and send the answer as it is."""

    def __init__(self, response):
        super().__init__()
        self.response = response


def run_view(view):
    """Run the view (a callable returning its answer) under the request's Idempotency-Key, if it has one.

    The app calls every view through here (service.http.app.App.dispatch_request): a keyed POST replays a
    kept answer, or runs inside one transaction that also keeps its answer; anything else runs as it is.
    """
    key = _keyed()
    if key is None:
        return view()
    record = _reserve_for_request(key)
    if record.status_code is not None:
        return _replay(record)
    answered = False
    try:
        with _write_transaction():
            response = current_app.make_response(view())
            if response.status_code >= 400 or response.is_streamed:
                raise _Undo(response)
            answered = True
            if not _keep(record, response):
                raise _TakenOver()
    except _TakenOver:
        # Rolled back: the retry that took the reservation over does the write and keeps its answer.
        raise
    except _Undo as undo:
        _release(record.id)
        return undo.response
    except peewee.DatabaseError:
        if not answered:
            _release(record.id)
            raise
        return _not_committed(record.id)
    except BaseException:
        _release(record.id)
        raise
    return response


def _keep(record, response):
    """Write the answer into the key's record, in the view's own transaction; False if the record is no longer ours.

    gthread workers let a request run past LEASE_SECONDS (gunicorn's timeout no longer ends it), so a retry
    may have taken the reservation over meanwhile: then this request's write must roll back, not be done twice.
    """
    kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    return bool(
        IdempotencyRecord.update(
            status_code=response.status_code,
            response_headers=kept,
            response_body=response.get_data(as_text=True),
        )
        .where(
            (IdempotencyRecord.id == record.id)
            & IdempotencyRecord.status_code.is_null()
            & (IdempotencyRecord.created_at == record.created_at)
        )
        .execute()
    )


def _not_committed(record_id):
    """The answer or the commit failed: the write is rolled back; free the key and ask for a retry."""
    log.exception("could not commit a keyed request")
    try:
        _release(record_id)
    except peewee.DatabaseError:
        log.exception("could not free an idempotency key; it frees itself after %s s", LEASE_SECONDS)
    return problem_response(
        503,
        "Service unavailable",
        "The write could not be committed; retry with the same Idempotency-Key.",
        "unavailable",
        headers={"Retry-After": "1"},
    )
