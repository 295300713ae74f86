"""Fact-checks from draft to publication: who may do what, what readers see when, and corrections' history."""

import pytest
from factories import make_claim
from seeded import load_seeds

from service.ledger import keys as api_keys
from service.ledger import ratings
from service.storage.models import Claim
from service.storage.models import Event
from service.storage.models import FactCheck
from service.storage.models import FactCheckClaim
from service.storage.models import FactCheckVersion

ARTICLE = "https://www.paper.example/2023/04/10/wagner-ammunition-fact-check"
GOOGLE_SEARCH = "/v1alpha1/claims:search?query=ammunition&languageCode=en-US&pageSize=10"


@pytest.fixture
def desk(app, keys):
    """The seeded ledger, the default scale, and keys for a reviewer, an editor and a reader."""
    load_seeds()
    ratings.ensure_default_scale()
    _, editor = api_keys.create_key("Eddie Editor", "editor", actor="test")
    return {**keys, "editor": {"Authorization": f"Bearer {editor}"}}


def _prigozhin_claim():
    return Claim.get(Claim.text.startswith("Yevgeny Prigozhin, leader of the Wagner militia"))


def _draft_body(claim_ids, **overrides):
    body = {
        "headline": "Was Wagner really short of shells at Bakhmut?",
        "article_url": ARTICLE,
        "authors": ["Olena Checker"],
        "rating": "mostly-false",
        "explanation": "Front-line reports show steady Russian artillery fire throughout the week.",
        "language": "en",
        "claim_ids": claim_ids,
    }
    body.update(overrides)
    return body


def _public_views(client, claim_id):
    """What readers and Google-API clients get for a claim: (ClaimReview, embed, oEmbed, search) responses."""
    return (
        client.get(f"/api/v1/claims/{claim_id}/claimreview"),
        client.get(f"/embed/claims/{claim_id}"),
        client.get("/oembed", query_string={"url": f"http://localhost/embed/claims/{claim_id}"}),
        client.get(GOOGLE_SEARCH),
    )


def test_a_reviewer_drafts_an_editor_publishes_and_only_then_readers_see_it(client, desk):
    claim = _prigozhin_claim()

    drafted = client.post("/api/v1/fact-checks", json=_draft_body([claim.id]), headers=desk["reviewer"])

    assert drafted.status_code == 201
    draft = drafted.get_json()
    assert (draft["status"], draft["published_at"], draft["created_by"]) == ("draft", None, "reviewer")
    assert draft["rating"] == {
        "slug": "mostly-false",
        "label": "Mostly false",
        "position": 2,
        "counts_as": "contesting",
    }
    review, embed, oembed, search = _public_views(client, claim.id)
    assert (review.status_code, embed.status_code, oembed.status_code) == (404, 404, 404)
    assert search.status_code == 200 and search.get_json() == {}
    assert client.get(f"/api/v1/fact-checks/{draft['id']}").status_code == 404, "anonymous readers see no drafts"
    assert client.get("/api/v1/fact-checks").get_json()["items"] == []
    assert client.get(f"/api/v1/fact-checks/{draft['id']}", headers=desk["reader"]).get_json() == draft

    etag = drafted.headers["ETag"]
    refused = client.post(f"/api/v1/fact-checks/{draft['id']}/publish", headers={**desk["reviewer"], "If-Match": etag})
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == "This needs the editor role; the key 'reviewer' is a reviewer."
    assert FactCheck.get_by_id(draft["id"]).status == "draft"

    published = client.post(f"/api/v1/fact-checks/{draft['id']}/publish", headers={**desk["editor"], "If-Match": etag})

    assert published.status_code == 200
    assert published.get_json()["status"] == "published" and published.get_json()["published_at"]
    review, embed, oembed, search = _public_views(client, claim.id)
    markup = review.get_json(force=True)
    assert (markup["url"], markup["reviewRating"]["alternateName"]) == (ARTICLE, "Mostly false")
    card = embed.get_data(as_text=True)
    assert embed.status_code == 200 and ARTICLE in card and "Mostly false" in card
    assert oembed.get_json()["title"].startswith("Mostly false: Yevgeny Prigozhin")
    [found] = search.get_json()["claims"]
    assert found["claimant"] == "Yevgeny Prigozhin"
    assert [(item["url"], item["textualRating"]) for item in found["claimReview"]] == [(ARTICLE, "Mostly false")]
    assert [event.type for event in Event.select().where(Event.object_type == "fact_check").order_by(Event.id)] == [
        "fact_check.created",
        "fact_check.published",
    ]
    assert Event.select().where(Event.type == "fact_check.published").get().actor == "Eddie Editor"


