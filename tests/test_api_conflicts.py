"""The conflicts API: linking, deciding, listing with filters and pages, a topic's sides, a claim's conflicts."""

import pytest
from factories import make_claim
from factories import make_topic

from service.storage import db
from service.storage.models import ClaimTopic
from service.storage.models import Conflict
from service.storage.models import Event
from service.storage.models import Topic


def stance(slug, value):
    return [{"slug": slug, "stance": value}]


def conflict_events():
    return list(Event.select().where(Event.type.startswith("conflict.")).order_by(Event.id))


@pytest.fixture
def two_claims(app):
    """Two claims on no topic and of no detectable opposition: (earlier, later)."""
    earlier = make_claim(text="The mayor opened the new library.", claimed_on="2023-04-01")
    later = make_claim(text="Harvest figures for wheat rose in the south.", claimed_on="2023-04-05")
    return earlier, later


def test_a_reviewer_links_two_claims_as_a_confirmed_conflict(client, keys, two_claims):
    earlier, later = two_claims

    response = client.post(
        "/api/v1/conflicts",
        json={"left_claim_id": later.id, "right_claim_id": earlier.id, "note": "Both cannot be true."},
        headers=keys["reviewer"],
    )

    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/conflicts/{body['id']}"
    assert (body["left"]["id"], body["right"]["id"]) == (earlier.id, later.id), "the earlier claim goes left"
    assert (body["basis"], body["status"], body["topic"], body["score"]) == ("reviewer", "confirmed", None, None)
    assert (body["note"], body["created_by"], body["decided_by"]) == ("Both cannot be true.", "reviewer", "reviewer")
    assert body["self_contradiction"] is True, "the factory gives both claims the same speaker"
    assert client.get(response.headers["Location"]).get_json() == body
    [event] = conflict_events()
    assert (event.type, event.object_id, event.actor) == ("conflict.created", body["id"], "reviewer")
    assert (event.data["left_claim_id"], event.data["right_claim_id"]) == (earlier.id, later.id)


def test_linking_an_already_paired_couple_is_409_naming_the_existing_conflict(client, keys, two_claims):
    earlier, later = two_claims
    body = {"left_claim_id": earlier.id, "right_claim_id": later.id, "note": "First."}
    first = client.post("/api/v1/conflicts", json=body, headers=keys["reviewer"]).get_json()

    again = client.post(
        "/api/v1/conflicts",
        json={"left_claim_id": later.id, "right_claim_id": earlier.id, "note": "Second."},
        headers=keys["reviewer2"],
    )

    assert again.status_code == 409
    assert again.content_type == "application/problem+json"
    assert f"conflict {first['id']} (reviewer, confirmed)" in again.get_json()["detail"]
    assert Conflict.select().count() == 1
    assert len(conflict_events()) == 1


def test_a_claim_cannot_conflict_with_itself(client, keys, two_claims):
    earlier, _ = two_claims

    response = client.post(
        "/api/v1/conflicts",
        json={"left_claim_id": earlier.id, "right_claim_id": earlier.id, "note": "Hm."},
        headers=keys["reviewer"],
    )

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"right_claim_id": ["Must name another claim than left_claim_id."]}
    assert Conflict.select().count() == 0
    assert conflict_events() == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"right_claim_id": 1, "note": "x"}, "left_claim_id"),
        ({"left_claim_id": 1, "note": "x"}, "right_claim_id"),
        ({"left_claim_id": 1, "right_claim_id": 2}, "note"),
        ({"left_claim_id": 1, "right_claim_id": 2, "note": ""}, "note"),
        ({"left_claim_id": 1, "right_claim_id": 2, "note": "x" * 2001}, "note"),
        ({"left_claim_id": 1, "right_claim_id": 2, "note": "a\x00b"}, "note"),
        ({"left_claim_id": "1", "right_claim_id": 2, "note": "x"}, "left_claim_id"),
        ({"left_claim_id": 0, "right_claim_id": 2, "note": "x"}, "left_claim_id"),
        ({"left_claim_id": 1, "right_claim_id": 2**60, "note": "x"}, "right_claim_id"),
        ({"left_claim_id": 1, "right_claim_id": 2, "note": "x", "basis": "stance"}, "basis"),
        ({"left_claim_id": 1, "right_claim_id": 999, "note": "x"}, "right_claim_id"),
        ({"left_claim_id": 998, "right_claim_id": 2, "note": "x"}, "left_claim_id"),
    ],
)
def test_bad_links_are_422_naming_the_field_and_store_nothing(client, keys, two_claims, body, field):
    response = client.post("/api/v1/conflicts", json=body, headers=keys["reviewer"])

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert Conflict.select().count() == 0
    assert conflict_events() == []


