"""API keys: /api/v1/keys (admin only)."""

from flask import url_for

from service.http import guard
from service.http.api.common import LOCATION
from service.http.api.common import Blueprint
from service.ledger import keys
from service.schemas.keys import KeyCreated
from service.schemas.keys import KeyInput
from service.schemas.keys import KeyList
from service.schemas.keys import KeyOut

blp = Blueprint("keys", __name__, description="API keys: who may read and write (admin only).")


@blp.route("/keys")
@guard.require("admin")
@blp.response(200, KeyList)
def list_keys():
    """List keys, oldest first (never their secrets)."""
    return {"items": keys.list_keys()}


@blp.route("/keys", methods=["POST"])
@guard.require("admin")
@blp.arguments(KeyInput)
@blp.response(201, KeyCreated, headers=LOCATION)
def create_key(data):
    """Create a key; the answer shows the key itself, this once only."""
    key, secret = keys.create_key(data["name"], data["role"], actor=guard.actor())
    key.key = secret
    return key, {"Location": url_for("keys.get_key", key_id=key.id)}


@blp.route("/keys/<int:key_id>")
@guard.require("admin")
@blp.response(200, KeyOut)
def get_key(key_id):
    """Get a key (never its secret)."""
    return keys.get_key(key_id)


@blp.route("/keys/<int:key_id>/revoke", methods=["POST"])
@guard.require("admin")
@blp.response(200, KeyOut)
def revoke_key(key_id):
    """Revoke a key so that it no longer authenticates; revoking twice changes nothing."""
    return keys.revoke_key(key_id, actor=guard.actor())
