"""Webhook delivery to a real receiver on 127.0.0.1: verified signatures, retries, Retry-After, 410, timeouts."""

import datetime
import email.utils
import json

import fakedns
import pytest
from factories import make_claim
from standardwebhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from service.delivery import sender as delivery
from service.delivery import signing
from service.delivery import webhooks
from service.ledger.claims import snapshot
from service.storage.models import Delivery
from service.storage.models import DeliveryAttempt
from service.storage.models import Event
from service.storage.models import Webhook
from service.storage.models import utcnow

FAST = delivery.Options(allow_private=True, timeout=2, retry_base=5, retry_max=60)


def subscribe(url, event_types=("claim.created",)):
    return webhooks.create_webhook({"url": url, "event_types": list(event_types)}, "test", allow_private=True)


def test_a_delivery_is_signed_so_the_reference_verifier_accepts_it(app, receiver):
    webhook = subscribe(receiver.url)
    subscribe(receiver.url, event_types=["topic.created"])
    claim = make_claim()
    assert delivery.deliver_due(options=FAST) == 1

    [request] = receiver.received()
    payload = Verifier(webhook.secret).verify(request.body, request.headers)
    event = Event.get(Event.type == "claim.created")
    stored = Delivery.get()
    assert payload == {
        "type": "claim.created",
        "timestamp": event.created_at.isoformat() + "Z",
        "data": {
            "id": event.id,
            "type": "claim.created",
            "object_type": "claim",
            "object_id": claim.id,
            "actor": "test",
            "created_at": event.created_at.isoformat() + "Z",
            "data": json.loads(json.dumps(snapshot(claim))),
        },
    }
    assert request.headers["webhook-id"] == stored.message_id
    assert request.headers["content-type"] == "application/json"
    assert (stored.status, stored.attempts, stored.last_status_code, stored.locked_until) == ("succeeded", 1, 204, None)
    [attempt] = DeliveryAttempt.select()
    assert (attempt.delivery_id, attempt.status_code, attempt.error) == (stored.id, 204, None)

    with pytest.raises(WebhookVerificationError):
        Verifier(webhook.secret).verify(request.body.replace(b"claim.created", b"claim.deleted"), request.headers)
    with pytest.raises(WebhookVerificationError):
        Verifier(signing.new_secret()).verify(request.body, request.headers)
    assert delivery.deliver_due(options=FAST) == 0


