"""Conflicts: stance conflicts that follow the stances, none from wording on writes, reviewers' links and decisions."""

import threading

import pytest
from factories import make_claim
from factories import make_topic
from seeded import load_seeds

from service.ledger import claims
from service.ledger import conflicts
from service.schemas.claims import ClaimUpdate
from service.storage import db
from service.storage.db import database
from service.storage.models import Claim
from service.storage.models import Conflict
from service.storage.models import Event

AMMUNITION = "russian-ammunition-shortage"
SHORT = "Russian forces at Bakhmut are running out of artillery shells."
PLENTY = "Russian forces at Bakhmut have plenty of artillery shells."


def seed_claim(speaker_name):
    """Return the id of the seed ledger's claim by this speaker on the ammunition question."""
    return next(
        claim.id
        for claim in Claim.select()
        if claim.speaker.name == speaker_name and "ammunition" in claim.text.lower()
    )


def events_of(event_type):
    return list(Event.select().where(Event.type == event_type).order_by(Event.id))


def stance(slug, value):
    return [{"slug": slug, "stance": value}]


def edit(claim, actor="test", **changes):
    """Edit a claim through the domain function, as PATCH would, without a version check."""
    return claims.update_claim(claim.id, ClaimUpdate().load(changes), None, actor)


def test_seeded_ammunition_conflict_lists_prigozhin_left_and_stek_right(client):
    load_seeds()
    prigozhin, stek = seed_claim("Yevgeny Prigozhin"), seed_claim("Levko Stek")

    response = client.get(f"/api/v1/conflicts?topic={AMMUNITION}")

    assert response.status_code == 200
    body = response.get_json()
    assert body["next_cursor"] is None
    [item] = body["items"]
    assert set(item) == {
        "id",
        "basis",
        "status",
        "topic",
        "self_contradiction",
        "note",
        "score",
        "created_by",
        "decided_by",
        "decided_at",
        "version",
        "created_at",
        "updated_at",
        "left",
        "right",
    }
    assert item["basis"] == "stance"
    assert item["status"] == "suggested"
    assert item["topic"]["slug"] == AMMUNITION
    assert item["self_contradiction"] is False
    assert (item["created_by"], item["decided_by"], item["decided_at"]) == ("seed", None, None)
    assert item["left"]["id"] == prigozhin
    assert item["right"]["id"] == stek
    assert item["left"]["speaker"]["name"] == "Yevgeny Prigozhin"
    assert item["right"]["speaker"]["name"] == "Levko Stek"
    assert item["right"]["quote"] == "ammunition hunger"
    assert item["left"] == client.get(f"/api/v1/claims/{prigozhin}").get_json()
    assert item["right"] == client.get(f"/api/v1/claims/{stek}").get_json()


def test_a_reviewer_confirms_a_conflict_and_it_shows_with_their_name(client, keys):
    load_seeds()
    [conflict] = client.get(f"/api/v1/conflicts?topic={AMMUNITION}").get_json()["items"]

    response = client.post(f"/api/v1/conflicts/{conflict['id']}/confirm", headers=keys["reviewer"])

    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["decided_by"], body["version"]) == ("confirmed", "reviewer", 2)
    assert body["decided_at"].endswith("Z")
    assert client.get(f"/api/v1/conflicts/{conflict['id']}").get_json() == body
    listed = client.get(f"/api/v1/conflicts?topic={AMMUNITION}&status=confirmed").get_json()["items"]
    assert [item["id"] for item in listed] == [conflict["id"]]
    [event] = events_of("conflict.confirmed")
    assert (event.object_id, event.actor, event.data["status"]) == (conflict["id"], "reviewer", "confirmed")


def test_a_new_claim_denying_a_seeded_claim_makes_a_conflict_at_once(client, keys):
    load_seeds()
    prigozhin = seed_claim("Yevgeny Prigozhin")
    body = {
        "text": "A Ukrainian artillery officer said Wagner gunners fire as often as they did in winter.",
        "speaker": {"name": "Ukrainian artillery officer"},
        "source": {"url": "https://news.example/gunners", "publisher": "Example News"},
        "claimed_on": "2023-04-09",
        "topics": stance(AMMUNITION, "denies"),
    }

    created = client.post("/api/v1/claims", json=body, headers=keys["reviewer"]).get_json()

    items = client.get(f"/api/v1/claims/{created['id']}/conflicts").get_json()["items"]
    assert [(item["basis"], item["left"]["id"], item["right"]["id"]) for item in items] == [
        ("stance", prigozhin, created["id"])
    ]
    [event] = [e for e in events_of("conflict.suggested") if e.object_id == items[0]["id"]]
    assert event.actor == "reviewer"
    assert event.data["left_claim_id"] == prigozhin
    assert event.data["right_claim_id"] == created["id"]
    # The conflict is written before the claim's own event, in the same transaction.
    [claim_event] = [e for e in events_of("claim.created") if e.object_id == created["id"]]
    assert event.id < claim_event.id


def test_an_earlier_claim_goes_left_whichever_is_stored_first(app):
    make_topic()
    later = make_claim(claimed_on="2023-05-01", topics=stance("ammunition", "affirms"))
    earlier = make_claim(claimed_on="2023-04-01", topics=stance("ammunition", "denies"))

    [conflict] = Conflict.select()

    assert (conflict.left_claim_id, conflict.right_claim_id) == (earlier.id, later.id)


def test_changing_a_date_moves_the_claim_to_the_side_its_new_date_puts_it(app):
    make_topic()
    first = make_claim(claimed_on="2023-04-01", topics=stance("ammunition", "affirms"))
    second = make_claim(claimed_on="2023-04-02", topics=stance("ammunition", "denies"))

    edit(first, claimed_on="2023-04-03")

    [conflict] = Conflict.select()
    assert (conflict.left_claim_id, conflict.right_claim_id) == (second.id, first.id)


