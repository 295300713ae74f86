"""Helpers the resource blueprints share."""

from flask import current_app
from flask import request


def if_match():
    """Return the request's If-Match header as sent, or None."""
    return request.headers.get("If-Match")


def page_limit(limit):
    """Return the page size asked for, or the configured default."""
    return limit or current_app.config["PAGE_LIMIT_DEFAULT"]


def public_base_url():
    """Return the service's public base URL: CLAIMLEDGER_PUBLIC_URL, else the one this request came to."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
