"""API keys and roles: creating, listing, revoking and recognising the keys that may read and write."""

import hashlib
import hmac
import secrets

from service.ledger import events
from service.ledger.errors import NotFound
from service.ledger.errors import ValidationFailed
from service.storage.db import database
from service.storage.models import ROLES
from service.storage.models import ApiKey
from service.storage.models import utcnow

RANK = {role: rank for rank, role in enumerate(ROLES)}
KEY_PREFIX = "clk_"


def has_role(key, role):
    """Return whether a key holds at least this role: an admin may do what an editor may, an editor a reviewer."""
    return RANK[key.role] >= RANK[role]


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def key_summary(key):
    """Return a key as shown in lists and events (never its secret)."""
    return {
        "id": key.id,
        "name": key.name,
        "role": key.role,
        "prefix": key.prefix,
        "created_at": key.created_at.isoformat() + "Z",
        "revoked_at": key.revoked_at.isoformat() + "Z" if key.revoked_at else None,
    }


def create_key(name, role, actor="cli"):
    """Create a key; return (ApiKey, the full key string, shown only this once)."""
    if role not in ROLES:
        raise ValidationFailed(errors={"role": [f"Must be one of: {', '.join(ROLES)}."]})
    if not name or len(name) > 100:
        raise ValidationFailed(errors={"name": ["Give a name of 1 to 100 characters."]})
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with database.atomic():
        key = ApiKey.create(name=name, role=role, prefix=prefix, key_hash=_hash(secret))
        events.record("key.created", "key", key.id, actor, key_summary(key))
    return key, f"{KEY_PREFIX}{prefix}_{secret}"


def list_keys():
    """Return every key, oldest first."""
    return list(ApiKey.select().order_by(ApiKey.id))


def get_key(key_id):
    """Return a key by id, or raise NotFound."""
    key = ApiKey.get_or_none(ApiKey.id == key_id)
    if key is None:
        raise NotFound(f"No API key with id {key_id}.")
    return key


def revoke_key(key_id, actor="cli"):
    """Revoke a key so that it no longer authenticates."""
    with database.atomic():
        key = get_key(key_id)
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            key.save()
            events.record("key.revoked", "key", key.id, actor, key_summary(key))
    return key


def authenticate(presented):
    """Return the live ApiKey a presented key string belongs to, or None."""
    if not presented or not presented.startswith(KEY_PREFIX):
        return None
    prefix, _, secret = presented[len(KEY_PREFIX) :].partition("_")
    key = ApiKey.get_or_none(ApiKey.prefix == prefix)
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.key_hash, _hash(secret)):
        return None
    return key
