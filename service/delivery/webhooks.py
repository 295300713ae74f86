"""Webhooks: subscriber URLs, the event types they want, their signing secrets, and their deliveries."""

import datetime
from urllib.parse import urlsplit

from service.delivery import signing
from service.delivery import ssrf
from service.ledger import events
from service.ledger.documents import optional_timestamp_text
from service.ledger.documents import timestamp_text
from service.ledger.errors import NotFound
from service.ledger.errors import PreconditionFailed
from service.ledger.errors import ValidationFailed
from service.storage import cursors
from service.storage import etags
from service.storage.db import database
from service.storage.models import Delivery
from service.storage.models import DeliveryAttempt
from service.storage.models import Event
from service.storage.models import Webhook
from service.storage.models import utcnow

ROTATION_OVERLAP = datetime.timedelta(hours=24)


def summary(webhook):
    """Return the webhook as events record it: never its secrets."""
    return {
        "id": webhook.id,
        "url": webhook.url,
        "event_types": list(webhook.event_types),
        "active": webhook.active,
        "disabled_reason": webhook.disabled_reason,
        "description": webhook.description,
        "previous_secret_expires_at": optional_timestamp_text(webhook.previous_secret_expires_at),
        "version": webhook.version,
        "created_at": timestamp_text(webhook.created_at),
        "updated_at": timestamp_text(webhook.updated_at),
    }


def check_url(url, allow_private=False):
    """Raise 422 unless url is http(s) and its host resolves to public addresses only (or private ones are allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        message = "Give an absolute http or https URL."
        raise ValidationFailed(message, errors={"url": [message]})
    if allow_private:
        return
    try:
        ssrf.public_addresses(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except ssrf.AddressRefused as error:
        raise ValidationFailed(str(error), errors={"url": [str(error)]}) from error
    except (OSError, UnicodeError, ValueError) as error:
        message = f"The host {parts.hostname} does not resolve."
        raise ValidationFailed(message, errors={"url": [message]}) from error


def _distinct(event_types):
    return list(dict.fromkeys(event_types))


def create_webhook(data, actor, allow_private=False):
    """Subscribe a URL to event types with a fresh signing secret; the caller shows webhook.secret once."""
    check_url(data["url"], allow_private)
    with database.atomic():
        webhook = Webhook.create(
            url=data["url"],
            event_types=_distinct(data["event_types"]),
            secret=signing.new_secret(),
            description=data.get("description"),
            active=data.get("active", True),
        )
        events.record("webhook.created", "webhook", webhook.id, actor, summary(webhook))
    return webhook


def get_webhook(webhook_id):
    """Return a webhook, or raise NotFound."""
    webhook = Webhook.get_or_none(Webhook.id == webhook_id)
    if webhook is None:
        raise NotFound(f"No webhook with id {webhook_id}.")
    return webhook


def list_webhooks(limit=50, cursor=None, *, secret):
    """Return a page of webhooks by id."""
    query = Webhook.select().order_by(Webhook.id)
    if cursor:
        (after,) = cursors.decode("webhooks", cursor, 1, secret)
        query = query.where(Webhook.id > after)
    return cursors.page(query.limit(limit + 1), limit, "webhooks", lambda webhook: [webhook.id], secret)


def update_webhook(webhook_id, changes, version, actor, allow_private=False):
    """Change a webhook's URL, event types, description or active flag (pause, resume) at the version read."""
    webhook = get_webhook(webhook_id)
    changes = dict(changes)
    if not changes:
        # An empty PATCH changes nothing: no new version, no event.
        etags.check_version(webhook, version)
        return webhook
    if "url" in changes:
        check_url(changes["url"], allow_private)
    if "event_types" in changes:
        changes["event_types"] = _distinct(changes["event_types"])
    if changes.get("active"):
        changes["disabled_reason"] = None
    with database.atomic():
        webhook = etags.compare_and_set(webhook, version, **changes)
        events.record("webhook.updated", "webhook", webhook.id, actor, summary(webhook))
    return webhook


