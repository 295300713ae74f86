"""The OpenAPI document's account of the rules every operation shares: keys, If-Match, bodies, limits.

The views document what they answer themselves (their success, their own 404s and 409s); the answers that
the app's shared request rules give (service/http/app.py, auth.py, etags.py, idempotency.py, ratelimit.py, a
database that is down) are added here to every operation they apply to, so that the document lists every
status an operation can answer and nothing else.
"""

import http

from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow import OpenAPIConverter

from service.http.problems import PROBLEM_MIMETYPE
from service.ledger.events import EVENT_TYPES
from service.schemas.published import WEBHOOK_PAYLOADS
from service.schemas.published import ClaimReview
from service.schemas.published import OEmbedOut

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


# Where a view's name alone would read poorly as a generated method's (topicSides), by endpoint.
OPERATION_IDS = {
    "bulk.import_batch": "importClaims",
    "conflicts.topic_sides": "getTopicSides",
    "conflicts.claim_conflicts": "listClaimConflicts",
    "webhooks.rotate_secret": "rotateWebhookSecret",
    "webhooks.list_deliveries": "listWebhookDeliveries",
    "webhooks.redeliver": "redeliverWebhookDelivery",
}


def operation_id(view_name):
    """Return the operationId of a view: its function's name in camelCase (list_claims -> listClaims)."""
    first, *rest = view_name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _status_name(status):
    """Return the name flask-smorest registers the problem response of a status under (e.g. NOT_FOUND)."""
    return http.HTTPStatus(status).name


class _Converter(OpenAPIConverter):
    def field2nullable(self, field, ret):
        # apispec writes a nullable object as anyOf [{"type": "object", "nullable": true}, {"$ref": ...}], which
        # generators turn into an anonymous model; allOf [{"$ref"}] with nullable is the same type, and named.
        if field.allow_none and "$ref" in ret:
            return {"allOf": [{"$ref": ret.pop("$ref")}], "nullable": True}
        if field.allow_none and "allOf" in ret:
            return {"allOf": ret.pop("allOf"), "nullable": True}
        return super().field2nullable(field, ret)


class Marshmallow(MarshmallowPlugin):
    """apispec's marshmallow plugin, writing nullable objects as references that generators can name."""

    Converter = _Converter


class HttpRules(BasePlugin):
    """An apispec plugin that documents the app's shared rules on each operation as flask-smorest adds it."""

    def __init__(self, app):
        self.app = app

    def init_spec(self, spec):
        super().init_spec(spec)
        # A named open object, so that client generators type ClaimReview import bodies instead of refusing them.
        spec.components.schema(
            "JsonLdNode",
            {"type": "object", "additionalProperties": True, "description": "A JSON-LD node, e.g. a ClaimReview"},
        )
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
            # Generators name their methods after it; the view's own name is stable and unique across the API.
            operation.setdefault("operationId", OPERATION_IDS.get(rule.endpoint) or operation_id(view.__name__))
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


def _response(status):
    return {"$ref": f"#/components/responses/{_status_name(status)}"}


def _json(schema_name):
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}


def _page_operation(operation_id_, summary, id_name):
    return {
        "get": {
            "operationId": operation_id_,
            "summary": summary,
            "tags": ["embeds"],
            "parameters": [
                {"name": id_name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
            ],
            "responses": {
                "200": {
                    "description": "the card, an HTML page",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
                "401": _response(401),
                "404": _response(404),
                "414": _response(414),
                "431": _response(431),
                "503": {"$ref": f"#/components/responses/{UNAVAILABLE}"},
            },
        }
    }


WEBHOOK_HEADERS = (
    ("webhook-id", "the message id, the same on every retry: drop duplicates by it"),
    ("webhook-timestamp", "seconds since the epoch when this attempt was signed"),
    ("webhook-signature", "v1,<base64 HMAC-SHA256 of id.timestamp.body>; two, space-separated, during a rotation"),
)


def _webhook(event_type):
    kind = event_type.split(".", 1)[0]
    return {
        "post": {
            "operationId": operation_id(event_type.replace(".", "_")) + "Webhook",
            "summary": f"{event_type}, delivered to subscribers of it (or of *)",
            "parameters": [
                {
                    "name": name,
                    "in": "header",
                    "required": True,
                    "description": description,
                    "schema": {"type": "string"},
                }
                for name, description in WEBHOOK_HEADERS
            ],
            "requestBody": {"required": True, "content": _json(WEBHOOK_PAYLOADS[kind].__name__)},
            "responses": {"2XX": {"description": "received; anything else is retried (410 Gone disables the webhook)"}},
        }
    }


def describe_published(api):
    """Add what the service publishes besides the JSON API to the document: oEmbed, the cards, ClaimReview and
    every webhook payload (payloads under components.schemas, and x-webhooks in the shape of OpenAPI 3.1's
    webhooks, which ReDoc shows; the document stays 3.0 because the bundled Swagger UI reads no 3.1)."""
    spec = api.spec
    for schema in (ClaimReview, OEmbedOut, *WEBHOOK_PAYLOADS.values()):
        if schema.__name__ not in spec.components.schemas:  # ClaimReview is already there, as a response's
            spec.components.schema(schema.__name__, schema=schema)
    size = {"type": "integer", "minimum": 1, "maximum": 10000}
    # Merged into the document's paths as it is written (apispec's path() wants a Flask rule of the Api's own).
    paths = spec.options.setdefault("paths", {})
    paths["/oembed"] = {
        "get": {
            "operationId": "getOembed",
            "summary": "Answer oEmbed (JSON) for a claim or conflict card's address.",
            "tags": ["embeds"],
            "parameters": [
                {
                    "name": "url",
                    "in": "query",
                    "required": True,
                    "description": "a card's address: /embed/claims/{id} or /embed/conflicts/{id}",
                    "schema": {"type": "string"},
                },
                {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "xml"]}},
                {"name": "maxwidth", "in": "query", "schema": size},
                {"name": "maxheight", "in": "query", "schema": size},
            ],
            "responses": {
                "200": {"description": "the card as an oEmbed rich answer", "content": _json("OEmbedOut")},
                "401": _response(401),
                "404": _response(404),
                "414": _response(414),
                "422": _response(422),
                "431": _response(431),
                "501": _problem("format=xml: only JSON is offered"),
                "503": {"$ref": f"#/components/responses/{UNAVAILABLE}"},
            },
        }
    }
    paths["/embed/claims/{claim_id}"] = _page_operation(
        "getClaimCard", "Show a claim as an embeddable card.", "claim_id"
    )
    paths["/embed/conflicts/{conflict_id}"] = _page_operation(
        "getConflictCard", "Show a conflict's two sides as an embeddable card.", "conflict_id"
    )
    spec.options["x-webhooks"] = {event_type: _webhook(event_type) for event_type in EVENT_TYPES}