def test_a_speaker_flipping_their_stance_is_a_self_contradiction(client):
    make_topic()
    make_claim(speaker={"name": "Flip Flopper"}, topics=stance("ammunition", "affirms"))
    make_claim(speaker={"name": "Other Person"}, topics=stance("ammunition", "affirms"))
    flip = make_claim(speaker={"name": "Flip Flopper"}, claimed_on="2023-04-08", topics=stance("ammunition", "denies"))

    items = client.get(f"/api/v1/claims/{flip.id}/conflicts").get_json()["items"]

    assert sorted((item["left"]["speaker"]["name"], item["self_contradiction"]) for item in items) == [
        ("Flip Flopper", True),
        ("Other Person", False),
    ]
    assert sorted(e.data["self_contradiction"] for e in events_of("conflict.suggested")) == [False, True]


def test_neutral_claims_and_claims_on_other_topics_do_not_conflict(app):
    make_topic()
    make_topic("talks", "Will there be talks?")
    make_claim(topics=stance("ammunition", "affirms"))
    make_claim(topics=stance("ammunition", "neutral"))
    make_claim(topics=stance("talks", "denies"))

    assert Conflict.select().count() == 0


def test_a_stance_change_removes_the_stance_conflict(client, keys):
    make_topic()
    affirming = make_claim(topics=stance("ammunition", "affirms"))
    denying = make_claim(topics=stance("ammunition", "denies"))
    [conflict] = Conflict.select()
    etag = client.get(f"/api/v1/claims/{denying.id}").headers["ETag"]

    response = client.patch(
        f"/api/v1/claims/{denying.id}",
        json={"topics": stance("ammunition", "affirms")},
        headers={**keys["reviewer"], "If-Match": etag},
    )

    assert response.status_code == 200
    assert Conflict.select().count() == 0
    [removed] = events_of("conflict.removed")
    assert (removed.object_id, removed.actor) == (conflict.id, "reviewer")
    assert (removed.data["left_claim_id"], removed.data["right_claim_id"]) == (affirming.id, denying.id)


def test_removing_the_topic_removes_the_stance_conflict_and_restoring_it_brings_it_back(app):
    make_topic()
    make_claim(topics=stance("ammunition", "affirms"))
    denying = make_claim(topics=stance("ammunition", "denies"))

    edit(denying, topics=[])
    assert Conflict.select().count() == 0

    edit(denying, topics=stance("ammunition", "denies"))
    assert [c.basis for c in Conflict.select()] == ["stance"]


@pytest.mark.parametrize("decision", ["confirm", "dismiss"])
def test_a_reviewers_decision_outlives_a_stance_change(app, decision):
    make_topic()
    make_claim(topics=stance("ammunition", "affirms"))
    denying = make_claim(topics=stance("ammunition", "denies"))
    [conflict] = Conflict.select()
    getattr(conflicts, decision)(conflict.id, "reviewer")

    edit(denying, topics=stance("ammunition", "affirms"))
    edit(denying, topics=stance("ammunition", "denies"))

    [kept] = Conflict.select()
    assert (kept.id, kept.status) == (conflict.id, {"confirm": "confirmed", "dismiss": "dismissed"}[decision])
    assert events_of("conflict.removed") == []


def test_deleting_a_claim_removes_its_conflicts_with_an_event(client, keys):
    make_topic()
    make_claim(topics=stance("ammunition", "affirms"))
    denying = make_claim(topics=stance("ammunition", "denies"))
    etag = client.get(f"/api/v1/claims/{denying.id}").headers["ETag"]

    response = client.delete(f"/api/v1/claims/{denying.id}", headers={**keys["admin"], "If-Match": etag})

    assert response.status_code == 204
    assert Conflict.select().count() == 0
    assert [(e.actor, e.data["right_claim_id"]) for e in events_of("conflict.removed")] == [("admin", denying.id)]


def test_the_write_path_suggests_no_conflict_from_wording_alone(app):
    make_claim(text=SHORT)
    plenty = make_claim(text=PLENTY, claimed_on="2023-04-08")
    edit(plenty, text=PLENTY.replace("plenty", "an abundance"))

    assert Conflict.select().count() == 0
    assert events_of("conflict.suggested") == []


def test_opposite_claims_stored_at_the_same_time_are_still_paired(app):
    make_topic()
    stored, release, failures = threading.Event(), threading.Event(), []

    def in_thread(work):
        def run():
            database.connect(reuse_if_open=True)
            try:
                work()
            except Exception as error:  # handed to the test thread, which fails with it
                failures.append(error)
            finally:
                database.close()

        return threading.Thread(target=run)

    def first():
        with database.atomic():
            make_claim(topics=stance("ammunition", "affirms"))
            stored.set()
            release.wait(timeout=60)

    def second():
        # SQLite has one writer: taking the write lock first (IMMEDIATE) makes the second claim wait for the
        # first rather than fail with "database is locked" when its read snapshot turns stale.
        with database.atomic(**({} if db.is_postgres() else {"lock_type": "IMMEDIATE"})):
            make_claim(speaker={"name": "Second Speaker"}, topics=stance("ammunition", "denies"))

    first_thread, second_thread = in_thread(first), in_thread(second)
    first_thread.start()
    assert stored.wait(timeout=60)
    second_thread.start()
    # Hold the first transaction open while the second claim is stored: without the topic lock (or
    # SQLite's single writer) the second would not see the first and no conflict would be made.
    second_thread.join(timeout=2)
    release.set()
    first_thread.join(timeout=60)
    second_thread.join(timeout=60)

    assert failures == []
    assert [(c.basis, c.status) for c in Conflict.select()] == [("stance", "suggested")]
