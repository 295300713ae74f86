"""Webhooks: /api/v1/webhooks, their secrets and deliveries (admin only)."""

from flask import current_app
from flask import url_for

from service.delivery import sender as delivery
from service.delivery import webhooks
from service.http import guard
from service.http.api.common import ETAG
from service.http.api.common import LOCATION
from service.http.api.common import Blueprint
from service.http.api.common import cursor_secret
from service.http.api.common import if_match
from service.http.api.common import page_limit
from service.schemas.fields import PageArgs
from service.schemas.webhooks import DeliveryOut
from service.schemas.webhooks import DeliveryPage
from service.schemas.webhooks import WebhookInput
from service.schemas.webhooks import WebhookOut
from service.schemas.webhooks import WebhookPage
from service.schemas.webhooks import WebhookUpdate
from service.schemas.webhooks import WebhookWithSecret
from service.storage import etags

blp = Blueprint(
    "webhooks",
    __name__,
    description="Webhooks: signed deliveries of change-feed events to subscriber URLs (Standard Webhooks).",
)
# The only answers that carry a secret must never sit in a cache.
SECRET_HEADERS = {"Cache-Control": "no-store"}


def _allow_private():
    return current_app.config["WEBHOOK_ALLOW_PRIVATE"]


@blp.route("/webhooks")
@guard.require("admin")
@blp.arguments(PageArgs, location="query")
@blp.response(200, WebhookPage)
def list_webhooks(args):
    """List webhooks (never their secrets)."""
    items, next_cursor = webhooks.list_webhooks(
        page_limit(args.get("limit")), args.get("cursor"), secret=cursor_secret()
    )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/webhooks", methods=["POST"])
@guard.require("admin")
@blp.arguments(WebhookInput)
@blp.response(201, WebhookWithSecret, headers={**ETAG, **LOCATION})
def create_webhook(data):
    """Subscribe a URL to event types; the answer shows the signing secret, once."""
    webhook = webhooks.create_webhook(data, guard.actor(), allow_private=_allow_private())
    return webhook, {
        "Location": url_for("webhooks.get_webhook", webhook_id=webhook.id),
        "ETag": etags.etag("webhook", webhook),
        **SECRET_HEADERS,
    }


@blp.route("/webhooks/<int:webhook_id>")
@guard.require("admin")
@blp.response(200, WebhookOut, headers=ETAG)
def get_webhook(webhook_id):
    """Get a webhook (never its secret)."""
    webhook = webhooks.get_webhook(webhook_id)
    return webhook, {"ETag": etags.etag("webhook", webhook)}


@blp.route("/webhooks/<int:webhook_id>", methods=["PATCH"])
@guard.require("admin")
@blp.arguments(WebhookUpdate, required=False)
@blp.response(200, WebhookOut, headers=ETAG)
def update_webhook(changes, webhook_id):
    """Pause or resume a webhook, or change its URL, event types or description (needs If-Match)."""
    version = etags.expected_version("webhook", webhook_id, if_match())
    webhook = webhooks.update_webhook(webhook_id, changes, version, guard.actor(), allow_private=_allow_private())
    return webhook, {"ETag": etags.etag("webhook", webhook)}


@blp.route("/webhooks/<int:webhook_id>", methods=["DELETE"])
@guard.require("admin")
@blp.response(204)
def delete_webhook(webhook_id):
    """Delete a webhook and its deliveries (needs If-Match)."""
    version = etags.expected_version("webhook", webhook_id, if_match())
    webhooks.delete_webhook(webhook_id, version, guard.actor())


@blp.route("/webhooks/<int:webhook_id>/rotate-secret", methods=["POST"])
@guard.require("admin")
@blp.response(200, WebhookWithSecret, headers=ETAG)
def rotate_secret(webhook_id):
    """Replace the signing secret, shown once; for 24 hours deliveries are signed with the old one too."""
    webhook = webhooks.rotate_secret(webhook_id, guard.actor())
    return webhook, {"ETag": etags.etag("webhook", webhook), **SECRET_HEADERS}


@blp.route("/webhooks/<int:webhook_id>/deliveries")
@guard.require("admin")
@blp.arguments(PageArgs, location="query")
@blp.response(200, DeliveryPage)
def list_deliveries(args, webhook_id):
    """List a webhook's deliveries, newest first, each with every attempt."""
    items, next_cursor = webhooks.list_deliveries(
        webhook_id, page_limit(args.get("limit")), args.get("cursor"), secret=cursor_secret()
    )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver", methods=["POST"])
@guard.require("admin")
@blp.response(202, DeliveryOut)
def redeliver(webhook_id, delivery_id):
    """Send a delivery's event again, as a new delivery with a new webhook-id."""
    return delivery.redeliver(webhook_id, delivery_id)
