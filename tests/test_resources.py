"""Speakers, sources and topics over HTTP: create, get, list, patch, duplicates, and speakers' records."""

import pytest
from checks import TIMESTAMP
from checks import assert_problem
from checks import row_counts
from factories import make_claim
from factories import make_topic

from service.storage.models import Claim
from service.storage.models import Event

PRIGOZHIN = {
    "name": "  Yevgeny   Prigozhin ",
    "description": "Leader of the Wagner private military company",
    "affiliation": "Wagner Group",
    "kind": "person",
    "wikidata_id": "Q4533711",
    "aliases": ["Evgeny Prigozhin", "evgeny  PRIGOZHIN", "Yevgeny Prigozhin"],
}
EMPTY_RECORD = {"unreviewed": 0, "supported": 0, "contested": 0}


def _create(client, keys, kind, body):
    response = client.post(f"/api/v1/{kind}", json=body, headers=keys["reviewer"])
    assert response.status_code == 201, response.get_json()
    return response


def test_create_speaker(client, keys):
    response = _create(client, keys, "speakers", PRIGOZHIN)

    assert response.headers["Location"] == "/api/v1/speakers/1"
    assert response.headers["ETag"] == '"speaker-1-1"'
    assert response.get_json() == {
        "id": 1,
        "name": "Yevgeny Prigozhin",
        "description": "Leader of the Wagner private military company",
        "affiliation": "Wagner Group",
        "kind": "person",
        "wikidata_id": "Q4533711",
        "aliases": ["Evgeny Prigozhin"],
        "record": EMPTY_RECORD,
        "version": 1,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
    }
    assert client.get("/api/v1/speakers/1").get_json() == response.get_json()
    event = Event.get(Event.type == "speaker.created")
    assert (event.object_id, event.actor, event.data) == (1, "reviewer", response.get_json())


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "yevgeny prigozhin"}, ["name"]),
        ({"name": "EVGENY   Prigozhin"}, ["name"]),
        ({"name": "Someone", "aliases": ["Yevgeny Prigozhin"]}, ["aliases"]),
        ({"name": "Someone", "aliases": ["evgeny prigozhin"]}, ["aliases"]),
        ({"name": ""}, ["name"]),
        ({"name": "x" * 201}, ["name"]),
        ({"name": "Nul\x00Name"}, ["name"]),
        ({"name": "Someone", "kind": "alien"}, ["kind"]),
        ({"name": "Someone", "wikidata_id": "4533711"}, ["wikidata_id"]),
        ({"name": "Someone", "aliases": "not a list"}, ["aliases"]),
        ({"name": "Someone", "aliases": [""]}, ["aliases.0"]),
        ({"name": "Someone", "twitter": "@someone"}, ["twitter"]),
        ({}, ["name"]),
    ],
)
def test_bad_or_duplicate_speaker_is_422_and_stores_nothing(client, keys, body, fields):
    _create(client, keys, "speakers", PRIGOZHIN)
    before = row_counts()

    response = client.post("/api/v1/speakers", json=body, headers=keys["reviewer"])

    assert_problem(response, 422, fields)
    assert row_counts() == before


def test_speaker_record_counts_claims_by_status(client, keys):
    _create(client, keys, "speakers", PRIGOZHIN)
    claims = [make_claim(speaker={"id": 1}) for _ in range(4)]
    make_claim(speaker={"name": "Someone Else"})
    Claim.update(status="supported").where(Claim.id.in_([claims[0].id, claims[1].id])).execute()
    Claim.update(status="contested").where(Claim.id == claims[2].id).execute()

    record = {"unreviewed": 1, "supported": 2, "contested": 1}
    assert client.get("/api/v1/speakers/1").get_json()["record"] == record
    listed = client.get("/api/v1/speakers").get_json()["items"]
    assert [(item["name"], item["record"]) for item in listed] == [
        ("Yevgeny Prigozhin", record),
        ("Someone Else", {"unreviewed": 1, "supported": 0, "contested": 0}),
    ]


