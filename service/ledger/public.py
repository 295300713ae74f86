"""What readers may see on the public pages: claims a published fact-check rates or a confirmed conflict holds,
and confirmed conflicts. Drafts, unreviewed claims and suggested or dismissed conflicts stay the desk's own.
"""

from peewee import fn

from service.ledger import claims
from service.ledger import conflicts
from service.ledger import documents
from service.ledger import fact_checks
from service.ledger import topics
from service.ledger.errors import NotFound
from service.storage.db import database
from service.storage.models import STANCES
from service.storage.models import Claim
from service.storage.models import ClaimTopic
from service.storage.models import Conflict
from service.storage.models import FactCheck
from service.storage.models import FactCheckClaim

SIDES_LIMIT = 100


def _public_claims():
    """Return a query of the ids of claims readers may see."""
    rated = FactCheckClaim.select(FactCheckClaim.claim).join(FactCheck).where(FactCheck.status == "published")
    confirmed = Conflict.select(Conflict.left_claim).where(Conflict.status == "confirmed")
    confirmed_right = Conflict.select(Conflict.right_claim).where(Conflict.status == "confirmed")
    return rated | confirmed | confirmed_right


def conflict(conflict_id):
    """Return a confirmed conflict with both claims, and {claim id: latest published fact-check}."""
    found = conflicts.get_conflict(conflict_id)
    if found["status"] != "confirmed":
        raise NotFound(f"No conflict with id {conflict_id}.")
    return found, _latest_fact_checks([found["left"]["id"], found["right"]["id"]])


def _latest_fact_checks(claim_ids):
    return {claim_id: found[0] for claim_id, found in fact_checks.published_for_claims(claim_ids).items()}


def _claim_documents(claim_ids):
    if not claim_ids:
        return {}
    query = claims.select_documents().where(Claim.id.in_(claim_ids))
    return {document["id"]: document for document in documents.documents(database.execute(query).fetchall())}


def _confirmed_between(topic, claim_ids, by_id):
    """Return the confirmed conflicts between listed claims of a topic, oldest first, as the page shows them."""
    if not claim_ids:
        return []
    query = Conflict.select().where(
        Conflict.left_claim.in_(claim_ids)
        & Conflict.right_claim.in_(claim_ids)
        & (Conflict.topic.is_null() | (Conflict.topic == topic.id))
        & (Conflict.status == "confirmed")
    )
    return [
        {
            "id": row.id,
            "left_claim_id": row.left_claim_id,
            "right_claim_id": row.right_claim_id,
            "note": row.note,
            "decided_at": row.decided_at.isoformat() + "Z" if row.decided_at else None,
            "self_contradiction": by_id[row.left_claim_id]["speaker"]["id"]
            == by_id[row.right_claim_id]["speaker"]["id"],
        }
        for row in query.order_by(Conflict.id)
    ]


def topic_sides(slug, limit=SIDES_LIMIT):
    """Return a topic's public claims by stance (earliest first), their totals, the confirmed conflicts between
    them and {claim id: latest published fact-check}."""
    topic = topics.get_topic(slug)
    public = _public_claims()
    side_ids, totals = {}, {}
    for stance in STANCES:
        query = ClaimTopic.select(ClaimTopic.claim).where(
            (ClaimTopic.topic == topic.id) & (ClaimTopic.stance == stance) & ClaimTopic.claim.in_(public)
        )
        side_ids[stance] = [
            claim_id for (claim_id,) in query.order_by(ClaimTopic.claimed_on, ClaimTopic.claim).limit(limit).tuples()
        ]
        totals[stance] = query.select(fn.COUNT(ClaimTopic.claim)).scalar()
    listed = [claim_id for ids in side_ids.values() for claim_id in ids]
    by_id = _claim_documents(listed)
    result = {"topic": topics.snapshot(topic), "totals": totals, "conflicts": _confirmed_between(topic, listed, by_id)}
    result.update((stance, [by_id[claim_id] for claim_id in ids]) for stance, ids in side_ids.items())
    return result, _latest_fact_checks(listed)
