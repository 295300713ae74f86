"""Stand-ins for domain functions that live on other branches (service.reviews, service.conflicts).

The lead switches these bodies to service.reviews.review_claim and service.conflicts.link after merging;
until then they write the rows the same way: in one transaction, with the claim's status kept from the
reviews and the audit event recorded.
"""

from service import events
from service import reviews
from service.db import database
from service.models import Conflict


def review_claim(claim_id, verdict, reviewer="reviewer", rationale="Checked against the cited sources."):
    """Record a review through the reviews domain."""
    return reviews.review_claim(claim_id, verdict, rationale, [], reviewer)


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
