"""Importing ClaimReview markup as fact-checkers publish it: matched to the ledger, all or nothing, idempotent."""

import json
from pathlib import Path

import pytest
from seeded import load_seeds

from service.ledger import ratings
from service.storage.models import ALL_MODELS
from service.storage.models import Claim
from service.storage.models import Event
from service.storage.models import FactCheck
from service.storage.models import Source
from service.storage.models import Speaker

MARKUP = json.loads((Path(__file__).parent / "data" / "claimreview_markup.json").read_text(encoding="utf-8"))
SHAPES = ["single_object", "array_of_reviews", "graph_in_ukrainian", "number_only_in_russian"]
EVERYTHING = [MARKUP[name] for name in SHAPES]
PRIGOZHIN_CLAIM = MARKUP["single_object"]["claimReviewed"]


@pytest.fixture
def ledger(app, keys):
    """The seeded ledger and the default scale, with an editor's key."""
    from service.ledger import keys as api_keys

    load_seeds()
    ratings.ensure_default_scale()
    _, editor = api_keys.create_key("archive", "editor", actor="test")
    return {**keys, "editor": {"Authorization": f"Bearer {editor}"}}


def _everything():
    return [list(model.select().dicts()) for model in ALL_MODELS]


def _import(client, headers, body, content_type="application/ld+json"):
    return client.post("/api/v1/claimreviews/import", data=json.dumps(body), content_type=content_type, headers=headers)


def test_real_shaped_markup_becomes_published_fact_checks_matched_to_the_ledger(client, ledger):
    speakers, claims = Speaker.select().count(), Claim.select().count()

    response = _import(client, ledger["editor"], EVERYTHING)

    assert response.status_code == 200, response.get_json()
    summary = response.get_json()
    assert {key: value for key, value in summary.items() if key != "fact_check_ids"} == {
        "claim_reviews": 5,
        "speakers_created": 2,
        "speakers_matched": 3,
        "sources_created": 2,
        "sources_matched": 0,
        "claims_created": 2,
        "claims_matched": 3,
        "fact_checks_created": 5,
        "fact_checks_matched": 0,
    }
    assert Speaker.select().count() == speakers + 2, "Prigozhin, Stek and Yermak were found by name or alias"
    assert Claim.select().count() == claims + 2
    assert Claim.select().where(Claim.text == PRIGOZHIN_CLAIM).count() == 1
    found = sorted(
        (fact_check.article_url, fact_check.rating.slug, fact_check.language, fact_check.status)
        for fact_check in FactCheck.select()
    )
    assert found == [
        ("https://fullcheck.example/online/bakhmut-shells-and-streets/", "false", "en", "published"),
        ("https://fullcheck.example/online/bakhmut-shells-and-streets/", "missing-context", "en", "published"),
        ("https://perevirka.example/uk/news/bakhmut-otochennia/", "true", "uk", "published"),
        ("https://proverka.example/ru/2023/04/13/peregovory", "false", "ru", "published"),
        (MARKUP["single_object"]["url"], "mostly-false", "en", "published"),
    ]
    full_check = FactCheck.select().where(FactCheck.article_url.contains("fullcheck")).order_by(FactCheck.id)
    assert [fact_check.rating.slug for fact_check in full_check] == ["missing-context", "false"]
    ministry = Speaker.get(Speaker.name == "Ministry of Defence of the Russian Federation")
    assert ministry.kind == "organization"
    assert Source.get(Source.url == "https://news.example/2023/04/08/mod-briefing").publisher == "News Example"
    peskov_claim = Claim.get(Claim.text == MARKUP["number_only_in_russian"]["claimReviewed"])
    assert (peskov_claim.language, peskov_claim.claimed_on.date().isoformat()) == ("ru", "2023-04-06")

    prigozhin = Claim.get(Claim.text == PRIGOZHIN_CLAIM)
    markup = client.get(f"/api/v1/claims/{prigozhin.id}/claimreview").get_json(force=True)
    assert markup["url"] == MARKUP["single_object"]["url"]
    assert markup["reviewRating"]["alternateName"] == "Mostly false"
    assert markup["datePublished"] == "2023-04-10"
    assert markup["dateModified"] == "2023-04-11T13:15:00Z"
    search = client.get("/v1alpha1/claims:search?query=encircle&languageCode=uk").get_json()
    assert [review["textualRating"] for review in search["claims"][0]["claimReview"]] == ["Правда"]
    assert search["claims"][0]["claimant"] == "Andriy Yermak"


