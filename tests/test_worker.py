"""The real `claimledger worker` process: no event lost across outages and SIGKILL, never stuck, no overlaps."""

import collections
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from factories import make_claim
from receiver import wait_for
from standardwebhooks import Webhook as Verifier

from service.delivery import webhooks
from service.storage.models import Delivery
from service.storage.models import DeliveryAttempt

pytestmark = pytest.mark.slow  # worker subprocesses: make test runs it, make test-fast does not

CLAIMLEDGER = str(Path(sys.executable).parent / "claimledger")


@pytest.fixture
def workers(database_url, tmp_path):
    """Start `claimledger worker` processes on this test's database; kill any still running at the end."""
    started = []

    def start(*args, timeout="1"):
        env = {
            **os.environ,
            "CLAIMLEDGER_DATABASE_URL": database_url,
            "CLAIMLEDGER_WEBHOOK_ALLOW_PRIVATE": "true",
            "CLAIMLEDGER_WEBHOOK_TIMEOUT_SECONDS": timeout,
            "CLAIMLEDGER_WEBHOOK_RETRY_BASE_SECONDS": "0.05",
            "CLAIMLEDGER_WEBHOOK_RETRY_MAX_SECONDS": "0.5",
        }
        log = open(tmp_path / f"worker-{len(started)}.log", "w")
        process = subprocess.Popen(
            [CLAIMLEDGER, "worker", "--poll-seconds", "0.1", *args], env=env, stdout=log, stderr=log
        )
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.kill()
        process.wait()
        log.close()
        print(Path(log.name).read_text())


def subscribe(url):
    return webhooks.create_webhook({"url": url, "event_types": ["claim.created"]}, "test", allow_private=True)


def stop(process):
    """Ask a worker to stop as an orchestrator would (SIGTERM) and return its exit code."""
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=60)


def test_no_event_is_lost_across_an_outage_and_a_killed_worker(app, client, keys, receiver, workers):
    webhook = subscribe(receiver.url)
    receiver.respond(503)
    before_outage = [make_claim() for _ in range(5)]
    worker = workers()

    def every_delivery_was_refused():
        """each of the first five deliveries answered 503 at least once"""
        return len({request.message_id for request in receiver.received()}) == 5

    wait_for(every_delivery_was_refused)
    receiver.respond(503, delay=60)

    def some_attempts_timed_out():
        """three attempts recorded as timed out against a receiver that hangs"""
        return DeliveryAttempt.select().where(DeliveryAttempt.error == "timed out after 1s").count() >= 3

    wait_for(some_attempts_timed_out)
    receiver.stop()
    during_outage = [make_claim() for _ in range(5)]

    def the_new_ones_found_no_receiver():
        """every delivery tried at least once, the new ones against a closed port"""
        tried = DeliveryAttempt.select(DeliveryAttempt.delivery).distinct().count()
        refused = DeliveryAttempt.select().where(DeliveryAttempt.error.startswith("no answer")).count()
        return tried == 10 and refused >= 5

    wait_for(the_new_ones_found_no_receiver)
    worker.kill()
    assert worker.wait(timeout=60) == -signal.SIGKILL
    assert Delivery.select().where(Delivery.status != "pending").count() == 0
    after_crash = [make_claim() for _ in range(5)]
    assert Delivery.select().where(Delivery.status == "succeeded").count() == 0

    receiver.respond(204)
    receiver.start()
    worker = workers()
    expected = {d.message_id for d in Delivery.select()}
    assert len(expected) == len(before_outage + during_outage + after_crash) == 15

    def every_event_arrived():
        """every delivery answered 2xx and recorded as succeeded"""
        done = Delivery.select().where(Delivery.status == "succeeded").count() == 15
        return done and receiver.delivered_ids() == expected

    wait_for(every_event_arrived)
    assert stop(worker) == 0

    for request in receiver.received():
        if request.status == 204:
            assert Verifier(webhook.secret).verify(request.body, request.headers)["type"] == "claim.created"
    listed = client.get(f"/api/v1/webhooks/{webhook.id}/deliveries?limit=50", headers=keys["admin"]).json
    assert len(listed["items"]) == 15
    for item in listed["items"]:
        assert item["status"] == "succeeded"
        assert item["attempt_log"][-1]["status_code"] == 204
        assert item["attempts"] == len(item["attempt_log"])
    first_ids = {item["message_id"] for item in listed["items"][-5:]}
    refused_ids = {r.message_id for r in receiver.received() if r.status == 503}
    assert first_ids == refused_ids, "only the first five met a live receiver"
    failed = [attempt for item in listed["items"] for attempt in item["attempt_log"][:-1]]
    assert {attempt["status_code"] for attempt in failed} == {503, None}
    errors = {attempt["error"].split(":")[0] for attempt in failed if attempt["status_code"] is None}
    assert errors == {"timed out after 1s", "no answer"}


def test_a_worker_pass_is_never_stuck_on_a_receiver_that_hangs(app, receiver, workers):
    subscribe(receiver.url)
    receiver.respond(204, delay=120)
    for _ in range(3):
        make_claim()
    worker = workers("--once", timeout="0.5")
    assert worker.wait(timeout=60) == 0
    assert len(receiver.received()) == 3
    assert [(d.status, d.attempts, d.last_error) for d in Delivery.select()] == [
        ("pending", 1, "timed out after 0.5s")
    ] * 3


def test_two_workers_never_send_one_delivery_at_the_same_time(app, receiver, workers):
    for _ in range(3):
        subscribe(receiver.url)
    receiver.respond(204, delay=0.02)
    for _ in range(40):
        make_claim()
    expected = {d.message_id for d in Delivery.select()}
    assert len(expected) == 120
    running = [workers("--concurrency", "2", "--batch", "5", timeout="5") for _ in range(2)]

    def every_event_arrived():
        """all 120 deliveries answered and recorded as succeeded"""
        done = Delivery.select().where(Delivery.status == "succeeded").count() == 120
        return done and receiver.delivered_ids() == expected

    wait_for(every_event_arrived)
    assert [stop(process) for process in running] == [0, 0]

    by_id = collections.defaultdict(list)
    for request in receiver.received():
        by_id[request.message_id].append(request)
    overlapping = [
        (first, second)
        for requests in by_id.values()
        for index, first in enumerate(requests)
        for second in requests[index + 1 :]
        if first.started < second.finished and second.started < first.finished
    ]
    assert overlapping == []
    assert {len(requests) for requests in by_id.values()} == {1}
    assert DeliveryAttempt.select().count() == 120


def test_a_worker_rides_out_an_unreachable_database(tmp_path):
    env = {**os.environ, "CLAIMLEDGER_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/test?connect_timeout=1"}
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen([CLAIMLEDGER, "worker", "--poll-seconds", "0.1"], env=env, stdout=log, stderr=log)
        try:

            def it_kept_trying():
                """the worker logged the outage twice and is still running"""
                return log_path.read_text().count("database unavailable") >= 2 and worker.poll() is None

            wait_for(it_kept_trying)
            assert stop(worker) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
