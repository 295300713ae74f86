"""POST/GET/PATCH/DELETE /api/v1/claims: status, whole bodies, headers, and nothing stored on failure."""

import pytest
from checks import TIMESTAMP
from checks import TwoWriters
from checks import assert_problem
from checks import row_counts
from factories import claim_data
from factories import make_claim
from factories import make_topic

from service.ledger import speakers
from service.schemas.speakers import SpeakerInput
from service.storage.models import Event

AMMO = "russian-ammunition-shortage"


def _full_claim_body():
    return {
        "text": "Ukrainian forces sensed no ammunition hunger on the Russian side.",
        "quote": "ammunition hunger",
        "speaker": {
            "name": "Levko Stek",
            "description": "Ukrainian border guard at Bakhmut",
            "affiliation": "State Border Guard Service of Ukraine",
            "kind": "person",
            "aliases": ["Lev Stek"],
        },
        "source": {
            "url": "https://news.example/bakhmut",
            "publisher": "Example Wire",
            "title": "Bakhmut holds",
            "published_on": "2023-04-07",
            "kind": "article",
        },
        "appearances": [
            {"url": "https://video.example/stek", "publisher": "Example Video", "kind": "video"},
            {"url": "https://news.example/bakhmut"},
        ],
        "claimed_on": "2023-04-07T10:30:00+02:00",
        "language": "en-GB",
        "topics": [{"slug": AMMO, "stance": "denies"}],
    }


EXPECTED_CLAIM = {
    "id": 1,
    "text": "Ukrainian forces sensed no ammunition hunger on the Russian side.",
    "quote": "ammunition hunger",
    "speaker": {
        "id": 1,
        "name": "Levko Stek",
        "description": "Ukrainian border guard at Bakhmut",
        "affiliation": "State Border Guard Service of Ukraine",
        "kind": "person",
        "wikidata_id": None,
    },
    "source": {
        "id": 1,
        "url": "https://news.example/bakhmut",
        "publisher": "Example Wire",
        "title": "Bakhmut holds",
        "published_on": "2023-04-07",
        "kind": "article",
    },
    "appearances": [
        {
            "id": 2,
            "url": "https://video.example/stek",
            "publisher": "Example Video",
            "title": None,
            "published_on": None,
            "kind": "video",
        }
    ],
    "claimed_on": "2023-04-07T08:30:00Z",
    "language": "en-gb",
    "topics": [{"slug": AMMO, "title": "Are Russian forces short of ammunition?", "stance": "denies"}],
    "status": "unreviewed",
    "review_summary": {"supported": 0, "contested": 0},
    "version": 1,
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
    "external_id": None,
}


@pytest.fixture
def ammo_topic(app):
    return make_topic(AMMO, "Are Russian forces short of ammunition?")


def test_create_claim_embeds_speaker_sources_and_topics(client, keys, ammo_topic):
    response = client.post("/api/v1/claims", json=_full_claim_body(), headers=keys["reviewer"])

    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"] == "/api/v1/claims/1"
    assert response.headers["ETag"] == '"claim-1-1"'
    body = response.get_json()
    assert (body.pop("possible_duplicates"), body.pop("similar_speakers")) == ([], [])
    assert body == EXPECTED_CLAIM
    fetched = client.get("/api/v1/claims/1")
    assert fetched.get_json() == body


def test_create_claim_records_events_in_its_transaction(client, keys, ammo_topic):
    response = client.post("/api/v1/claims", json=_full_claim_body(), headers=keys["reviewer"])

    written = Event.select().where(Event.actor == "reviewer").order_by(Event.id)
    events = [(event.type, event.object_id, event.actor) for event in written]
    assert events == [
        ("speaker.created", 1, "reviewer"),
        ("source.created", 1, "reviewer"),
        ("source.created", 2, "reviewer"),
        ("claim.created", 1, "reviewer"),
    ]
    created = {k: v for k, v in response.get_json().items() if k not in ("possible_duplicates", "similar_speakers")}
    assert Event.get(Event.type == "claim.created").data == created
    assert client.get("/api/v1/speakers/1").get_json()["aliases"] == ["Lev Stek"]


