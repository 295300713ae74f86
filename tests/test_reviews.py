"""Reviews: verdicts with evidence, claim status and review summary, history, and the filters they feed."""

import logging
import re
import threading

import pytest
import requests
from factories import make_claim
from seeded import load_seeds

from service.ledger import claims
from service.ledger import keys as api_keys
from service.ledger import reviews
from service.ledger.errors import NotFound
from service.storage import db
from service.storage.models import VERDICTS
from service.storage.models import Claim
from service.storage.models import Event
from service.storage.models import Review

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
EVIDENCE = [
    {
        "url": "https://www.nytimes.com/2023/04/07/world/europe/bakhmut-ammunition.html",
        "title": "Border guards at Bakhmut",
        "note": "A border guard says the Russian side shows no shortage of shells.",
    }
]


def _review(client, headers, claim_id, verdict, rationale="Checked against the sources.", evidence=()):
    body = {"verdict": verdict, "rationale": rationale, "evidence": list(evidence)}
    return client.post(f"/api/v1/claims/{claim_id}/reviews", json=body, headers=headers)


def _stored():
    """Return what a refused review must leave untouched."""
    return (
        list(Review.select().dicts()),
        list(Event.select().dicts()),
        list(Claim.select(Claim.id, Claim.version, Claim.status).dicts()),
    )


def test_two_reviewers_split_on_a_seeded_claim(client, keys):
    load_seeds()
    claim = Claim.select().where(Claim.text.contains("ammunition hunger")).get()
    etag_before = client.get(f"/api/v1/claims/{claim.id}").headers["ETag"]

    first = _review(client, keys["reviewer"], claim.id, "contested", "The guard's view is one sector only.", EVIDENCE)
    assert first.status_code == 201, first.json
    assert first.headers["Location"] == f"/api/v1/reviews/{first.json['id']}"
    assert first.json == {
        "id": first.json["id"],
        "claim_id": claim.id,
        "reviewer": "reviewer",
        "verdict": "contested",
        "rationale": "The guard's view is one sector only.",
        "evidence": EVIDENCE,
        "created_at": first.json["created_at"],
    }
    assert ISO_Z.match(first.json["created_at"])
    second = _review(client, keys["reviewer2"], claim.id, "supported", "Matches other reports.")
    assert second.status_code == 201, second.json

    shown = client.get(f"/api/v1/claims/{claim.id}")
    assert shown.json["status"] == "supported"
    assert shown.json["review_summary"] == {"supported": 1, "contested": 1}
    assert shown.json["version"] == claim.version + 2
    assert shown.headers["ETag"] != etag_before

    history = client.get(f"/api/v1/claims/{claim.id}/reviews")
    assert history.status_code == 200
    assert history.json == {"items": [first.json, second.json]}
    assert [item["reviewer"] for item in history.json["items"]] == ["reviewer", "reviewer2"]
    assert client.get(first.headers["Location"]).json == first.json


def test_a_reviewer_who_changes_their_mind_counts_once(app):
    claim = make_claim()
    reviews.review_claim(claim.id, "contested", "At first sight wrong.", [], "alice")
    reviews.review_claim(claim.id, "supported", "Bob agrees.", [], "bob")
    reviews.review_claim(claim.id, "supported", "Second look: right after all.", [], "alice")

    stored = Claim.get_by_id(claim.id)
    assert stored.status == "supported"
    assert stored.review_summary == {"supported": 2, "contested": 0}
    assert [(r.reviewer, r.verdict) for r in reviews.list_reviews(claim.id)] == [
        ("alice", "contested"),
        ("bob", "supported"),
        ("alice", "supported"),
    ]

    reviews.review_claim(claim.id, "contested", "Bob finds a retraction.", [], "bob")
    stored = Claim.get_by_id(claim.id)
    assert stored.status == "contested"
    assert stored.review_summary == {"supported": 1, "contested": 1}
    assert stored.version == claim.version + 4


def test_status_is_the_most_recent_verdict_even_when_outnumbered(app):
    claim = make_claim()
    for reviewer in ("a", "b", "c"):
        reviews.review_claim(claim.id, "supported", "Fine.", [], reviewer)
    reviews.review_claim(claim.id, "contested", "New evidence.", [], "d")
    assert reviews.tally(claim.id) == ("contested", {"supported": 3, "contested": 1})
    assert Claim.get_by_id(claim.id).status == "contested"


