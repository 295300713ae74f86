"""Stand-ins for domain functions that live on other branches (service.reviews, service.conflicts).

The lead switches these bodies to service.reviews.review_claim and service.conflicts.link after merging;
until then they write the rows the same way: in one transaction, with the claim's status kept from the
reviews and the audit event recorded.
"""

from service import events
from service.db import database
from service.models import Claim
from service.models import Conflict
from service.models import Review


def review_claim(claim_id, verdict, reviewer="reviewer", rationale="Checked against the cited sources."):
    """Record a review and recompute the claim's status and review summary from its reviews."""
    with database.atomic():
        review = Review.create(claim=claim_id, reviewer=reviewer, verdict=verdict, rationale=rationale, evidence=[])
        current = {}
        for earlier in Review.select().where(Review.claim == claim_id).order_by(Review.id):
            current[earlier.reviewer] = earlier.verdict
        verdicts = list(current.values())
        Claim.update(
            status=verdict,
            supported_count=verdicts.count("supported"),
            contested_count=verdicts.count("contested"),
            version=Claim.version + 1,
        ).where(Claim.id == claim_id).execute()
        events.record("review.created", "review", review.id, reviewer, {"claim_id": claim_id, "verdict": verdict})
    return review


def link_conflict(first, second, topic=None, note=None, actor="reviewer"):
    """Link two claims as a reviewer-stated conflict, the earlier claim on the left."""
    left, right = sorted((first, second), key=lambda claim: (claim.claimed_on, claim.id))
    with database.atomic():
        conflict = Conflict.create(
            left_claim=left.id,
            right_claim=right.id,
            basis="reviewer",
            topic=topic,
            topic_key=topic.id if topic else 0,
            note=note,
            created_by=actor,
        )
        events.record("conflict.created", "conflict", conflict.id, actor, {"left": left.id, "right": right.id})
    return conflict