def test_create_claim_date_only_and_defaults(client, keys):
    body = {
        "text": "Russian troops are concentrating on offensives toward Lyman.",
        "speaker": {"name": "General Staff"},
        "source": {"url": "https://t.example/1", "publisher": "Example"},
        "claimed_on": "2023-04-06",
    }
    response = client.post("/api/v1/claims", json=body, headers=keys["reviewer"])

    assert response.status_code == 201
    claim = response.get_json()
    assert claim["claimed_on"] == "2023-04-06"
    assert claim["language"] == "en"
    assert claim["quote"] is None
    assert claim["appearances"] == []
    assert claim["topics"] == []
    assert claim["speaker"] == {
        "id": 1,
        "name": "General Staff",
        "description": None,
        "affiliation": None,
        "kind": "person",
        "wikidata_id": None,
    }
    assert claim["source"]["kind"] == "article"


@pytest.mark.parametrize(
    "given",
    ["Yevgeny Prigozhin", "yevgeny prigozhin", "  YEVGENY   Prigozhin ", "Evgeny Prigozhin", "evgeny\tPRIGOZHIN"],
)
def test_inline_speaker_matches_name_or_alias(client, keys, given):
    speakers.create_speaker(SpeakerInput().load({"name": "Yevgeny Prigozhin", "aliases": ["Evgeny Prigozhin"]}), "t")

    response = client.post(
        "/api/v1/claims", json=claim_data(speaker={"name": given, "kind": "organization"}), headers=keys["reviewer"]
    )

    assert response.status_code == 201
    assert response.get_json()["speaker"]["id"] == 1
    assert response.get_json()["speaker"]["name"] == "Yevgeny Prigozhin"
    assert response.get_json()["speaker"]["kind"] == "person"
    assert row_counts()["speaker"] == 1


def test_speaker_by_id_and_source_by_url_and_id(client, keys):
    first = make_claim(speaker={"name": "Levko Stek"}, source={"url": "https://news.example/a", "publisher": "A"})

    by_url = client.post(
        "/api/v1/claims",
        json=claim_data(speaker={"id": first.speaker_id}, source={"url": "https://news.example/a"}),
        headers=keys["reviewer"],
    )
    by_id = client.post(
        "/api/v1/claims",
        json=claim_data(speaker={"id": first.speaker_id}, source={"id": first.source_id}),
        headers=keys["reviewer"],
    )

    for response in (by_url, by_id):
        assert response.status_code == 201
        assert response.get_json()["speaker"]["id"] == first.speaker_id
        assert response.get_json()["source"] == {
            "id": first.source_id,
            "url": "https://news.example/a",
            "publisher": "A",
            "title": None,
            "published_on": None,
            "kind": "article",
        }
    assert row_counts()["speaker"] == 1
    assert row_counts()["source"] == 1
    assert row_counts()["claim"] == 3


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"topics": [{"slug": "no-such-topic", "stance": "affirms"}]}, ["topics"]),
        ({"topics": [{"slug": AMMO, "stance": "affirms"}, {"slug": "nope", "stance": "denies"}]}, ["topics"]),
        ({"topics": [{"slug": AMMO, "stance": "maybe"}]}, ["topics.0.stance"]),
        ({"topics": [{"slug": AMMO, "stance": "affirms"}, {"slug": AMMO, "stance": "denies"}]}, ["topics"]),
        ({"speaker": None}, ["speaker"]),
        ({"speaker": {"id": 99}}, ["speaker.id"]),
        ({"speaker": {"id": 1, "name": "Both"}}, ["speaker"]),
        ({"speaker": {}}, ["speaker"]),
        ({"speaker": {"name": ""}}, ["speaker.name"]),
        ({"speaker": {"name": "New", "kind": "robot"}}, ["speaker.kind"]),
        ({"speaker": {"name": "New", "wikidata_id": "X1"}}, ["speaker.wikidata_id"]),
        ({"source": {"id": 99}}, ["source.id"]),
        ({"source": {"url": "https://new.example/x"}}, ["source.publisher"]),
        ({"source": {"url": "ftp://new.example/x", "publisher": "P"}}, ["source.url"]),
        ({"source": {"url": "javascript:alert(1)", "publisher": "P"}}, ["source.url"]),
        ({"appearances": [{"url": "https://new.example/y"}]}, ["appearances.0.publisher"]),
        ({"text": ""}, ["text"]),
        ({"text": "x" * 5001}, ["text"]),
        ({"text": 5}, ["text"]),
        ({"claimed_on": "yesterday"}, ["claimed_on"]),
        ({"claimed_on": "2023-02-30"}, ["claimed_on"]),
        ({"claimed_on": "0999-01-01"}, ["claimed_on"]),
        ({"language": "english please"}, ["language"]),
        ({"colour": "red"}, ["colour"]),
    ],
)
def test_create_claim_bad_input_is_422_naming_the_field_and_stores_nothing(client, keys, ammo_topic, changes, fields):
    make_claim(speaker={"name": "Existing"})
    before = row_counts()

    response = client.post("/api/v1/claims", json=claim_data(**changes), headers=keys["reviewer"])

    body = assert_problem(response, 422, fields)
    assert body["type"] == "/problems/validation-error"
    assert body["title"] == "Validation failed"
    assert row_counts() == before


