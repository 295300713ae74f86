"""Idempotency-Key on API POSTs: replay, clashes, failed first attempts, expiry, and crash consistency."""

import datetime
import hashlib
import json
import threading

import pytest
import requests
from factories import claim_data
from flask import jsonify

from service.http import idempotency
from service.ledger import claims
from service.ledger import keys as api_keys
from service.schemas.claims import ClaimInput
from service.storage.models import Claim
from service.storage.models import Event
from service.storage.models import IdempotencyRecord
from service.storage.models import utcnow


def _post(client, headers, body, key="key-1", path="/api/v1/claims"):
    return client.post(path, json=body, headers={**headers, "Idempotency-Key": key})


def _insert_reservation(keys, raw_body, age):
    """Leave an unanswered reservation for the reviewer's POST /api/v1/claims, as a running request does."""
    api_key = api_keys.authenticate(keys["reviewer"]["Authorization"].removeprefix("Bearer "))
    IdempotencyRecord.create(
        scope=idempotency.scope_of(f"key:{api_key.id}", "POST", "/api/v1/claims"),
        key="key-1",
        request_hash=hashlib.sha256(raw_body).hexdigest(),
        created_at=utcnow() - age,
    )


def _post_raw(client, keys, raw_body):
    headers = {**keys["reviewer"], "Idempotency-Key": "key-1", "Content-Type": "application/json"}
    return client.post("/api/v1/claims", data=raw_body, headers=headers)


def _claim_count():
    return Claim.select().count()


def test_same_key_and_body_replays_the_first_answer_and_creates_nothing(client, keys):
    body = claim_data()
    first = _post(client, keys["reviewer"], body)

    again = _post(client, keys["reviewer"], body)

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.mimetype == "application/json"
    for header in ("Location", "ETag"):
        assert again.headers[header] == first.headers[header]
    assert _claim_count() == 1
    assert Event.select().where(Event.type == "claim.created").count() == 1


def test_same_key_with_another_body_is_422_and_stores_nothing(client, keys):
    assert _post(client, keys["reviewer"], claim_data()).status_code == 201

    response = _post(client, keys["reviewer"], claim_data(text="Something else entirely"))

    assert response.status_code == 422
    assert response.get_json() == {
        "type": "/problems/idempotency-key-reused",
        "title": "Idempotency key reused",
        "status": 422,
        "detail": "This Idempotency-Key was already used with a different request body; "
        "use a new key for a new request.",
        "errors": {"Idempotency-Key": ["Already used with a different body."]},
    }
    assert _claim_count() == 1


def test_a_failed_first_attempt_is_not_kept_so_a_retry_can_succeed(client, keys):
    broken = claim_data()
    del broken["speaker"]

    failed = _post(client, keys["reviewer"], broken)
    retried = _post(client, keys["reviewer"], claim_data())

    assert failed.status_code == 422
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    assert _claim_count() == 1
    assert IdempotencyRecord.select().count() == 1


def test_a_refused_request_frees_its_key(client, keys):
    body = claim_data()

    refused = _post(client, keys["reader"], body)

    assert refused.status_code == 403
    assert IdempotencyRecord.select().count() == 0
    assert _claim_count() == 0


def test_keys_are_scoped_to_the_api_key_and_the_path(client, keys):
    body = claim_data()

    by_one = _post(client, keys["reviewer"], body)
    by_another = _post(client, keys["reviewer2"], body)
    elsewhere = _post(client, keys["reviewer"], {"slug": "shells", "title": "Shells?"}, path="/api/v1/topics")

    assert [by_one.status_code, by_another.status_code, elsewhere.status_code] == [201, 201, 201]
    assert "Idempotent-Replayed" not in by_another.headers
    assert _claim_count() == 2


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\tkey", "caf\u00e9"])
def test_a_malformed_key_is_400_and_stores_nothing(client, keys, key):
    response = _post(client, keys["reviewer"], claim_data(), key=key)

    assert response.status_code == 400
    body = response.get_json()
    assert body["errors"] == {"Idempotency-Key": ["Use 1 to 255 printable ASCII characters, such as a UUID."]}
    assert _claim_count() == 0
    assert IdempotencyRecord.select().count() == 0


def test_the_longest_key_is_accepted(client, keys):
    assert _post(client, keys["reviewer"], claim_data(), key="k" * 255).status_code == 201


