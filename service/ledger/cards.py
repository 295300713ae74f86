"""What the embeddable cards show: one claim with its verdict, or the two sides of a conflict."""

from service.ledger import claimreview
from service.ledger import claims
from service.ledger.errors import NotFound
from service.storage.models import Conflict
from service.storage.models import Topic


def claim_card(claim_id, base_url, organization="claimledger", organization_url=None):
    """Return a claim, its latest review and its ClaimReview markup (None while unreviewed)."""
    claim = claims.get_claim(claim_id)
    review = claimreview.latest_review(claim.id)
    markup = None
    if review is not None and claim.status != "unreviewed":
        markup = claimreview.claim_review(claim.id, base_url, organization, organization_url)
    return {"claim": claim, "review": review, "claim_review": markup}


def conflict_card(conflict_id):
    """Return a conflict with its two claims, the earlier on the left, and its topic (or None)."""
    conflict = Conflict.get_or_none(Conflict.id == conflict_id)
    if conflict is None:
        raise NotFound(f"No conflict with id {conflict_id}.")
    pair = sorted(
        (claims.get_claim(conflict.left_claim_id), claims.get_claim(conflict.right_claim_id)),
        key=lambda claim: (claim.claimed_on, claim.id),
    )
    topic = Topic.get_or_none(Topic.id == conflict.topic_id) if conflict.topic_id else None
    return {"conflict": conflict, "left": pair[0], "right": pair[1], "topic": topic}
