"""The Python client against a live server on 127.0.0.1, with real network faults from a TCP proxy."""

import base64
import datetime
import email.utils
import json
import socket
import struct
import threading

import pytest
import standardwebhooks
from factories import claim_data
from factories import publish_fact_check

from service.client import ClaimLedgerClient
from service.client import ClaimLedgerError
from service.client import WebhookVerificationError
from service.client import verify_webhook
from service.ledger import embedder
from service.ledger import keys as api_keys
from service.ledger import matching
from service.ledger import ratings
from service.storage.models import Claim
from service.storage.models import Event
from service.storage.models import IdempotencyRecord

HEADER_END = b"\r\n\r\n"
REFUSALS = {"unavailable": b"503 Service Unavailable", "rate_limited": b"429 Too Many Requests"}


def _read_message(sock):
    """Read one HTTP/1.1 message with a Content-Length body (or none) from a socket; b"" if it closed."""
    data = b""
    while HEADER_END not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(HEADER_END)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + HEADER_END + body


def _pipe(source, target):
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


class FaultyProxy:
    """A TCP proxy on 127.0.0.1 in front of the server; its first connection meets a fault, the rest pass.

    "lose_response": the request reaches the server and is answered, but the proxy resets the client's
    connection instead of relaying the answer, as a dropped link would. "unavailable" and "rate_limited":
    the proxy answers 503 or 429 with Retry-After itself, as a load balancer or a gateway does.
    """

    def __init__(self, server_url, fault, retry_after="0"):
        host, port = server_url.removeprefix("http://").split(":")
        self.target = (host, int(port))
        self.fault = fault
        self.retry_after = retry_after.encode()
        self.connections = 0
        self.lost_answers = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            first = self.connections == 1
            threading.Thread(target=self._serve, args=(client, first), daemon=True).start()

    def _serve(self, client, first):
        if first and self.fault in REFUSALS:
            _read_message(client)
            client.sendall(
                b"HTTP/1.1 %s\r\nRetry-After: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                % (REFUSALS[self.fault], self.retry_after)
            )
            client.close()
            return
        upstream = socket.create_connection(self.target)
        if first and self.fault == "lose_response":
            upstream.sendall(_read_message(client))
            self.lost_answers.append(_read_message(upstream))
            upstream.close()
            # Linger 0 makes close() send a reset: the client sees the connection die without an answer.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
            return
        threading.Thread(target=_pipe, args=(client, upstream), daemon=True).start()
        _pipe(upstream, client)

    def close(self):
        self.listener.close()


@pytest.fixture
def reviewer_key(keys):
    """The reviewer's API key string."""
    return keys["reviewer"]["Authorization"].removeprefix("Bearer ")


@pytest.fixture
def ledger(live_server, reviewer_key):
    """A client for the live server with the reviewer's key."""
    client = ClaimLedgerClient(live_server, api_key=reviewer_key, timeout=30, backoff=0.01)
    yield client
    client.session.close()


@pytest.mark.parametrize("fault", ["lose_response", "unavailable", "rate_limited"])
def test_creates_a_claim_with_a_retried_post_and_the_ledger_holds_it_once(live_server, reviewer_key, fault):
    proxy = FaultyProxy(live_server, fault)
    client = ClaimLedgerClient(proxy.url, api_key=reviewer_key, timeout=30, retries=3, backoff=0.01)
    try:
        claim = client.create_claim(claim_data(text="Shells are running out, said the commander"))
    finally:
        client.session.close()
        proxy.close()

    assert proxy.connections == 2
    if fault == "lose_response":
        [lost] = proxy.lost_answers
        assert lost.startswith(b"HTTP/1.1 201")
        assert json.loads(lost.partition(HEADER_END)[2]) == claim
    assert claim["text"] == "Shells are running out, said the commander"
    assert [row.id for row in Claim.select()] == [claim["id"]]
    assert Event.select().where(Event.type == "claim.created").count() == 1
    assert IdempotencyRecord.select().count() == 1


@pytest.mark.parametrize(
    ("retry_after", "expected_wait"),
    [("7", 7.0), (email.utils.format_datetime(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC), usegmt=True), 0.0)],
)
def test_retry_after_is_honoured(live_server, reviewer_key, monkeypatch, retry_after, expected_wait):
    waits = []
    monkeypatch.setattr("service.client.time.sleep", waits.append)
    monkeypatch.setattr("service.client.random.random", lambda: 0.0)
    proxy = FaultyProxy(live_server, "rate_limited", retry_after=retry_after)
    client = ClaimLedgerClient(proxy.url, api_key=reviewer_key, timeout=30, backoff=0.01)
    try:
        client.create_claim(claim_data())
    finally:
        client.session.close()
        proxy.close()

    assert waits == [max(expected_wait, 0.005)]
    assert Claim.select().count() == 1


