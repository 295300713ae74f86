"""GET /api/v1/claims: order, every filter, and keyset cursors that walk every row exactly once."""

import datetime

import pytest
from checks import assert_problem
from factories import make_claim
from factories import make_topic

from service import config
from service.ledger import speakers
from service.schemas.speakers import SpeakerInput
from service.storage.models import Claim

AMMO = "russian-ammunition-shortage"
PEACE = "russia-peace-talks-2023"
SOURCE_A = {"url": "https://news.example/a", "publisher": "A"}
SOURCE_B = {"url": "https://news.example/b", "publisher": "B"}


@pytest.fixture
def ledger(app):
    """Six claims with ties on claimed_on; returns {label: claim id} and the other ids the filters need."""
    make_topic(AMMO, "Are Russian forces short of ammunition?")
    make_topic(PEACE, "Will there be peace talks in 2023?")
    speakers.create_speaker(SpeakerInput().load({"name": "Yevgeny Prigozhin", "aliases": ["Evgeny Prigozhin"]}), "t")
    rows = [
        ("Yevgeny Prigozhin", SOURCE_A, "2023-04-01", "en", [(AMMO, "affirms")]),
        ("Levko Stek", SOURCE_A, "2023-04-07", "en", [(AMMO, "denies")]),
        ("Emmanuel Macron", SOURCE_B, "2023-04-07", "fr", [(PEACE, "neutral")]),
        ("Yevgeny Prigozhin", SOURCE_B, "2023-04-07T12:00:00Z", "ru", [(PEACE, "denies")]),
        ("Levko Stek", SOURCE_B, "2023-03-15", "uk", []),
        ("Emmanuel Macron", SOURCE_A, "2023-04-10", "en", [(PEACE, "affirms"), (AMMO, "neutral")]),
    ]
    ids = {}
    for number, (speaker, source, claimed_on, language, stances) in enumerate(rows, start=1):
        claim = make_claim(
            text=f"Claim {number}",
            speaker={"name": speaker},
            source=source,
            claimed_on=claimed_on,
            language=language,
            topics=[{"slug": slug, "stance": stance} for slug, stance in stances],
        )
        ids[number] = claim.id
    Claim.update(status="supported").where(Claim.id == ids[2]).execute()
    Claim.update(status="contested").where(Claim.id == ids[4]).execute()
    claim = Claim.get_by_id(ids[1])
    return {
        "claims": ids,
        "prigozhin": claim.speaker_id,
        "source_a": claim.source_id,
    }


def _listed(client, query=""):
    response = client.get(f"/api/v1/claims{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _numbers(ledger, body):
    by_id = {claim_id: number for number, claim_id in ledger["claims"].items()}
    return [by_id[item["id"]] for item in body["items"]]


def test_default_order_is_newest_claimed_on_first_ties_by_newest_id(client, ledger):
    body = _listed(client)

    assert _numbers(ledger, body) == [6, 4, 3, 2, 1, 5]
    assert body["next_cursor"] is None
    assert set(body) == {"items", "next_cursor"}


def test_listed_items_are_whole_claims(client, ledger):
    body = _listed(client)

    for item in body["items"]:
        assert item == client.get(f"/api/v1/claims/{item['id']}").get_json()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?speaker={prigozhin}", [4, 1]),
        ("?speaker=Yevgeny Prigozhin", [4, 1]),
        ("?speaker=  yevgeny   PRIGOZHIN", [4, 1]),
        ("?speaker=Evgeny Prigozhin", [4, 1]),
        ("?speaker=Nobody At All", []),
        ("?speaker=999", []),
        ("?source={source_a}", [6, 2, 1]),
        ("?source=https://news.example/a", [6, 2, 1]),
        ("?source=https://news.example/unknown", []),
        ("?source=12345", []),
        (f"?topic={AMMO}", [6, 2, 1]),
        (f"?topic={PEACE}", [6, 4, 3]),
        ("?topic=no-such-topic", []),
        ("?stance=denies", [4, 2]),
        ("?stance=neutral", [6, 3]),
        (f"?topic={AMMO}&stance=denies", [2]),
        (f"?topic={PEACE}&stance=affirms", [6]),
        (f"?topic={AMMO}&stance=affirms", [1]),
        ("?claimed_from=2023-04-07", [6, 4, 3, 2]),
        ("?claimed_to=2023-04-07", [4, 3, 2, 1, 5]),
        ("?claimed_from=2023-04-07&claimed_to=2023-04-07", [4, 3, 2]),
        ("?claimed_from=2023-04-07T06:00:00Z", [6, 4]),
        ("?claimed_to=2023-04-07T06:00:00Z", [3, 2, 1, 5]),
        ("?claimed_from=2023-04-07T14:00:00%2B02:00&claimed_to=2023-04-07T12:00:00Z", [4]),
        (f"?topic={PEACE}&claimed_to=2023-04-07", [4, 3]),
        (f"?topic={AMMO}&claimed_from=2023-04-02", [6, 2]),
        ("?language=fr", [3]),
        ("?language=en", [6, 2, 1]),
        ("?language=de", []),
        ("?status=supported", [2]),
        ("?status=contested", [4]),
        ("?status=unreviewed", [6, 3, 1, 5]),
        ("?speaker=Levko Stek&source=https://news.example/b", [5]),
        (f"?speaker=Emmanuel Macron&topic={AMMO}&stance=neutral&language=en", [6]),
        ("?reviewer=nobody", []),
    ],
)
def test_filters(client, ledger, query, expected):
    body = _listed(client, query.format(**ledger))

    assert _numbers(ledger, body) == expected
    assert body["next_cursor"] is None