@pytest.mark.parametrize("missing", ["speaker", "source", "text", "claimed_on"])
def test_create_claim_without_a_required_field_is_422(client, keys, missing):
    body = claim_data(speaker={"name": "New Speaker"})
    del body[missing]
    before = row_counts()

    response = client.post("/api/v1/claims", json=body, headers=keys["reviewer"])

    problem = assert_problem(response, 422, [missing])
    assert problem["errors"][missing] == ["Missing data for required field."]
    assert missing in problem["detail"]
    assert row_counts() == before


def test_unknown_topic_after_inline_speaker_and_source_rolls_back_everything(client, keys):
    before = row_counts()
    body = claim_data(
        speaker={"name": "Brand New Speaker"},
        source={"url": "https://brand.example/new", "publisher": "New"},
        topics=[{"slug": "unknown-topic", "stance": "denies"}],
    )

    response = client.post("/api/v1/claims", json=body, headers=keys["reviewer"])

    problem = assert_problem(response, 422, ["topics"])
    assert problem["errors"]["topics"] == ["Unknown topic slug 'unknown-topic'."]
    assert "unknown-topic" in problem["detail"]
    assert row_counts() == before


def test_bad_appearance_after_new_speaker_and_source_rolls_back_everything(client, keys):
    before = row_counts()
    body = claim_data(
        speaker={"name": "Another New Speaker"},
        appearances=[{"url": "https://ok.example/1", "publisher": "OK"}, {"id": 12345}],
    )

    response = client.post("/api/v1/claims", json=body, headers=keys["reviewer"])

    assert_problem(response, 422, ["appearances.1.id"])
    assert row_counts() == before


@pytest.mark.parametrize(
    ("key", "status"),
    [(None, 401), ("reader", 403), ("bogus", 401)],
)
def test_create_claim_needs_a_reviewer_key(client, keys, key, status):
    headers = {**keys, "bogus": {"Authorization": "Bearer clk_nope_nope"}, None: {}}[key]
    before = row_counts()

    response = client.post("/api/v1/claims", json=claim_data(), headers=headers)

    assert_problem(response, status)
    assert row_counts() == before
    if status == 401:
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="claimledger"'


def test_admin_may_create_claims(client, keys):
    response = client.post("/api/v1/claims", json=claim_data(), headers=keys["admin"])

    assert response.status_code == 201


