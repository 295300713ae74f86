"""Send webhook deliveries from the outbox: claim the due ones, POST them signed, record every attempt.

The only module that talks to subscribers. Delivery is at least once: a worker that dies between sending
and recording leaves its rows locked until locked_until passes; then they are sent again with the same
webhook-id, by which receivers drop duplicates.
"""

import dataclasses
import datetime
import email.utils
import logging
import random
import socket
import threading
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.connectionpool import HTTPSConnectionPool

from service.delivery import signing
from service.delivery import ssrf
from service.delivery import webhooks
from service.ledger import events
from service.ledger.errors import Conflict
from service.storage import db
from service.storage.db import database
from service.storage.models import Delivery
from service.storage.models import DeliveryAttempt
from service.storage.models import Event
from service.storage.models import Webhook
from service.storage.models import utcnow

log = logging.getLogger(__name__)

# Multiples of the base delay: 5s, 30s, 2m, 10m, 1h by default; after these, every retry_max (6h).
RETRY_STEPS = (1, 6, 24, 120, 720)
LONGEST_RETRY_AFTER = 86400.0
WORKER_ACTOR = "delivery-worker"
USER_AGENT = "claimledger-webhooks/1.0"


@dataclasses.dataclass(frozen=True)
class Options:
    """How deliveries are sent: which addresses they may reach, their timeout, and the retry schedule."""

    allow_private: bool = False
    timeout: float = 10.0
    retry_base: float = 5.0
    retry_max: float = 6 * 3600.0
    max_attempts: int = 30

    @classmethod
    def from_settings(cls, settings):
        """Return the options named by a settings dict (config.from_environment() or app.config)."""
        return cls(
            allow_private=settings["WEBHOOK_ALLOW_PRIVATE"],
            timeout=settings["WEBHOOK_TIMEOUT_SECONDS"],
            retry_base=settings["WEBHOOK_RETRY_BASE_SECONDS"],
            retry_max=settings["WEBHOOK_RETRY_MAX_SECONDS"],
            max_attempts=settings["WEBHOOK_MAX_ATTEMPTS"],
        )

    @property
    def lock(self):
        """How long a worker holds a delivery: well over an attempt, which timeout bounds as a whole (_Deadline)."""
        return datetime.timedelta(seconds=2 * self.timeout + 5)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one attempt came to: the subscriber's status code, or the error when no answer came."""

    status_code: int | None = None
    retry_after: str | None = None
    error: str | None = None


class SendFailed(Exception):
    """No HTTP answer: the address was refused, the connection failed, or it timed out."""


class _Deadline:
    """The time one attempt may take in all: when it passes, the attempt's sockets are shut down.

    requests' timeouts apply to each socket operation, so a receiver that trickles a header line every few
    seconds kept an attempt going past the delivery's lock, and another worker sent the same webhook-id
    meanwhile. Shutting the socket down ends the blocked read at once, whatever the peer does.
    """

    current = threading.local()

    def __init__(self, seconds):
        self.lock = threading.Lock()
        self.sockets = []
        self.expired = False
        self.timer = threading.Timer(seconds, self.expire)
        self.timer.daemon = True

    def __enter__(self):
        _Deadline.current.deadline = self
        self.timer.start()
        return self

    def __exit__(self, *exc_info):
        self.timer.cancel()
        _Deadline.current.deadline = None

    def watch(self, sock):
        """Shut sock down when the deadline passes (at once, if it has)."""
        with self.lock:
            self.sockets.append(sock)
            if self.expired:
                _shut(sock)

    def expire(self):
        with self.lock:
            self.expired = True
            for sock in self.sockets:
                _shut(sock)


def _shut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


class _Bounded:
    """A connection whose socket the running attempt's _Deadline may shut down, fresh or kept alive."""

    def getresponse(self, *args, **kwargs):
        deadline = getattr(_Deadline.current, "deadline", None)
        if deadline is not None and self.sock is not None:
            deadline.watch(self.sock)
        return super().getresponse(*args, **kwargs)


class _PublicOnly:
    """Connect to the addresses checked just now, so that a DNS answer that changes cannot slip past the check."""

    def _new_conn(self):
        host = self._dns_host
        self._dns_host = ssrf.public_addresses(host, self.port)[0]
        try:
            return super()._new_conn()
        finally:
            self._dns_host = host


class _BoundedHTTPConnection(_Bounded, HTTPConnection):
    pass


class _BoundedHTTPSConnection(_Bounded, HTTPSConnection):
    pass


class _PublicHTTPConnection(_Bounded, _PublicOnly, HTTPConnection):
    pass


