"""What readers are shown in embeddable cards: a claim a published fact-check rates, or a confirmed conflict.

A claim no published fact-check rates, and a conflict nobody confirmed, are not shown: NotFound, as for an
unknown id, so a card cannot tell readers that a draft or a suggestion exists.
"""

from service.ledger import claimreview
from service.ledger import claims
from service.ledger import fact_checks
from service.ledger.errors import NotFound
from service.storage.models import Conflict
from service.storage.models import Topic
from service.storage.models import utcnow


def claim_card(claim_id, organization="claimledger", organization_url=None):
    """Return a claim, its published fact-checks (latest first) and the latest one's ClaimReview markup."""
    claim = claims.get_claim(claim_id)
    published = fact_checks.published_for_claims([claim.id]).get(claim.id)
    if not published:
        raise NotFound(f"No published fact-check of claim {claim_id}.")
    markup = claimreview.claim_review(claim, published[0], organization, organization_url)
    return {"claim": claim, "fact_check": published[0], "fact_checks": published, "claim_review": markup}


def draft_card(claim_id, fact_check_id, organization="claimledger", organization_url=None):
    """Return claim_card's answer as it would be were this fact-check of the claim published now: the desk's preview.

    Nothing is stored: a draft gets the dates publishing would give it, on this copy only.
    """
    claim = claims.get_claim(claim_id)
    fact_check = fact_checks.get_fact_check(fact_check_id)
    if claim.id not in fact_checks.claim_ids(fact_check):
        raise NotFound(f"The fact-check {fact_check_id} does not rate claim {claim_id}.")
    if fact_check.status == "draft":
        now = utcnow()
        fact_check.published_at = fact_check.published_at or now
        fact_check.updated_at = now
    others = fact_checks.published_for_claims([claim.id]).get(claim.id, [])
    published = [fact_check] + [other for other in others if other.id != fact_check.id]
    markup = claimreview.claim_review(claim, fact_check, organization, organization_url)
    return {"claim": claim, "fact_check": fact_check, "fact_checks": published, "claim_review": markup}


def conflict_card(conflict_id):
    """Return a confirmed conflict with its two claims, the earlier on the left, its topic (or None), and
    {claim id: latest published fact-check} for those of the two that have one."""
    conflict = Conflict.get_or_none(Conflict.id == conflict_id)
    if conflict is None or conflict.status != "confirmed":
        raise NotFound(f"No conflict with id {conflict_id}.")
    pair = sorted(
        (claims.get_claim(conflict.left_claim_id), claims.get_claim(conflict.right_claim_id)),
        key=lambda claim: (claim.claimed_on, claim.id),
    )
    topic = Topic.get_or_none(Topic.id == conflict.topic_id) if conflict.topic_id else None
    published = fact_checks.published_for_claims([claim.id for claim in pair])
    latest = {claim_id: found[0] for claim_id, found in published.items()}
    return {"conflict": conflict, "left": pair[0], "right": pair[1], "topic": topic, "fact_checks": latest}