def test_get_claim_etag_and_304(client):
    claim = make_claim()

    response = client.get(f"/api/v1/claims/{claim.id}")
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"claim-{claim.id}-1"'
    assert response.get_json()["id"] == claim.id

    again = client.get(f"/api/v1/claims/{claim.id}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""

    other = client.get(f"/api/v1/claims/{claim.id}", headers={"If-None-Match": '"claim-1-0"'})
    assert other.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/claims/999", "/api/v1/claims/0", "/api/v1/claims/99999999999999999999999"])
def test_get_missing_claim_is_404(client, path):
    assert_problem(client.get(path), 404)


def test_patch_claim_with_if_match_bumps_version(client, keys, ammo_topic):
    claim = make_claim(text="Original text", topics=[{"slug": AMMO, "stance": "affirms"}])
    etag = client.get(f"/api/v1/claims/{claim.id}").headers["ETag"]

    response = client.patch(
        f"/api/v1/claims/{claim.id}",
        json={
            "text": "Edited text",
            "quote": "a quote",
            "claimed_on": "2023-04-08",
            "topics": [{"slug": AMMO, "stance": "denies"}],
            "speaker": {"name": "Someone Else"},
        },
        headers={**keys["reviewer"], "If-Match": etag},
    )

    assert response.status_code == 200, response.get_json()
    assert response.headers["ETag"] == f'"claim-{claim.id}-2"'
    assert response.headers["ETag"] != etag
    body = response.get_json()
    assert body["version"] == 2
    assert body["text"] == "Edited text"
    assert body["quote"] == "a quote"
    assert body["claimed_on"] == "2023-04-08"
    assert body["topics"] == [{"slug": AMMO, "title": "Are Russian forces short of ammunition?", "stance": "denies"}]
    assert body["speaker"]["name"] == "Someone Else"
    assert body["updated_at"] >= body["created_at"]
    assert client.get(f"/api/v1/claims/{claim.id}").get_json() == body
    assert Event.select().where(Event.type == "claim.updated").count() == 1
    assert Event.get(Event.type == "claim.updated").actor == "reviewer"


def test_patch_claimed_on_moves_the_topic_listing_date(client, keys, ammo_topic):
    claim = make_claim(claimed_on="2023-01-01", topics=[{"slug": AMMO, "stance": "affirms"}])
    make_claim(claimed_on="2023-02-01", topics=[{"slug": AMMO, "stance": "denies"}])

    client.patch(
        f"/api/v1/claims/{claim.id}",
        json={"claimed_on": "2023-03-01"},
        headers={**keys["reviewer"], "If-Match": f'"claim-{claim.id}-1"'},
    )

    listed = client.get(f"/api/v1/claims?topic={AMMO}&claimed_from=2023-02-15").get_json()["items"]
    assert [item["id"] for item in listed] == [claim.id]


def test_patch_with_star_if_match(client, keys):
    claim = make_claim()

    response = client.patch(
        f"/api/v1/claims/{claim.id}", json={"language": "uk"}, headers={**keys["reviewer"], "If-Match": "*"}
    )

    assert response.status_code == 200
    assert response.get_json()["language"] == "uk"
    assert response.get_json()["version"] == 2


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        (None, 428),
        ('"claim-1-0"', 412),
        ('"claim-1-2"', 412),
        ('"claim-2-1"', 412),
        ('"speaker-1-1"', 412),
        ("garbage", 412),
    ],
)
def test_patch_without_a_current_if_match_changes_nothing(client, keys, if_match, status):
    claim = make_claim()
    make_claim()
    before_body = client.get(f"/api/v1/claims/{claim.id}").get_json()
    before = row_counts()
    headers = dict(keys["reviewer"])
    if if_match:
        headers["If-Match"] = if_match

    response = client.patch(f"/api/v1/claims/{claim.id}", json={"text": "Sneaky edit"}, headers=headers)

    assert_problem(response, status)
    assert client.get(f"/api/v1/claims/{claim.id}").get_json() == before_body
    assert row_counts() == before


def test_second_writer_with_the_same_etag_gets_412(client, keys):
    claim = make_claim()
    etag = client.get(f"/api/v1/claims/{claim.id}").headers["ETag"]
    headers = {**keys["reviewer"], "If-Match": etag}

    first = client.patch(f"/api/v1/claims/{claim.id}", json={"text": "First writer"}, headers=headers)
    second = client.patch(f"/api/v1/claims/{claim.id}", json={"text": "Second writer"}, headers=headers)

    assert first.status_code == 200
    assert assert_problem(second, 412)["type"] == "/problems/precondition-failed"
    assert client.get(f"/api/v1/claims/{claim.id}").get_json()["text"] == "First writer"


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"text": None}, ["text"]),
        ({"topics": [{"slug": "no-such-topic", "stance": "affirms"}]}, ["topics"]),
        ({"speaker": {"id": 999}}, ["speaker.id"]),
        ({"source": {"url": "https://new.example/p"}}, ["source.publisher"]),
        ({"id": 5}, ["id"]),
        ({"version": 7}, ["version"]),
        ({"status": "supported"}, ["status"]),
    ],
)
def test_bad_patch_is_422_and_changes_nothing(client, keys, ammo_topic, changes, fields):
    claim = make_claim(topics=[{"slug": AMMO, "stance": "affirms"}])
    before_body = client.get(f"/api/v1/claims/{claim.id}").get_json()
    before = row_counts()

    response = client.patch(
        f"/api/v1/claims/{claim.id}", json=changes, headers={**keys["reviewer"], "If-Match": f'"claim-{claim.id}-1"'}
    )

    assert_problem(response, 422, fields)
    assert client.get(f"/api/v1/claims/{claim.id}").get_json() == before_body
    assert row_counts() == before


