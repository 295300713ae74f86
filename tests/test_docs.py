"""The OpenAPI document and the Swagger UI docs, served by the service itself so that they work offline."""

import re
import struct

import browser
import pytest
import schemathesis

OPERATIONS = {
    "/api/v1/claims": {"get", "post"},
    "/api/v1/claims/{claim_id}": {"get", "patch", "delete"},
    "/api/v1/speakers": {"get", "post"},
    "/api/v1/speakers/{speaker_id}": {"get", "patch"},
    "/api/v1/sources": {"get", "post"},
    "/api/v1/sources/{source_id}": {"get", "patch"},
    "/api/v1/topics": {"get", "post"},
    "/api/v1/topics/{topic_ref}": {"get", "patch"},
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_openapi_document_is_valid_openapi_3(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "claimledger"
    schemathesis.openapi.from_dict(spec).validate()


def test_openapi_lists_every_path_and_method(spec):
    for path, methods in OPERATIONS.items():
        assert path in spec["paths"], path
        assert methods <= set(spec["paths"][path]), path


def test_every_operation_has_a_summary_and_writes_declare_the_key(spec):
    for path, method, operation in _operations(spec):
        assert operation.get("summary"), f"{method} {path} has no docstring"
        if method == "get":
            # Keys and webhooks are admin reads; an analysis job holds an unpublished draft, so it needs a key.
            keyed = path.startswith(("/api/v1/keys", "/api/v1/webhooks", "/api/v1/articles/jobs"))
            assert ("security" in operation) == keyed, f"{method} {path}"
        else:
            assert operation["security"] == [{"bearerAuth": []}], f"{method} {path}"
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}


def _resolve(spec, item):
    while "$ref" in item:
        section, name = item["$ref"].split("/")[-2:]
        item = spec["components"][section][name]
    return item


def test_errors_are_documented_as_problem_json_status_by_status(spec):
    for path, method, operation in _operations(spec):
        assert "default" not in operation["responses"], f"{method} {path}: list the statuses, not a catch-all"
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                content = _resolve(spec, response)["content"]
                assert set(content) == {"application/problem+json"}, f"{method} {path} {status}"
                assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/ProblemOut"}
        assert {"401", "503"} <= set(operation["responses"]), f"{method} {path}"
    problem = spec["components"]["schemas"]["ProblemOut"]["properties"]
    assert set(problem) == {"type", "title", "status", "detail", "errors"}


def test_the_shared_rules_are_documented_on_each_operation(spec):
    for path, method, operation in _operations(spec):
        statuses = set(operation["responses"])
        headers = {_resolve(spec, p)["name"]: _resolve(spec, p) for p in operation.get("parameters", [])}
        if method in ("patch", "delete"):
            assert headers["If-Match"]["required"] is True, f"{method} {path}"
            assert {"412", "428"} <= statuses, f"{method} {path}"
        if method in ("post", "patch", "delete"):
            assert "Retry-After" in _resolve(spec, operation["responses"]["429"])["headers"], f"{method} {path}"
        if method in ("post", "patch"):
            assert {"400", "413", "415", "422"} <= statuses, f"{method} {path}"
        if method == "post":
            assert "Idempotency-Key" in headers, f"{method} {path}"
        if "security" in operation:
            assert "403" in statuses, f"{method} {path}"
            assert operation["x-required-role"] in ("reviewer", "editor", "admin"), f"{method} {path}"
        if "{" in path:
            assert "404" in statuses, f"{method} {path}"
        if method == "get" and "ETag" in operation["responses"]["200"].get("headers", {}):
            assert "If-None-Match" in headers and "304" in statuses, f"{method} {path}"
    admin_only = {(path, method) for path, method, op in _operations(spec) if op.get("x-required-role") == "admin"}
    assert ("/api/v1/keys", "get") in admin_only and ("/api/v1/webhooks", "post") in admin_only
    assert ("/api/v1/claims/{claim_id}", "delete") in admin_only
    assert ("/api/v1/claims", "post") not in admin_only


def test_claim_query_parameters_are_documented(spec):
    parameters = {parameter["name"] for parameter in spec["paths"]["/api/v1/claims"]["get"]["parameters"]}

    assert {
        "speaker",
        "source",
        "topic",
        "stance",
        "claimed_from",
        "claimed_to",
        "language",
        "q",
        "limit",
        "cursor",
    } <= (parameters)


ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def test_docs_page_references_only_local_assets_and_they_are_served(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assets = ASSET.findall(html)
    assert assets, "the page loads Swagger UI's scripts and styles"
    assert all(asset.startswith("/api/v1/docs/assets/") for asset in assets), assets
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert 'url: "/api/v1/openapi.json"' in html
    for asset in assets:
        with client.get(asset) as served:
            assert served.status_code == 200, asset
            assert len(served.get_data()) > 1000, asset
            expected = "text/css" if asset.endswith(".css") else "text/javascript"
            assert served.mimetype == expected, asset


@pytest.mark.parametrize(
    "path",
    ["/api/v1/docs/assets/nope.js", "/api/v1/docs/assets/../../../etc/passwd", "/api/v1/docs/assets/%2e%2e/app.py"],
)
def test_docs_assets_outside_the_bundle_are_404(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


OPBLOCK = re.compile(r'class="opblock opblock-(\w+)[^"]*".*?data-path="([^"]+)"', re.DOTALL)


@pytest.mark.browser
def test_docs_render_every_operation_in_headless_chromium_offline(live_server):
    dom = browser.render(f"{live_server}/api/v1/docs")

    rendered = set(OPBLOCK.findall(dom))
    expected = {(method, path) for path, methods in OPERATIONS.items() for method in methods}
    assert expected <= rendered, f"missing {expected - rendered}; the page was:\n{dom[:3000]}"
    assert "claimledger" in dom
    assert "/api/v1/claims" in dom


@pytest.mark.browser
def test_docs_screenshot(live_server, tmp_path):
    path = browser.screenshot(f"{live_server}/api/v1/docs", tmp_path / "docs.png", width=1024, height=700)

    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1024, 700)
    assert len(data) > 20_000, "a blank page compresses to far less than a rendered one"
