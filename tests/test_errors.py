"""Every failure is problem+json with the right status, stores nothing, and never shows a trace or SQL."""

import functools
import http.client
import json
from urllib.parse import urlsplit

import peewee
import pytest
from checks import LEAK_MARKERS
from checks import assert_problem
from checks import row_counts
from factories import claim_data
from factories import make_claim

VALID = json.dumps(claim_data(speaker={"name": "Body Test Speaker"})).encode()
MULTIPART = b'--xx\r\nContent-Disposition: form-data; name="text"\r\n\r\nhello\r\n--xx--\r\n'


@pytest.fixture
def claim_id(app):
    return make_claim().id


def _write(client, keys, target, claim_id, **kwargs):
    if target == "create":
        return client.post("/api/v1/claims", headers=keys["admin"], **kwargs)
    return client.patch(f"/api/v1/claims/{claim_id}", headers={**keys["admin"], "If-Match": "*"}, **kwargs)


@pytest.mark.parametrize("target", ["create", "patch"])
@pytest.mark.parametrize(
    ("data", "content_type", "status", "fields"),
    [
        (b'{"text": ', "application/json", 400, None),
        (b'{"text": "x"} and more', "application/json", 400, None),
        (b"{'text': 'single quotes'}", "application/json", 400, None),
        (b'{"text": "\xff\xfe"}', "application/json", 400, None),
        (b"[" * 100_000, "application/json", 400, None),
        (b"{" * 50_000, "application/json", 400, None),
        (b"[]", "application/json", 422, ["_schema"]),
        (b'[{"text": "x"}]', "application/json", 422, ["_schema"]),
        (b'"a string"', "application/json", 422, ["_schema"]),
        (b"5", "application/json", 422, ["_schema"]),
        (b"null", "application/json", 422, ["_schema"]),
        (VALID, "text/plain", 415, None),
        (b"text=hello", "application/x-www-form-urlencoded", 415, None),
        (MULTIPART, "multipart/form-data; boundary=xx", 415, None),
        (VALID, "application/merge-patch+json", 415, None),
        (VALID, "application/xml", 415, None),
        (VALID, None, 415, None),
    ],
)
def test_unusable_bodies_are_refused_and_store_nothing(
    client, keys, claim_id, target, data, content_type, status, fields
):
    before = row_counts()
    before_claim = client.get(f"/api/v1/claims/{claim_id}").get_json()

    response = _write(client, keys, target, claim_id, data=data, content_type=content_type)

    body = assert_problem(response, status, fields)
    assert row_counts() == before
    assert client.get(f"/api/v1/claims/{claim_id}").get_json() == before_claim
    expected_type = {400: "/problems/bad-request", 415: "/problems/unsupported-media-type"}
    if status in expected_type:
        assert body["type"] == expected_type[status]


def test_json_with_a_charset_is_accepted(client, keys):
    response = client.post(
        "/api/v1/claims", data=VALID, content_type="application/json; charset=utf-8", headers=keys["reviewer"]
    )

    assert response.status_code == 201


def test_write_without_a_body_is_422_for_the_missing_fields(client, keys):
    before = row_counts()

    response = client.post("/api/v1/claims", headers=keys["reviewer"])

    assert_problem(response, 422, ["text", "speaker", "source", "claimed_on"])
    assert row_counts() == before


@pytest.mark.parametrize("target", ["create", "patch"])
def test_body_over_the_limit_is_413_and_stores_nothing(app, client, keys, claim_id, target):
    app.config["MAX_CONTENT_LENGTH"] = 300
    before = row_counts()
    body = claim_data(text="x" * 400)

    response = _write(client, keys, target, claim_id, json=body)

    problem = assert_problem(response, 413)
    assert problem["type"] == "/problems/request-entity-too-large"
    assert row_counts() == before
    small = _write(client, keys, target, claim_id, json={"text": "fits"} if target == "patch" else claim_data())
    assert small.status_code in (200, 201)