def test_a_connection_refused_is_retried_then_raised(live_server):
    with socket.create_server(("127.0.0.1", 0)) as unused:
        port = unused.getsockname()[1]
    client = ClaimLedgerClient(f"http://127.0.0.1:{port}", timeout=5, retries=2, backoff=0.01)

    with pytest.raises(ClaimLedgerError) as raised:
        client.get_claim(1)

    assert raised.value.status is None
    assert "failed" in str(raised.value)


def test_create_get_and_find_claims_across_pages(ledger):
    created = [ledger.create_claim(claim_data(claimed_on=f"2023-04-0{day}")) for day in range(1, 6)]

    found = list(ledger.find_claims(limit=2))

    assert [claim["id"] for claim in found] == [claim["id"] for claim in reversed(created)]
    # A create's answer adds what it noticed (possible duplicates, similar speakers) to the claim itself.
    noticed = {"possible_duplicates", "similar_speakers"}
    assert ledger.get_claim(created[0]["id"]) == {k: v for k, v in created[0].items() if k not in noticed}
    assert [claim["id"] for claim in ledger.find_claims(claimed_from="2023-04-04", limit=1)] == [
        created[4]["id"],
        created[3]["id"],
    ]


def test_speakers_sources_and_topics(ledger):
    speaker = ledger.create_speaker({"name": "Levko Stek", "aliases": ["L. Stek"]})
    source = ledger.create_source({"url": "https://news.example/a", "publisher": "News"})
    topic = ledger.create_topic({"slug": "shells", "title": "Are shells short?"})

    assert ledger.get_speaker(speaker["id"])["aliases"] == ["L. Stek"]
    assert [item["id"] for item in ledger.find_speakers(q="Stek")] == [speaker["id"]]
    assert ledger.get_source(source["id"])["publisher"] == "News"
    assert [item["url"] for item in ledger.find_sources()] == ["https://news.example/a"]
    assert ledger.get_topic("shells")["title"] == "Are shells short?"
    assert [item["slug"] for item in ledger.find_topics()] == [topic["slug"]]


def test_errors_carry_the_problem(ledger):
    data = claim_data()
    del data["speaker"]

    with pytest.raises(ClaimLedgerError) as raised:
        ledger.create_claim(data)

    assert raised.value.status == 422
    assert raised.value.problem["type"] == "/problems/validation-error"
    assert "speaker" in raised.value.errors
    with pytest.raises(ClaimLedgerError) as missing:
        ledger.get_claim(999)
    assert missing.value.status == 404
    assert Claim.select().count() == 0


def test_writes_without_a_key_are_refused(live_server):
    with pytest.raises(ClaimLedgerError) as raised:
        ClaimLedgerClient(live_server).create_claim(claim_data())

    assert raised.value.status == 401


def test_claim_review_of_a_published_fact_check(ledger):
    claim = ledger.create_claim(claim_data())
    publish_fact_check([Claim.get_by_id(claim["id"])], rating="mostly-true")

    markup = ledger.claim_review(claim["id"])

    assert markup["@type"] == "ClaimReview"
    assert markup["reviewRating"]["alternateName"] == "Mostly true"


def test_a_fact_check_is_drafted_published_and_unpublished(live_server, ledger):
    claim = ledger.create_claim(claim_data())
    ratings.ensure_default_scale()
    _, secret = api_keys.create_key("Client Editor", "editor", actor="test")
    editor = ClaimLedgerClient(live_server, api_key=secret, timeout=30, backoff=0.01)
    body = {
        "headline": "Short of shells?",
        "article_url": "https://www.paper.example/checks/shells",
        "authors": ["Olena Checker"],
        "rating": "mostly-false",
        "explanation": "Front-line reports say otherwise.",
        "claim_ids": [claim["id"]],
    }

    draft = ledger.draft_fact_check(body)
    with pytest.raises(ClaimLedgerError) as refused:
        ledger.publish_fact_check(draft["id"])
    published = editor.publish_fact_check(draft["id"])

    assert refused.value.status == 403
    assert (draft["status"], published["status"]) == ("draft", "published")
    assert [item["id"] for item in ledger.find_fact_checks(status="published")] == [draft["id"]]
    assert ledger.claim_review(claim["id"])["reviewRating"]["alternateName"] == "Mostly false"
    assert editor.unpublish_fact_check(draft["id"])["status"] == "draft"
    assert ledger.get_fact_check(draft["id"])["status"] == "draft"


