"""The audit trail and change feed: every change in order, paged by after, filtered by type."""

import threading

import pytest
import requests
from factories import claim_data

from service.storage.models import Event

EVENT_FIELDS = {"id", "type", "object_type", "object_id", "actor", "created_at", "data"}


def _feed(client, query="", headers=None):
    answer = client.get(f"/api/v1/events{query}", headers=headers or {})
    assert answer.status_code == 200, answer.json
    return answer.json


def _story(client, keys):
    """Make one of each kind of change over HTTP; return the ids it touched."""
    topic = client.post(
        "/api/v1/topics", json={"slug": "shells", "title": "Are shells short?"}, headers=keys["reviewer"]
    )
    claim = client.post(
        "/api/v1/claims",
        json=claim_data(speaker={"name": "Yevgeny Prigozhin"}, topics=[{"slug": "shells", "stance": "affirms"}]),
        headers=keys["reviewer"],
    ).json
    # The create answer adds what the ledger noticed (possible_duplicates, similar_speakers) to the claim.
    claim = {key: value for key, value in claim.items() if key not in ("possible_duplicates", "similar_speakers")}
    review = client.post(
        f"/api/v1/claims/{claim['id']}/reviews",
        json={"verdict": "contested", "rationale": "One sector only."},
        headers=keys["reviewer"],
    ).json
    client.post(
        f"/api/v1/claims/{claim['id']}/reviews",
        json={"verdict": "supported", "rationale": "Matches other reports."},
        headers=keys["reviewer2"],
    )
    etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    patched = client.patch(
        f"/api/v1/claims/{claim['id']}",
        json={"quote": "We are short of shells"},
        headers={**keys["reviewer"], "If-Match": etag},
    )
    assert patched.status_code == 200, patched.json
    key = client.post("/api/v1/keys", json={"name": "cms", "role": "reader"}, headers=keys["admin"]).json
    client.post(f"/api/v1/keys/{key['id']}/revoke", headers=keys["admin"])
    return {"topic": topic.json["id"], "claim": claim, "review": review, "patched": patched.json, "key": key["id"]}


def test_the_feed_replays_every_change_in_order(client, keys):
    touched = _story(client, keys)
    answer = _feed(client, headers=keys["admin"])
    items = answer["items"]
    assert answer["next_after"] == items[-1]["id"]
    assert [item["id"] for item in items] == sorted(item["id"] for item in items)
    assert all(set(item) == EVENT_FIELDS and item["created_at"].endswith("Z") for item in items)
    assert [(e["type"], e["object_type"], e["actor"]) for e in items] == [
        ("key.created", "key", "test"),
        ("key.created", "key", "test"),
        ("key.created", "key", "test"),
        ("key.created", "key", "test"),
        ("topic.created", "topic", "reviewer"),
        ("speaker.created", "speaker", "reviewer"),
        ("source.created", "source", "reviewer"),
        ("claim.created", "claim", "reviewer"),
        ("review.created", "review", "reviewer"),
        ("review.created", "review", "reviewer2"),
        ("claim.updated", "claim", "reviewer"),
        ("key.created", "key", "admin"),
        ("key.revoked", "key", "admin"),
    ]
    by_type = {}
    for item in items:
        by_type.setdefault(item["type"], []).append(item)
    assert by_type["topic.created"][0]["object_id"] == touched["topic"]
    assert by_type["claim.created"][0]["data"] == touched["claim"]
    assert by_type["claim.updated"][0]["data"] == touched["patched"]
    assert by_type["claim.updated"][0]["data"]["review_summary"] == {"supported": 1, "contested": 1}
    assert by_type["review.created"][0]["object_id"] == touched["review"]["id"]
    assert by_type["review.created"][0]["data"]["id"] == touched["review"]["id"]
    assert by_type["review.created"][1]["data"]["claim"]["status"] == "supported"
    assert [e["object_id"] for e in by_type["key.revoked"]] == [touched["key"]]
    assert "key" not in by_type["key.created"][-1]["data"]


def test_paging_with_after_sees_each_event_once(client, keys):
    _story(client, keys)
    everything = _feed(client, "?limit=1000")["items"]
    seen, after = [], 0
    while True:
        page = _feed(client, f"?after={after}&limit=3")
        assert len(page["items"]) <= 3
        if not page["items"]:
            assert page["next_after"] == after
            break
        seen += page["items"]
        after = page["next_after"]
    assert seen == everything
    assert _feed(client, f"?after={after + 100}") == {"items": [], "next_after": after + 100}


