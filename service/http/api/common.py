"""Helpers the resource blueprints share."""

import flask_smorest
from flask import current_app
from flask import request
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

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
    """Return the service's public base URL: CLAIMLEDGER_PUBLIC_URL, else the one this request came to."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