def test_list_speakers_by_part_of_a_name_and_pages(client, keys):
    for name in ("Andriy Yermak", "Levko Stek", "Emmanuel Macron", "Xi Jinping", "Ursula von der Leyen"):
        _create(client, keys, "speakers", {"name": name})

    by_name = client.get("/api/v1/speakers?q=MAC").get_json()
    assert [item["name"] for item in by_name["items"]] == ["Emmanuel Macron"]
    assert client.get("/api/v1/speakers?q=%25").get_json()["items"] == []
    assert client.get("/api/v1/speakers?q=_").get_json()["items"] == []

    names, cursor = [], None
    while True:
        body = client.get("/api/v1/speakers?limit=2" + (f"&cursor={cursor}" if cursor else "")).get_json()
        names += [item["name"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert names == ["Andriy Yermak", "Levko Stek", "Emmanuel Macron", "Xi Jinping", "Ursula von der Leyen"]


def test_patch_speaker(client, keys):
    _create(client, keys, "speakers", PRIGOZHIN)
    claim = make_claim(speaker={"id": 1})

    response = client.patch(
        "/api/v1/speakers/1",
        json={"affiliation": "Wagner", "aliases": ["Prigozhin"], "name": "Yevgeny V. Prigozhin"},
        headers={**keys["reviewer"], "If-Match": '"speaker-1-1"'},
    )

    assert response.status_code == 200, response.get_json()
    assert response.headers["ETag"] == '"speaker-1-2"'
    body = response.get_json()
    assert (body["name"], body["affiliation"], body["aliases"], body["version"]) == (
        "Yevgeny V. Prigozhin",
        "Wagner",
        ["Prigozhin"],
        2,
    )
    assert client.get("/api/v1/speakers/1").get_json() == body
    assert [item["id"] for item in client.get("/api/v1/claims?speaker=prigozhin").get_json()["items"]] == [claim.id]
    assert client.get("/api/v1/claims?speaker=Evgeny Prigozhin").get_json()["items"] == []
    assert Event.get(Event.type == "speaker.updated").actor == "reviewer"


@pytest.mark.parametrize(
    ("body", "if_match", "status", "fields"),
    [
        ({"name": "Levko Stek"}, '"speaker-1-1"', 422, ["name"]),
        ({"aliases": ["levko stek"]}, '"speaker-1-1"', 422, ["aliases"]),
        ({"name": None}, '"speaker-1-1"', 422, ["name"]),
        ({"version": 3}, '"speaker-1-1"', 422, ["version"]),
        ({"affiliation": "x"}, None, 428, None),
        ({"affiliation": "x"}, '"speaker-1-7"', 412, None),
    ],
)
def test_refused_speaker_patch_changes_nothing(client, keys, body, if_match, status, fields):
    _create(client, keys, "speakers", PRIGOZHIN)
    _create(client, keys, "speakers", {"name": "Levko Stek"})
    before_body = client.get("/api/v1/speakers/1").get_json()
    before = row_counts()
    headers = {**keys["reviewer"], **({"If-Match": if_match} if if_match else {})}

    response = client.patch("/api/v1/speakers/1", json=body, headers=headers)

    assert_problem(response, status, fields)
    assert client.get("/api/v1/speakers/1").get_json() == before_body
    assert row_counts() == before


SOURCE = {
    "url": "https://kyivindependent.example/news/bakhmut",
    "publisher": "The Kyiv Independent",
    "title": "General Staff: Ukrainian forces repel more than 20 Russian attacks",
    "published_on": "2023-04-06",
    "kind": "social_post",
}


def test_create_get_list_and_patch_a_source(client, keys):
    response = _create(client, keys, "sources", SOURCE)

    assert response.headers["Location"] == "/api/v1/sources/1"
    assert response.headers["ETag"] == '"source-1-1"'
    expected = {"id": 1, **SOURCE, "version": 1, "created_at": TIMESTAMP, "updated_at": TIMESTAMP}
    assert response.get_json() == expected
    fetched = client.get("/api/v1/sources/1")
    assert (fetched.get_json(), fetched.headers["ETag"]) == (expected, '"source-1-1"')
    assert client.get("/api/v1/sources/1", headers={"If-None-Match": '"source-1-1"'}).status_code == 304

    _create(client, keys, "sources", {"url": "https://other.example/x", "publisher": "Other"})
    assert [item["id"] for item in client.get("/api/v1/sources?q=kyiv").get_json()["items"]] == [1]
    assert [item["id"] for item in client.get("/api/v1/sources?q=other.example").get_json()["items"]] == [2]
    first = client.get("/api/v1/sources?limit=1").get_json()
    second = client.get(f"/api/v1/sources?limit=1&cursor={first['next_cursor']}").get_json()
    assert [first["items"][0]["id"], second["items"][0]["id"], second["next_cursor"]] == [1, 2, None]

    patched = client.patch(
        "/api/v1/sources/1", json={"title": "New title"}, headers={**keys["reviewer"], "If-Match": '"source-1-1"'}
    )
    assert patched.status_code == 200
    assert patched.headers["ETag"] == '"source-1-2"'
    assert patched.get_json() == {**expected, "title": "New title", "version": 2}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({**SOURCE, "publisher": "Copy"}, ["url"]),
        ({"url": "not a url", "publisher": "P"}, ["url"]),
        ({"url": "ftp://files.example/a", "publisher": "P"}, ["url"]),
        ({"url": "https://a.example/" + "x" * 2000, "publisher": "P"}, ["url"]),
        ({"url": "https://a.example/1"}, ["publisher"]),
        ({"url": "https://a.example/1", "publisher": "P", "published_on": "April"}, ["published_on"]),
        ({"url": "https://a.example/1", "publisher": "P", "kind": "podcast"}, ["kind"]),
        ({"url": "https://a.example/1", "publisher": "P", "id": 5}, ["id"]),
    ],
)
def test_bad_or_duplicate_source_is_422_and_stores_nothing(client, keys, body, fields):
    _create(client, keys, "sources", SOURCE)
    before = row_counts()

    assert_problem(client.post("/api/v1/sources", json=body, headers=keys["reviewer"]), 422, fields)
    assert row_counts() == before


