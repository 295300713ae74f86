"""The write rate limit: per API key and per client address, shared by every gunicorn worker, 429 with Retry-After."""

import time

import pytest
import requests
import servers
from checks import assert_problem
from checks import row_counts

from service.http import ratelimit
from service.ledger import keys as api_keys
from service.storage.models import RateLimitWindow
from service.storage.models import Topic

LIMIT = 3
# A moment 25 s into a window: far from both of its ends.
NOW = 1_800_000_000 - 1_800_000_000 % ratelimit.WINDOW_SECONDS + 25


class Clock:
    """The limiter's clock, set by the test."""

    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def clock(app, monkeypatch):
    app.config["RATE_LIMIT_PER_MINUTE"] = LIMIT
    fixed = Clock(NOW)
    monkeypatch.setattr(ratelimit, "time", fixed)
    return fixed


def _stored(counts):
    """The row counts of everything but the limiter's own counters, which a refused write does add to."""
    return {table: rows for table, rows in counts.items() if table != "rate_limit_window"}


def _topic(client, headers, address="192.0.2.1", slug=None):
    slug = slug or f"topic-{time.monotonic_ns()}"
    return client.post(
        "/api/v1/topics",
        json={"slug": slug, "title": "Is it so?"},
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


def test_hits_count_per_bucket_and_window_and_old_windows_are_purged(app):
    assert ratelimit.hit(["key:1", "address:a"], 2, now=NOW) == (None, 0)
    assert ratelimit.hit(["key:1", "address:b"], 2, now=NOW + 1) == (None, 0)
    assert ratelimit.hit(["key:1", "address:c"], 2, now=NOW + 2) == ("key:1", 60 - 25 - 2)
    assert ratelimit.hit(["key:2", "address:a"], 2, now=NOW + 3) == (None, 0)

    assert ratelimit.hit(["key:1"], 2, now=NOW + 60) == (None, 0)
    remaining = sorted(RateLimitWindow.select(RateLimitWindow.bucket, RateLimitWindow.hits).tuples())
    assert remaining == [("key:1", 1)], "the first hit of a new window deletes the windows that ended"


def test_writes_past_the_limit_are_429_with_retry_after_and_store_nothing(client, keys, clock):
    for _ in range(LIMIT):
        assert _topic(client, keys["reviewer"]).status_code == 201
    before = row_counts()
    clock.now = NOW + 10

    refused = _topic(client, keys["reviewer"], slug="one-too-many")

    problem = assert_problem(refused, 429)
    assert problem["type"] == "/problems/rate-limited"
    assert refused.headers["Retry-After"] == str(60 - 25 - 10)
    assert "writes a minute" in problem["detail"]
    assert _stored(row_counts()) == _stored(before)
    assert Topic.get_or_none(Topic.slug == "one-too-many") is None
    assert client.get("/api/v1/topics", headers=keys["reviewer"]).status_code == 200, "reads are not limited"

    clock.now = NOW + 35
    assert _topic(client, keys["reviewer"]).status_code == 201, "the next window starts afresh"


def test_one_key_is_limited_from_any_address(client, keys, clock):
    answers = [_topic(client, keys["reviewer"], address=f"192.0.2.{n}").status_code for n in range(LIMIT + 1)]

    assert answers == [201] * LIMIT + [429]
    assert "this API key" in _topic(client, keys["reviewer"], address="192.0.2.99").get_json()["detail"]
    assert _topic(client, keys["reviewer2"], address="192.0.2.99").status_code == 201, "other keys go on"


def test_one_address_is_limited_whatever_key_it_uses(client, keys, clock):
    extra = {"Authorization": f"Bearer {api_keys.create_key('extra', 'reviewer', actor='test')[1]}"}
    callers = [keys["reviewer"], keys["reviewer2"], keys["admin"], extra]

    answers = [_topic(client, headers).status_code for headers in callers]

    assert answers == [201] * LIMIT + [429]
    assert "this address" in _topic(client, extra).get_json()["detail"]
    assert _topic(client, extra, address="198.51.100.7").status_code == 201, "other addresses go on"


def test_writes_with_bad_keys_count_against_their_address(client, keys, clock):
    bad = {"Authorization": "Bearer clk_000000000000_guessing"}

    answers = [_topic(client, bad).status_code for _ in range(LIMIT + 1)]

    assert answers == [401] * LIMIT + [429]
    assert _topic(client, keys["reviewer"]).status_code == 429, "the address is spent for good keys too"


def test_zero_switches_the_limit_off(app, client, keys, clock):
    app.config["RATE_LIMIT_PER_MINUTE"] = 0

    assert {_topic(client, keys["reviewer"]).status_code for _ in range(LIMIT * 3)} == {201}
    assert RateLimitWindow.select().count() == 0


def _fresh_window(seconds_needed):
    """Wait, if need be, until the current window has at least seconds_needed left."""
    left = ratelimit.WINDOW_SECONDS - time.time() % ratelimit.WINDOW_SECONDS
    if left < seconds_needed:
        time.sleep(left + 0.1)


@pytest.mark.slow
def test_the_limit_holds_across_gunicorn_workers(database_url, keys, tmp_path):
    """Twelve writes on twelve connections to three workers: exactly the limit get through, whoever answers."""
    limit = 5
    process, base_url = servers.serve(
        database_url, tmp_path / "serve.log", workers=3, env={"CLAIMLEDGER_RATE_LIMIT_PER_MINUTE": str(limit)}
    )
    try:
        _fresh_window(seconds_needed=10)
        answers = [
            requests.post(
                f"{base_url}/api/v1/topics",
                json={"slug": f"across-{n}", "title": "Is it so?"},
                headers={**keys["reviewer"], "Connection": "close"},
                timeout=30,
            )
            for n in range(12)
        ]
    finally:
        servers.stop(process)

    assert [answer.status_code for answer in answers] == [201] * limit + [429] * 7
    assert all(int(answer.headers["Retry-After"]) >= 1 for answer in answers[limit:])
    assert Topic.select().where(Topic.slug.startswith("across-")).count() == limit
