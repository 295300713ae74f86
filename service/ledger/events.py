"""The audit trail and change feed: one event per change, written in the change's transaction."""

import contextlib
import contextvars
import secrets

from service.ledger.errors import Forbidden
from service.storage import db
from service.storage.db import database
from service.storage.db import insert_rows
from service.storage.models import EVENT_TYPES  # events.EVENT_TYPES, as callers have always read it
from service.storage.models import Delivery
from service.storage.models import Event
from service.storage.models import Webhook
from service.storage.models import utcnow

# Any constant will do: it names the one PostgreSQL advisory lock that orders event writers.
FEED_LOCK = 0x636C6564676572

ADMIN_EVENT_TYPES = tuple(name for name in EVENT_TYPES if name.startswith(("key.", "webhook.")))
"""Events that name keys and subscriber URLs (which often carry tokens): shown to admins only, never to "*"."""


# Set while a batch import runs: its per-row events go to the feed only, and one claims.imported is delivered.
_IN_BATCH = contextvars.ContextVar("claimledger_in_batch", default=None)
# Who is sent a batch's claims.imported: its own subscribers, and those of claim.created, who would otherwise
# learn nothing of the batch's claims (their per-row events are not delivered).
BATCH_SUBSCRIBERS = ("claims.imported", "claim.created")


class Batch:
    """What a batch wrote to the feed: the id of its first event (None while it has written none)."""

    first_event_id = None


@contextlib.contextmanager
def batch():
    """Within this block, events are written to the feed but queued for no webhook; yields a Batch.

    The batch import then records one claims.imported, which is delivered (BATCH_SUBSCRIBERS).
    """
    written = Batch()
    token = _IN_BATCH.set(written)
    try:
        yield written
    finally:
        _IN_BATCH.reset(token)


def _note(event_id):
    written = _IN_BATCH.get()
    if written and written.first_event_id is None:
        written.first_event_id = event_id


def new_message_id():
    """Return a fresh webhook message id: the webhook-id header of one delivery, kept across its retries."""
    return f"msg_{secrets.token_hex(12)}"


def subscribers(event_type):
    """Return the active webhooks that want events of this type: the one rule for who gets which event."""
    if _IN_BATCH.get():
        return []
    wanted = set(BATCH_SUBSCRIBERS) if event_type == "claims.imported" else {event_type}
    # "*" is every ledger event; an admin event goes only to a webhook that names it, so that a subscriber of
    # everything never learns other subscribers' URLs or the desk's keys.
    wildcard = event_type not in ADMIN_EVENT_TYPES
    return [
        webhook
        for webhook in Webhook.select().where(Webhook.active == True)  # noqa: E712
        if wanted & set(webhook.event_types) or (wildcard and "*" in webhook.event_types)
    ]


def _lock_feed():
    """Make event ids commit in the order they are handed out."""
    if db.is_postgres():
        # PostgreSQL hands out ids when rows are inserted, not when they commit: without this lock a
        # transaction holding id 10 could commit after one holding id 11, and a reader who had already
        # moved past 11 would never see 10. Held until commit, the lock makes ids commit in order.
        # SQLite needs nothing: it lets one writer in at a time.
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (FEED_LOCK,))


def record(event_type, object_type, object_id, actor, data):
    """Append an event and queue it for every webhook that wants it; call inside the change's atomic()."""
    assert database.in_transaction(), "events are written in the change's own transaction"
    _lock_feed()
    event = Event.create(type=event_type, object_type=object_type, object_id=object_id, actor=actor, data=data)
    _note(event.id)
    for webhook in subscribers(event_type):
        Delivery.create(webhook=webhook, event=event, message_id=new_message_id())
    return event


def record_many(event_type, object_type, actor, changes):
    """Append one event per (object_id, data) in changes and queue each as record() does, in bulk; return their ids.

    Call inside the changes' own atomic(), as for record().
    """
    assert database.in_transaction(), "events are written in the change's own transaction"
    _lock_feed()
    now = utcnow()
    event_ids = insert_rows(
        Event,
        ("type", "object_type", "object_id", "actor", "created_at", "data"),
        [(event_type, object_type, object_id, actor, now, data) for object_id, data in changes],
        returning=True,
    )
    if event_ids:
        _note(min(event_ids))
    insert_rows(
        Delivery,
        ("webhook", "event", "message_id", "status", "attempts", "next_attempt_at", "created_at", "updated_at"),
        [
            (webhook.id, event_id, new_message_id(), "pending", 0, now, now, now)
            for webhook in subscribers(event_type)
            for event_id in event_ids
        ],
    )
    return event_ids


def list_events(after=0, types=None, limit=100, admin=False):
    """Return events with id > after, oldest first, optionally only of the given types; admin events to admins only."""
    if not admin and types and set(types) & set(ADMIN_EVENT_TYPES):
        raise Forbidden(f"Only an admin key may read {', '.join(sorted(set(types) & set(ADMIN_EVENT_TYPES)))}.")
    query = Event.select().where(Event.id > after)
    if types:
        query = query.where(Event.type.in_(types))
    elif not admin:
        query = query.where(Event.type.not_in(ADMIN_EVENT_TYPES))
    return list(query.order_by(Event.id).limit(limit))
