"""gunicorn's request limits: every documented parameter fits; what does not gets a documented problem+json."""

import socket

import pytest
import requests
import servers

LONG_SOURCE = "https://news.example/" + "a" * 1979
FULL_QUERY = {
    "speaker": "Я" * 200,
    "source": LONG_SOURCE,
    "topic": "t" * 100,
    "reviewer": "r" * 100,
    "q": "q" * 500,
    "cursor": "c" * 1000,
    "limit": "200",
}


@pytest.fixture
def server(database_url, tmp_path):
    process, base_url = servers.serve(database_url, tmp_path / "serve.log", workers=1)
    yield base_url
    servers.stop(process)


def _raw(base_url, request_bytes):
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(request_bytes)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.decode("latin-1"), body


@pytest.mark.slow
def test_every_documented_parameter_at_its_longest_fits_the_request_line(server):
    response = requests.get(f"{server}/api/v1/claims", params=FULL_QUERY, timeout=30)

    assert len(response.request.url) > 4094
    # The made-up cursor is refused by the app (400), not by gunicorn (414).
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"


@pytest.mark.slow
def test_a_request_line_over_the_limit_is_a_414_problem(server):
    head, body = _raw(server, b"GET /api/v1/claims?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")

    assert head.startswith("HTTP/1.1 414 ")
    assert "Content-Type: application/problem+json" in head
    assert b"<html" not in body
    assert requests.models.complexjson.loads(body)["status"] == 414


@pytest.mark.slow
def test_a_header_over_the_limit_is_a_431_problem(server):
    head, body = _raw(server, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n")

    assert head.startswith("HTTP/1.1 431 ")
    assert "Content-Type: application/problem+json" in head
    assert requests.models.complexjson.loads(body)["status"] == 431


def test_the_openapi_document_lists_414_and_431_on_every_operation(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            assert {"414", "431"} <= set(operation["responses"]), (method, path)