def test_type_filter_takes_repeated_and_comma_separated_types(client, keys):
    _story(client, keys)
    repeated = _feed(client, "?type=review.created&type=claim.updated")["items"]
    commas = _feed(client, "?type=review.created,claim.updated")["items"]
    assert repeated == commas
    assert [e["type"] for e in repeated] == ["review.created", "review.created", "claim.updated"]
    first = repeated[0]["id"]
    assert [e["type"] for e in _feed(client, f"?type=review.created&after={first}")["items"]] == ["review.created"]
    assert _feed(client, "?type=conflict.confirmed") == {"items": [], "next_after": 0}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("after=-1", "after"),
        ("after=last", "after"),
        ("type=Claim%20Created", "type"),
        ("type=claim.created,,review.created", "type"),
        ("type=claim.created;drop", "type"),
    ],
)
def test_bad_feed_queries_are_422(client, query, field):
    answer = client.get(f"/api/v1/events?{query}")
    assert answer.status_code == 422, answer.json
    assert answer.mimetype == "application/problem+json"
    assert field in answer.json["errors"]


def test_failed_writes_leave_no_event(client, keys):
    claim = client.post("/api/v1/claims", json=claim_data(), headers=keys["reviewer"]).json
    etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    client.patch(f"/api/v1/claims/{claim['id']}", json={"text": "new"}, headers={**keys["reviewer"], "If-Match": etag})
    before = list(Event.select().dicts())
    refused = [
        client.patch(
            f"/api/v1/claims/{claim['id']}", json={"text": "x"}, headers={**keys["reviewer"], "If-Match": etag}
        ),
        client.patch(f"/api/v1/claims/{claim['id']}", json={"text": "x"}, headers=keys["reviewer"]),
        client.post(
            "/api/v1/claims", json=claim_data(topics=[{"slug": "nope", "stance": "affirms"}]), headers=keys["reviewer"]
        ),
        client.post("/api/v1/claims", json=claim_data(), headers=keys["reader"]),
        client.post("/api/v1/claims", json=claim_data()),
        client.post(
            "/api/v1/claims/999/reviews", json={"verdict": "supported", "rationale": "x"}, headers=keys["reviewer"]
        ),
        client.post(
            f"/api/v1/claims/{claim['id']}/reviews",
            json={"verdict": "maybe", "rationale": "x"},
            headers=keys["reviewer"],
        ),
        client.post("/api/v1/keys", json={"name": "x", "role": "root"}, headers=keys["admin"]),
        client.post("/api/v1/keys/999/revoke", headers=keys["admin"]),
    ]
    assert [answer.status_code for answer in refused] == [412, 428, 422, 403, 401, 404, 422, 422, 404]
    assert list(Event.select().dicts()) == before


def test_reads_of_the_feed_need_a_key_when_public_reads_are_off(app, client, keys):
    app.config["PUBLIC_READS"] = False
    refused = client.get("/api/v1/events")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/events", headers=keys["reader"]).status_code == 200


def test_a_poller_never_misses_or_repeats_an_event_while_writers_race(live_server, keys):
    """Writers create claims (each with a new speaker and source) while a poller follows the feed."""
    writers, claims_each = 4, 8
    done = threading.Event()
    failures = []
    seen = []

    def write(n):
        with requests.Session() as session:
            for i in range(claims_each):
                body = claim_data(speaker={"name": f"Speaker {n}-{i}"})
                answer = session.post(f"{live_server}/api/v1/claims", json=body, headers=keys["reviewer"], timeout=30)
                if answer.status_code != 201:
                    failures.append(answer.text)

    def poll():
        after = 0
        with requests.Session() as session:
            while True:
                finished = done.is_set()
                page = session.get(
                    f"{live_server}/api/v1/events",
                    params={"after": after, "limit": 5},
                    headers=keys["admin"],
                    timeout=30,
                )
                page = page.json()
                seen.extend(item["id"] for item in page["items"])
                after = page["next_after"]
                if finished and not page["items"]:
                    return

    poller = threading.Thread(target=poll)
    poller.start()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    poller.join(timeout=120)

    assert failures == []
    stored = [event.id for event in Event.select(Event.id).order_by(Event.id)]
    assert len(stored) == 4 + writers * claims_each * 3
    assert seen == stored
