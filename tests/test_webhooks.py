"""Webhooks API: subscribe, read, change, rotate, delete; secrets shown once; private addresses refused; admin only."""

import base64
import datetime

import fakedns
import pytest
from factories import make_claim

from service.delivery import ssrf
from service.delivery import webhooks
from service.ledger.events import EVENT_TYPES
from service.storage.db import database
from service.storage.models import Delivery
from service.storage.models import Event
from service.storage.models import Webhook
from service.storage.models import utcnow

# A public address: accepted as a subscriber, never contacted (no worker runs in these tests).
PUBLIC_URL = "http://93.184.215.14/hook"
WEBHOOK_FIELDS = {
    "id",
    "url",
    "event_types",
    "active",
    "disabled_reason",
    "description",
    "previous_secret_expires_at",
    "version",
    "created_at",
    "updated_at",
}


def subscribe(client, keys, url=PUBLIC_URL, event_types=("claim.created",), **fields):
    body = {"url": url, "event_types": list(event_types), **fields}
    return client.post("/api/v1/webhooks", json=body, headers=keys["admin"])


def no_secret_in_events():
    return all("whsec_" not in str(event.data) for event in Event.select())


def test_create_shows_the_secret_once(client, keys):
    response = subscribe(client, keys, event_types=["review.created", "claim.created"], description="CMS")
    assert response.status_code == 201
    body = response.json
    assert set(body) == WEBHOOK_FIELDS | {"secret"}
    assert body["url"] == PUBLIC_URL
    assert body["event_types"] == ["review.created", "claim.created"]
    assert (body["active"], body["disabled_reason"], body["description"], body["version"]) == (True, None, "CMS", 1)
    assert body["previous_secret_expires_at"] is None
    assert body["secret"].startswith("whsec_")
    assert len(base64.b64decode(body["secret"].removeprefix("whsec_"))) >= 24
    assert response.headers["Location"].endswith(f"/api/v1/webhooks/{body['id']}")
    assert response.headers["Cache-Control"] == "no-store"

    shown = client.get(f"/api/v1/webhooks/{body['id']}", headers=keys["admin"])
    assert shown.status_code == 200
    assert shown.json == {key: value for key, value in body.items() if key != "secret"}
    assert shown.headers["ETag"] == response.headers["ETag"] == f'"webhook-{body["id"]}-1"'
    listed = client.get("/api/v1/webhooks", headers=keys["admin"]).json
    assert listed == {"items": [shown.json], "next_cursor": None}

    event = Event.get(Event.type == "webhook.created")
    assert (event.object_id, event.actor, event.data) == (body["id"], "admin", shown.json)
    assert no_secret_in_events()


def test_every_known_event_type_and_the_wildcard_can_be_subscribed(client, keys):
    response = subscribe(client, keys, event_types=[*EVENT_TYPES, "*", "claim.created"])
    assert response.status_code == 201
    assert response.json["event_types"] == [*EVENT_TYPES, "*"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"event_types": ["claim.created"]}, "url"),
        ({"url": "ftp://93.184.215.14/hook", "event_types": ["claim.created"]}, "url"),
        ({"url": "javascript:alert(1)", "event_types": ["claim.created"]}, "url"),
        ({"url": "not a url", "event_types": ["claim.created"]}, "url"),
        ({"url": PUBLIC_URL}, "event_types"),
        ({"url": PUBLIC_URL, "event_types": []}, "event_types"),
        ({"url": PUBLIC_URL, "event_types": "claim.created"}, "event_types"),
        ({"url": PUBLIC_URL, "event_types": ["claim.exploded"]}, "event_types.0"),
        ({"url": PUBLIC_URL, "event_types": ["claim.created"], "description": "x" * 201}, "description"),
        ({"url": PUBLIC_URL, "event_types": ["claim.created"], "secret": "whsec_AAAA"}, "secret"),
        ({"url": PUBLIC_URL, "event_types": ["claim.created"], "active": "maybe"}, "active"),
    ],
)
def test_bad_subscriptions_are_refused_and_nothing_is_stored(client, keys, body, field):
    response = client.post("/api/v1/webhooks", json=body, headers=keys["admin"])
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert Webhook.select().count() == 0
    assert Event.select().where(Event.type.startswith("webhook.")).count() == 0


