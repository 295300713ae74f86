"""CORS for the API: the CMS origins in CLAIMLEDGER_EMBED_ORIGINS may call it from a browser, no one else."""

import pytest
from factories import claim_data
from factories import make_claim
from factories import publish_fact_check

CMS = "https://cms.example"


@pytest.fixture
def cms_app(app):
    """The app with one CMS origin allowed."""
    app.config["EMBED_ORIGINS"] = [CMS]
    return app


def _preflight(client, origin, method="POST", path="/api/v1/claims"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )


def test_preflight_from_an_allowed_origin_is_204_with_methods_and_headers(cms_app, client):
    response = _preflight(client, CMS)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert response.headers["Access-Control-Allow-Origin"] == CMS
    methods = {method.strip() for method in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "PATCH", "DELETE"} <= methods
    allowed = {name.strip().lower() for name in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "if-match", "idempotency-key", "content-type"} <= allowed
    assert response.headers["Access-Control-Max-Age"] == "600"
    assert "Origin" in response.headers["Vary"]


def test_preflight_from_another_origin_allows_nothing(cms_app, client):
    response = _preflight(client, "https://evil.example", method="PATCH", path="/api/v1/claims/1")

    assert response.status_code == 204
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_preflight_with_no_origins_configured_allows_nothing(client):
    response = _preflight(client, CMS)

    assert response.status_code == 204
    assert "Access-Control-Allow-Origin" not in response.headers


def test_answers_to_an_allowed_origin_expose_etag_and_location(cms_app, client, keys):
    created = client.post("/api/v1/claims", json=claim_data(), headers={**keys["reviewer"], "Origin": CMS})
    read = client.get(created.headers["Location"], headers={"Origin": CMS})

    for response in (created, read):
        assert response.headers["Access-Control-Allow-Origin"] == CMS
        exposed = {name.strip() for name in response.headers["Access-Control-Expose-Headers"].split(",")}
        assert {"ETag", "Location", "Idempotent-Replayed"} <= exposed
        assert "Origin" in response.headers["Vary"]
    assert created.status_code == 201 and read.status_code == 200


def test_errors_reach_an_allowed_origin_too(cms_app, client):
    response = client.post("/api/v1/claims", json=claim_data(), headers={"Origin": CMS})

    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == CMS


def test_answers_to_another_origin_carry_no_cors_headers(cms_app, client):
    claim = make_claim()

    response = client.get(f"/api/v1/claims/{claim.id}", headers={"Origin": "https://evil.example"})

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_pages_outside_the_api_get_no_cors_headers(cms_app, client):
    claim = make_claim()
    publish_fact_check([claim])

    response = client.get(f"/embed/claims/{claim.id}", headers={"Origin": CMS})

    assert "Access-Control-Allow-Origin" not in response.headers


def test_oembed_answers_an_allowed_origin(cms_app, client):
    claim = make_claim()
    publish_fact_check([claim])

    response = client.get(
        "/oembed", query_string={"url": f"http://localhost/embed/claims/{claim.id}"}, headers={"Origin": CMS}
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == CMS
