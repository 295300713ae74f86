"""Claim matching across languages, conflicts found by meaning, topic suggestions, speakers across scripts.

The embedder is run in the test's own thread (embedder.catch_up), as `claimledger embed --follow` runs it in
the background; the model loads once per test session.
"""

import threading

import pytest
from factories import claim_data
from factories import make_claim
from seeded import load_seeds

from service.ledger import embedder
from service.ledger import keys as api_keys
from service.ledger import matching
from service.ledger import ratings
from service.nlp import vectors
from service.storage.models import ClaimVector
from service.storage.models import Conflict
from service.storage.models import Event
from service.storage.models import Speaker
from service.storage.models import SpeakerAlias

AMMUNITION = "has often complained of a lack of ammunition"


@pytest.fixture(scope="module")
def model():
    """Load the sentence model once for the module's tests."""
    vectors.encode(["warm up"])


@pytest.fixture
def seeded(app, model):
    matching.reset_index()
    load_seeds()
    yield
    matching.reset_index()


def _match(client, keys, text, **extra):
    response = client.post("/api/v1/claims/match", json={"text": text, **extra}, headers=keys["reviewer"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def _seeded_ammunition_claim(client):
    items = client.get("/api/v1/claims?q=ammunition complained&limit=5").get_json()["items"]
    (claim,) = [item for item in items if AMMUNITION in item["text"]]
    return claim


def test_a_ukrainian_rendering_of_prigozhins_claim_finds_it_first(client, keys, seeded):
    assert embedder.catch_up() == 17
    target = _seeded_ammunition_claim(client)
    items = _match(client, keys, "Пригожин неодноразово скаржився на брак боєприпасів для своїх бійців у Бахмуті.")
    assert items[0]["claim"]["id"] == target["id"]
    assert items[0]["score"] > items[1]["score"]
    assert items[0]["claim"]["status"] == "unreviewed"
    assert {"basis": "stance", "status": "suggested"}.items() <= items[0]["conflicts"][0].items()
    assert items[0]["fact_checks"] == []
    by_query = client.get("/api/v1/claims/match?text=Пригожин скаржився на нестачу снарядів у Бахмуті&limit=2")
    assert by_query.status_code == 200
    assert by_query.get_json()["items"][0]["claim"]["id"] == target["id"]


def test_matching_answers_before_any_vector_is_stored(client, keys, seeded):
    assert ClaimVector.select().count() == 0
    target = _seeded_ammunition_claim(client)
    items = _match(
        client, keys, "Prigozhin keeps complaining that his Wagner fighters lack ammunition in Bakhmut", limit=3
    )
    assert items[0]["claim"]["id"] == target["id"]
    assert ClaimVector.select().count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "text"), ({"text": ""}, "text"), ({"text": "x", "limit": 0}, "limit"), ({"text": "x", "extra": 1}, "extra")],
)
def test_bad_match_bodies_are_422(client, keys, body, field):
    response = client.post("/api/v1/claims/match", json=body, headers=keys["reviewer"])
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_a_new_claim_gets_its_vector_from_the_embedder_and_an_edit_replaces_it(client, keys, seeded):
    embedder.catch_up()
    response = client.post(
        "/api/v1/claims", json=claim_data(text="Вагнер отримав снаряди вчасно."), headers=keys["reviewer"]
    )
    claim_id = response.get_json()["id"]
    assert ClaimVector.get_or_none(ClaimVector.claim == claim_id) is None
    changed, _ = matching.changed_claims(0)
    assert claim_id in changed
    assert matching.embed_claims(changed) == [claim_id]
    first = ClaimVector.get(ClaimVector.claim == claim_id).id
    etag = response.headers["ETag"]
    edited = client.patch(
        f"/api/v1/claims/{claim_id}",
        json={"text": "Вагнер не отримав снарядів."},
        headers={**keys["reviewer"], "If-Match": etag},
    )
    assert edited.status_code == 200
    assert ClaimVector.get_or_none(ClaimVector.claim == claim_id) is None
    assert embedder.catch_up() == 1
    assert ClaimVector.get(ClaimVector.claim == claim_id).id > first


def test_a_server_worker_builds_its_index_from_the_stored_vectors_before_the_first_match(client, keys, seeded):
    embedder.catch_up()
    stored = ClaimVector.select().where(ClaimVector.model == vectors.MODEL_NAME).count()
    matching.reset_index()

    # As gunicorn's post_worker_init runs it: in a thread of its own, with a connection of its own.
    warming = threading.Thread(target=matching.warm_up)
    warming.start()
    warming.join(timeout=60)

    assert stored > 0
    assert len(matching.current_index()) == stored