def test_source_url_taken_by_another_is_422_on_patch(client, keys):
    _create(client, keys, "sources", SOURCE)
    _create(client, keys, "sources", {"url": "https://other.example/x", "publisher": "Other"})
    before_body = client.get("/api/v1/sources/2").get_json()

    response = client.patch(
        "/api/v1/sources/2", json={"url": SOURCE["url"]}, headers={**keys["reviewer"], "If-Match": '"source-2-1"'}
    )

    assert_problem(response, 422, ["url"])
    assert client.get("/api/v1/sources/2").get_json() == before_body


TOPIC = {
    "slug": "russian-ammunition-shortage",
    "title": "Are Russian forces at Bakhmut short of ammunition?",
    "description": "Whether Russian and Wagner forces lack artillery ammunition.",
}


def test_create_and_get_a_topic_by_id_and_slug(client, keys):
    response = _create(client, keys, "topics", TOPIC)

    assert response.headers["Location"] == "/api/v1/topics/russian-ammunition-shortage"
    assert response.headers["ETag"] == '"topic-1-1"'
    expected = {"id": 1, **TOPIC, "version": 1, "created_at": TIMESTAMP, "updated_at": TIMESTAMP}
    assert response.get_json() == expected
    for ref in ("1", "russian-ammunition-shortage"):
        fetched = client.get(f"/api/v1/topics/{ref}")
        assert (fetched.status_code, fetched.get_json(), fetched.headers["ETag"]) == (200, expected, '"topic-1-1"')
    assert Event.get(Event.type == "topic.created").data == expected