@pytest.mark.parametrize(
    "path",
    ["/api/v1/conflicts", "/api/v1/conflicts/{id}/confirm", "/api/v1/conflicts/{id}/dismiss"],
)
@pytest.mark.parametrize("who, status", [("reader", 403), (None, 401)])
def test_writes_need_a_reviewer(client, keys, two_claims, path, who, status):
    earlier, later = two_claims
    conflict = client.post(
        "/api/v1/conflicts",
        json={"left_claim_id": earlier.id, "right_claim_id": later.id, "note": "x"},
        headers=keys["reviewer"],
    ).get_json()
    body = {"left_claim_id": later.id, "right_claim_id": earlier.id, "note": "y"}

    response = client.post(path.format(id=conflict["id"]), json=body, headers=keys[who] if who else {})

    assert response.status_code == status
    assert client.get(f"/api/v1/conflicts/{conflict['id']}").get_json() == conflict
    assert len(conflict_events()) == 1


def test_dismiss_records_the_reviewer_and_note_and_confirm_can_overturn_it(client, keys):
    make_topic()
    make_claim(topics=stance("ammunition", "affirms"))
    make_claim(topics=stance("ammunition", "denies"))
    [conflict] = Conflict.select()

    dismissed = client.post(
        f"/api/v1/conflicts/{conflict.id}/dismiss", json={"note": "Different weeks."}, headers=keys["reviewer"]
    ).get_json()
    confirmed = client.post(f"/api/v1/conflicts/{conflict.id}/confirm", headers=keys["reviewer2"]).get_json()

    assert (dismissed["status"], dismissed["decided_by"], dismissed["note"]) == (
        "dismissed",
        "reviewer",
        "Different weeks.",
    )
    assert (confirmed["status"], confirmed["decided_by"], confirmed["note"]) == (
        "confirmed",
        "reviewer2",
        "Different weeks.",
    )
    assert confirmed["version"] == 3
    assert [(e.type, e.actor) for e in conflict_events()[1:]] == [
        ("conflict.dismissed", "reviewer"),
        ("conflict.confirmed", "reviewer2"),
    ]


