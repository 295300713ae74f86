"""The audit trail and change feed: one event per change, written in the change's transaction."""

import secrets

from service.db import database
from service.models import Delivery
from service.models import Event
from service.models import Webhook

EVENT_TYPES = (
    "claim.created",
    "claim.updated",
    "claim.deleted",
    "speaker.created",
    "speaker.updated",
    "speaker.deleted",
    "source.created",
    "source.updated",
    "source.deleted",
    "topic.created",
    "topic.updated",
    "topic.deleted",
    "key.created",
    "key.revoked",
    "review.created",
    "conflict.suggested",
    "conflict.confirmed",
    "conflict.dismissed",
    "conflict.created",
    "conflict.removed",
    "webhook.created",
    "webhook.updated",
    "webhook.deleted",
    "webhook.secret_rotated",
    "webhook.disabled",
)
"""Every event type the change feed carries: the types a webhook may subscribe to (or "*" for all)."""


def new_message_id():
    """Return a fresh webhook message id: the webhook-id header of one delivery, kept across its retries."""
    return f"msg_{secrets.token_hex(12)}"


def record(event_type, object_type, object_id, actor, data):
    """Append an event and queue it for every webhook that wants it; call inside the change's atomic()."""
    assert database.in_transaction(), "events are written in the change's own transaction"
    event = Event.create(type=event_type, object_type=object_type, object_id=object_id, actor=actor, data=data)
    for webhook in Webhook.select().where(Webhook.active == True):  # noqa: E712
        if event_type in webhook.event_types or "*" in webhook.event_types:
            Delivery.create(webhook=webhook, event=event, message_id=new_message_id())
    return event


def list_events(after=0, types=None, limit=100):
    """Return events with id > after, oldest first, optionally only of the given types."""
    query = Event.select().where(Event.id > after)
    if types:
        query = query.where(Event.type.in_(types))
    return list(query.order_by(Event.id).limit(limit))