class _PublicHTTPSConnection(_Bounded, _PublicOnly, HTTPSConnection):
    pass


def _pool(base, connection):
    return type(f"{connection.__name__}Pool", (base,), {"ConnectionCls": connection})


POOLS = {
    True: {
        "http": _pool(HTTPConnectionPool, _PublicHTTPConnection),
        "https": _pool(HTTPSConnectionPool, _PublicHTTPSConnection),
    },
    False: {
        "http": _pool(HTTPConnectionPool, _BoundedHTTPConnection),
        "https": _pool(HTTPSConnectionPool, _BoundedHTTPSConnection),
    },
}


class DeliveryAdapter(HTTPAdapter):
    """A requests adapter whose connections a _Deadline can cut, reaching public addresses only unless allowed.

    TLS still checks the host name.
    """

    def __init__(self, public_only=True):
        self.public_only = public_only
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(POOLS[self.public_only])


def _session(options):
    session = requests.Session()
    # Proxies from the environment would hide the real peer from the address check.
    session.trust_env = False
    session.headers["User-Agent"] = USER_AGENT
    adapter = DeliveryAdapter(public_only=not options.allow_private)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def retry_delay(failed_attempts, options, retry_after=None):
    """Return the wait before the next try: full jitter under this attempt's step, at least what Retry-After asks."""
    if failed_attempts <= len(RETRY_STEPS):
        step = min(options.retry_base * RETRY_STEPS[failed_attempts - 1], options.retry_max)
    else:
        step = options.retry_max
    delay = random.uniform(0, step)
    if retry_after is not None:
        delay = max(delay, min(retry_after, LONGEST_RETRY_AFTER))
    return datetime.timedelta(seconds=delay)


def parse_retry_after(value, now):
    """Return the seconds a Retry-After header asks to wait (delay-seconds or an HTTP date), or None."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return max((moment - now).total_seconds(), 0.0)


def _due(now, batch):
    return (
        Delivery.select(Delivery.id)
        .join(Webhook)
        .where(
            Delivery.status == "pending",
            Delivery.next_attempt_at <= now,
            Delivery.locked_until.is_null() | (Delivery.locked_until < now),
            Webhook.active == True,  # noqa: E712
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(batch)
    )


def claim_due(batch, now, lock_until):
    """Lock up to batch due deliveries of active webhooks until lock_until; return their ids.

    On PostgreSQL, SELECT ... FOR UPDATE SKIP LOCKED passes over rows that another worker is claiming,
    so that workers neither wait for each other nor claim a row twice. SQLite runs one writer at a
    time, so a single UPDATE whose subquery holds the due conditions does the same.
    """
    if db.is_postgres():
        with database.atomic():
            ids = [row.id for row in _due(now, batch).for_update(of=Delivery, skip_locked=True)]
            if ids:
                Delivery.update(locked_until=lock_until).where(Delivery.id.in_(ids)).execute()
        return ids
    claimed = Delivery.update(locked_until=lock_until).where(Delivery.id.in_(_due(now, batch))).returning(Delivery.id)
    return sorted(row.id for row in claimed.execute())


def _renew(delivery_id, claimed_until, lock_until):
    """Extend this worker's lock on one delivery just before sending it; False if it is no longer ours to send."""
    return bool(
        Delivery.update(locked_until=lock_until)
        .where(Delivery.id == delivery_id, Delivery.locked_until == claimed_until, Delivery.status == "pending")
        .execute()
    )


def _release(delivery_ids, claimed_until):
    Delivery.update(locked_until=None).where(
        Delivery.id.in_(delivery_ids), Delivery.locked_until == claimed_until
    ).execute()


def _post(session, url, body, headers, timeout):
    """POST one delivery within timeout seconds in all; return the Outcome of the answer, or raise SendFailed."""
    deadline = _Deadline(timeout)
    try:
        with (
            deadline,
            session.post(
                url,
                data=body,
                headers=headers,
                timeout=(timeout, timeout),
                allow_redirects=False,
                stream=True,
            ) as response,
        ):
            if deadline.expired:
                # http.client takes the end of a shut-down socket for the end of the headers.
                raise SendFailed(f"timed out after {timeout:g}s")
            return Outcome(status_code=response.status_code, retry_after=response.headers.get("Retry-After"))
    except ssrf.AddressRefused as error:
        raise SendFailed(f"refused: {error}") from error
    except requests.RequestException as error:
        if deadline.expired or isinstance(error, requests.Timeout):
            raise SendFailed(f"timed out after {timeout:g}s") from error
        # requests wraps urllib3's error, which wraps the socket's: show the innermost reason.
        reason = error.args[0] if error.args else error
        raise SendFailed(f"no answer: {getattr(reason, 'reason', reason)}"[:1000]) from error


