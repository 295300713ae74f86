"""Cross-origin access to the API for the CMS origins in CLAIMLEDGER_EMBED_ORIGINS, and no others."""

from flask import current_app
from flask import request

PATH_PREFIXES = ("/api/v1/", "/oembed")
ALLOW_METHODS = "GET, HEAD, POST, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key"
EXPOSE_HEADERS = "ETag, Location, Retry-After, Idempotent-Replayed"
PREFLIGHT_MAX_AGE = "600"


def _covered():
    return request.path.startswith(PATH_PREFIXES)


def _allowed_origin():
    origin = request.headers.get("Origin")
    return origin if origin and origin in current_app.config["EMBED_ORIGINS"] else None


def answer_preflight():
    """Answer a CORS preflight for the API with 204 before any other rule sees it."""
    if not (
        request.method == "OPTIONS"
        and _covered()
        and request.url_rule is not None
        and "Access-Control-Request-Method" in request.headers
    ):
        return None
    response = current_app.response_class(status=204)
    origin = _allowed_origin()
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    response.vary.add("Origin")
    return response


def add_headers(response):
    """Let an allowed origin read the API's answer, its ETag and Location included."""
    if not _covered() or request.method == "OPTIONS":
        return response
    origin = _allowed_origin()
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    response.vary.add("Origin")
    return response
