"""The representations (service/ledger/documents.py) and the output schemas that document them agree.

Reads, events, webhooks, exports and bulk imports build claims with documents.claim_document; the views
return those dicts as they are, so nothing but this contract keeps ClaimOut (the OpenAPI document) true.
"""

import pytest
from factories import make_claim
from factories import make_topic
from factories import publish_fact_check
from factories import review_claim

from service.delivery import webhooks
from service.ledger import claims
from service.ledger import documents
from service.ledger import fact_checks
from service.ledger import ratings
from service.ledger import reviews
from service.ledger import speakers
from service.ledger import topics
from service.schemas.claims import ClaimOut
from service.schemas.publishing import FactCheckOut
from service.schemas.publishing import RatingOut
from service.schemas.reviews import ClaimStanding
from service.schemas.reviews import ReviewOut
from service.schemas.sources import SourceDetail
from service.schemas.speakers import SpeakerDetail
from service.schemas.topics import TopicOut
from service.schemas.webhooks import WebhookOut
from service.storage.models import Event
from service.storage.models import Rating

CLAIMS = {
    "bare": {},
    "with every optional part": {
        "quote": "We are short of shells.",
        "speaker": {"name": "Olena Full", "description": "Minister", "affiliation": "Cabinet", "aliases": ["O. Full"]},
        "source": {
            "url": "https://news.example/full",
            "publisher": "Example News",
            "title": "Shells",
            "published_on": "2023-04-08",
            "kind": "video",
        },
        "appearances": [{"url": "https://other.example/a", "publisher": "Other"}],
        "claimed_on": "2023-04-07T10:30:00+02:00",
        "language": "uk",
        "topics": [{"slug": "ammunition", "stance": "affirms"}],
    },
}


@pytest.mark.parametrize("parts", CLAIMS.values(), ids=CLAIMS.keys())
@pytest.mark.parametrize("reviewed", [False, True], ids=["unreviewed", "reviewed"])
def test_claim_document_is_claimout_on_every_field(app, parts, reviewed):
    make_topic()
    claim = make_claim(**parts)
    if reviewed:
        review_claim(claim.id, "supported")
        review_claim(claim.id, "contested", reviewer="second")
    built = claims.read_claim(claim.id)
    assert set(built) == set(ClaimOut().fields) - {"snippet"}  # snippet: only in ?q= searches
    assert built == ClaimOut().dump(claims.get_claim(claim.id))
    if not reviewed:
        assert claim.document == built  # what claim.created recorded
    claims.delete_claim(claim.id, built["version"], "test")
    deleted = Event.select().where(Event.type == "claim.deleted").get()
    assert deleted.data == built


def test_speaker_source_and_topic_documents_are_their_schemas(app):
    topic = make_topic()
    topics.update_topic(topic.id, {"description": "Whether the front is short of shells."}, None, "test")
    claim = make_claim(**CLAIMS["with every optional part"])
    speaker = speakers.with_details([speakers.get_speaker(claim.speaker_id)])[0]
    assert documents.speaker_document(speaker) == SpeakerDetail().dump(speaker)
    assert speaker.alias_names and documents.speaker_document(speaker)["aliases"] == ["O. Full"]
    bare = make_claim()
    for source in (claim.source, bare.source):
        assert documents.source_document(source) == SourceDetail().dump(source)
    for stored in (topics.get_topic(topic.id), make_topic(slug="grain", title="Grain?")):
        assert documents.topic_document(stored) == TopicOut().dump(stored)


def test_review_documents_are_their_schemas(app):
    claim = make_claim()
    bare = review_claim(claim.id, "supported")
    evidence = [
        {"url": "https://proof.example/a", "title": "Proof", "note": "p. 3"},
        {"url": "https://proof.example/b"},
    ]
    full = reviews.review_claim(claim.id, "contested", "Read the report.", evidence, "second")
    for review in (bare, full):
        assert documents.review_document(review) == ReviewOut().dump(review)
    stored = claims.get_claim(claim.id)
    assert documents.claim_standing(stored) == ClaimStanding().dump(stored)


def test_webhook_summary_is_webhookout(app):
    data = {"url": "http://127.0.0.1:9/hook", "event_types": ["claim.created"], "description": "desk"}
    webhook = webhooks.create_webhook(data, "test", allow_private=True)
    assert webhooks.summary(webhook) == WebhookOut().dump(webhook)
    rotated = webhooks.rotate_secret(webhook.id, "test")
    assert rotated.previous_secret_expires_at is not None
    assert webhooks.summary(rotated) == WebhookOut().dump(rotated)


def test_rating_and_fact_check_documents_are_their_schemas(app):
    claim = make_claim(language="uk")
    draft = publish_fact_check([claim], rating="mostly-false", language="uk")
    published = fact_checks.get_fact_check(draft.id)
    for rating in Rating.select():
        assert ratings.snapshot(rating) == RatingOut().dump(rating)
    out = FactCheckOut().dump(published)
    document = fact_checks.document(published)
    assert document["rating"]["label"] == "Здебільшого неправда"
    assert document == {**out, "rating": document["rating"], "claim_ids": [claim.id]}
    assert document["published_at"] is not None and set(document) == set(FactCheckOut().fields)
