"""The claimledger command: migrate, keys create/list/revoke, serve."""

import re
import sys
from pathlib import Path

import pytest
import requests
import servers
from checks import row_counts
from factories import claim_data
from factories import make_claim

from service import cli
from service.storage import db
from service.storage.migrate import MIGRATIONS
from service.storage.models import ALL_MODELS
from service.storage.models import Event

KEY = re.compile(r"clk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def test_migrate_applies_every_migration_once(runner, empty_database_url, monkeypatch):
    monkeypatch.setenv("CLAIMLEDGER_DATABASE_URL", empty_database_url)
    expected = sorted(path.stem for path in MIGRATIONS.glob("[0-9]*.py"))

    first = runner.invoke(cli.main, ["migrate"])
    second = runner.invoke(cli.main, ["migrate"])

    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [f"applied {name}" for name in expected]
    assert expected[:2] == ["0001_initial", "0002_claim_search"]
    assert (second.exit_code, second.output) == (0, "schema is up to date\n")


def test_migrated_schema_has_every_model_column(runner, empty_database_url, monkeypatch):
    monkeypatch.setenv("CLAIMLEDGER_DATABASE_URL", empty_database_url)

    runner.invoke(cli.main, ["migrate"])

    for model in ALL_MODELS:
        columns = {column.name for column in db.database.get_columns(model._meta.table_name)}
        assert {field.column_name for field in model._meta.sorted_fields} <= columns, model.__name__


def test_migrated_schema_has_exactly_the_models_indexes(runner, empty_database_url, monkeypatch):
    """Every index a model declares exists, and no other: each one costs every insert."""
    monkeypatch.setenv("CLAIMLEDGER_DATABASE_URL", empty_database_url)

    runner.invoke(cli.main, ["migrate"])

    for model in ALL_MODELS:
        table = model._meta.table_name
        declared = {
            (tuple(field.column_name for field in index._expressions), bool(index._unique))
            for index in model._meta.fields_to_index()
        }
        migrated = {
            (tuple(index.columns), index.unique)
            for index in db.database.get_indexes(table)
            # PostgreSQL's full-text index is on a generated column that no model declares.
            if not index.name.startswith(("sqlite_autoindex", f"{table}_pkey", "claim_search_vector"))
        }
        assert migrated == declared, table


def _create_key(runner, name="desk", role="reviewer"):
    result = runner.invoke(cli.main, ["keys", "create", "--name", name, "--role", role])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[-1]


def test_keys_create_prints_the_key_alone_on_its_last_line_and_it_authenticates(runner, client):
    key = _create_key(runner)

    assert KEY.fullmatch(key), key
    response = client.post("/api/v1/claims", json=claim_data(), headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201
    assert Event.get(Event.type == "claim.created").actor == "desk"
    created = Event.get(Event.type == "key.created")
    assert (created.actor, created.data["name"], created.data["role"]) == ("cli", "desk", "reviewer")
    assert key not in str(created.data) and key.split("_", 2)[2] not in str(created.data)


def test_a_reviewer_key_from_the_cli_cannot_delete(runner, client):
    key = _create_key(runner)
    claim = make_claim()

    response = client.delete(f"/api/v1/claims/{claim.id}", headers={"Authorization": f"Bearer {key}", "If-Match": "*"})

    assert response.status_code == 403


def test_keys_list_shows_keys_but_never_secrets(runner):
    desk = _create_key(runner, "desk", "reviewer")
    editor = _create_key(runner, "editor", "admin")

    result = runner.invoke(cli.main, ["keys", "list"])

    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"1\tdesk\treviewer\t{desk.split('_')[1]}\tactive",
        f"2\teditor\tadmin\t{editor.split('_')[1]}\tactive",
    ]
    assert desk.split("_", 2)[2] not in result.output
    assert editor.split("_", 2)[2] not in result.output


def test_keys_revoke_stops_the_key_working(runner, client):
    key = _create_key(runner)
    other = _create_key(runner, "other", "reviewer")

    result = runner.invoke(cli.main, ["keys", "revoke", "1"])

    assert (result.exit_code, result.output) == (0, "revoked 1 desk\n")
    before = row_counts()
    refused = client.post("/api/v1/claims", json=claim_data(), headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 401
    assert refused.get_json()["detail"] == "The API key is unknown or revoked."
    assert row_counts() == before
    assert (
        client.post("/api/v1/claims", json=claim_data(), headers={"Authorization": f"Bearer {other}"}).status_code
        == 201
    )
    listed = runner.invoke(cli.main, ["keys", "list"]).output.splitlines()
    assert re.fullmatch(r"1\tdesk\treviewer\t[0-9a-f]{12}\trevoked \d{4}-\d\d-\d\d", listed[0])
    assert listed[1].endswith("\tactive")
    assert Event.get(Event.type == "key.revoked").object_id == 1


def test_revoking_twice_records_one_event(runner):
    _create_key(runner)

    runner.invoke(cli.main, ["keys", "revoke", "1"])
    again = runner.invoke(cli.main, ["keys", "revoke", "1"])

    assert again.exit_code == 0
    assert Event.select().where(Event.type == "key.revoked").count() == 1


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["keys", "revoke", "99"], 1, "Error: No API key with id 99.\n"),
        (["keys", "create", "--name", "", "--role", "admin"], 1, "Error: name: Give a name of 1 to 100 characters.\n"),
        (
            ["keys", "create", "--name", "x" * 101, "--role", "admin"],
            1,
            "Error: name: Give a name of 1 to 100 characters.\n",
        ),
    ],
)
def test_bad_key_commands_fail_clearly_and_store_nothing(runner, args, exit_code, message):
    before = row_counts()

    result = runner.invoke(cli.main, args)

    assert (result.exit_code, result.output) == (exit_code, message)
    assert row_counts() == before


def test_keys_create_refuses_an_unknown_role(runner):
    before = row_counts()

    result = runner.invoke(cli.main, ["keys", "create", "--name", "x", "--role", "owner"])

    assert result.exit_code == 2
    assert "'owner' is not one of 'reader', 'reviewer', 'editor', 'admin'" in result.output
    assert row_counts() == before


@pytest.mark.slow
def test_serve_runs_gunicorn_on_the_configured_database(database_url, app, tmp_path):
    claim = make_claim(text="Served over gunicorn")
    port = servers.free_port()
    command = [str(Path(sys.executable).with_name("claimledger")), "serve", "--port", str(port), "--workers", "1"]
    process = servers.start(command, {"CLAIMLEDGER_DATABASE_URL": database_url}, tmp_path / "serve.log")
    try:
        servers.wait_until_up(f"http://127.0.0.1:{port}/healthz", process)

        listed = requests.get(f"http://127.0.0.1:{port}/api/v1/claims", timeout=10)
        ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
    finally:
        exit_code = servers.stop(process)

    assert listed.status_code == 200
    assert [item["text"] for item in listed.json()["items"]] == [claim.text]
    assert ready.json() == {"status": "ready"}
    assert exit_code == 0
    log = process.log_path.read_text()
    assert f"Listening at: http://127.0.0.1:{port}" in log
    assert "gunicorn.ctl" not in log, "no control socket shared between gunicorns on one machine"