def test_a_correction_keeps_the_earlier_version_in_history(client, desk):
    claim = _prigozhin_claim()
    drafted = client.post("/api/v1/fact-checks", json=_draft_body([claim.id]), headers=desk["reviewer"])
    fact_check_id = drafted.get_json()["id"]
    published = client.post(
        f"/api/v1/fact-checks/{fact_check_id}/publish", headers={**desk["editor"], "If-Match": drafted.headers["ETag"]}
    )
    etag = published.headers["ETag"]

    edited = client.patch(
        f"/api/v1/fact-checks/{fact_check_id}", json={"rating": "false"}, headers={**desk["reviewer"], "If-Match": etag}
    )
    assert edited.status_code == 409, "a published fact-check is corrected, not edited"
    by_reviewer = client.post(
        f"/api/v1/fact-checks/{fact_check_id}/corrections",
        json={"rating": "false", "note": "Rated too kindly."},
        headers={**desk["reviewer"], "If-Match": etag},
    )
    assert by_reviewer.status_code == 403
    corrected = client.post(
        f"/api/v1/fact-checks/{fact_check_id}/corrections",
        json={"rating": "false", "note": "Rated too kindly at first."},
        headers={**desk["editor"], "If-Match": etag},
    )

    assert corrected.status_code == 200
    assert corrected.get_json()["rating"]["label"] == "False"
    history = client.get(f"/api/v1/fact-checks/{fact_check_id}/versions").get_json()["items"]
    assert [(item["number"], item["kind"], item["note"], item["actor"]) for item in history] == [
        (1, "published", None, "Eddie Editor"),
        (2, "corrected", "Rated too kindly at first.", "Eddie Editor"),
    ]
    assert history[0]["fact_check"]["rating"]["label"] == "Mostly false"
    assert history[1]["fact_check"]["rating"]["label"] == "False"
    markup = client.get(f"/api/v1/claims/{claim.id}/claimreview").get_json(force=True)
    assert markup["reviewRating"]["alternateName"] == "False"
    assert markup["datePublished"] == history[0]["fact_check"]["published_at"][:10]
    stale = client.post(
        f"/api/v1/fact-checks/{fact_check_id}/corrections",
        json={"headline": "Again", "note": "Stale."},
        headers={**desk["editor"], "If-Match": etag},
    )
    assert stale.status_code == 412
    assert FactCheckVersion.select().count() == 2


def test_unpublishing_takes_it_off_every_public_view_and_keeps_its_history(client, desk):
    claim = _prigozhin_claim()
    drafted = client.post("/api/v1/fact-checks", json=_draft_body([claim.id]), headers=desk["reviewer"])
    fact_check_id = drafted.get_json()["id"]
    published = client.post(
        f"/api/v1/fact-checks/{fact_check_id}/publish", headers={**desk["editor"], "If-Match": drafted.headers["ETag"]}
    )

    unpublished = client.post(
        f"/api/v1/fact-checks/{fact_check_id}/unpublish",
        headers={**desk["editor"], "If-Match": published.headers["ETag"]},
    )

    assert unpublished.status_code == 200 and unpublished.get_json()["status"] == "draft"
    review, embed, oembed, search = _public_views(client, claim.id)
    assert (review.status_code, embed.status_code, oembed.status_code, search.get_json()) == (404, 404, 404, {})
    assert (
        len(client.get(f"/api/v1/fact-checks/{fact_check_id}/versions", headers=desk["reader"]).get_json()["items"])
        == 1
    )
    again = client.post(
        f"/api/v1/fact-checks/{fact_check_id}/unpublish",
        headers={**desk["editor"], "If-Match": unpublished.headers["ETag"]},
    )
    assert again.status_code == 409