@pytest.mark.parametrize("ref", ["2", "0", "no-such-topic", "Not A Slug", "%C2%B2", "a%00b", "99999999999999999999"])
def test_unknown_topic_is_404(client, keys, ref):
    _create(client, keys, "topics", TOPIC)

    assert_problem(client.get(f"/api/v1/topics/{ref}"), 404)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({**TOPIC, "title": "Another title"}, ["slug"]),
        ({"slug": "Not A Slug", "title": "T"}, ["slug"]),
        ({"slug": "trailing-", "title": "T"}, ["slug"]),
        ({"slug": "2023", "title": "T"}, ["slug"]),
        ({"slug": "x" * 101, "title": "T"}, ["slug"]),
        ({"slug": "ok-slug"}, ["title"]),
        ({"slug": "ok-slug", "title": "T", "stance": "affirms"}, ["stance"]),
    ],
)
def test_bad_or_duplicate_topic_is_422_and_stores_nothing(client, keys, body, fields):
    _create(client, keys, "topics", TOPIC)
    before = row_counts()

    assert_problem(client.post("/api/v1/topics", json=body, headers=keys["reviewer"]), 422, fields)
    assert row_counts() == before


@pytest.mark.parametrize("ref", ["1", "russian-ammunition-shortage"])
def test_patch_topic_by_id_or_slug(client, keys, ref):
    _create(client, keys, "topics", TOPIC)

    response = client.patch(
        f"/api/v1/topics/{ref}", json={"title": "Short of shells?"}, headers={**keys["reviewer"], "If-Match": "*"}
    )

    assert response.status_code == 200
    assert response.headers["ETag"] == '"topic-1-2"'
    assert response.get_json()["title"] == "Short of shells?"
    assert response.get_json()["version"] == 2
    assert client.get("/api/v1/topics/1").get_json() == response.get_json()


@pytest.mark.parametrize(
    ("body", "if_match", "status", "fields"),
    [
        ({"slug": "renamed"}, "*", 422, ["slug"]),
        ({"title": ""}, "*", 422, ["title"]),
        ({"title": "x"}, None, 428, None),
        ({"title": "x"}, '"topic-1-2"', 412, None),
        ({"title": "x"}, '"topic-2-1"', 412, None),
    ],
)
def test_refused_topic_patch_changes_nothing(client, keys, body, if_match, status, fields):
    _create(client, keys, "topics", TOPIC)
    before_body = client.get("/api/v1/topics/1").get_json()
    headers = {**keys["reviewer"], **({"If-Match": if_match} if if_match else {})}

    assert_problem(client.patch("/api/v1/topics/1", json=body, headers=headers), status, fields)
    assert client.get("/api/v1/topics/1").get_json() == before_body


def test_list_topics_pages(client, keys):
    for slug in ("alpha", "beta", "gamma"):
        make_topic(slug, slug.title())

    first = client.get("/api/v1/topics?limit=2").get_json()
    second = client.get(f"/api/v1/topics?limit=2&cursor={first['next_cursor']}").get_json()

    assert [item["slug"] for item in first["items"]] == ["alpha", "beta"]
    assert [item["slug"] for item in second["items"]] == ["gamma"]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("kind", ["speakers", "sources", "topics"])
def test_writes_need_a_reviewer_key(client, keys, kind):
    body = {"speakers": {"name": "N"}, "sources": {"url": "https://n.example/", "publisher": "N"}, "topics": TOPIC}
    before = row_counts()

    assert_problem(client.post(f"/api/v1/{kind}", json=body[kind]), 401)
    assert_problem(client.post(f"/api/v1/{kind}", json=body[kind], headers=keys["reader"]), 403)
    assert row_counts() == before


@pytest.mark.parametrize("path", ["/api/v1/speakers/9", "/api/v1/sources/9", "/api/v1/speakers/0"])
def test_missing_speaker_or_source_is_404(client, path):
    assert_problem(client.get(path), 404)