def _raw_post(base_url, path, chunks, content_type, headers):
    """POST with Transfer-Encoding: chunked over a real socket (no Content-Length to check up front)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(
            "POST", path, body=iter(chunks), headers={"Content-Type": content_type, **headers}, encode_chunked=True
        )
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def test_chunked_bodies_get_the_same_rules(app, live_server, keys):
    app.config["MAX_CONTENT_LENGTH"] = len(VALID) + 20
    before = row_counts()
    post = functools.partial(_raw_post, live_server, "/api/v1/claims", headers=keys["reviewer"])

    wrong_type = post([VALID], "text/plain")
    too_large = post([b'{"text": "', b"x" * 500, b'"}'], "application/json")
    # werkzeug alone would stop reading at the limit and parse the valid JSON before the padding.
    valid_then_padding = post([VALID, b" " * 500], "application/json")

    for _, content_type, body in (wrong_type, too_large, valid_then_padding):
        assert content_type == "application/problem+json"
        assert not any(marker.encode() in body for marker in LEAK_MARKERS)
    assert [wrong_type[0], too_large[0], valid_then_padding[0]] == [415, 413, 413]
    assert row_counts() == before
    assert post([VALID[:10], VALID[10:]], "application/json")[0] == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": "before\x00after"}, "text"),
        ({"quote": "\x00"}, "quote"),
        ({"speaker": {"name": "Nul\x00Speaker"}}, "speaker.name"),
        ({"speaker": {"name": "Someone", "aliases": ["a\x00b"]}}, "speaker.aliases.0"),
        ({"source": {"url": "https://nul.example/\x00", "publisher": "P"}}, "source.url"),
        ({"source": {"url": "https://nul.example/a", "publisher": "P\x00"}}, "source.publisher"),
        ({"claimed_on": "2023-04-07\x00"}, "claimed_on"),
        ({"topics": [{"slug": "a\x00", "stance": "affirms"}]}, "topics.0.slug"),
    ],
)
def test_nul_bytes_are_422_and_store_nothing(client, keys, changes, field):
    before = row_counts()

    response = client.post("/api/v1/claims", json=claim_data(**changes), headers=keys["reviewer"])

    assert_problem(response, 422, [field])
    assert row_counts() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/claims", claim_data(colour="red"), "colour"),
        ("/api/v1/claims", claim_data(speaker={"name": "S", "twitter": "@s"}), "speaker.twitter"),
        ("/api/v1/claims", claim_data(topics=[{"slug": "t", "stance": "affirms", "weight": 2}]), "topics.0.weight"),
        ("/api/v1/speakers", {"name": "S", "age": 50}, "age"),
        ("/api/v1/sources", {"url": "https://u.example/", "publisher": "P", "author": "A"}, "author"),
        ("/api/v1/topics", {"slug": "s", "title": "T", "parent": "x"}, "parent"),
    ],
)
def test_unknown_body_fields_are_422_naming_them(client, keys, path, body, field):
    before = row_counts()

    problem = assert_problem(client.post(path, json=body, headers=keys["reviewer"]), 422, [field])

    assert problem["errors"][field] == ["Unknown field."]
    assert row_counts() == before


@pytest.mark.parametrize(
    "path",
    ["/nope", "/api/v1/nope", "/api/v2/claims", "/api/v1/claims/abc", "/api/v1/claims/1/extra", "/api/v1/claims/-1"],
)
def test_unknown_urls_are_404_problems(client, path):
    body = assert_problem(client.get(path), 404)

    assert body["title"] == "Not found"
    assert body["type"] == "/problems/not-found"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/claims/1", {"GET", "HEAD", "OPTIONS", "PATCH", "DELETE"}),
        ("DELETE", "/api/v1/claims", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("POST", "/api/v1/topics/some-topic", {"GET", "HEAD", "OPTIONS", "PATCH", "DELETE"}),
        ("PUT", "/api/v1/speakers/1", {"GET", "HEAD", "OPTIONS", "PATCH", "DELETE"}),
        ("PUT", "/api/v1/sources", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("POST", "/healthz", {"GET", "HEAD", "OPTIONS"}),
        ("POST", "/api/v1/openapi.json", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_wrong_method_is_405_with_allow(client, keys, claim_id, method, path, allowed):
    before = row_counts()

    response = client.open(path, method=method, json={}, headers=keys["admin"])

    body = assert_problem(response, 405)
    assert body["type"] == "/problems/method-not-allowed"
    assert {method.strip() for method in response.headers["Allow"].split(",")} == allowed
    assert row_counts() == before


@pytest.mark.fresh_app
def test_an_unexpected_error_is_a_bare_500(app, client):
    def explode():
        raise RuntimeError('SELECT key_hash FROM api_key WHERE name = "admin"')

    app.add_url_rule("/api/v1/explode", "explode", explode)

    response = client.get("/api/v1/explode")

    assert assert_problem(response, 500) == {
        "type": "/problems/internal-error",
        "title": "Internal server error",
        "status": 500,
        "detail": "The server failed to answer this request.",
    }
    assert b"key_hash" not in response.get_data()


@pytest.mark.fresh_app
def test_a_database_failure_is_a_503_without_details(app, client):
    def unreachable():
        raise peewee.OperationalError('connection to server at "10.0.0.5" failed: password authentication failed')

    app.add_url_rule("/api/v1/unreachable", "unreachable", unreachable)

    response = client.get("/api/v1/unreachable")

    body = assert_problem(response, 503)
    assert body["detail"] == "The database is not answering; try again shortly."
    assert response.headers["Retry-After"] == "5"
    assert b"password" not in response.get_data()


@pytest.mark.parametrize(
    "authorization",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer clk_unknown_secret", "Bearer not-a-key", "Token abc"],
)
def test_bad_credentials_are_401(client, authorization):
    response = client.post("/api/v1/claims", json=claim_data(), headers={"Authorization": authorization})

    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="claimledger"'


def test_reads_need_a_key_when_public_reads_are_off(app, client, keys):
    app.config["PUBLIC_READS"] = False

    assert_problem(client.get("/api/v1/claims"), 401)
    assert_problem(client.get("/api/v1/topics"), 401)
    assert client.get("/api/v1/claims", headers=keys["reader"]).status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/healthz").status_code == 200
