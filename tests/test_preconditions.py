"""No lost updates: ETags on reads, If-Match on every PATCH and DELETE, 304s, and deletes refused while in use."""

import threading

import pytest
import requests
from factories import make_claim
from factories import make_topic

from service.ledger import sources
from service.ledger import speakers
from service.storage.models import ALL_MODELS
from service.storage.models import Event


def _claim():
    return f"/api/v1/claims/{make_claim().id}"


def _speaker():
    return f"/api/v1/speakers/{speakers.create_speaker({'name': 'Oleksander Musienko'}, 'test').id}"


def _source():
    source = sources.create_source({"url": "https://news.example/only", "publisher": "Example News"}, "test")
    return f"/api/v1/sources/{source.id}"


def _topic():
    return f"/api/v1/topics/{make_topic().slug}"


KINDS = {
    "claim": (_claim, {"text": "Edited text"}),
    "speaker": (_speaker, {"description": "Edited description"}),
    "source": (_source, {"title": "Edited title"}),
    "topic": (_topic, {"title": "Edited title"}),
}


def _everything():
    """Every row of every table: what a refused write must leave as it was."""
    return [list(model.select().dicts()) for model in ALL_MODELS]


@pytest.mark.parametrize("kind", KINDS)
def test_patch_needs_the_current_etag(client, keys, kind):
    make, changes = KINDS[kind]
    path = make()
    read = client.get(path)
    etag = read.headers["ETag"]
    assert etag.startswith(f'"{kind}-')
    before = _everything()

    missing = client.patch(path, json=changes, headers=keys["reviewer"])
    assert missing.status_code == 428
    assert missing.mimetype == "application/problem+json"
    wrong = client.patch(path, json=changes, headers={**keys["reviewer"], "If-Match": '"claim-999-1"'})
    assert wrong.status_code == 412
    assert _everything() == before

    first = client.patch(path, json=changes, headers={**keys["reviewer"], "If-Match": etag})
    assert first.status_code == 200, first.json
    assert first.headers["ETag"] != etag
    assert first.json["version"] == read.json["version"] + 1
    after_first = _everything()
    second = client.patch(path, json={**changes}, headers={**keys["reviewer2"], "If-Match": etag})
    assert second.status_code == 412
    assert second.mimetype == "application/problem+json"
    assert _everything() == after_first
    assert client.get(path).json == first.json


@pytest.mark.parametrize("kind", KINDS)
def test_if_none_match_answers_304_until_the_object_changes(client, keys, kind):
    make, changes = KINDS[kind]
    path = make()
    etag = client.get(path).headers["ETag"]
    unchanged = client.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""
    client.patch(path, json=changes, headers={**keys["reviewer"], "If-Match": etag})
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


@pytest.mark.parametrize("kind", KINDS)
def test_delete_needs_the_current_etag(client, keys, kind):
    make, changes = KINDS[kind]
    path = make()
    etag = client.get(path).headers["ETag"]
    client.patch(path, json=changes, headers={**keys["reviewer"], "If-Match": etag})
    before = _everything()
    assert client.delete(path, headers=keys["admin"]).status_code == 428
    assert client.delete(path, headers={**keys["admin"], "If-Match": etag}).status_code == 412
    assert _everything() == before

    current = client.get(path)
    deleted = client.delete(path, headers={**keys["admin"], "If-Match": current.headers["ETag"]})
    assert deleted.status_code == 204, deleted.json
    assert client.get(path).status_code == 404
    event = Event.select().order_by(Event.id.desc()).get()
    assert (event.type, event.object_id, event.actor) == (f"{kind}.deleted", current.json["id"], "admin")
    assert event.data == current.json


@pytest.mark.parametrize("kind", ["speaker", "source", "appearance", "topic"])
def test_deleting_what_a_claim_refers_to_is_409(client, keys, kind):
    make_topic()
    claim = make_claim(
        speaker={"name": "Levko Stek"},
        source={"url": "https://news.example/main", "publisher": "Example News"},
        appearances=[{"url": "https://news.example/reprint", "publisher": "Reprints"}],
        topics=[{"slug": "ammunition", "stance": "denies"}],
    )
    path = {
        "speaker": f"/api/v1/speakers/{claim.speaker.id}",
        "source": f"/api/v1/sources/{claim.source.id}",
        "appearance": f"/api/v1/sources/{claim.document['appearances'][0]['id']}",
        "topic": "/api/v1/topics/ammunition",
    }[kind]
    etag = client.get(path).headers["ETag"]
    before = _everything()
    refused = client.delete(path, headers={**keys["admin"], "If-Match": etag})
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    assert refused.json["title"] == "Conflict"
    assert "1 claim(s)" in refused.json["detail"]
    assert _everything() == before


def test_deleting_a_missing_object_is_404(client, keys):
    for path in ("/api/v1/speakers/999", "/api/v1/sources/999", "/api/v1/topics/nope", "/api/v1/claims/999"):
        answer = client.delete(path, headers={**keys["admin"], "If-Match": "*"})
        assert answer.status_code == 404, path


def _patch_at_once(path, etag, bodies, keys):
    """PATCH path with the same If-Match from several keys released together; return {key name: status}."""
    barrier = threading.Barrier(len(bodies))
    statuses = {}

    def write(who):
        with requests.Session() as session:
            barrier.wait()
            answer = session.patch(path, json=bodies[who], headers={**keys[who], "If-Match": etag}, timeout=30)
            statuses[who] = answer.status_code

    threads = [threading.Thread(target=write, args=(who,)) for who in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_concurrent_patches_with_one_etag_let_exactly_one_through(live_server, keys):
    """Two reviewers read the same version and write at the same moment, round after round."""
    path = f"{live_server}{_claim()}"
    rounds = 25
    for round_number in range(rounds):
        etag = requests.get(path, timeout=30).headers["ETag"]
        bodies = {who: {"text": f"Round {round_number} by {who}"} for who in ("reviewer", "reviewer2")}
        statuses = _patch_at_once(path, etag, bodies, keys)
        assert sorted(statuses.values()) == [200, 412], (round_number, statuses)
        winner = next(who for who, status in statuses.items() if status == 200)
        shown = requests.get(path, timeout=30).json()
        assert shown["text"] == bodies[winner]["text"]
        assert shown["version"] == round_number + 2
    updates = Event.select().where(Event.type == "claim.updated")
    assert updates.count() == rounds
