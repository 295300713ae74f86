"""Search by word form in English, Ukrainian and Russian, and languages as lower-case BCP 47 tags, on both databases."""

import json

import pytest
from factories import claim_data
from factories import make_claim

from service.storage.models import Claim

SHELLS = [
    ("uk", "Військам бракує снарядів на фронті."),
    ("ru", "Армии не хватает снарядов под Бахмутом."),
    ("ru", "Снаряды закончились ещё в мае."),
    ("uk", "Новий склад боєприпасів відкрили біля Києва."),
    ("uk", "Боєприпаси надійшли вчасно, заявив речник."),
    ("uk", "Армію забезпечили боєприпасами на місяць."),
    ("ru", "Поставки выросли в объёме вдвое."),
    ("en", "The army ran out of shells near the river."),
]


@pytest.fixture
def stored(app):
    return [make_claim(text=text, language=language).id for language, text in SHELLS]


def _ids(client, query):
    response = client.get(f"/api/v1/claims?{query}&limit=200")
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=снаряд", {0, 1, 2}),
        ("q=снаряды", {0, 1, 2}),
        ("q=снарядів", {0, 1, 2}),
        ("q=боєприпаси", {3, 4, 5}),
        ("q=боєприпасів", {3, 4, 5}),
        ("q=боєприпасами", {3, 4, 5}),
        ("q=объеме", {6}),
        ("q=объёме", {6}),
        ("q=shell", {7}),
        ("q=снаряд бахмут", {1}),
        ("q=снар*", {0, 1, 2}),
    ],
)
def test_inflected_forms_find_every_form_of_the_word(client, stored, query, expected):
    assert _ids(client, query) == {stored[index] for index in expected}


def test_snippet_marks_the_original_words(client, stored):
    response = client.get("/api/v1/claims?q=снаряд")
    snippets = {item["id"]: item["snippet"] for item in response.get_json()["items"]}
    assert snippets[stored[1]] == "Армии не хватает <mark>снарядов</mark> под Бахмутом."
    assert snippets[stored[2]] == "<mark>Снаряды</mark> закончились ещё в мае."


def test_search_follows_edits(client, keys, stored):
    claim_id = stored[2]
    etag = client.get(f"/api/v1/claims/{claim_id}").headers["ETag"]
    response = client.patch(
        f"/api/v1/claims/{claim_id}",
        json={"text": "Боеприпасы закончились ещё в мае."},
        headers={**keys["reviewer"], "If-Match": etag},
    )
    assert response.status_code == 200, response.get_json()
    assert _ids(client, "q=снаряд") == {stored[0], stored[1]}
    assert _ids(client, "q=боеприпас") == {claim_id}


def test_a_cyrillic_claim_without_a_language_is_stored_as_uk_or_ru(client, keys):
    stored = {}
    for language, text in (
        ("uk", "Пригожин заявив, що «Вагнеру» не вистачає боєприпасів під Бахмутом."),
        ("ru", "Пригожин заявил, что «Вагнеру» не хватает боеприпасов под Бахмутом."),
        ("en", "Prigozhin said Wagner lacks ammunition in Bakhmut."),
    ):
        body = claim_data(text=text)
        response = client.post("/api/v1/claims", json=body, headers=keys["reviewer"])
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["language"] == language
        stored[language] = response.get_json()["id"]
    assert Claim.get_by_id(stored["uk"]).language == "uk"


def test_given_tags_are_stored_lower_case_and_filters_match_by_primary_language(client, keys):
    tagged = {}
    for tag in ("uk_UA", "UK", "ru", "en-GB"):
        response = client.post("/api/v1/claims", json=claim_data(language=tag), headers=keys["reviewer"])
        assert response.status_code == 201, response.get_json()
        tagged[tag] = response.get_json()
    assert [tagged[tag]["language"] for tag in tagged] == ["uk-ua", "uk", "ru", "en-gb"]
    ukrainian = {tagged["uk_UA"]["id"], tagged["UK"]["id"]}
    assert _ids(client, "language=uk-UA") == ukrainian
    assert _ids(client, "language=uk") == ukrainian
    assert _ids(client, "language=UK") == ukrainian
    assert _ids(client, "language=en") == {tagged["en-GB"]["id"]}


@pytest.mark.parametrize("tag", ["english!", "u", "uk--ua", "x" * 40])
def test_a_bad_language_tag_is_a_422_and_stores_nothing(client, keys, tag):
    response = client.post("/api/v1/claims", json=claim_data(language=tag), headers=keys["reviewer"])
    assert response.status_code == 422
    assert "language" in response.get_json()["errors"]
    assert Claim.select().count() == 0


def test_a_batch_import_detects_languages_and_indexes_word_forms(client, keys):
    items = [claim_data(text=text) for _, text in SHELLS[:3]]
    response = client.post(
        "/api/v1/claims/batch",
        data=json.dumps(items),
        headers={**keys["reviewer"], "Content-Type": "application/json"},
    )
    assert response.status_code in (200, 201), response.get_json()
    languages = [claim.language for claim in Claim.select().order_by(Claim.id)]
    assert languages == ["uk", "ru", "ru"]
    assert len(_ids(client, "q=снаряд")) == 3


@pytest.mark.parametrize(
    ("choice", "created", "appearances"),
    [("store", 3, 0), ("skip", 1, 0), ("link", 1, 2)],
)
def test_a_batch_reports_duplicates_and_can_skip_or_link_them(client, keys, choice, created, appearances):
    stored = make_claim(text="Армии не хватает снарядов под Бахмутом.", language="ru")
    items = [
        claim_data(text="Армии не хватает снарядов под Бахмутом."),
        claim_data(text="Армии не хватало снарядов под Бахмутом."),
        claim_data(text="Зерновая сделка продлена на два месяца."),
    ]
    response = client.post(
        f"/api/v1/claims/batch?duplicates={choice}",
        data=json.dumps(items),
        headers={**keys["reviewer"], "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["created"] == created
    assert [entry["index"] for entry in body["possible_duplicates"]] == [0, 1]
    assert body["possible_duplicates"][0]["duplicates"][0]["id"] == stored.id
    assert Claim.select().count() == 1 + created
    shown = client.get(f"/api/v1/claims/{stored.id}").get_json()
    assert len(shown["appearances"]) == appearances
    if choice == "link":
        assert [entry["claim_id"] for entry in body["linked"]] == [stored.id, stored.id]


def test_a_create_reports_a_likely_duplicate(client, keys):
    stored = make_claim(text="Армии не хватает снарядов под Бахмутом.", language="ru")
    body = claim_data(text="Армии не хватает снарядов под Бахмутом!")
    response = client.post("/api/v1/claims", json=body, headers=keys["reviewer"])
    assert response.status_code == 201
    assert [item["id"] for item in response.get_json()["possible_duplicates"]] == [stored.id]