def test_patch_missing_claim_is_404(client, keys):
    response = client.patch("/api/v1/claims/77", json={"text": "x"}, headers={**keys["reviewer"], "If-Match": "*"})

    assert_problem(response, 404)


def test_delete_claim_as_admin_with_if_match(client, keys, ammo_topic):
    claim = make_claim(
        topics=[{"slug": AMMO, "stance": "affirms"}],
        appearances=[{"url": "https://x.example/1", "publisher": "X"}],
    )
    before = row_counts()
    etag = client.get(f"/api/v1/claims/{claim.id}").headers["ETag"]

    response = client.delete(f"/api/v1/claims/{claim.id}", headers={**keys["admin"], "If-Match": etag})

    assert response.status_code == 204
    assert response.get_data() == b""
    assert_problem(client.get(f"/api/v1/claims/{claim.id}"), 404)
    after = row_counts()
    assert after["claim"] == before["claim"] - 1
    assert after["claim_topic"] == before["claim_topic"] - 1
    assert after["claim_appearance"] == before["claim_appearance"] - 1
    assert after["speaker"] == before["speaker"]
    assert after["source"] == before["source"]
    deleted = Event.get(Event.type == "claim.deleted")
    assert (deleted.object_id, deleted.actor, deleted.data["text"]) == (claim.id, "admin", claim.text)
    assert client.get("/api/v1/claims").get_json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("key", "if_match", "status"),
    [
        ("reviewer", '"claim-1-1"', 403),
        ("reader", '"claim-1-1"', 403),
        (None, '"claim-1-1"', 401),
        ("admin", None, 428),
        ("admin", '"claim-1-9"', 412),
    ],
)
def test_delete_refused_keeps_the_claim(client, keys, key, if_match, status):
    claim = make_claim()
    before = row_counts()
    headers = dict(keys[key]) if key else {}
    if if_match:
        headers["If-Match"] = if_match

    response = client.delete(f"/api/v1/claims/{claim.id}", headers=headers)

    assert_problem(response, status)
    assert row_counts() == before
    assert client.get(f"/api/v1/claims/{claim.id}").status_code == 200


def test_delete_missing_claim_is_404(client, keys):
    assert_problem(client.delete("/api/v1/claims/5", headers={**keys["admin"], "If-Match": "*"}), 404)


@pytest.mark.parametrize("inline", ["speaker", "source"])
def test_two_claims_creating_the_same_speaker_or_source_at_once_both_succeed(app, monkeypatch, inline):
    """The first request pauses between its look-up and its insert while the second stores the same one."""
    from service.ledger import claims
    from service.ledger import sources
    from service.schemas.claims import ClaimInput

    writers = TwoWriters()
    module = speakers if inline == "speaker" else sources
    insert = getattr(module, f"_insert_{inline}")

    def let_the_other_request_in_then_insert(*args):
        writers.pause()
        return insert(*args)

    monkeypatch.setattr(module, f"_insert_{inline}", let_the_other_request_in_then_insert)
    source = {"url": "https://racing.example/one", "publisher": "Wire"}

    outcomes = writers.run(
        lambda name: claims.create_claim(
            ClaimInput().load(claim_data(speaker={"name": "Racing Speaker"}, source=source)), name
        )
    )

    assert sorted(outcomes) == ["first", "second"]
    assert outcomes["first"].speaker_id == outcomes["second"].speaker_id
    assert outcomes["first"].source_id == outcomes["second"].source_id
    assert Event.select().where(Event.type == f"{inline}.created").count() == 1
