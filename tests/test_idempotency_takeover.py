"""gthread workers let a request outlive its Idempotency-Key lease: if a retry takes the key over, the first
request's write is rolled back, never done twice."""

import datetime
import json

from checks import assert_problem

from service.http import idempotency
from service.ledger import topics
from service.storage.models import IdempotencyRecord
from service.storage.models import Topic
from service.storage.models import utcnow

BODY = {"slug": "shells", "title": "Are shells short?"}


def test_a_request_whose_key_was_taken_over_meanwhile_stores_nothing(client, keys, monkeypatch):
    create_topic = topics.create_topic

    def slow_create_topic(*args, **kwargs):
        # A retry arrives once this request is past the lease and takes its reservation over.
        [record] = IdempotencyRecord.select()
        later = utcnow() + datetime.timedelta(seconds=idempotency.LEASE_SECONDS + 1)
        idempotency.reserve(record.scope, record.key, record.request_hash, 24, now=later)
        return create_topic(*args, **kwargs)

    monkeypatch.setattr(topics, "create_topic", slow_create_topic)

    response = client.post(
        "/api/v1/topics",
        data=json.dumps(BODY),
        headers={**keys["reviewer"], "Content-Type": "application/json", "Idempotency-Key": "slow-1"},
    )

    assert_problem(response, 409)
    assert Topic.select().count() == 0


def test_a_request_that_keeps_its_key_is_answered_and_kept(client, keys):
    headers = {**keys["reviewer"], "Content-Type": "application/json", "Idempotency-Key": "quick-1"}

    first = client.post("/api/v1/topics", data=json.dumps(BODY), headers=headers)
    again = client.post("/api/v1/topics", data=json.dumps(BODY), headers=headers)

    assert first.status_code == 201
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert Topic.select().count() == 1
