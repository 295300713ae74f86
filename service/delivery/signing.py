"""Standard Webhooks signing: the secret, the payload and the three headers every delivery carries."""

import base64
import hashlib
import hmac
import json
import secrets

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret():
    """Return a fresh signing secret: whsec_ and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _iso(moment):
    return moment.isoformat() + "Z"


def payload(event):
    """Return the body of an event's delivery as bytes: {"type", "timestamp", "data"}, data being the event."""
    document = {
        "type": event.type,
        "timestamp": _iso(event.created_at),
        "data": {
            "id": event.id,
            "type": event.type,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "actor": event.actor,
            "created_at": _iso(event.created_at),
            "data": event.data,
        },
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret, message_id, timestamp, body):
    """Return "v1,<base64 HMAC-SHA256>" of "{message_id}.{timestamp}.{body}" under a whsec_ secret."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(message_id, timestamp, body, signing_secrets):
    """Return the webhook-id, webhook-timestamp and webhook-signature headers, one signature per secret."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(secret, message_id, timestamp, body) for secret in signing_secrets),
    }