def test_a_reviewer_edits_a_draft_and_an_admin_deletes_it(client, desk):
    first, second = make_claim(), make_claim()
    drafted = client.post("/api/v1/fact-checks", json=_draft_body([first.id]), headers=desk["reviewer"])
    fact_check_id = drafted.get_json()["id"]

    edited = client.patch(
        f"/api/v1/fact-checks/{fact_check_id}",
        json={"claim_ids": [second.id, first.id], "headline": "Two claims"},
        headers={**desk["reviewer2"], "If-Match": drafted.headers["ETag"]},
    )

    assert edited.status_code == 200
    assert (edited.get_json()["claim_ids"], edited.get_json()["headline"]) == ([second.id, first.id], "Two claims")
    listed = client.get(f"/api/v1/fact-checks?claim={second.id}&status=draft", headers=desk["reader"]).get_json()
    assert [item["id"] for item in listed["items"]] == [fact_check_id]
    deleted = client.delete(
        f"/api/v1/fact-checks/{fact_check_id}", headers={**desk["admin"], "If-Match": edited.headers["ETag"]}
    )
    assert deleted.status_code == 204
    assert FactCheck.select().count() == 0 and FactCheckClaim.select().count() == 0
    types = [event.type for event in Event.select().where(Event.object_type == "fact_check").order_by(Event.id)]
    assert types == ["fact_check.created", "fact_check.updated", "fact_check.deleted"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"claim_ids": [999]}, "claim_ids.0"),
        ({"claim_ids": []}, "claim_ids"),
        ({"rating": "pants-on-fire"}, "rating"),
        ({"article_url": "ftp://paper.example/x"}, "article_url"),
        ({"headline": ""}, "headline"),
        ({"language": "not a tag"}, "language"),
        ({"status": "published"}, "status"),
        ({"published_at": "2023-04-10"}, "published_at"),
    ],
)
def test_bad_fact_checks_are_422_naming_the_field_and_store_nothing(client, desk, overrides, field):
    claim = make_claim()
    events = Event.select().count()

    body = {**_draft_body([claim.id]), **overrides}

    response = client.post("/api/v1/fact-checks", json=body, headers=desk["reviewer"])

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"], response.get_json()
    assert FactCheck.select().count() == 0 and Event.select().count() == events


def test_a_deleted_fact_checks_and_ratings_id_never_names_a_new_one(client, desk):
    claim = make_claim()
    first = client.post("/api/v1/fact-checks", json=_draft_body([claim.id]), headers=desk["reviewer"])
    deleted = client.delete(
        f"/api/v1/fact-checks/{first.get_json()['id']}", headers={**desk["admin"], "If-Match": first.headers["ETag"]}
    )
    assert deleted.status_code == 204

    second = client.post("/api/v1/fact-checks", json=_draft_body([claim.id]), headers=desk["reviewer"])

    assert second.get_json()["id"] > first.get_json()["id"]
    stale = client.post(
        f"/api/v1/fact-checks/{first.get_json()['id']}/publish",
        headers={**desk["editor"], "If-Match": first.headers["ETag"]},
    )
    assert stale.status_code == 404
    labels = {"en": "Odd", "uk": "Дивно", "ru": "Странно"}
    made = client.post(
        "/api/v1/ratings", json={"slug": "odd", "labels": labels, "counts_as": "neither"}, headers=desk["admin"]
    )
    client.delete("/api/v1/ratings/odd", headers={**desk["admin"], "If-Match": made.headers["ETag"]})
    again = client.post(
        "/api/v1/ratings", json={"slug": "odd", "labels": labels, "counts_as": "neither"}, headers=desk["admin"]
    )
    assert again.get_json()["id"] > made.get_json()["id"]


def test_a_claim_rated_by_a_published_fact_check_is_not_deleted_until_it_is_unpublished(client, desk):
    claim = make_claim(text="Only this fact-check's claim")
    drafted = client.post("/api/v1/fact-checks", json=_draft_body([claim.id]), headers=desk["reviewer"])
    fact_check_id = drafted.get_json()["id"]
    published = client.post(
        f"/api/v1/fact-checks/{fact_check_id}/publish", headers={**desk["editor"], "If-Match": drafted.headers["ETag"]}
    )
    claim_etag = client.get(f"/api/v1/claims/{claim.id}").headers["ETag"]

    refused = client.delete(f"/api/v1/claims/{claim.id}", headers={**desk["admin"], "If-Match": claim_etag})

    assert refused.status_code == 409
    assert refused.get_json()["detail"] == (
        f"Claim {claim.id} is rated by published fact-check {fact_check_id}: unpublish it before deleting the claim."
    )
    assert refused.get_json()["errors"] == {"fact_check_ids": [fact_check_id]}
    assert Claim.get_or_none(Claim.id == claim.id) is not None
    assert client.get(f"/api/v1/claims/{claim.id}/claimreview").status_code == 200

    client.post(
        f"/api/v1/fact-checks/{fact_check_id}/unpublish",
        headers={**desk["editor"], "If-Match": published.headers["ETag"]},
    )
    deleted = client.delete(f"/api/v1/claims/{claim.id}", headers={**desk["admin"], "If-Match": claim_etag})

    assert deleted.status_code == 204
    draft = client.get(f"/api/v1/fact-checks/{fact_check_id}", headers=desk["reader"])
    again = client.post(
        f"/api/v1/fact-checks/{fact_check_id}/publish", headers={**desk["editor"], "If-Match": draft.headers["ETag"]}
    )
    assert again.status_code == 409, "a draft left rating no claim cannot be published"
    assert "rates no claim" in again.get_json()["detail"]
    assert FactCheck.get_by_id(fact_check_id).status == "draft"