@pytest.mark.parametrize("body", [{"note": ""}, {"note": 5}, {"status": "confirmed"}])
def test_bad_decisions_are_422_and_change_nothing(client, keys, body):
    make_topic()
    make_claim(topics=stance("ammunition", "affirms"))
    make_claim(topics=stance("ammunition", "denies"))
    [conflict] = Conflict.select()

    response = client.post(f"/api/v1/conflicts/{conflict.id}/confirm", json=body, headers=keys["reviewer"])

    assert response.status_code == 422
    assert Conflict.get_by_id(conflict.id).status == "suggested"
    assert [e.type for e in conflict_events()] == ["conflict.suggested"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/conflicts/999", "/api/v1/claims/999/conflicts", "/api/v1/topics/no-such-topic/sides"],
)
def test_unknown_objects_are_404(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("action", ["confirm", "dismiss"])
def test_deciding_an_unknown_conflict_is_404(client, keys, action):
    response = client.post(f"/api/v1/conflicts/999/{action}", headers=keys["reviewer"])

    assert response.status_code == 404


@pytest.fixture
def ledger(app):
    """Two topics with claims by three speakers, and every kind of conflict between them."""
    make_topic()
    make_topic("talks", "Will there be talks?")
    ann = make_claim(speaker={"name": "Ann"}, claimed_on="2023-04-01", topics=stance("ammunition", "affirms"))
    bob = make_claim(speaker={"name": "Bob"}, claimed_on="2023-04-02", topics=stance("ammunition", "denies"))
    cid = make_claim(speaker={"name": "Cid"}, claimed_on="2023-04-03", topics=stance("ammunition", "denies"))
    talks_yes = make_claim(speaker={"name": "Ann"}, claimed_on="2023-04-04", topics=stance("talks", "affirms"))
    talks_no = make_claim(speaker={"name": "Cid"}, claimed_on="2023-04-05", topics=stance("talks", "denies"))
    neutral = make_claim(speaker={"name": "Bob"}, claimed_on="2023-04-06", topics=stance("ammunition", "neutral"))
    return {"ann": ann, "bob": bob, "cid": cid, "talks_yes": talks_yes, "talks_no": talks_no, "neutral": neutral}


def pairs(items):
    return [(item["left"]["id"], item["right"]["id"]) for item in items]


def test_listing_filters_by_topic_speaker_claim_status_and_basis(client, keys, ledger):
    ann, bob, cid = ledger["ann"].id, ledger["bob"].id, ledger["cid"].id
    talks = (ledger["talks_yes"].id, ledger["talks_no"].id)
    link = client.post(
        "/api/v1/conflicts",
        json={"left_claim_id": bob, "right_claim_id": ledger["neutral"].id, "note": "x"},
        headers=keys["reviewer"],
    ).get_json()
    ann_bob = Conflict.get((Conflict.left_claim == ann) & (Conflict.right_claim == bob))
    client.post(f"/api/v1/conflicts/{ann_bob.id}/dismiss", headers=keys["reviewer"])

    def listed(query):
        response = client.get(f"/api/v1/conflicts?{query}")
        assert response.status_code == 200
        return pairs(response.get_json()["items"])

    assert listed("") == [(bob, ledger["neutral"].id), talks, (ann, cid), (ann, bob)]
    assert listed("topic=ammunition") == [(ann, cid), (ann, bob)]
    assert listed("topic=talks") == [talks]
    assert listed("topic=nothing-here") == []
    assert listed(f"speaker={ledger['cid'].speaker.id}") == [talks, (ann, cid)]
    assert listed(f"claim={bob}") == [(bob, ledger["neutral"].id), (ann, bob)]
    assert listed("status=dismissed") == [(ann, bob)]
    assert listed("status=confirmed") == [(bob, ledger["neutral"].id)]
    assert listed("basis=reviewer") == [(link["left"]["id"], link["right"]["id"])]
    assert listed("basis=stance&status=suggested&topic=ammunition") == [(ann, cid)]


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=maybe", "status"),
        ("basis=gut", "basis"),
        ("speaker=abc", "speaker"),
        ("claim=0", "claim"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
    ],
)
def test_bad_listing_queries_are_422_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/conflicts?{query}")

    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_pages_walk_every_conflict_once_newest_first(client, ledger):
    expected = [c.id for c in Conflict.select().order_by(Conflict.id.desc())]
    seen, cursor = [], None
    while True:
        response = client.get("/api/v1/conflicts?limit=1" + (f"&cursor={cursor}" if cursor else ""))
        body = response.get_json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert len(expected) == 3
    assert seen == expected


def test_a_tampered_cursor_is_400(client, ledger):
    cursor = client.get("/api/v1/conflicts?limit=1").get_json()["next_cursor"]

    response = client.get(f"/api/v1/conflicts?limit=1&cursor={cursor[:-2]}xx")

    assert response.status_code == 400


def test_a_claims_conflicts_are_paged(client, ledger):
    ann = ledger["ann"].id

    first = client.get(f"/api/v1/claims/{ann}/conflicts?limit=1").get_json()
    second = client.get(f"/api/v1/claims/{ann}/conflicts?limit=1&cursor={first['next_cursor']}").get_json()

    assert pairs(first["items"]) + pairs(second["items"]) == [(ann, ledger["cid"].id), (ann, ledger["bob"].id)]
    assert second["next_cursor"] is None


def test_sides_group_a_topics_claims_by_stance_in_date_order_with_their_conflicts(client, ledger):
    response = client.get("/api/v1/topics/ammunition/sides")

    assert response.status_code == 200
    body = response.get_json()
    assert body["topic"]["slug"] == "ammunition"
    assert [c["id"] for c in body["affirms"]] == [ledger["ann"].id]
    assert [c["id"] for c in body["denies"]] == [ledger["bob"].id, ledger["cid"].id]
    assert [c["id"] for c in body["neutral"]] == [ledger["neutral"].id]
    assert body["totals"] == {"affirms": 1, "denies": 2, "neutral": 1}
    assert [(c["left_claim_id"], c["right_claim_id"], c["basis"]) for c in body["conflicts"]] == [
        (ledger["ann"].id, ledger["bob"].id, "stance"),
        (ledger["ann"].id, ledger["cid"].id, "stance"),
    ]
    assert body["denies"][0] == client.get(f"/api/v1/claims/{ledger['bob'].id}").get_json()


