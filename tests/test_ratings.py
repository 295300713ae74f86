"""The rating scale: the default scale, admins' CRUD with ETags, and ratings in use retired, never deleted."""

import pytest
from factories import make_claim
from factories import publish_fact_check

from service.ledger import ratings
from service.storage.models import Event
from service.storage.models import Rating

LABELS = {"en": "Satire", "uk": "Сатира", "ru": "Сатира"}


@pytest.fixture
def scale(app):
    ratings.ensure_default_scale()


def test_the_default_scale_is_listed_truest_first_with_labels_in_every_language(client, scale):
    response = client.get("/api/v1/ratings")

    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [(item["slug"], item["position"], item["counts_as"]) for item in items] == [
        ("true", 6, "supporting"),
        ("mostly-true", 5, "supporting"),
        ("missing-context", 4, "neither"),
        ("misleading", 3, "contesting"),
        ("mostly-false", 2, "contesting"),
        ("false", 1, "contesting"),
        ("unproven", None, "neither"),
    ]
    assert all(set(item["labels"]) == {"en", "uk", "ru"} and not item["retired"] for item in items)
    assert items[5]["labels"] == {"en": "False", "uk": "Неправда", "ru": "Неправда"}


def test_the_migration_loads_the_default_scale(app):
    # On SQLite the test database is the migrated template as it stands; PostgreSQL's is emptied per test.
    if app.config["DATABASE_URL"].startswith("sqlite"):
        assert Rating.select().count() == len(ratings.DEFAULT_SCALE)
    assert ratings.ensure_default_scale() in (0, len(ratings.DEFAULT_SCALE))
    assert ratings.ensure_default_scale() == 0


def test_an_admin_adds_edits_retires_and_deletes_a_rating_with_etags(client, keys, scale):
    created = client.post(
        "/api/v1/ratings",
        json={"slug": "satire", "position": 7, "labels": LABELS, "counts_as": "neither"},
        headers=keys["admin"],
    )
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/v1/ratings/satire")
    etag = created.headers["ETag"]
    assert etag == f'"rating-{created.get_json()["id"]}-1"'
    assert client.get("/api/v1/ratings/satire", headers={"If-None-Match": etag}).status_code == 304

    no_match = client.patch("/api/v1/ratings/satire", json={"retired": True}, headers=keys["admin"])
    assert no_match.status_code == 428
    retired = client.patch(
        "/api/v1/ratings/satire", json={"retired": True}, headers={**keys["admin"], "If-Match": etag}
    )
    assert retired.status_code == 200 and retired.get_json()["retired"] is True
    stale = client.patch("/api/v1/ratings/satire", json={"position": 8}, headers={**keys["admin"], "If-Match": etag})
    assert stale.status_code == 412
    assert [item["slug"] for item in client.get("/api/v1/ratings?retired=true").get_json()["items"]] == ["satire"]

    deleted = client.delete("/api/v1/ratings/satire", headers={**keys["admin"], "If-Match": retired.headers["ETag"]})
    assert deleted.status_code == 204
    assert client.get("/api/v1/ratings/satire").status_code == 404
    types = [event.type for event in Event.select().where(Event.object_type == "rating").order_by(Event.id)]
    assert types[-3:] == ["rating.created", "rating.updated", "rating.deleted"]


def test_a_rating_in_use_cannot_be_deleted_only_retired(client, keys, scale):
    publish_fact_check([make_claim()], rating="misleading")
    rating = Rating.get(Rating.slug == "misleading")
    match = {**keys["admin"], "If-Match": f'"rating-{rating.id}-{rating.version}"'}

    refused = client.delete("/api/v1/ratings/misleading", headers=match)

    assert refused.status_code == 409
    assert "retire it instead" in refused.get_json()["detail"]
    assert Rating.get_or_none(Rating.slug == "misleading") is not None
    retired = client.patch("/api/v1/ratings/misleading", json={"retired": True}, headers=match)
    assert retired.status_code == 200
    claim = make_claim()
    draft = client.post(
        "/api/v1/fact-checks",
        json={
            "headline": "h",
            "article_url": "https://paper.example/x",
            "rating": "misleading",
            "explanation": "e",
            "claim_ids": [claim.id],
        },
        headers=keys["reviewer"],
    )
    assert draft.status_code == 422
    assert "retired" in draft.get_json()["errors"]["rating"][0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "Bad Slug", "labels": LABELS, "counts_as": "neither"}, "slug"),
        ({"slug": "123", "labels": LABELS, "counts_as": "neither"}, "slug"),
        ({"slug": "x", "labels": {"en": "X", "uk": "X"}, "counts_as": "neither"}, "labels.ru"),
        ({"slug": "x", "labels": LABELS, "counts_as": "maybe"}, "counts_as"),
        ({"slug": "x", "labels": LABELS, "counts_as": "neither", "position": 0}, "position"),
        ({"slug": "x", "labels": LABELS, "counts_as": "neither", "position": 3}, "position"),
        ({"slug": "false", "labels": LABELS, "counts_as": "neither"}, "slug"),
        ({"slug": "x", "labels": LABELS, "counts_as": "neither", "colour": "red"}, "colour"),
    ],
)
def test_bad_ratings_are_422_naming_the_field_and_store_nothing(client, keys, scale, body, field):
    before = Rating.select().count()

    response = client.post("/api/v1/ratings", json=body, headers=keys["admin"])

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"], response.get_json()
    assert Rating.select().count() == before
