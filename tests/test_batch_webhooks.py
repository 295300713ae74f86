"""A batch import is one claims.imported webhook to a real receiver on 127.0.0.1; its rows stay in the feed."""

from factories import claim_data
from factories import make_topic
from standardwebhooks import Webhook as Verifier

from service.delivery import sender as delivery
from service.delivery import webhooks
from service.storage.models import Delivery
from service.storage.models import Event

FAST = delivery.Options(allow_private=True, timeout=5, retry_base=5, retry_max=60)


def _subscribe(url, event_types):
    return webhooks.create_webhook({"url": url, "event_types": event_types}, "test", allow_private=True)


def test_a_thousand_claim_batch_is_one_claims_imported_delivery(client, keys, receiver):
    topic = make_topic()
    batch_subscriber = _subscribe(receiver.url, ["claims.imported"])
    _subscribe(receiver.url, ["speaker.created", "source.created", "conflict.suggested"])
    items = [
        claim_data(
            text=f"Claim {number} about shells",
            speaker={"name": f"Speaker {number % 40}"},
            source={"url": f"https://news.example/{number % 25}", "publisher": "Example News"},
            topics=[{"slug": topic.slug, "stance": "affirms" if number % 2 else "denies"}],
        )
        for number in range(1000)
    ]

    response = client.post("/api/v1/claims/batch", json=items, headers=keys["reviewer"])

    assert response.status_code == 201, response.get_json()
    ids = response.get_json()["ids"]
    while delivery.deliver_due(options=FAST):
        pass
    [request] = receiver.received()
    payload = Verifier(batch_subscriber.secret).verify(request.body, request.headers)
    assert payload["type"] == "claims.imported"
    event = payload["data"]
    assert (event["type"], event["object_type"], event["actor"]) == ("claims.imported", "claims", "reviewer")
    data = event["data"]
    assert data["ids"] == ids and data["updated_ids"] == []
    conflicts = Event.select().where(Event.type == "conflict.suggested")
    assert data["conflict_ids"] == sorted(e.object_id for e in conflicts) and data["conflict_ids"]
    assert data["counts"] == {
        "created": 1000,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "linked": 0,
        "speakers_created": 40,
        "sources_created": 25,
        "topics_created": 0,
        "reviews_added": 0,
        "conflicts_suggested": len(data["conflict_ids"]),
    }
    # The rows are in the change feed, from first_event_id up to the claims.imported event itself.
    feed = Event.select().where(Event.id >= data["first_event_id"], Event.id < event["id"])
    assert sorted({e.type for e in feed}) == [
        "claim.created",
        "conflict.suggested",
        "source.created",
        "speaker.created",
    ]
    assert feed.where(Event.type == "claim.created").count() == 1000
    assert Delivery.select().count() == 1


def test_a_claim_created_subscriber_learns_of_a_batch_through_claims_imported(client, keys, receiver):
    subscriber = _subscribe(receiver.url, ["claim.created"])

    client.post("/api/v1/claims/batch", json=[claim_data(), claim_data()], headers=keys["reviewer"])
    client.post("/api/v1/claims", json=claim_data(), headers=keys["reviewer"])
    while delivery.deliver_due(options=FAST):
        pass

    received = [Verifier(subscriber.secret).verify(r.body, r.headers) for r in receiver.received()]
    assert sorted(payload["type"] for payload in received) == ["claim.created", "claims.imported"]
    [batch] = [payload for payload in received if payload["type"] == "claims.imported"]
    assert batch["data"]["data"]["counts"]["created"] == 2