def test_a_claim_contradicting_a_stored_one_gets_a_suggested_conflict_with_a_reason(client, keys, seeded):
    embedder.catch_up()
    target = _seeded_ammunition_claim(client)
    body = claim_data(
        text="Пригожин заявив, що у «Вагнера» в Бахмуті немає жодної нестачі боєприпасів.",
        speaker={"name": "Євген Пригожин"},
    )
    created = client.post("/api/v1/claims", json=body, headers=keys["reviewer"]).get_json()
    assert created["language"] == "uk"
    embedder.catch_up()
    conflicts = client.get(f"/api/v1/claims/{created['id']}/conflicts").get_json()["items"]
    suggested = [c for c in conflicts if c["basis"] == "similarity"]
    assert target["id"] in {suggested[0]["left"]["id"], suggested[0]["right"]["id"]}
    assert suggested[0]["status"] == "suggested"
    assert suggested[0]["note"] and suggested[0]["score"] > 0
    event = Event.select().where((Event.type == "conflict.suggested") & (Event.object_id == suggested[0]["id"])).get()
    assert event.actor == "embedder"

    dismissed = client.post(f"/api/v1/conflicts/{suggested[0]['id']}/dismiss", json={}, headers=keys["reviewer"])
    assert dismissed.status_code == 200
    from service.ledger import semantic

    assert semantic.suggest_conflicts(created["id"]) == []
    assert Conflict.get_by_id(suggested[0]["id"]).status == "dismissed"
    pair = {created["id"], target["id"]}
    rows = [c for c in Conflict.select() if {c.left_claim_id, c.right_claim_id} == pair and c.basis == "similarity"]
    assert len(rows) == 1


def test_a_contradiction_months_apart_is_not_suggested_and_a_date_edit_drops_the_suggestion(client, keys, seeded):
    embedder.catch_up()
    target = _seeded_ammunition_claim(client)
    body = claim_data(text="Пригожин заявив, що у «Вагнера» в Бахмуті немає жодної нестачі боєприпасів.")
    response = client.post("/api/v1/claims", json=body, headers=keys["reviewer"])
    created = response.get_json()
    embedder.catch_up()
    pair = {created["id"], target["id"]}

    def suggested():
        return [c for c in Conflict.select() if {c.left_claim_id, c.right_claim_id} == pair]

    assert [(c.basis, c.created_by) for c in suggested()] == [("similarity", "embedder")]
    mark = matching.last_event_id()
    edited = client.patch(
        f"/api/v1/claims/{created['id']}",
        json={"claimed_on": "2023-09-01"},
        headers={**keys["reviewer"], "If-Match": response.headers["ETag"]},
    )
    assert edited.status_code == 200
    assert embedder.follow_changes(mark)[:2] == ([created["id"]], [])
    assert suggested() == []
    assert Event.select().where(Event.type == "conflict.removed").count() == 1


def test_topic_suggestions_come_from_placed_neighbours(client, keys, seeded):
    embedder.catch_up()
    body = claim_data(text="Пригожин знову поскаржився, що його бійцям у Бахмуті бракує боєприпасів.")
    created = client.post("/api/v1/claims", json=body, headers=keys["reviewer"]).get_json()
    embedder.catch_up()
    response = client.get(f"/api/v1/claims/{created['id']}/suggestions")
    assert response.status_code == 200
    best = response.get_json()["topics"][0]
    assert (best["slug"], best["stance"]) == ("russian-ammunition-shortage", "affirms")
    etag = client.get(f"/api/v1/claims/{created['id']}").headers["ETag"]
    accepted = client.patch(
        f"/api/v1/claims/{created['id']}",
        json={"topics": [{"slug": best["slug"], "stance": best["stance"]}]},
        headers={**keys["reviewer"], "If-Match": etag},
    )
    assert accepted.status_code == 200
    conflicts = client.get(f"/api/v1/claims/{created['id']}/conflicts").get_json()["items"]
    assert any(c["basis"] == "stance" and c["topic"]["slug"] == best["slug"] for c in conflicts)