@pytest.fixture
def fresh_index():
    """This process's vector index forgotten before and after: each test's database numbers its rows from 1."""
    matching.reset_index()
    yield
    matching.reset_index()


def test_matching_and_article_analysis(ledger, fresh_index):
    stored = ledger.create_claim(claim_data(text="Wagner fighters lack artillery shells near Bakhmut, Prigozhin says."))
    embedder.catch_up()

    matches = ledger.match_claims("Пригожин каже, що бійцям «Вагнера» бракує снарядів під Бахмутом.", limit=3)
    analysis = ledger.analyze_article(
        text="Prigozhin said his fighters lack shells. The weather in Kyiv was mild.", language="en"
    )

    assert matches[0]["claim"]["id"] == stored["id"]
    assert 0 < matches[0]["score"] <= 1
    [candidate] = [note["candidate"] for note in analysis["notes"] if note["candidate"]]
    assert candidate["statement"] == "his fighters lack shells"

    article = {"url": "https://news.example/draft", "publisher": "Example News"}
    kept = ledger.store_article_claims(article, [candidate])
    again = ledger.store_article_claims(article, [candidate])

    assert [claim["text"] for claim in kept["claims"]] == ["his fighters lack shells"]
    assert kept["claims"][0]["source"]["url"] == article["url"]
    assert again["claims"][0]["id"] == kept["claims"][0]["id"] and Claim.select().count() == 2


SECRET = "whsec_" + base64.b64encode(b"a secret of thirty-two bytes....").decode()


def _signed(secret, body, sent_at):
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(sent_at.timestamp()))}
    headers["webhook-signature"] = standardwebhooks.Webhook(secret).sign("msg_1", sent_at, body)
    return headers


def test_verify_webhook_accepts_what_the_reference_implementation_signs():
    body = json.dumps({"type": "review.created", "timestamp": "2023-04-07T10:00:00Z", "data": {"id": 1}})
    headers = _signed(SECRET, body, datetime.datetime.now(datetime.UTC))

    assert verify_webhook(SECRET, body.encode(), headers)["type"] == "review.created"
    assert verify_webhook(SECRET, body, {name.title(): value for name, value in headers.items()})["data"] == {"id": 1}


def test_verify_webhook_accepts_either_signature_during_a_rotation():
    old = "whsec_" + base64.b64encode(b"the previous secret, now rotated").decode()
    body = '{"type":"claim.created"}'
    sent_at = datetime.datetime.now(datetime.UTC)
    headers = _signed(old, body, sent_at)
    headers["webhook-signature"] = (
        _signed(SECRET, body, sent_at)["webhook-signature"] + " " + headers["webhook-signature"]
    )

    assert verify_webhook(old, body, headers) == {"type": "claim.created"}
    assert verify_webhook(SECRET, body, headers) == {"type": "claim.created"}


@pytest.mark.parametrize(
    "tamper",
    ["body", "id", "secret", "stale", "future", "missing"],
)
def test_verify_webhook_refuses_what_does_not_check_out(tamper):
    body = '{"type":"claim.created"}'
    sent_at = datetime.datetime.now(datetime.UTC)
    if tamper == "stale":
        sent_at -= datetime.timedelta(minutes=6)
    if tamper == "future":
        sent_at += datetime.timedelta(minutes=6)
    headers = _signed(SECRET, body, sent_at)
    secret = SECRET
    if tamper == "body":
        body = '{"type":"claim.deleted"}'
    elif tamper == "id":
        headers["webhook-id"] = "msg_2"
    elif tamper == "secret":
        secret = "whsec_" + base64.b64encode(b"somebody else's secret, 32 bytes").decode()
    elif tamper == "missing":
        del headers["webhook-signature"]

    with pytest.raises(WebhookVerificationError):
        verify_webhook(secret, body, headers)


def test_verify_webhook_tolerance_is_five_minutes():
    body = "{}"
    sent_at = datetime.datetime.fromtimestamp(1_700_000_000, datetime.UTC)
    headers = _signed(SECRET, body, sent_at)

    assert verify_webhook(SECRET, body, headers, now=1_700_000_000 + 299) == {}
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, body, headers, now=1_700_000_000 + 301)
