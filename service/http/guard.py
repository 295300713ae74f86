"""The request guard: which key sent a request, and whether its role may do what it asks."""

import copy
import functools

from flask import current_app
from flask import g
from flask import request

from service.ledger.errors import Forbidden
from service.ledger.errors import Unauthorized
from service.ledger.keys import RANK
from service.ledger.keys import authenticate


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