def delete_webhook(webhook_id, version, actor):
    """Delete a webhook at the version read, with its deliveries."""
    webhook = get_webhook(webhook_id)
    etags.check_version(webhook, version)
    with database.atomic():
        deleted = Webhook.delete().where(Webhook.id == webhook.id, Webhook.version == webhook.version).execute()
        if not deleted:
            raise PreconditionFailed("The webhook changed or went since you read it; GET it again.")
        events.record("webhook.deleted", "webhook", webhook.id, actor, summary(webhook))


def rotate_secret(webhook_id, actor, now=None):
    """Give a webhook a new secret, keeping the old one for 24 hours; the caller shows webhook.secret once.

    Until previous_secret_expires_at each delivery carries a signature under either secret, so that a
    receiver can switch to the new secret whenever it likes within the day.
    """
    webhook = get_webhook(webhook_id)
    now = now or utcnow()
    with database.atomic():
        # previous_secret takes the stored secret in the same UPDATE, so concurrent rotations cannot lose one.
        webhook = etags.compare_and_set(
            webhook,
            None,
            secret=signing.new_secret(),
            previous_secret=Webhook.secret,
            previous_secret_expires_at=now + ROTATION_OVERLAP,
        )
        events.record("webhook.secret_rotated", "webhook", webhook.id, actor, summary(webhook))
    return webhook


def signing_secrets(webhook, now=None):
    """Return the secrets a delivery is signed with now: the current one, and the previous one during a rotation."""
    now = now or utcnow()
    current = [webhook.secret]
    if webhook.previous_secret and webhook.previous_secret_expires_at and webhook.previous_secret_expires_at > now:
        current.append(webhook.previous_secret)
    return current


def disable_webhook(webhook_id, reason, actor):
    """Deactivate a webhook and cancel its pending deliveries; call inside the caller's atomic()."""
    Webhook.update(
        active=False,
        disabled_reason=reason,
        version=Webhook.version + 1,
        updated_at=utcnow(),
    ).where(Webhook.id == webhook_id).execute()
    Delivery.update(status="cancelled", updated_at=utcnow()).where(
        Delivery.webhook == webhook_id, Delivery.status == "pending"
    ).execute()
    events.record("webhook.disabled", "webhook", webhook_id, actor, summary(get_webhook(webhook_id)))


def with_attempts(deliveries):
    """Attach each delivery's event type, next try and attempt history (one query for all); return them."""
    deliveries = list(deliveries)
    by_id = {delivery.id: delivery for delivery in deliveries}
    for delivery in deliveries:
        delivery.event_type = delivery.event.type
        delivery.next_try = delivery.next_attempt_at if delivery.status == "pending" else None
        delivery.attempt_history = []
    if by_id:
        attempts = DeliveryAttempt.select().where(DeliveryAttempt.delivery.in_(list(by_id)))
        for attempt in attempts.order_by(DeliveryAttempt.id):
            by_id[attempt.delivery_id].attempt_history.append(attempt)
    return deliveries


def _deliveries():
    return Delivery.select(Delivery, Event.id, Event.type).join(Event)


def get_delivery(webhook_id, delivery_id):
    """Return one of a webhook's deliveries with its attempts, or raise NotFound."""
    delivery = _deliveries().where(Delivery.id == delivery_id, Delivery.webhook == webhook_id).first()
    if delivery is None:
        raise NotFound(f"Webhook {webhook_id} has no delivery {delivery_id}.")
    return with_attempts([delivery])[0]


def list_deliveries(webhook_id, limit=50, cursor=None, *, secret):
    """Return a page of a webhook's deliveries, newest first, each with its attempts."""
    get_webhook(webhook_id)
    query = _deliveries().where(Delivery.webhook == webhook_id).order_by(Delivery.id.desc())
    if cursor:
        (before,) = cursors.decode("deliveries", cursor, 1, secret)
        query = query.where(Delivery.id < before)
    items, next_cursor = cursors.page(
        query.limit(limit + 1), limit, "deliveries", lambda delivery: [delivery.id], secret
    )
    return with_attempts(items), next_cursor
