"""Export a seeded ledger, import it into an empty one on a live server: it is reproduced, and again nothing changes."""

import json
import subprocess

import pytest
import requests
import servers
from factories import claim_data
from factories import review_claim

from service.ledger import claims
from service.ledger import seeds
from service.storage.models import Claim

NDJSON = "application/x-ndjson"
# The ledger's own bookkeeping, which another ledger numbers and stamps itself.
OWN = {"id", "version", "created_at", "updated_at"}


def _cli(database_url, *arguments):
    run = subprocess.run(
        [servers.CLAIMLEDGER, *arguments],
        env={**servers.os.environ, "CLAIMLEDGER_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


@pytest.fixture
def target(empty_database_url, tmp_path):
    """An empty ledger, migrated, served by gunicorn; its base URL and a reviewer's key."""
    _cli(empty_database_url, "migrate")
    key = (
        _cli(empty_database_url, "keys", "create", "--name", "importer", "--role", "reviewer").strip().splitlines()[-1]
    )
    process, base_url = servers.serve(empty_database_url, tmp_path / "target.log", workers=1)
    yield base_url, {"Authorization": f"Bearer {key}"}
    servers.stop(process)


def _without_own(value):
    if isinstance(value, dict):
        return {key: _without_own(item) for key, item in value.items() if key not in OWN}
    if isinstance(value, list):
        return [_without_own(item) for item in value]
    return value


def _ledger(get):
    """Return every claim (with stances and reviews), speaker, source and topic, without ids and stamps."""
    lines = get("/api/v1/claims/export").text.splitlines()
    exported = sorted((_without_own(json.loads(line)) for line in lines), key=lambda c: (c["claimed_on"], c["text"]))
    listed = {}
    for kind, order in (("speakers", "name"), ("sources", "url"), ("topics", "slug")):
        items = get(f"/api/v1/{kind}?limit=200").json()["items"]
        listed[kind] = sorted((_without_own(item) for item in items), key=lambda item: item[order])
    return exported, listed


@pytest.mark.slow
def test_an_exported_ledger_imports_into_an_empty_one_field_for_field_and_again_changes_nothing(app, client, target):
    seeds.load_all()
    seeded = list(Claim.select().order_by(Claim.id))
    review_claim(seeded[0].id, "contested", reviewer="anna", rationale="Only one sector of the front.")
    review_claim(seeded[0].id, "supported", reviewer="bohdan", rationale="Matches the wire reports.")
    review_claim(seeded[3].id, "supported", reviewer="anna", rationale="Дані підтверджено.")
    claims.update_claim(seeded[5].id, {"external_id": "cms-article-77"}, None, "desk")
    source_export = client.get("/api/v1/claims/export")
    assert source_export.status_code == 200
    body = source_export.get_data()
    speakers_export = client.get("/api/v1/speakers/export")
    assert speakers_export.status_code == 200 and speakers_export.mimetype == NDJSON
    base_url, key = target

    # Speakers first (some have no claim yet), then the claims.
    speakers_in = requests.post(
        f"{base_url}/api/v1/speakers/batch",
        data=speakers_export.get_data(),
        headers={**key, "Content-Type": NDJSON},
        timeout=120,
    )
    assert speakers_in.status_code == 201, speakers_in.text
    first = requests.post(
        f"{base_url}/api/v1/claims/batch", data=body, headers={**key, "Content-Type": NDJSON}, timeout=120
    )

    assert first.status_code == 201, first.text
    assert first.json()["created"] == len(seeded) and first.json()["updated"] == 0
    source = _ledger(lambda path: _Answer(client, path))
    copied = _ledger(lambda path: requests.get(f"{base_url}{path}", timeout=60))
    assert copied[0] == source[0]  # every claim, its speaker, sources, stances and reviews, field for field
    for kind in ("speakers", "sources", "topics"):
        for copied_item, source_item in zip(copied[1][kind], source[1][kind], strict=True):
            assert copied_item == source_item  # every speaker (aliases and record), source and topic
    assert len(copied[0]) == len(seeded)
    assert sum(len(claim["reviews"]) for claim in copied[0]) == 3
    assert any(claim["external_id"] == "cms-article-77" for claim in copied[0])
    stamped = requests.get(f"{base_url}/api/v1/claims/export", timeout=60).text
    events = requests.get(f"{base_url}/api/v1/events?after=0&limit=1000", timeout=60).json()["items"]

    speakers_again = requests.post(
        f"{base_url}/api/v1/speakers/batch",
        data=speakers_export.get_data(),
        headers={**key, "Content-Type": NDJSON},
        timeout=120,
    )
    again = requests.post(
        f"{base_url}/api/v1/claims/batch", data=body, headers={**key, "Content-Type": NDJSON}, timeout=120
    )

    assert speakers_again.json()["created"] == 0

    assert again.status_code == 201, again.text
    assert again.json() == {**first.json(), "created": 0, "updated": 0, "unchanged": len(seeded)}
    assert requests.get(f"{base_url}/api/v1/claims/export", timeout=60).text == stamped  # versions and all
    assert requests.get(f"{base_url}/api/v1/events?after=0&limit=1000", timeout=60).json()["items"] == events


class _Answer:
    """A test-client answer read as requests' is: .text and .json()."""

    def __init__(self, client, path):
        self.response = client.get(path)
        self.text = self.response.get_data(as_text=True)

    def json(self):
        return self.response.get_json()


def test_csv_export_with_a_bom_imports_back_and_external_ids_update(client, keys):
    seeds.load_all()
    claim = Claim.select().order_by(Claim.id).first()
    claims.update_claim(claim.id, {"text": "Бахмут тримається.", "external_id": "=cms-1"}, None, "desk")

    exported = client.get("/api/v1/claims/export?format=csv&bom=true")

    raw = exported.get_data()
    assert raw.startswith("\ufeff".encode()) and "Бахмут тримається.".encode() in raw
    assert client.get("/api/v1/claims/export?format=csv").get_data().startswith(b"id,")
    again = client.post("/api/v1/claims/batch", data=raw, headers={**keys["reviewer"], "Content-Type": "text/csv"})
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["created"] == 0 and again.get_json()["updated"] == 0
    edited = raw.replace("Бахмут тримається.".encode(), "Бахмут тримається досі.".encode())
    changed = client.post("/api/v1/claims/batch", data=edited, headers={**keys["reviewer"], "Content-Type": "text/csv"})
    assert changed.get_json()["updated"] == 1 and changed.get_json()["created"] == 0
    stored = claims.get_claim(claim.id)
    assert (stored.text, stored.external_id) == ("Бахмут тримається досі.", "=cms-1")


def test_a_csv_with_unknown_columns_is_422_and_stores_nothing(client, keys):
    response = client.post(
        "/api/v1/claims/batch", data=b"text,colour\nx,red\n", headers={**keys["reviewer"], "Content-Type": "text/csv"}
    )

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["header"]
    assert Claim.select().count() == 0


def test_an_external_id_names_one_claim_only(client, keys):
    first = client.post("/api/v1/claims", json=claim_data(external_id="cms-9"), headers=keys["reviewer"])
    second = client.post("/api/v1/claims", json=claim_data(external_id="cms-9"), headers=keys["reviewer"])

    assert first.status_code == 201 and first.get_json()["external_id"] == "cms-9"
    assert second.status_code == 409
    assert list(second.get_json()["errors"]) == ["external_id"]
    assert Claim.select().count() == 1
