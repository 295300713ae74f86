"""Helpers the resource blueprints share."""

import json
from urllib.parse import urlsplit

import flask_smorest
from flask import current_app
from flask import request
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

from service.ledger.errors import BadRequest

# Documents the ETag a view answers with; service/http/openapi.py adds If-None-Match and 304 to such GETs.
ETAG = {
    "ETag": {
        "description": "the object's version: send it back in If-Match to change it, or If-None-Match to re-read",
        "required": True,
        "schema": {"type": "string"},
    }
}

# Documents the Location a create answers with: the new object's address.
LOCATION = {
    "Location": {"description": "the new object's address", "required": True, "schema": {"type": "string"}},
}


class StrictParser(FlaskParser):
    """webargs' parser, refusing unknown query parameters (a mistyped filter) as the API refuses unknown fields."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE, "querystring": RAISE}

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise
        except ValueError as error:
            # json refuses an integer of more than 4,300 digits with a plain ValueError, which webargs lets by.
            raise BadRequest("The request body holds a number too long to read (over 4,300 digits).") from error


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the strict parser: every resource's blueprint."""

    ARGUMENTS_PARSER = StrictParser()


def if_match():
    """Return the request's If-Match header as sent, or None."""
    return request.headers.get("If-Match")


def page_limit(limit):
    """Return the page size asked for, or the configured default."""
    return limit or current_app.config["PAGE_LIMIT_DEFAULT"]


def cursor_secret():
    """Return the key that signs this app's pagination cursors (the domain takes it as an argument)."""
    return current_app.config["SECRET_KEY"]


def public_base_url():
    """Return the service's public base URL: CLAIMLEDGER_PUBLIC_URL, else the request's if its host is allowed.

    The links built from it are published (iframe src, canonical links, ClaimReview url) and cached, so a
    Host header nobody configured must not decide them: without CLAIMLEDGER_PUBLIC_URL only the hosts in
    CLAIMLEDGER_ALLOWED_HOSTS (loopback by default) are taken, and any other is a 400.
    """
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    host = urlsplit(f"//{request.host}").hostname or ""
    if host.lower() not in current_app.config["ALLOWED_HOSTS"]:
        raise BadRequest(
            f"This service publishes links only to its own address: set CLAIMLEDGER_PUBLIC_URL, or list {host!r} "
            "in CLAIMLEDGER_ALLOWED_HOSTS."
        )
    return request.host_url.rstrip("/")


def needs_if_match(view):
    """Mark a POST that acts on an object at the version read, so the OpenAPI document lists If-Match, 412 and 428."""
    view._needs_if_match = True
    return view