def test_sides_totals_follow_every_way_a_stance_is_stored_changed_or_deleted(client, keys):
    """The kept totals equal a count of the topic's stances after each kind of write."""
    from factories import claim_data

    make_topic(slug="grain", title="Is grain leaving?")
    make_topic(slug="fuel", title="Is fuel short?")
    reviewer, admin = keys["reviewer"], keys["admin"]

    def counted():
        return {
            slug: {
                stance: ClaimTopic.select()
                .join(Topic)
                .where((Topic.slug == slug) & (ClaimTopic.stance == stance))
                .count()
                for stance in ("affirms", "denies", "neutral")
            }
            for slug in ("grain", "fuel")
        }

    def shown():
        return {slug: client.get(f"/api/v1/topics/{slug}/sides").get_json()["totals"] for slug in ("grain", "fuel")}

    both = [{"slug": "grain", "stance": "affirms"}, {"slug": "fuel", "stance": "denies"}]
    first = client.post("/api/v1/claims", json=claim_data(topics=both), headers=reviewer)
    neutral = claim_data(topics=[{"slug": "grain", "stance": "neutral"}])
    batch = [claim_data(topics=[{"slug": "fuel", "stance": "affirms"}]) for _ in range(3)]
    assert first.status_code == 201, first.get_json()
    assert client.post("/api/v1/claims", json=neutral, headers=reviewer).status_code == 201
    assert client.post("/api/v1/claims/batch", json=batch, headers=reviewer).status_code == 201
    first = first.get_json()
    assert (
        shown()
        == counted()
        == {
            "grain": {"affirms": 1, "denies": 0, "neutral": 1},
            "fuel": {"affirms": 3, "denies": 1, "neutral": 0},
        }
    )

    flipped = [{"slug": "grain", "stance": "denies"}]
    etag = client.get(f"/api/v1/claims/{first['id']}").headers["ETag"]
    patched = client.patch(
        f"/api/v1/claims/{first['id']}", json={"topics": flipped}, headers={**reviewer, "If-Match": etag}
    )
    assert patched.status_code == 200
    assert (
        shown()
        == counted()
        == {
            "grain": {"affirms": 0, "denies": 1, "neutral": 1},
            "fuel": {"affirms": 3, "denies": 0, "neutral": 0},
        }
    )

    etag = patched.headers["ETag"]
    assert client.delete(f"/api/v1/claims/{first['id']}", headers={**admin, "If-Match": etag}).status_code == 204
    assert (
        shown()
        == counted()
        == {
            "grain": {"affirms": 0, "denies": 0, "neutral": 1},
            "fuel": {"affirms": 3, "denies": 0, "neutral": 0},
        }
    )


def test_sides_list_the_earliest_claims_up_to_the_limit_and_count_them_all(client, ledger):
    body = client.get("/api/v1/topics/ammunition/sides?limit=1").get_json()

    assert [c["id"] for c in body["denies"]] == [ledger["bob"].id]
    assert body["totals"]["denies"] == 2
    assert [(c["left_claim_id"], c["right_claim_id"]) for c in body["conflicts"]] == [
        (ledger["ann"].id, ledger["bob"].id)
    ]


def count_queries(monkeypatch):
    """Count the SQL statements the bound database runs from now on."""
    database = db.database.obj
    counted = []
    execute = database.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        counted.append(sql)
        return execute(sql, params, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", counting)
    return counted


@pytest.mark.parametrize("path", ["/api/v1/conflicts", "/api/v1/topics/ammunition/sides"])
def test_a_page_costs_the_same_queries_for_few_and_many_conflicts(client, monkeypatch, path):
    make_topic()
    make_claim(topics=stance("ammunition", "affirms"))
    make_claim(topics=stance("ammunition", "denies"))
    counted = count_queries(monkeypatch)
    assert client.get(path).status_code == 200
    few = len(counted)
    for _ in range(5):
        make_claim(topics=stance("ammunition", "denies"), speaker={"name": "Another Speaker"})
    assert Conflict.select().count() == 6
    counted.clear()

    assert client.get(path).status_code == 200

    assert len(counted) == few