def test_during_a_rotation_both_signatures_are_sent(app, receiver):
    webhook = subscribe(receiver.url)
    old_secret = webhook.secret
    new_secret = webhooks.rotate_secret(webhook.id, "test").secret
    make_claim()
    delivery.deliver_due(options=FAST)
    [request] = receiver.received()
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (old_secret, new_secret):
        assert Verifier(secret).verify(request.body, request.headers)["type"] == "claim.created"

    Webhook.update(previous_secret_expires_at=utcnow() - datetime.timedelta(seconds=1)).execute()
    make_claim()
    delivery.deliver_due(options=FAST)
    after = receiver.received()[-1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert Verifier(new_secret).verify(after.body, after.headers)["type"] == "claim.created"
    with pytest.raises(WebhookVerificationError):
        Verifier(old_secret).verify(after.body, after.headers)


def test_failures_are_retried_with_backoff_under_one_webhook_id(app, client, keys, receiver):
    webhook = subscribe(receiver.url)
    make_claim()
    receiver.respond(500)
    now = utcnow()
    assert delivery.deliver_due(now=now, options=FAST) == 1
    first = Delivery.get()
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
    assert now < first.next_attempt_at <= now + datetime.timedelta(seconds=5)
    assert delivery.deliver_due(now=now, options=FAST) == 0, "not due before its next attempt"

    assert delivery.deliver_due(now=first.next_attempt_at, options=FAST) == 1
    second = Delivery.get()
    assert second.attempts == 2
    assert first.next_attempt_at < second.next_attempt_at <= first.next_attempt_at + datetime.timedelta(seconds=30)

    receiver.respond(200)
    assert delivery.deliver_due(now=second.next_attempt_at, options=FAST) == 1
    assert Delivery.get().status == "succeeded"
    assert [r.message_id for r in receiver.received()] == [first.message_id] * 3

    listed = client.get(f"/api/v1/webhooks/{webhook.id}/deliveries", headers=keys["admin"]).json
    [item] = listed["items"]
    assert (item["status"], item["attempts"], item["last_status_code"], item["next_attempt_at"]) == (
        "succeeded",
        3,
        200,
        None,
    )
    assert [(a["status_code"], a["error"]) for a in item["attempt_log"]] == [(500, None), (500, None), (200, None)]
    assert all(isinstance(a["duration_ms"], int) and a["attempted_at"].endswith("Z") for a in item["attempt_log"])


def test_a_delivery_fails_after_the_last_attempt(app, receiver):
    subscribe(receiver.url)
    make_claim()
    receiver.respond(503)
    options = delivery.Options(allow_private=True, timeout=2, retry_base=1, retry_max=1, max_attempts=3)
    later = utcnow()
    for _ in range(3):
        later += datetime.timedelta(hours=1)
        assert delivery.deliver_due(now=later, options=options) == 1
    assert (Delivery.get().status, Delivery.get().attempts) == ("failed", 3)
    assert delivery.deliver_due(now=later + datetime.timedelta(days=30), options=options) == 0
    assert len(receiver.received()) == 3


def _http_date(moment):
    return email.utils.format_datetime(moment.replace(tzinfo=datetime.UTC), usegmt=True)


@pytest.mark.parametrize("seconds, header", [(120, lambda now: "120"), (300, lambda now: _http_date(now))])
def test_retry_after_is_honoured(app, receiver, seconds, header):
    subscribe(receiver.url)
    make_claim()
    now = utcnow().replace(microsecond=0) + datetime.timedelta(seconds=1)
    receiver.respond(503, retry_after=header(now + datetime.timedelta(seconds=seconds)))
    assert delivery.deliver_due(now=now, options=FAST) == 1
    assert Delivery.get().next_attempt_at == now + datetime.timedelta(seconds=seconds)
    assert delivery.deliver_due(now=now + datetime.timedelta(seconds=seconds - 1), options=FAST) == 0
    assert delivery.deliver_due(now=now + datetime.timedelta(seconds=seconds), options=FAST) == 1


@pytest.mark.parametrize(
    "header, seconds",
    [
        ("30", 30.0),
        (" 7 ", 7.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
        ("soon", None),
        ("-5", None),
        (None, None),
    ],
)
def test_parse_retry_after(header, seconds):
    assert delivery.parse_retry_after(header, datetime.datetime(2015, 10, 21, 7, 28)) == seconds


def test_retry_delays_grow_with_full_jitter_up_to_the_cap():
    options = delivery.Options(retry_base=5, retry_max=21600)
    for attempt, step in [(1, 5), (2, 30), (3, 120), (4, 600), (5, 3600), (6, 21600), (40, 21600)]:
        delays = [delivery.retry_delay(attempt, options).total_seconds() for _ in range(200)]
        assert all(0 <= delay <= step for delay in delays)
        assert max(delays) > step / 2, "jitter spreads delays over the whole step"
    capped = delivery.retry_delay(1, options, retry_after=10 * 86400).total_seconds()
    assert capped == 86400


def test_gone_disables_the_webhook_and_cancels_what_is_pending(app, client, keys, receiver):
    webhook = subscribe(receiver.url)
    for _ in range(3):
        make_claim()
    receiver.respond(410)
    assert delivery.deliver_due(options=FAST) == 1
    assert len(receiver.received()) == 1
    stored = Webhook.get_by_id(webhook.id)
    assert (stored.active, stored.disabled_reason, stored.version) == (False, "The subscriber answered 410 Gone.", 2)
    assert [d.status for d in Delivery.select().order_by(Delivery.id)] == ["cancelled"] * 3
    disabled = Event.get(Event.type == "webhook.disabled")
    assert (disabled.object_id, disabled.actor, disabled.data["active"]) == (webhook.id, "delivery-worker", False)

    make_claim()
    assert Delivery.select().count() == 3, "a disabled webhook is not queued new events"
    assert delivery.deliver_due(options=FAST) == 0
    shown = client.get(f"/api/v1/webhooks/{webhook.id}", headers=keys["admin"]).json
    assert (shown["active"], shown["disabled_reason"]) == (False, "The subscriber answered 410 Gone.")


def test_a_receiver_that_hangs_costs_one_timeout(app, receiver):
    subscribe(receiver.url)
    make_claim()
    receiver.respond(204, delay=30)
    options = delivery.Options(allow_private=True, timeout=0.3, retry_base=5, retry_max=60)
    assert delivery.deliver_due(options=options) == 1
    stored = Delivery.get()
    assert (stored.status, stored.last_status_code, stored.last_error) == ("pending", None, "timed out after 0.3s")

    receiver.respond(204)
    assert delivery.deliver_due(now=stored.next_attempt_at, options=options) == 1
    assert Delivery.get().status == "succeeded"


def test_a_host_that_turns_private_after_subscribing_is_refused_at_delivery(app, receiver, monkeypatch):
    names = fakedns.install(monkeypatch, {"hooks.example": "93.184.215.14"})
    webhook = webhooks.create_webhook(
        {"url": f"http://hooks.example:{receiver.port}/hook", "event_types": ["claim.created"]}, "test"
    )
    names["hooks.example"] = "127.0.0.1"
    make_claim()
    guarded = delivery.Options(allow_private=False, timeout=2, retry_base=5, retry_max=60)
    assert delivery.deliver_due(options=guarded) == 1
    assert receiver.received() == []
    stored = Delivery.get()
    assert stored.status == "pending"
    assert stored.last_error == (
        "refused: hooks.example, which resolves to 127.0.0.1, is a loopback address;"
        " webhooks only reach public addresses."
    )

    # The same name does reach the receiver when private addresses are allowed: the guard refused it.
    assert delivery.deliver_due(now=stored.next_attempt_at, options=FAST) == 1
    [request] = receiver.received()
    assert Verifier(webhook.secret).verify(request.body, request.headers)["type"] == "claim.created"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:{port}/hook", "https://localhost:{port}/hook", "http://[::1]:{port}/"]
)
def test_private_addresses_are_refused_on_every_connection(app, receiver, url):
    subscribe(url.format(port=receiver.port))
    make_claim()
    guarded = delivery.Options(allow_private=False, timeout=2, retry_base=5, retry_max=60)
    assert delivery.deliver_due(options=guarded) == 1
    assert receiver.received() == []
    stored = Delivery.get()
    assert (stored.status, stored.attempts, stored.last_status_code) == ("pending", 1, None)
    assert stored.last_error.startswith("refused: ") and "is a loopback address" in stored.last_error


def test_redelivery_sends_the_event_again_under_a_new_webhook_id(app, receiver):
    webhook = subscribe(receiver.url)
    make_claim()
    delivery.deliver_due(options=FAST)
    original = Delivery.get()
    again = delivery.redeliver(webhook.id, original.id)
    assert delivery.deliver_due(options=FAST) == 1
    first, second = receiver.received()
    assert (first.message_id, second.message_id) == (original.message_id, again.message_id)
    assert json.loads(first.body) == json.loads(second.body)
    assert Verifier(webhook.secret).verify(second.body, second.headers)["data"]["id"] == original.event_id