def test_importing_the_same_markup_again_changes_nothing(client, ledger):
    first = _import(client, ledger["editor"], EVERYTHING, content_type="application/json")
    before = _everything()

    again = _import(client, ledger["editor"], EVERYTHING)

    assert again.status_code == 200
    assert again.get_json()["fact_check_ids"] == first.get_json()["fact_check_ids"]
    assert (again.get_json()["fact_checks_created"], again.get_json()["claims_created"]) == (0, 0)
    assert again.get_json()["fact_checks_matched"] == 5
    assert _everything() == before


def test_each_shape_imports_alone(client, ledger):
    for name in SHAPES:
        response = _import(client, ledger["editor"], MARKUP[name])
        assert response.status_code == 200, (name, response.get_json())
    assert FactCheck.select().count() == 5
    events = [event.type for event in Event.select().where(Event.object_type == "fact_check")]
    assert events.count("fact_check.published") == 5


def test_a_review_whose_rating_cannot_be_placed_fails_the_whole_import(client, ledger):
    unplaceable = {**MARKUP["single_object"], "url": "https://www.checkdesk.example/other"}
    unplaceable["reviewRating"] = {"@type": "Rating", "alternateName": "Pants on Fire"}
    before = _everything()

    response = _import(client, ledger["editor"], [MARKUP["number_only_in_russian"], unplaceable])

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert list(response.get_json()["errors"]) == ["1.reviewRating"]
    assert "Pants on Fire" in response.get_json()["errors"]["1.reviewRating"][0]
    assert _everything() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "No review"}, "_schema"),
        ({**MARKUP["single_object"], "claimReviewed": ""}, "0.claimReviewed"),
        ({**MARKUP["single_object"], "url": "javascript:alert(1)"}, "0.url"),
        ({**MARKUP["single_object"], "itemReviewed": {"@type": "Claim"}}, "0.itemReviewed.author"),
        ({**MARKUP["single_object"], "claimReviewed": "x" * 5001}, "0.text"),
    ],
)
def test_bad_markup_is_422_naming_the_review_and_field_and_stores_nothing(client, ledger, body, field):
    before = _everything()

    response = _import(client, ledger["editor"], body)

    assert response.status_code == 422
    assert field in response.get_json()["errors"], response.get_json()
    assert _everything() == before


def test_the_body_must_be_json(client, ledger):
    broken = client.post(
        "/api/v1/claimreviews/import", data="{not json", content_type="application/ld+json", headers=ledger["editor"]
    )
    html = client.post(
        "/api/v1/claimreviews/import", data="<script>", content_type="text/html", headers=ledger["editor"]
    )

    assert (broken.status_code, html.status_code) == (400, 415)


@pytest.mark.parametrize(
    "change",
    [
        {"url": "http://[broken"},
        {"url": "https://" + "a" * 300 + ".example/x"},
        {"reviewRating": {"@type": "Rating", "ratingValue": "NaN", "bestRating": "5", "worstRating": "1"}},
        {"reviewRating": {"@type": "Rating", "ratingValue": "1e999"}},
        {"datePublished": "0001-01-01T00:00:00+14:00", "itemReviewed": {"author": "Levko Stek"}},
        {"itemReviewed": {"author": {"name": {"@value": ["not", "text"]}}}},
        {"claimReviewed": {"@value": 42}, "reviewRating": [], "author": [None, 3, {"name": "x" * 300}]},
    ],
)
def test_strange_values_are_refused_or_read_never_a_server_error(client, ledger, change):
    body = {**MARKUP["single_object"], **change}

    response = _import(client, ledger["editor"], body)

    assert response.status_code in (200, 422), response.get_json()