def test_review_event_carries_the_review_and_where_the_claim_stands(client, keys):
    claim = make_claim()
    posted = _review(client, keys["reviewer"], claim.id, "contested", evidence=EVIDENCE).json
    event = Event.select().order_by(Event.id.desc()).get()
    assert (event.type, event.object_type, event.object_id, event.actor) == (
        "review.created",
        "review",
        posted["id"],
        "reviewer",
    )
    assert event.data == {
        **posted,
        "claim": {
            "id": claim.id,
            "status": "contested",
            "review_summary": {"supported": 0, "contested": 1},
            "version": claim.version + 1,
        },
    }


def test_reviews_of_a_missing_claim_are_404_and_store_nothing(client, keys):
    make_claim()
    before = _stored()
    posted = _review(client, keys["reviewer"], 999, "supported")
    assert posted.status_code == 404
    assert posted.mimetype == "application/problem+json"
    assert posted.json["detail"] == "No claim with id 999."
    assert client.get("/api/v1/claims/999/reviews").status_code == 404
    assert client.get("/api/v1/reviews/999").status_code == 404
    assert _stored() == before
    with pytest.raises(NotFound):
        reviews.review_claim(999, "supported", "x", [], "alice")


GOOD = {"verdict": "supported", "rationale": "Checked.", "evidence": []}
BAD_BODIES = [
    ({"verdict": "supported", "evidence": []}, "rationale"),
    ({**GOOD, "rationale": ""}, "rationale"),
    ({**GOOD, "rationale": "   \n"}, "rationale"),
    ({**GOOD, "rationale": "x" * 10001}, "rationale"),
    ({**GOOD, "rationale": "nul \x00 byte"}, "rationale"),
    ({**GOOD, "rationale": 42}, "rationale"),
    ({"rationale": "Checked."}, "verdict"),
    ({**GOOD, "verdict": "true"}, "verdict"),
    ({**GOOD, "verdict": "Supported"}, "verdict"),
    ({**GOOD, "verdict": None}, "verdict"),
    ({**GOOD, "evidence": [{"url": "javascript:alert(1)"}]}, "evidence.0.url"),
    ({**GOOD, "evidence": [{"url": "file:///etc/passwd"}]}, "evidence.0.url"),
    ({**GOOD, "evidence": [{"url": "data:text/html,<script>alert(1)</script>"}]}, "evidence.0.url"),
    ({**GOOD, "evidence": [{"url": "ftp://example.org/x"}]}, "evidence.0.url"),
    ({**GOOD, "evidence": [{"title": "no url"}]}, "evidence.0.url"),
    ({**GOOD, "evidence": [{"url": "https://example.org", "author": "x"}]}, "evidence.0.author"),
    ({**GOOD, "evidence": [{"url": "https://example.org", "title": 7}]}, "evidence.0.title"),
    ({**GOOD, "evidence": "https://example.org"}, "evidence"),
    ({**GOOD, "evidence": ["https://example.org"]}, "evidence.0"),
    ({**GOOD, "evidence": [{"url": f"https://example.org/{n}"} for n in range(51)]}, "evidence"),
    ({**GOOD, "reviewer": "someone else"}, "reviewer"),
    ({**GOOD, "actor": "someone else"}, "actor"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES, ids=[f"{n}-{f}" for n, (_, f) in enumerate(BAD_BODIES)])
def test_bad_review_bodies_are_422_and_store_nothing(client, keys, body, field):
    claim = make_claim()
    before = _stored()
    answer = client.post(f"/api/v1/claims/{claim.id}/reviews", json=body, headers=keys["reviewer"])
    assert answer.status_code == 422, answer.json
    assert answer.mimetype == "application/problem+json"
    assert answer.json["type"] == "/problems/validation-error"
    assert field in answer.json["errors"], answer.json
    assert _stored() == before


def test_a_body_that_is_not_an_object_is_refused(client, keys):
    claim = make_claim()
    before = _stored()
    answer = client.post(f"/api/v1/claims/{claim.id}/reviews", json=["supported"], headers=keys["reviewer"])
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert _stored() == before


def test_evidence_defaults_to_none_given_and_keeps_its_fields(client, keys):
    claim = make_claim()
    bare = client.post(
        f"/api/v1/claims/{claim.id}/reviews",
        json={"verdict": "supported", "rationale": "Seen it."},
        headers=keys["reviewer"],
    )
    assert bare.status_code == 201
    assert bare.json["evidence"] == []
    only_url = _review(client, keys["reviewer"], claim.id, "supported", evidence=[{"url": "http://example.org/a"}])
    assert only_url.json["evidence"] == [{"url": "http://example.org/a", "title": None, "note": None}]


def test_claims_filter_by_status_and_reviewer(client, keys):
    supported = make_claim(text="Shells are short")
    contested = make_claim(text="Shells are plentiful")
    unreviewed = make_claim(text="Nobody looked")
    _review(client, keys["reviewer"], supported.id, "supported")
    _review(client, keys["reviewer2"], contested.id, "contested")
    _review(client, keys["reviewer"], contested.id, "contested")

    def ids(query):
        answer = client.get(f"/api/v1/claims?{query}")
        assert answer.status_code == 200, answer.json
        return sorted(item["id"] for item in answer.json["items"])

    assert ids("status=supported") == [supported.id]
    assert ids("status=contested") == [contested.id]
    assert ids("status=unreviewed") == [unreviewed.id]
    assert ids("reviewer=reviewer") == sorted([supported.id, contested.id])
    assert ids("reviewer=reviewer2") == [contested.id]
    assert ids("reviewer=nobody") == []
    assert ids("reviewer=reviewer&status=contested") == [contested.id]
    bad = client.get("/api/v1/claims?status=true")
    assert bad.status_code == 422
    assert "status" in bad.json["errors"]


def test_speaker_record_counts_supported_contested_and_unreviewed(client, keys):
    claims = [make_claim(speaker={"name": "Levko Stek"}) for _ in range(4)]
    make_claim(speaker={"name": "Someone Else"})
    _review(client, keys["reviewer"], claims[0].id, "supported")
    _review(client, keys["reviewer"], claims[1].id, "contested")
    _review(client, keys["reviewer2"], claims[2].id, "contested")
    answer = client.get(f"/api/v1/speakers/{claims[0].speaker.id}")
    assert answer.json["record"] == {"unreviewed": 1, "supported": 1, "contested": 2}


@pytest.mark.parametrize(
    ("filters", "index"),
    [({"status": "contested"}, "claim_status_claimed_on_id"), ({"reviewer": "alice"}, "review_reviewer")],
)
def test_status_and_reviewer_filters_use_their_indexes(app, caplog, filters, index):
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        claims.list_claims(filters, secret="test-secret")
    sql, params = next(r.msg for r in caplog.records if isinstance(r.msg, tuple) and '"claim"' in r.msg[0])
    with db.database.atomic():
        if db.is_postgres():
            # Tiny test tables make a sequential scan cheapest; forbid it to see which index serves the filter.
            db.database.execute_sql("SET LOCAL enable_seqscan = off")
            plan = db.database.execute_sql("EXPLAIN " + sql, params).fetchall()
        else:
            plan = db.database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    assert index in " ".join(str(row[-1]) for row in plan)


def test_concurrent_reviews_of_one_claim_leave_the_right_counts(live_server):
    """Reviewers post at once, changing their minds; the claim must add up to its history afterwards."""
    claim = make_claim()
    reviewers = {
        f"desk-{n}": {"Authorization": f"Bearer {api_keys.create_key(f'desk-{n}', 'reviewer')[1]}"} for n in range(6)
    }
    rounds = 5
    barrier = threading.Barrier(len(reviewers))
    failures = []

    def review(name, headers):
        with requests.Session() as session:
            barrier.wait()
            for n in range(rounds):
                verdict = VERDICTS[(n + len(name)) % 2] if n < rounds - 1 else VERDICTS[int(name[-1]) % 2]
                answer = session.post(
                    f"{live_server}/api/v1/claims/{claim.id}/reviews",
                    json={"verdict": verdict, "rationale": f"Look number {n}."},
                    headers=headers,
                    timeout=30,
                )
                if answer.status_code != 201:
                    failures.append(answer.text)

    threads = [threading.Thread(target=review, args=item) for item in reviewers.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    history = requests.get(f"{live_server}/api/v1/claims/{claim.id}/reviews", timeout=30).json()["items"]
    shown = requests.get(f"{live_server}/api/v1/claims/{claim.id}", timeout=30).json()
    assert len(history) == len(reviewers) * rounds
    assert shown["review_summary"] == {"supported": 3, "contested": 3}
    assert shown["status"] == history[-1]["verdict"]
    assert shown["version"] == claim.version + len(history)
    standings = [e.data["claim"] for e in Event.select().where(Event.type == "review.created").order_by(Event.id)]
    assert [s["version"] for s in standings] == list(range(claim.version + 1, claim.version + len(history) + 1))