@pytest.mark.parametrize(
    "query",
    [
        "?stance=maybe",
        "?status=bogus",
        "?claimed_from=last-week",
        "?claimed_to=2023-13-01",
        "?language=!!",
        "?speaker=",
        "?topic=",
        "?speaker=" + "x" * 201,
    ],
)
def test_bad_filter_values_are_422_naming_the_parameter(client, ledger, query):
    name = query[1:].split("=")[0]

    assert_problem(client.get(f"/api/v1/claims{query}"), 422, [name])


@pytest.fixture
def many_claims(app):
    """25 claims over five dates, so that most rows tie on claimed_on; three of five on one topic."""
    make_topic(AMMO, "Are Russian forces short of ammunition?")
    created = []
    for number in range(25):
        day = datetime.date(2023, 4, 1 + number % 5).isoformat()
        topics = [{"slug": AMMO, "stance": "affirms"}] if number % 5 < 3 else []
        claim = make_claim(text=f"Claim {number}", claimed_on=day, topics=topics)
        created.append((claim.claimed_on, claim.id, bool(topics)))
    return created


def _walk(client, query, limit):
    ids, cursor, pages = [], None, 0
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        body = _listed(client, f"?limit={limit}{query}{suffix}")
        assert len(body["items"]) <= limit
        ids.extend(item["id"] for item in body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages
        assert len(body["items"]) == limit
        assert pages <= 200, "the cursor never ran out"


@pytest.mark.parametrize("limit", [1, 2, 7, 24, 25, 26, 200])
def test_cursor_walks_every_claim_exactly_once(client, many_claims, limit):
    expected = [claim_id for _, claim_id, _ in sorted(many_claims, reverse=True)]

    ids, pages = _walk(client, "", limit)

    assert ids == expected
    assert pages == max(1, -(-25 // limit))


@pytest.mark.parametrize("limit", [1, 4, 15, 200])
def test_cursor_walks_a_topic_exactly_once(client, many_claims, limit):
    expected = [claim_id for _, claim_id, on_topic in sorted(many_claims, reverse=True) if on_topic]

    ids, _ = _walk(client, f"&topic={AMMO}", limit)

    assert ids == expected
    assert len(expected) == 15


def test_cursor_walks_a_date_range_exactly_once(client, many_claims):
    expected = [
        claim_id
        for claimed_on, claim_id, _ in sorted(many_claims, reverse=True)
        if datetime.datetime(2023, 4, 2) <= claimed_on <= datetime.datetime(2023, 4, 4)
    ]

    ids, _ = _walk(client, "&claimed_from=2023-04-02&claimed_to=2023-04-04", 4)

    assert ids == expected
    assert len(expected) == 15


def test_default_page_size_comes_from_config(app, client, many_claims):
    assert config.from_environment({})["PAGE_LIMIT_DEFAULT"] == 50
    app.config["PAGE_LIMIT_DEFAULT"] = 10

    body = _listed(client)

    assert len(body["items"]) == 10
    assert body["next_cursor"]


@pytest.mark.parametrize("limit", ["0", "201", "-1", "abc", "1.5", ""])
def test_limit_out_of_range_is_422(client, limit):
    assert_problem(client.get(f"/api/v1/claims?limit={limit}"), 422, ["limit"])


def _cursor(client, query=""):
    cursor = _listed(client, f"?limit=2{query}")["next_cursor"]
    assert cursor
    return cursor


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "WyIyMDIzIl0", "a.b", "...", "%25%25%25", "WyIyMDIzLTA0LTA3VDAwOjAwOjAwIiwxMF0.notasignature"],
)
def test_garbage_cursor_is_400(client, many_claims, cursor):
    body = assert_problem(client.get(f"/api/v1/claims?cursor={cursor}"), 400)

    assert body["detail"] == "The cursor is malformed or was altered; start again without it."


def test_overlong_cursor_is_422(client):
    assert_problem(client.get("/api/v1/claims?cursor=" + "a" * 1001), 422, ["cursor"])


def test_tampered_cursor_is_400(client, many_claims):
    cursor = _cursor(client)
    payload, _, signature = cursor.partition(".")
    # Not the last character of either part: base64 may carry unused bits there.
    for position in (0, len(payload) // 2, len(payload) + 1, len(payload) + 1 + len(signature) // 2):
        changed = "B" if cursor[position] != "B" else "C"
        tampered = cursor[:position] + changed + cursor[position + 1 :]

        assert_problem(client.get(f"/api/v1/claims?limit=2&cursor={tampered}"), 400)


def test_cursor_from_another_listing_is_400(client, many_claims):
    speakers.create_speaker(SpeakerInput().load({"name": "Second Speaker"}), "t")
    speakers.create_speaker(SpeakerInput().load({"name": "Third Speaker"}), "t")
    speaker_cursor = client.get("/api/v1/speakers?limit=1").get_json()["next_cursor"]
    search_cursor = _listed(client, "?q=claim&limit=1")["next_cursor"]

    assert_problem(client.get(f"/api/v1/claims?cursor={speaker_cursor}"), 400)
    assert_problem(client.get(f"/api/v1/claims?cursor={search_cursor}"), 400)
    assert_problem(client.get(f"/api/v1/claims?q=claim&cursor={_cursor(client)}"), 400)


def test_cursor_signed_with_another_secret_is_400(app, client, many_claims):
    cursor = _cursor(client)
    app.config["SECRET_KEY"] = "another-secret"

    assert_problem(client.get(f"/api/v1/claims?cursor={cursor}"), 400)