def test_a_key_older_than_the_ttl_is_ignored_and_purged(app, client, keys):
    body = claim_data()
    assert _post(client, keys["reviewer"], body).status_code == 201
    expired = utcnow() - datetime.timedelta(hours=app.config["IDEMPOTENCY_TTL_HOURS"], minutes=1)
    IdempotencyRecord.update(created_at=expired).execute()
    IdempotencyRecord.create(scope="another", key="old", request_hash="0" * 64, status_code=201, created_at=expired)

    response = _post(client, keys["reviewer"], body)

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert _claim_count() == 2
    [record] = IdempotencyRecord.select()
    assert (record.key, record.status_code) == ("key-1", 201)
    assert record.created_at > expired


def test_an_unanswered_reservation_within_its_lease_is_409(client, keys):
    raw_body = json.dumps(claim_data()).encode()
    _insert_reservation(keys, raw_body, age=datetime.timedelta(seconds=1))

    response = _post_raw(client, keys, raw_body)

    assert response.status_code == 409
    assert response.headers["Retry-After"] == "1"
    assert response.get_json()["type"] == "/problems/idempotency-key-in-use"
    assert _claim_count() == 0


def test_a_reservation_left_by_a_dead_request_is_taken_over_after_its_lease(client, keys):
    raw_body = json.dumps(claim_data()).encode()
    _insert_reservation(keys, raw_body, age=datetime.timedelta(seconds=idempotency.LEASE_SECONDS + 1))

    response = _post_raw(client, keys, raw_body)

    assert response.status_code == 201
    assert _claim_count() == 1
    [record] = IdempotencyRecord.select()
    assert record.status_code == 201


def _add_view(app, rule, view):
    app.add_url_rule(rule, view.__name__, view, methods=["POST"])


@pytest.mark.fresh_app
def test_a_second_request_while_the_first_runs_is_409_and_the_first_still_lands(app, live_server, keys):
    entered, release = threading.Event(), threading.Event()

    def slow_claim():
        entered.set()
        release.wait(timeout=60)
        claim = claims.create_claim(ClaimInput().load(claim_data(text="Slow claim")), "test")
        return jsonify(id=claim.id), 201

    _add_view(app, "/api/v1/test/slow-claims", slow_claim)
    url = f"{live_server}/api/v1/test/slow-claims"
    headers = {**keys["reviewer"], "Idempotency-Key": "slow-1"}
    answers = {}
    first = threading.Thread(
        target=lambda: answers.update(first=requests.post(url, json={"n": 1}, headers=headers, timeout=60))
    )
    first.start()
    try:
        assert entered.wait(timeout=60)
        concurrent = requests.post(url, json={"n": 1}, headers=headers, timeout=30)
        other_body = requests.post(url, json={"n": 2}, headers=headers, timeout=30)
    finally:
        release.set()
        first.join(timeout=60)

    assert concurrent.status_code == 409
    assert concurrent.headers["Content-Type"] == "application/problem+json"
    assert concurrent.json()["type"] == "/problems/idempotency-key-in-use"
    assert other_body.status_code == 422
    assert answers["first"].status_code == 201
    replay = requests.post(url, json={"n": 1}, headers=headers, timeout=30)
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == answers["first"].json()
    assert _claim_count() == 1


@pytest.mark.fresh_app
def test_a_request_that_fails_after_its_write_keeps_neither_the_write_nor_the_key(app, client, keys):
    def claim_then_fail():
        claims.create_claim(ClaimInput().load(claim_data(text="Written, then the request failed")), "test")
        raise RuntimeError("the request fails after its write")

    _add_view(app, "/api/v1/test/claim-then-fail", claim_then_fail)

    response = client.post(
        "/api/v1/test/claim-then-fail", json={}, headers={**keys["reviewer"], "Idempotency-Key": "k"}
    )

    assert response.status_code == 500
    assert _claim_count() == 0
    assert Event.select().where(Event.type == "claim.created").count() == 0
    assert IdempotencyRecord.select().count() == 0


def test_posts_without_a_key_are_untouched(client, keys):
    body = claim_data()

    assert client.post("/api/v1/claims", json=body, headers=keys["reviewer"]).status_code == 201
    assert client.post("/api/v1/claims", json=body, headers=keys["reviewer"]).status_code == 201
    assert _claim_count() == 2
    assert IdempotencyRecord.select().count() == 0
