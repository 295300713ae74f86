"""The OpenAPI document's account of the rules every operation shares: keys, If-Match, bodies, limits.

The views document what they answer themselves (their success, their own 404s and 409s); the answers that
the app's shared request rules give (service/http/app.py, auth.py, etags.py, idempotency.py, ratelimit.py, a
database that is down) are added here to every operation they apply to, so that the document lists every
status an operation can answer and nothing else.
"""

import http

from apispec import BasePlugin

from service.http.problems import PROBLEM_MIMETYPE

WRITE_METHODS = ("post", "put", "patch", "delete")
RETRY_AFTER = {"description": "seconds to wait before retrying", "schema": {"type": "integer", "minimum": 0}}
# Parameters and responses registered here, referred to by name from each operation.
IF_MATCH = "IfMatch"
IF_NONE_MATCH = "IfNoneMatch"
IDEMPOTENCY_KEY = "IdempotencyKey"
RATE_LIMITED = "RateLimited"
UNAVAILABLE = "Unavailable"
NOT_MODIFIED = "NotModified"


def _problem(description, headers=None):
    response = {
        "description": description,
        "content": {PROBLEM_MIMETYPE: {"schema": {"$ref": "#/components/schemas/ProblemOut"}}},
    }
    if headers:
        response["headers"] = headers
    return response


def _status_name(status):
    """Return the name flask-smorest registers the problem response of a status under (e.g. NOT_FOUND)."""
    return http.HTTPStatus(status).name


class HttpRules(BasePlugin):
    """An apispec plugin that documents the app's shared rules on each operation as flask-smorest adds it."""

    def __init__(self, app):
        self.app = app

    def init_spec(self, spec):
        super().init_spec(spec)
        spec.components.parameter(
            IF_MATCH,
            "header",
            {
                "name": "If-Match",
                "required": True,
                "description": 'the ETag from your last GET (e.g. "claim-7-3"), or * to skip the check',
                "schema": {"type": "string", "minLength": 1},
            },
        )
        spec.components.parameter(
            IF_NONE_MATCH,
            "header",
            {
                "name": "If-None-Match",
                "description": "an ETag you hold: 304 Not Modified while the object is still at it",
                "schema": {"type": "string"},
            },
        )
        spec.components.parameter(
            IDEMPOTENCY_KEY,
            "header",
            {
                "name": "Idempotency-Key",
                "description": "a key of yours (e.g. a UUID): retrying with it and the same body replays the "
                "first answer instead of writing again",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
            },
        )
        spec.components.response(
            RATE_LIMITED,
            _problem(
                "Too many writes from this key or address this minute. The limit is checked before anything "
                "else, the key included: past it, a write without a valid key gets 429, not 401",
                {"Retry-After": RETRY_AFTER},
            ),
        )
        spec.components.response(
            UNAVAILABLE, _problem("The database is not answering; retry shortly", {"Retry-After": RETRY_AFTER})
        )
        spec.components.response(NOT_MODIFIED, {"description": "Not modified: your copy (If-None-Match) is current"})

    def operation_helper(self, path=None, operations=None, rule=None, **kwargs):
        view = self.app.view_functions[rule.endpoint]
        role = getattr(view, "_required_role", None)
        has_path_parameters = bool(rule.arguments)
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            parameters = operation.setdefault("parameters", [])
            query_names = {p["name"] for p in parameters if isinstance(p, dict) and p.get("in") == "query"}

            def add(status, response=None, responses=responses):
                if status not in responses and str(status) not in responses:
                    responses[str(status)] = response or _status_name(status)

            add(401)
            # gunicorn's own limits on the request line and each header (service/http/gunicorn_conf.py).
            add(414)
            add(431)
            add(503, UNAVAILABLE)
            if role is not None:
                add(403)
                operation["description"] = f"Needs a key of the {role} role or above."
                operation["x-required-role"] = role
            if has_path_parameters:
                add(404)
            if query_names:
                add(422)
            # A cursor or page token not signed here, or a search of no words, is a 400.
            if query_names & {"cursor", "q", "pageToken", "query"}:
                add(400)
            if method in WRITE_METHODS:
                add(429, RATE_LIMITED)
            if method in ("post", "put", "patch"):
                # A body that is not JSON (415), too large (413), malformed (400) or invalid (422).
                for status in (400, 413, 415, 422):
                    add(status)
            if method == "post":
                # Idempotency-Key: a request with the key still running (409), or the key used with another body (422).
                parameters.append(IDEMPOTENCY_KEY)
                add(409)
            if method in ("patch", "delete") or getattr(view, "_needs_if_match", False):
                parameters.append(IF_MATCH)
                add(412)
                add(428)
            success = responses.get("200") or responses.get(200)
            if method == "get" and isinstance(success, dict) and "ETag" in success.get("headers", {}):
                parameters.append(IF_NONE_MATCH)
                add(304, NOT_MODIFIED)
