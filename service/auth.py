"""API keys and roles: who may read and who may write."""

import copy
import functools
import hashlib
import hmac
import secrets

from flask import current_app
from flask import g
from flask import request

from service import events
from service.db import database
from service.errors import Forbidden
from service.errors import NotFound
from service.errors import Unauthorized
from service.errors import ValidationFailed
from service.models import ROLES
from service.models import ApiKey
from service.models import utcnow

RANK = {role: rank for rank, role in enumerate(ROLES)}
KEY_PREFIX = "clk_"


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


def current_key():
    """Return the request's ApiKey (None when it sent none), raising 401 for a bad one."""
    if "api_key" not in g:
        header = request.headers.get("Authorization", "")
        if not header:
            g.api_key = None
        else:
            scheme, _, presented = header.partition(" ")
            if scheme.lower() != "bearer" or not presented.strip():
                raise Unauthorized("Send your key as: Authorization: Bearer <key>.")
            key = authenticate(presented.strip())
            if key is None:
                raise Unauthorized("The API key is unknown or revoked.")
            g.api_key = key
    return g.api_key


def require(role):
    """Let a view run only for a key of at least this role."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = current_key()
            if key is None:
                raise Unauthorized("This request needs an API key: Authorization: Bearer <key>.")
            if RANK[key.role] < RANK[role]:
                raise Forbidden(f"This needs the {role} role; the key {key.name!r} is a {key.role}.")
            return view(*args, **kwargs)

        wrapper._required_role = role
        # Declare the key in the OpenAPI operation, so that Swagger UI's Authorize applies to it.
        wrapper._apidoc = copy.deepcopy(getattr(wrapper, "_apidoc", {}))
        wrapper._apidoc.setdefault("manual_doc", {})["security"] = [{"bearerAuth": []}]
        return wrapper

    return decorator


def actor():
    """Return the name of the key making this request: the actor recorded for its writes."""
    return current_key().name


def check_read_access():
    """Refuse reads without a key when public reads are switched off."""
    key = current_key()
    if key is None and not current_app.config["PUBLIC_READS"]:
        raise Unauthorized("Reads need an API key on this server.")
