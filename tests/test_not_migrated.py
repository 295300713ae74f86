"""A database that was never migrated is a setup mistake, not an outage: say so plainly, never 503 or a traceback."""

import pytest
from checks import assert_problem

from service import cli
from service import create_app
from service.storage import db

REQUESTS = [
    ("get", "/api/v1/claims/1", {}),
    ("get", "/api/v1/claims", {}),
    ("get", "/api/v1/events", {}),
    ("post", "/api/v1/claims", {"Authorization": "Bearer clk_000000000000_" + "a" * 43}),
]


@pytest.fixture
def unmigrated(empty_database_url):
    """The app on a database with no tables."""
    application = create_app({"DATABASE_URL": empty_database_url, "TESTING": True, "RATE_LIMIT_PER_MINUTE": 0})
    yield application
    db.database.close()


@pytest.mark.parametrize(("method", "path", "headers"), REQUESTS)
def test_the_api_says_the_database_needs_migrating(unmigrated, method, path, headers):
    response = getattr(unmigrated.test_client(), method)(path, headers=headers, json={} if method == "post" else None)

    body = assert_problem(response, 500)
    assert body["type"] == "/problems/not-migrated"
    assert "claimledger migrate" in body["detail"]
    assert "Retry-After" not in response.headers


def test_the_cli_says_the_database_needs_migrating(unmigrated, empty_database_url, monkeypatch):
    monkeypatch.setenv("CLAIMLEDGER_DATABASE_URL", empty_database_url)

    result = unmigrated.test_cli_runner().invoke(cli.main, ["keys", "create", "--name", "desk", "--role", "admin"])

    assert result.exit_code == 1
    assert (
        result.output
        == "Error: the database has no tables (or lacks this release's): run `claimledger migrate` first\n"
    )
    assert "Traceback" not in result.output


def test_a_database_that_does_not_answer_is_still_503(tmp_path):
    application = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/missing-directory/ledger.db", "TESTING": True})

    response = application.test_client().get("/api/v1/claims/1")

    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "5"