def send(session, delivery, options):
    """Sign and POST one delivery now; return its Outcome (never raises for a subscriber's failure)."""
    body = signing.payload(delivery.event)
    headers = {
        "Content-Type": "application/json",
        **signing.headers(delivery.message_id, int(time.time()), body, webhooks.signing_secrets(delivery.webhook)),
    }
    try:
        return _post(session, delivery.webhook.url, body, headers, options.timeout)
    except SendFailed as error:
        return Outcome(error=str(error))


def _record(delivery, lock_until, outcome, attempted_at, finished_at, duration_ms, options):
    """Store one attempt and what follows from it; return the status the delivery is left in."""
    attempts = delivery.attempts + 1
    code = outcome.status_code
    changes = {
        "attempts": Delivery.attempts + 1,
        "last_status_code": code,
        "last_error": outcome.error,
        "locked_until": None,
        "updated_at": utcnow(),
    }
    if code is not None and 200 <= code < 300:
        changes["status"] = "succeeded"
    elif code == 410:
        changes["status"] = "cancelled"
    elif attempts >= options.max_attempts:
        changes["status"] = "failed"
    else:
        retry_after = parse_retry_after(outcome.retry_after, finished_at)
        changes["next_attempt_at"] = finished_at + retry_delay(attempts, options, retry_after)
    with database.atomic():
        query = Delivery.update(**changes).where(Delivery.id == delivery.id, Delivery.locked_until == lock_until)
        held = query.execute()
        if not held and not Delivery.select().where(Delivery.id == delivery.id).exists():
            return "deleted"
        DeliveryAttempt.create(
            delivery=delivery.id,
            attempted_at=attempted_at,
            status_code=code,
            error=outcome.error,
            duration_ms=duration_ms,
        )
        if held and code == 410:
            webhooks.disable_webhook(delivery.webhook_id, "The subscriber answered 410 Gone.", WORKER_ACTOR)
    status = changes.get("status", "pending")
    then = f", next try at {changes['next_attempt_at']:%Y-%m-%dT%H:%M:%S}Z" if status == "pending" else ""
    log.info(
        "delivery %d %s of %s to webhook %d, attempt %d: %s in %d ms -> %s%s",
        delivery.id,
        delivery.message_id,
        delivery.event.type,
        delivery.webhook_id,
        attempts,
        code if code is not None else outcome.error,
        duration_ms,
        status if held else f"{status} (lock lost to another worker)",
        then,
    )
    return status


def deliver_due(batch=20, now=None, options=None, should_stop=None):
    """Send up to batch due deliveries, one at a time, recording each attempt; return how many were attempted.

    now (naive UTC) fixes the clock for claiming and scheduling, so that tests can jump time; the
    webhook-timestamp header always carries the real time. should_stop() is asked before each send:
    when it says yes, the rest of the batch is released for other workers.
    """
    options = options or Options()

    def clock():
        return now or utcnow()

    claimed_until = clock() + options.lock
    ids = claim_due(batch, clock(), claimed_until)
    if not ids:
        return 0
    rows = Delivery.select(Delivery, Webhook, Event).join(Webhook).switch(Delivery).join(Event)
    by_id = {delivery.id: delivery for delivery in rows.where(Delivery.id.in_(ids))}
    attempted = 0
    with _session(options) as session:
        for index, delivery_id in enumerate(ids):
            if should_stop is not None and should_stop():
                _release(ids[index:], claimed_until)
                break
            lock_until = clock() + options.lock
            if delivery_id not in by_id or not _renew(delivery_id, claimed_until, lock_until):
                continue
            delivery = by_id[delivery_id]
            attempted_at = clock()
            started = time.monotonic()
            outcome = send(session, delivery, options)
            duration_ms = int((time.monotonic() - started) * 1000)
            _record(delivery, lock_until, outcome, attempted_at, clock(), duration_ms, options)
            attempted += 1
    return attempted


def redeliver(webhook_id, delivery_id):
    """Queue a delivery's event again for its webhook, as a new delivery with a new webhook-id; return it."""
    original = webhooks.get_delivery(webhook_id, delivery_id)
    if not webhooks.get_webhook(webhook_id).active:
        raise Conflict("This webhook is paused or disabled; resume it (PATCH active: true) before redelivering.")
    delivery = Delivery.create(webhook=webhook_id, event=original.event_id, message_id=events.new_message_id())
    return webhooks.get_delivery(webhook_id, delivery.id)
