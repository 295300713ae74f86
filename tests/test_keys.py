"""API keys over HTTP (admin only) and on the command line."""

import hashlib
import json

import pytest

from service import cli
from service.storage.models import ApiKey
from service.storage.models import Event


def _stored():
    return list(ApiKey.select().dicts()), list(Event.select().dicts())


def test_an_admin_creates_lists_and_revokes_a_key(client, keys):
    created = client.post("/api/v1/keys", json={"name": "cms-sync", "role": "reviewer"}, headers=keys["admin"])
    assert created.status_code == 201, created.json
    body = created.json
    secret = body["key"]
    assert created.headers["Location"] == f"/api/v1/keys/{body['id']}"
    assert body == {
        "id": body["id"],
        "name": "cms-sync",
        "role": "reviewer",
        "prefix": body["prefix"],
        "created_at": body["created_at"],
        "revoked_at": None,
        "key": secret,
    }
    assert secret.startswith(f"clk_{body['prefix']}_")

    new_key = {"Authorization": f"Bearer {secret}"}
    made = client.post("/api/v1/topics", json={"slug": "shells", "title": "Shells?"}, headers=new_key)
    assert made.status_code == 201
    assert Event.select().order_by(Event.id.desc()).get().actor == "cms-sync"

    listed = client.get("/api/v1/keys", headers=keys["admin"]).json["items"]
    assert [item["name"] for item in listed] == ["reader", "reviewer", "reviewer2", "admin", "cms-sync"]
    assert all("key" not in item for item in listed)
    shown = client.get(created.headers["Location"], headers=keys["admin"]).json
    assert shown == {k: v for k, v in body.items() if k != "key"}

    revoked = client.post(f"/api/v1/keys/{body['id']}/revoke", headers=keys["admin"])
    assert revoked.status_code == 200
    assert revoked.json["revoked_at"].endswith("Z")
    refused = client.post("/api/v1/topics", json={"slug": "more", "title": "More?"}, headers=new_key)
    assert refused.status_code == 401
    again = client.post(f"/api/v1/keys/{body['id']}/revoke", headers=keys["admin"])
    assert again.json == revoked.json
    revocations = Event.select().where(Event.type == "key.revoked")
    assert [(e.object_id, e.actor) for e in revocations] == [(body["id"], "admin")]


def test_a_key_is_kept_only_as_its_hash(client, keys):
    secret = client.post("/api/v1/keys", json={"name": "cms", "role": "reader"}, headers=keys["admin"]).json["key"]
    stored = ApiKey.select().order_by(ApiKey.id.desc()).get()
    hidden_part = secret.removeprefix("clk_").partition("_")[2]
    assert stored.key_hash == hashlib.sha256(hidden_part.encode()).hexdigest()
    everything = json.dumps([list(ApiKey.select().dicts()), list(Event.select().dicts())], default=str)
    assert hidden_part not in everything


BAD_KEYS = [
    ({"name": "cms", "role": "root"}, "role"),
    ({"name": "cms"}, "role"),
    ({"role": "reader"}, "name"),
    ({"name": "", "role": "reader"}, "name"),
    ({"name": "x" * 101, "role": "reader"}, "name"),
    ({"name": ["cms"], "role": "reader"}, "name"),
    ({"name": "cms", "role": "reader", "secret": "mine"}, "secret"),
]


@pytest.mark.parametrize(("body", "field"), BAD_KEYS)
def test_bad_key_requests_are_422_and_store_nothing(client, keys, body, field):
    before = _stored()
    answer = client.post("/api/v1/keys", json=body, headers=keys["admin"])
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert field in answer.json["errors"]
    assert _stored() == before


@pytest.mark.parametrize("who", [None, "reader", "reviewer"])
def test_only_admins_see_keys(client, keys, who):
    headers = keys[who] if who else {}
    for path in ("/api/v1/keys", "/api/v1/keys/1"):
        answer = client.get(path, headers=headers)
        assert answer.status_code == (403 if who else 401)
        assert answer.mimetype == "application/problem+json"


def test_revoking_an_unknown_key_is_404(client, keys):
    answer = client.post("/api/v1/keys/999/revoke", headers=keys["admin"])
    assert answer.status_code == 404
    assert answer.json["detail"] == "No API key with id 999."


def test_the_command_line_still_manages_keys(runner, client):
    created = runner.invoke(cli.main, ["keys", "create", "--name", "desk", "--role", "admin"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip()
    assert "\n" not in secret
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/keys", headers=headers).status_code == 200
    listed = runner.invoke(cli.main, ["keys", "list"])
    key_id = listed.output.split("\t")[0]
    assert "desk\tadmin" in listed.output and "active" in listed.output
    revoked = runner.invoke(cli.main, ["keys", "revoke", key_id])
    assert revoked.exit_code == 0
    assert client.get("/api/v1/keys", headers=headers).status_code == 401
