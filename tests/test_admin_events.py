"""Key and webhook events name keys and subscriber URLs: admins see them in the feed, "*" subscribers never get them."""

import json

import pytest
from checks import assert_problem
from factories import make_claim

from service.delivery import sender as delivery
from service.delivery import webhooks
from service.ledger import keys as api_keys
from service.storage.models import Delivery

TOKEN_URL = "http://127.0.0.1:9/hooks?token=subscriber-secret-token"
FAST = delivery.Options(allow_private=True, timeout=2, retry_base=5, retry_max=60)


def _admin_story(client, keys):
    """Create and revoke a key and a webhook over HTTP, as an admin would."""
    key = client.post("/api/v1/keys", json={"name": "cms", "role": "reader"}, headers=keys["admin"]).json
    client.post(f"/api/v1/keys/{key['id']}/revoke", headers=keys["admin"])
    hook = webhooks.create_webhook({"url": TOKEN_URL, "event_types": ["claim.created"]}, "admin", allow_private=True)
    webhooks.delete_webhook(hook.id, hook.version, "admin")


@pytest.mark.parametrize("who", [None, "reader", "reviewer"])
def test_the_feed_hides_key_and_webhook_events_from_all_but_admins(client, keys, who):
    _admin_story(client, keys)
    make_claim()
    headers = keys[who] if who else {}

    answer = client.get("/api/v1/events?limit=1000", headers=headers)
    assert answer.status_code == 200
    assert [item["type"] for item in answer.json["items"]] == [
        "speaker.created",
        "source.created",
        "claim.created",
    ]
    assert "subscriber-secret-token" not in answer.get_data(as_text=True)
    for asked in ("key.created", "key.revoked,claim.created", "webhook.created", "webhook.deleted"):
        body = assert_problem(client.get(f"/api/v1/events?type={asked}", headers=headers), 403)
        assert "admin" in body["detail"]


def test_admins_read_key_and_webhook_events(client, keys):
    _admin_story(client, keys)

    answer = client.get(
        "/api/v1/events?type=key.created,key.revoked,webhook.created,webhook.deleted", headers=keys["admin"]
    )
    assert answer.status_code == 200
    types = [item["type"] for item in answer.json["items"]]
    assert types == ["key.created"] * 5 + ["key.revoked", "webhook.created", "webhook.deleted"]
    all_types = {item["type"] for item in client.get("/api/v1/events", headers=keys["admin"]).json["items"]}
    assert all_types == {"key.created", "key.revoked", "webhook.created", "webhook.deleted"}


def test_a_wildcard_subscriber_never_receives_key_or_webhook_events(app, receiver):
    everything = webhooks.create_webhook({"url": receiver.url, "event_types": ["*"]}, "admin", allow_private=True)
    other = webhooks.create_webhook({"url": TOKEN_URL, "event_types": ["review.created"]}, "admin", allow_private=True)
    webhooks.rotate_secret(other.id, "admin")
    webhooks.delete_webhook(other.id, webhooks.get_webhook(other.id).version, "admin")
    api_keys.create_key("cms", "reader", actor="admin")
    make_claim()

    while delivery.deliver_due(options=FAST):
        pass
    received = [json.loads(request.body)["type"] for request in receiver.received()]
    assert received == ["speaker.created", "source.created", "claim.created"]
    assert all(b"subscriber-secret-token" not in request.body for request in receiver.received())
    assert Delivery.select().where(Delivery.webhook == everything.id).count() == 3


def test_an_admin_event_named_in_a_subscription_is_delivered(app, receiver):
    webhooks.create_webhook({"url": receiver.url, "event_types": ["key.created"]}, "admin", allow_private=True)
    api_keys.create_key("cms", "reader", actor="admin")
    make_claim()

    while delivery.deliver_due(options=FAST):
        pass
    assert [json.loads(request.body)["type"] for request in receiver.received()] == ["key.created"]