def test_a_cyrillic_spelling_is_suggested_as_the_seeded_speaker(client, keys, seeded):
    seeded_id = Speaker.get(Speaker.name == "Yevgeny Prigozhin").id
    body = claim_data(speaker={"name": "Евгений Пригожин"}, text="Пригожин заявил, что снарядов не хватает.")
    created = client.post("/api/v1/claims", json=body, headers=keys["reviewer"]).get_json()
    assert created["speaker"]["id"] != seeded_id
    assert created["similar_speakers"][0]["id"] == seeded_id
    similar = client.get(f"/api/v1/speakers/{created['speaker']['id']}/similar").get_json()["items"]
    assert [item["id"] for item in similar] == [seeded_id]


def test_merging_speakers_moves_claims_and_makes_the_name_an_alias(client, keys, seeded):
    seeded_id = Speaker.get(Speaker.name == "Yevgeny Prigozhin").id
    body = claim_data(speaker={"name": "Евгений Пригожин"}, text="Пригожин заявил, что снарядов не хватает.")
    created = client.post("/api/v1/claims", json=body, headers=keys["reviewer"]).get_json()
    merged_id = created["speaker"]["id"]
    refused = client.post(f"/api/v1/speakers/{merged_id}/merge", json={"into": seeded_id}, headers=keys["reviewer"])
    assert refused.status_code == 403
    response = client.post(f"/api/v1/speakers/{merged_id}/merge", json={"into": seeded_id}, headers=keys["admin"])
    assert response.status_code == 200, response.get_json()
    assert "Евгений Пригожин" in response.get_json()["aliases"]
    assert client.get(f"/api/v1/claims/{created['id']}").get_json()["speaker"]["id"] == seeded_id
    assert client.get(f"/api/v1/speakers/{merged_id}").status_code == 404
    assert SpeakerAlias.get(SpeakerAlias.alias == "Евгений Пригожин").speaker_id == seeded_id
    types = [e.type for e in Event.select().where(Event.type.in_(["speaker.merged", "speaker.deleted"]))]
    assert sorted(types) == ["speaker.deleted", "speaker.merged"]
    again = client.post(f"/api/v1/speakers/{merged_id}/merge", json={"into": seeded_id}, headers=keys["admin"])
    assert again.status_code == 404
    into_itself = client.post(f"/api/v1/speakers/{seeded_id}/merge", json={"into": seeded_id}, headers=keys["admin"])
    assert into_itself.status_code == 422


def test_a_match_shows_the_claims_published_fact_checks_and_never_its_drafts(client, keys, seeded):
    embedder.catch_up()
    ratings.ensure_default_scale()
    _, editor = api_keys.create_key("Eddie Editor", "editor", actor="test")
    target = _seeded_ammunition_claim(client)
    body = {
        "headline": "Was Wagner short of shells at Bakhmut?",
        "article_url": "https://www.paper.example/2023/04/10/wagner-shells",
        "authors": ["Olena Checker"],
        "rating": "mostly-false",
        "explanation": "Front-line reports show steady Russian artillery fire.",
        "language": "en",
        "claim_ids": [target["id"]],
    }
    drafted = client.post("/api/v1/fact-checks", json=body, headers=keys["reviewer"])
    assert drafted.status_code == 201
    text = "Prigozhin complained that his fighters in Bakhmut lacked ammunition."
    assert _match(client, keys, text)[0]["fact_checks"] == []

    published = client.post(
        f"/api/v1/fact-checks/{drafted.get_json()['id']}/publish",
        headers={"Authorization": f"Bearer {editor}", "If-Match": drafted.headers["ETag"]},
    )
    assert published.status_code == 200

    (item, *_) = _match(client, keys, text)
    assert item["claim"]["id"] == target["id"]
    assert [(f["headline"], f["rating"]["label"]) for f in item["fact_checks"]] == [
        ("Was Wagner short of shells at Bakhmut?", "Mostly false")
    ]


@pytest.mark.parametrize("path", ["/api/v1/claims/match", "/api/v1/claims/1/suggestions"])
def test_matching_without_the_sentence_model_is_a_503_problem(client, keys, app, monkeypatch, path):
    make_claim(text="Wagner fighters lack shells.")
    matching.reset_index()

    def unavailable(texts):
        raise vectors.ModelUnavailable("no weights here")

    monkeypatch.setattr(vectors, "encode", unavailable)
    if path.endswith("match"):
        response = client.post(path, json={"text": "Шрапнелі бракує"}, headers=keys["reviewer"])
    else:
        response = client.get(path, headers=keys["reviewer"])

    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert response.get_json()["detail"] == (
        "Matching by meaning is unavailable on this server: its sentence model could not be loaded."
    )
