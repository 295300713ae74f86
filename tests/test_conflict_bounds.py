"""Stance pairing stays bounded on busy topics, and a batch import pairs claims as storing them one by one does."""

import pytest
from factories import claim_data
from factories import make_claim
from factories import make_topic

from service.ledger import bulk
from service.ledger import claims
from service.ledger import conflict_detection
from service.schemas.claims import ClaimInput
from service.storage.models import Conflict
from service.storage.models import Event

PARTNERS = conflict_detection.STANCE_PARTNERS


def _stance(slug, stance):
    return [{"slug": slug, "stance": stance}]


def _partners(claim_id):
    query = Conflict.select().where((Conflict.basis == "stance") & conflict_detection.involving(claim_id))
    return {c.right_claim_id if c.left_claim_id == claim_id else c.left_claim_id for c in query}


def test_a_new_claim_pairs_with_the_newest_opposite_claims_and_its_speakers_own(app):
    topic = make_topic()
    own = make_claim(
        speaker={"name": "Yevgeny Prigozhin"}, claimed_on="2020-01-01", topics=_stance(topic.slug, "denies")
    )
    others = [
        make_claim(
            speaker={"name": f"Analyst {n}"}, claimed_on=f"2023-01-{n + 1:02d}", topics=_stance(topic.slug, "denies")
        )
        for n in range(PARTNERS + 3)
    ]

    claim = make_claim(
        speaker={"name": "Yevgeny Prigozhin"}, claimed_on="2023-04-07", topics=_stance(topic.slug, "affirms")
    )

    newest = {c.id for c in others[-PARTNERS:]}
    assert _partners(claim.id) == newest | {own.id}


@pytest.mark.parametrize("attributed", ["created", "imported", "re-attributed"])
def test_a_speakers_own_older_claim_is_found_however_it_got_its_speaker(app, attributed):
    """The speaker's own claim is older than the newest opposite claims, so only the speaker's index finds it."""
    topic = make_topic()
    speaker = {"name": "Yevgeny Prigozhin"}
    own_data = claim_data(speaker=speaker, claimed_on="2020-01-01", topics=_stance(topic.slug, "denies"))
    if attributed == "imported":
        (own_id,) = bulk.import_claims([ClaimInput().load(own_data)], "importer")
    elif attributed == "re-attributed":
        own = make_claim(**{**own_data, "speaker": {"name": "Somebody Else"}})
        own_id = claims.update_claim(own.id, {"speaker": speaker}, own.version, "editor").id
    else:
        own_id = make_claim(**own_data).id
    for n in range(PARTNERS + 1):
        make_claim(
            speaker={"name": f"Analyst {n}"}, claimed_on=f"2023-01-{n + 1:02d}", topics=_stance(topic.slug, "denies")
        )

    claim = make_claim(speaker=speaker, claimed_on="2023-04-07", topics=_stance(topic.slug, "affirms"))

    assert own_id in _partners(claim.id)
    pair = Conflict.get(conflict_detection.involving(claim.id) & conflict_detection.involving(own_id))
    assert pair.topic_id == topic.id


def test_a_batch_pairs_with_stored_claims_and_within_itself(app):
    topic = make_topic()
    stored = make_claim(claimed_on="2023-01-01", topics=_stance(topic.slug, "denies"))
    items = [
        ClaimInput().load(claim_data(claimed_on="2023-02-01", topics=_stance(topic.slug, "affirms"))),
        ClaimInput().load(claim_data(claimed_on="2023-03-01", topics=_stance(topic.slug, "denies"))),
        ClaimInput().load(claim_data(claimed_on="2023-03-02", topics=_stance(topic.slug, "neutral"))),
    ]
    before = Event.select().where(Event.type == "conflict.suggested").count()

    affirming, denying, neutral = bulk.import_claims(items, "importer")

    assert _partners(affirming) == {stored.id, denying}
    assert _partners(neutral) == set()
    pair = Conflict.get((Conflict.left_claim == affirming) & (Conflict.right_claim == denying))
    assert (pair.basis, pair.status, pair.topic_id, pair.created_by) == ("stance", "suggested", topic.id, "importer")
    suggested = Event.select().where(Event.type == "conflict.suggested").order_by(Event.id)
    assert suggested.count() - before == 2
    assert {e.object_id for e in suggested[before:]} == {
        c.id for c in Conflict.select().where(Conflict.created_by == "importer")
    }


def test_a_batch_can_be_imported_without_detection(app):
    topic = make_topic()
    make_claim(topics=_stance(topic.slug, "denies"))
    items = [ClaimInput().load(claim_data(topics=_stance(topic.slug, "affirms")))]

    [claim_id] = bulk.import_claims(items, "bench", detect_conflicts=False)

    assert _partners(claim_id) == set()
