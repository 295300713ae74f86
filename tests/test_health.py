"""/healthz answers while the process lives; /readyz only while the database answers."""

import pytest
from checks import CheckedClient
from checks import assert_problem

from service import create_app


def test_healthz(client):
    response = client.get("/healthz")

    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_readyz_while_the_database_answers(client):
    response = client.get("/readyz")

    assert (response.status_code, response.get_json()) == (200, {"status": "ready"})


@pytest.mark.parametrize(
    "unreachable_url",
    [
        "postgresql://postgres@127.0.0.1:1/test?connect_timeout=2",
        "sqlite:///{tmp_path}/no/such/directory/claimledger.db",
    ],
    ids=["postgres-unused-port", "sqlite-missing-directory"],
)
def test_readyz_is_503_when_the_database_cannot_be_reached(tmp_path, unreachable_url):
    app = create_app({"DATABASE_URL": unreachable_url.format(tmp_path=tmp_path), "TESTING": True})
    app.test_client_class = CheckedClient
    client = app.test_client()

    ready = client.get("/readyz")
    listing = client.get("/api/v1/claims")
    alive = client.get("/healthz")

    body = assert_problem(ready, 503)
    assert body == {
        "type": "/problems/unavailable",
        "title": "Service unavailable",
        "status": 503,
        "detail": "The database is not answering; try again shortly.",
    }
    assert ready.headers["Retry-After"] == "5"
    assert assert_problem(listing, 503) == body
    assert (alive.status_code, alive.get_json()) == (200, {"status": "ok"})
