"""Reviews: reviewers' verdicts on claims, kept forever, and the claim status they add up to."""

import datetime

from service.ledger import documents
from service.ledger import events
from service.ledger.errors import NotFound
from service.storage import db
from service.storage import etags
from service.storage.db import database
from service.storage.models import VERDICTS
from service.storage.models import Claim
from service.storage.models import Review
from service.storage.models import utcnow


def _lock_claim(claim_id):
    """Check that the claim exists and, on PostgreSQL, hold its row until the transaction ends.

    Reviews of one claim then queue one behind another, so each recount sees every review committed
    before it. NO KEY UPDATE still lets other transactions insert rows that refer to the claim.
    SQLite needs no lock: its transactions begin IMMEDIATE, one writer at a time.
    """
    query = Claim.select(Claim.id).where(Claim.id == claim_id)
    if db.is_postgres():
        query = query.for_update("FOR NO KEY UPDATE")
    if query.first() is None:
        raise NotFound(f"No claim with id {claim_id}.")


def tally(claim_id):
    """Return (status, review_summary) as the claim's reviews stand: each reviewer counted by their latest."""
    latest = {}
    status = "unreviewed"
    rows = Review.select(Review.reviewer, Review.verdict).where(Review.claim == claim_id).order_by(Review.id)
    for reviewer, verdict in rows.tuples():
        latest[reviewer] = verdict
        status = verdict
    summary = dict.fromkeys(VERDICTS, 0)
    for verdict in latest.values():
        summary[verdict] += 1
    return status, summary


def review_claim(claim_id, verdict, rationale, evidence, reviewer, version=None):
    """Record a reviewer's verdict on a claim, recount the claim's status and summary, and record the event.

    With a version (as an If-Match names it), the review is refused with 412 if the claim has moved on since.
    """
    return _store(claim_id, verdict, rationale, evidence, reviewer, reviewer, version=version)


def import_review(claim_id, review, actor):
    """Store a review brought by a batch import with its own reviewer and time; actor is the importing key."""
    created_at = review["created_at"]
    if not isinstance(created_at, datetime.datetime):
        created_at = datetime.datetime.combine(created_at, datetime.time())
    return _store(
        claim_id, review["verdict"], review["rationale"], review["evidence"], review["reviewer"], actor, created_at
    )


def _store(claim_id, verdict, rationale, evidence, reviewer, actor, created_at=None, version=None):
    evidence = [{"url": item["url"], "title": item.get("title"), "note": item.get("note")} for item in evidence]
    with database.atomic():
        _lock_claim(claim_id)
        if version is not None:
            etags.check_version(Claim.get_by_id(claim_id), version)
        review = Review.create(
            claim=claim_id,
            reviewer=reviewer,
            verdict=verdict,
            rationale=rationale,
            evidence=evidence,
            created_at=created_at or utcnow(),
        )
        status, summary = tally(claim_id)
        Claim.update(
            status=status,
            supported_count=summary["supported"],
            contested_count=summary["contested"],
            version=Claim.version + 1,
            updated_at=utcnow(),
        ).where(Claim.id == claim_id).execute()
        claim = Claim.get_by_id(claim_id)
        data = {**documents.review_document(review), "claim": documents.claim_standing(claim)}
        events.record("review.created", "review", review.id, actor, data)
    return review


def get_review(review_id):
    """Return a review by id, or raise NotFound."""
    review = Review.get_or_none(Review.id == review_id)
    if review is None:
        raise NotFound(f"No review with id {review_id}.")
    return review


def list_reviews(claim_id):
    """Return every review of a claim, oldest first; NotFound if there is no such claim."""
    if not Claim.select().where(Claim.id == claim_id).exists():
        raise NotFound(f"No claim with id {claim_id}.")
    return list(Review.select().where(Review.claim == claim_id).order_by(Review.id))
