"""The OpenAPI document as client generators read it: names, types, headers and webhook payloads."""

import re

from factories import make_claim
from factories import publish_fact_check

from service.ledger.events import EVENT_TYPES

METHODS = ("get", "post", "put", "patch", "delete")
CAMEL_CASE = re.compile(r"^[a-z]+([A-Z][a-z0-9]*)*$")


def _document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _ref_name(prop):
    """Return the schema a property refers to, directly or through a one-item allOf (as apispec writes it)."""
    ref = prop.get("$ref") or prop["allOf"][0]["$ref"]
    return ref.rsplit("/", 1)[1]


def test_every_operation_has_a_unique_camel_case_operation_id(client):
    document = _document(client)

    ids = [operation.get("operationId") for _, _, operation in _operations(document)]
    ids += [item["post"].get("operationId") for item in document["x-webhooks"].values()]

    assert all(ids) and len(ids) == len(set(ids))
    assert [name for name in ids if not CAMEL_CASE.match(name)] == []
    operation_ids = {(method, path): op["operationId"] for method, path, op in _operations(document)}
    assert operation_ids[("get", "/api/v1/claims")] == "listClaims"
    assert operation_ids[("post", "/api/v1/claims")] == "createClaim"
    assert operation_ids[("get", "/api/v1/claims/{claim_id}")] == "getClaim"


def test_every_201_declares_its_location_and_etags_are_declared(client):
    document = _document(client)

    for method, path, operation in _operations(document):
        created = operation["responses"].get("201")
        # A batch, or an article's claims, creates many at once: no one Location.
        if created and not path.endswith(("/batch", "/articles/claims")):
            assert "Location" in created.get("headers", {}), (method, path)
    claim = document["paths"]["/api/v1/claims/{claim_id}"]
    assert "ETag" in claim["get"]["responses"]["200"]["headers"]
    assert "ETag" in claim["patch"]["responses"]["200"]["headers"]


def test_the_location_and_etag_declared_are_sent(client, keys):
    response = client.post("/api/v1/topics", json={"slug": "shells", "title": "Shells?"}, headers=keys["reviewer"])

    assert response.status_code == 201
    assert response.headers["Location"] == "/api/v1/topics/shells"
    assert response.headers["ETag"]


def test_nullable_objects_are_typed_without_anonymous_models(client):
    document = _document(client)

    anonymous = [
        node
        for node in _walk(document["components"]["schemas"])
        for branch in node.get("anyOf", [])
        if branch.get("type") == "object" and "properties" not in branch and "$ref" not in branch
    ]
    assert anonymous == []
    topic = document["components"]["schemas"]["ConflictOut"]["properties"]["topic"]
    assert topic["allOf"] == [{"$ref": "#/components/schemas/TopicRef"}] and topic["nullable"] is True


def test_request_body_fields_with_defaults_are_optional(client):
    schemas = _document(client)["components"]["schemas"]

    for name, schema in schemas.items():
        required = set(schema.get("required", ()))
        assert [
            field for field, spec in schema.get("properties", {}).items() if field in required and "default" in spec
        ] == [], name


def test_claim_review_and_oembed_are_typed(client):
    document = _document(client)

    claim_review = document["paths"]["/api/v1/claims/{claim_id}/claimreview"]["get"]["responses"]["200"]
    assert claim_review["content"]["application/ld+json"]["schema"] == {"$ref": "#/components/schemas/ClaimReview"}
    properties = document["components"]["schemas"]["ClaimReview"]["properties"]
    assert {"@context", "@type", "claimReviewed", "reviewRating", "itemReviewed"} <= set(properties)
    oembed = document["paths"]["/oembed"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert oembed == {"$ref": "#/components/schemas/OEmbedOut"}
    assert {"/embed/claims/{claim_id}", "/embed/conflicts/{conflict_id}"} <= set(document["paths"])


def test_the_claim_review_answer_has_every_required_field_of_its_schema(client):
    claim = make_claim()
    publish_fact_check([claim])
    document = _document(client)
    schemas = document["components"]["schemas"]

    markup = client.get(f"/api/v1/claims/{claim.id}/claimreview").get_json()

    assert set(schemas["ClaimReview"]["required"]) <= set(markup)
    assert set(schemas["SchemaOrgRating"]["required"]) <= set(markup["reviewRating"])
    assert set(schemas["SchemaOrgClaim"]["required"]) <= set(markup["itemReviewed"])


def test_every_event_type_has_a_typed_webhook_payload(client):
    document = _document(client)

    assert set(document["x-webhooks"]) == set(EVENT_TYPES)
    for event_type, item in document["x-webhooks"].items():
        body = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        payload = document["components"]["schemas"][_ref_name(body)]
        event = document["components"]["schemas"][_ref_name(payload["properties"]["data"])]
        assert _ref_name(event["properties"]["data"]) != "EventOut", event_type
        headers = {parameter["name"] for parameter in item["post"]["parameters"]}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}


def test_a_validation_error_is_keyed_by_the_field_path_only(client, keys):
    response = client.post(
        "/api/v1/claims",
        json={"text": "x", "speaker": {"id": 1, "name": "Both"}, "source": {}, "claimed_on": "2023-04-08"},
        headers=keys["reviewer"],
    )

    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "speaker": ["Give either id or name."],
        "source": ["Give either id or url."],
    }