PRIVATE_URLS = [
    ("http://127.0.0.1:8080/hook", "loopback"),
    ("http://10.1.2.3/hook", "private"),
    ("http://192.168.0.10/hook", "private"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[::1]:8080/hook", "loopback"),
    ("http://localhost:8080/hook", "loopback"),
    ("http://0.0.0.0/hook", "unspecified"),
    ("http://[fd00:ec2::254]/hook", "metadata"),
    ("http://100.64.0.1/hook", "not a public"),
    ("http://224.0.0.1/hook", "multicast"),
]


@pytest.mark.parametrize("url, reason", PRIVATE_URLS)
def test_private_addresses_are_refused(client, keys, url, reason, monkeypatch):
    fakedns.install(monkeypatch, {})
    response = subscribe(client, keys, url=url)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert reason in response.json["errors"]["url"][0]
    assert Webhook.select().count() == 0


@pytest.mark.parametrize("url", [url for url, _ in PRIVATE_URLS])
def test_private_addresses_are_allowed_when_configured(app, client, keys, url):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    response = subscribe(client, keys, url=url)
    assert response.status_code == 201
    assert response.json["url"] == url


def test_a_host_that_does_not_resolve_is_refused(client, keys, monkeypatch):
    fakedns.install(monkeypatch, {})
    response = subscribe(client, keys, url="http://no-such-host.invalid/hook")
    assert response.status_code == 422
    assert response.json["errors"] == {"url": ["The host no-such-host.invalid does not resolve."]}
    assert Webhook.select().count() == 0


@pytest.mark.parametrize(
    "address, reason",
    [
        ("127.0.0.1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("2002:7f00:1::", "a loopback address"),
        ("64:ff9b::a00:1", "a private address"),
        ("fe80::1", "a link-local address"),
        ("169.254.170.2", "a cloud metadata address"),
        ("100.100.100.200", "a cloud metadata address"),
        ("ff02::1", "a multicast address"),
        ("240.0.0.1", "a private address"),
        ("93.184.215.14", None),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", None),
    ],
)
def test_address_policy(address, reason):
    assert ssrf.refusal(address) == reason


def test_changing_the_url_is_checked_too(client, keys):
    created = subscribe(client, keys).json
    etag = f'"webhook-{created["id"]}-1"'
    response = client.patch(
        f"/api/v1/webhooks/{created['id']}",
        json={"url": "http://10.0.0.1/hook"},
        headers={**keys["admin"], "If-Match": etag},
    )
    assert response.status_code == 422
    assert "private" in response.json["errors"]["url"][0]
    assert Webhook.get_by_id(created["id"]).url == PUBLIC_URL


def test_update_pauses_resumes_and_needs_if_match(client, keys):
    created = subscribe(client, keys).json
    path = f"/api/v1/webhooks/{created['id']}"
    assert client.patch(path, json={"active": False}, headers=keys["admin"]).status_code == 428
    stale = {**keys["admin"], "If-Match": f'"webhook-{created["id"]}-7"'}
    assert client.patch(path, json={"active": False}, headers=stale).status_code == 412

    current = {**keys["admin"], "If-Match": client.get(path, headers=keys["admin"]).headers["ETag"]}
    paused = client.patch(path, json={"active": False, "event_types": ["claim.updated", "*"]}, headers=current)
    assert paused.status_code == 200
    shown_before = {key: value for key, value in created.items() if key != "secret"}
    assert paused.json == {
        **shown_before,
        "active": False,
        "event_types": ["claim.updated", "*"],
        "version": 2,
        "updated_at": paused.json["updated_at"],
    }
    assert paused.headers["ETag"] == f'"webhook-{created["id"]}-2"'
    make_claim()
    assert Delivery.select().count() == 0, "a paused webhook is not queued new events"

    bad = client.patch(path, json={"event_types": ["nope"]}, headers={**keys["admin"], "If-Match": "*"})
    assert bad.status_code == 422
    assert "event_types.0" in bad.json["errors"]

    updated = Event.select().where(Event.type == "webhook.updated").order_by(Event.id).get()
    assert updated.data["active"] is False
    assert no_secret_in_events()


def test_resuming_clears_the_reason_it_was_disabled(client, keys):
    created = subscribe(client, keys).json
    with database.atomic():
        webhooks.disable_webhook(created["id"], "The subscriber answered 410 Gone.", "delivery-worker")
    path = f"/api/v1/webhooks/{created['id']}"
    shown = client.get(path, headers=keys["admin"])
    assert (shown.json["active"], shown.json["disabled_reason"]) == (False, "The subscriber answered 410 Gone.")
    resumed = client.patch(path, json={"active": True}, headers={**keys["admin"], "If-Match": shown.headers["ETag"]})
    assert resumed.status_code == 200
    assert (resumed.json["active"], resumed.json["disabled_reason"]) == (True, None)


def test_delete_needs_if_match_and_takes_the_deliveries(client, keys):
    created = subscribe(client, keys).json
    make_claim()
    assert Delivery.select().count() == 1
    path = f"/api/v1/webhooks/{created['id']}"
    assert client.delete(path, headers=keys["admin"]).status_code == 428
    stale = client.delete(path, headers={**keys["admin"], "If-Match": f'"webhook-{created["id"]}-2"'})
    assert stale.status_code == 412
    response = client.delete(path, headers={**keys["admin"], "If-Match": f'"webhook-{created["id"]}-1"'})
    assert response.status_code == 204
    assert client.get(path, headers=keys["admin"]).status_code == 404
    assert Delivery.select().count() == 0
    deleted = Event.get(Event.type == "webhook.deleted")
    assert deleted.object_id == created["id"]
    assert no_secret_in_events()


def test_rotate_secret_keeps_the_old_one_for_a_day(client, keys):
    created = subscribe(client, keys).json
    before = utcnow()
    response = client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", headers=keys["admin"])
    assert response.status_code == 200
    body = response.json
    assert body["secret"].startswith("whsec_") and body["secret"] != created["secret"]
    assert body["version"] == 2
    assert response.headers["Cache-Control"] == "no-store"
    expires = datetime.datetime.fromisoformat(body["previous_secret_expires_at"].removesuffix("Z"))
    assert before + datetime.timedelta(hours=24) <= expires <= utcnow() + datetime.timedelta(hours=24)

    stored = Webhook.get_by_id(created["id"])
    assert (stored.secret, stored.previous_secret) == (body["secret"], created["secret"])
    assert webhooks.signing_secrets(stored) == [body["secret"], created["secret"]]
    assert webhooks.signing_secrets(stored, now=expires) == [body["secret"]]
    shown = client.get(f"/api/v1/webhooks/{created['id']}", headers=keys["admin"]).json
    assert "secret" not in shown
    assert Event.get(Event.type == "webhook.secret_rotated").data == shown
    assert no_secret_in_events()


def test_deliveries_page_newest_first_and_redeliver(client, keys):
    created = subscribe(client, keys).json
    other = subscribe(client, keys, event_types=["topic.created"]).json
    claims = [make_claim() for _ in range(3)]
    path = f"/api/v1/webhooks/{created['id']}/deliveries"
    first = client.get(path, query_string={"limit": 2}, headers=keys["admin"])
    assert first.status_code == 200
    second = client.get(path, query_string={"limit": 2, "cursor": first.json["next_cursor"]}, headers=keys["admin"])
    assert second.json["next_cursor"] is None
    items = first.json["items"] + second.json["items"]
    events = {event.id: event for event in Event.select().where(Event.type == "claim.created")}
    assert [events[item["event_id"]].object_id for item in items] == [claim.id for claim in reversed(claims)]
    item = items[-1]
    stored = Delivery.get_by_id(item["id"])
    assert item == {
        "id": stored.id,
        "webhook_id": created["id"],
        "event_id": stored.event_id,
        "event_type": "claim.created",
        "message_id": stored.message_id,
        "status": "pending",
        "attempts": 0,
        "last_status_code": None,
        "last_error": None,
        "next_attempt_at": stored.next_attempt_at.isoformat() + "Z",
        "created_at": stored.created_at.isoformat() + "Z",
        "updated_at": stored.updated_at.isoformat() + "Z",
        "attempt_log": [],
    }

    again = client.post(f"{path}/{item['id']}/redeliver", headers=keys["admin"])
    assert again.status_code == 202
    assert again.json["id"] not in {i["id"] for i in items}
    assert (again.json["event_id"], again.json["status"], again.json["attempts"]) == (item["event_id"], "pending", 0)
    assert again.json["message_id"] != item["message_id"]
    assert Delivery.select().count() == 4

    foreign = client.post(f"/api/v1/webhooks/{other['id']}/deliveries/{item['id']}/redeliver", headers=keys["admin"])
    assert foreign.status_code == 404
    assert client.get("/api/v1/webhooks/999/deliveries", headers=keys["admin"]).status_code == 404

    pause = {**keys["admin"], "If-Match": "*"}
    client.patch(f"/api/v1/webhooks/{created['id']}", json={"active": False}, headers=pause)
    paused = client.post(f"{path}/{item['id']}/redeliver", headers=keys["admin"])
    assert paused.status_code == 409
    assert Delivery.select().count() == 4


ENDPOINTS = [
    ("get", "/api/v1/webhooks", None),
    ("post", "/api/v1/webhooks", {"url": PUBLIC_URL, "event_types": ["claim.created"]}),
    ("get", "/api/v1/webhooks/{webhook}", None),
    ("patch", "/api/v1/webhooks/{webhook}", {"active": False}),
    ("delete", "/api/v1/webhooks/{webhook}", None),
    ("post", "/api/v1/webhooks/{webhook}/rotate-secret", None),
    ("get", "/api/v1/webhooks/{webhook}/deliveries", None),
    ("post", "/api/v1/webhooks/{webhook}/deliveries/{delivery}/redeliver", None),
]


@pytest.mark.parametrize("method, path, body", ENDPOINTS)
@pytest.mark.parametrize("caller, status", [(None, 401), ("reader", 403), ("reviewer", 403)])
def test_only_admins_reach_webhooks(client, keys, method, path, body, caller, status):
    webhook = webhooks.create_webhook({"url": PUBLIC_URL, "event_types": ["claim.created"]}, "test")
    make_claim()
    delivery = Delivery.get()
    headers = {"If-Match": "*", **(keys[caller] if caller else {})}
    url = path.format(webhook=webhook.id, delivery=delivery.id)
    response = getattr(client, method)(url, json=body, headers=headers)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert "whsec_" not in response.get_data(as_text=True)
    stored = Webhook.get_by_id(webhook.id)
    assert (stored.version, stored.secret, stored.active) == (1, webhook.secret, True)
    assert Webhook.select().count() == Delivery.select().count() == 1
