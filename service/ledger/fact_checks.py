"""Fact-checks: the desk's verdict for readers. Reviewers write drafts; editors publish, unpublish and correct.

Only a published fact-check is public (ClaimReview, embeds, pages, the Google-compatible search). Each
publication and each correction appends a FactCheckVersion, so the history of what readers were shown stays.
"""

from urllib.parse import urlsplit

from service.ledger import events
from service.ledger import ratings
from service.ledger.documents import optional_timestamp_text
from service.ledger.documents import timestamp_text
from service.ledger.errors import Conflict
from service.ledger.errors import NotFound
from service.ledger.errors import ValidationFailed
from service.storage import cursors
from service.storage import etags
from service.storage.db import database
from service.storage.models import Claim
from service.storage.models import FactCheck
from service.storage.models import FactCheckClaim
from service.storage.models import FactCheckVersion
from service.storage.models import Rating
from service.storage.models import utcnow


def article_site(url):
    """Return the host a fact-check is published on, without "www.": Google's publisher site."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")[:300]


def claim_ids(fact_check):
    """Return the ids of the claims a fact-check rates, in the order they were given."""
    links = FactCheckClaim.select(FactCheckClaim.claim).where(FactCheckClaim.fact_check == fact_check.id)
    return [claim_id for (claim_id,) in links.order_by(FactCheckClaim.id).tuples()]


def document(fact_check):
    """Return a fact-check as the API shows it (FactCheckOut) and events record it."""
    rating = fact_check.rating
    return {
        "id": fact_check.id,
        "headline": fact_check.headline,
        "article_url": fact_check.article_url,
        "authors": list(fact_check.authors),
        "rating": {
            "slug": rating.slug,
            "label": ratings.label(rating, fact_check.language),
            "position": rating.position,
            "counts_as": rating.counts_as,
        },
        "explanation": fact_check.explanation,
        "language": fact_check.language,
        "status": fact_check.status,
        "claim_ids": claim_ids(fact_check),
        "created_by": fact_check.created_by,
        "published_at": optional_timestamp_text(fact_check.published_at),
        "version": fact_check.version,
        "created_at": timestamp_text(fact_check.created_at),
        "updated_at": timestamp_text(fact_check.updated_at),
    }


def get_fact_check(fact_check_id, include_drafts=True):
    """Return a fact-check, or raise NotFound (for a draft too, unless include_drafts)."""
    fact_check = FactCheck.select(FactCheck, Rating).join(Rating).where(FactCheck.id == fact_check_id).first()
    if fact_check is None or (fact_check.status != "published" and not include_drafts):
        raise NotFound(f"No fact-check with id {fact_check_id}.")
    return fact_check


def _claims_exist(ids):
    found = {claim_id for (claim_id,) in Claim.select(Claim.id).where(Claim.id.in_(ids)).tuples()}
    missing = {
        f"claim_ids.{index}": [f"No claim with id {claim_id}."]
        for index, claim_id in enumerate(ids)
        if claim_id not in found
    }
    if missing:
        raise ValidationFailed(errors=missing)


def _link_claims(fact_check, ids):
    FactCheckClaim.delete().where(FactCheckClaim.fact_check == fact_check.id).execute()
    for claim_id in ids:
        FactCheckClaim.create(fact_check=fact_check.id, claim=claim_id)


def _fields(changes):
    """Return the columns of a fact-check's changes: the rating looked up, the article's site derived."""
    columns = {key: value for key, value in changes.items() if key not in ("claim_ids", "rating", "note")}
    if "rating" in changes:
        columns["rating"] = ratings.usable_rating(changes["rating"])
    if "article_url" in changes:
        columns["article_site"] = article_site(changes["article_url"])
    return columns


def create_fact_check(data, actor):
    """Store a draft fact-check of one or more claims; 422 naming an unknown claim or rating."""
    with database.atomic():
        _claims_exist(data["claim_ids"])
        fact_check = FactCheck.create(created_by=actor, status="draft", **_fields(data))
        _link_claims(fact_check, data["claim_ids"])
        fact_check = get_fact_check(fact_check.id)
        events.record("fact_check.created", "fact_check", fact_check.id, actor, document(fact_check))
    return fact_check


def _change(fact_check_id, changes, version, actor, expected_status, event_type, **columns):
    """Apply changes at the version read, if the fact-check is in the expected status; record the event."""
    fact_check = get_fact_check(fact_check_id)
    if fact_check.status != expected_status:
        raise Conflict(_wrong_status(fact_check, event_type))
    if "claim_ids" in changes:
        _claims_exist(changes["claim_ids"])
    fact_check = etags.compare_and_set(fact_check, version, **_fields(changes), **columns)
    if "claim_ids" in changes:
        _link_claims(fact_check, changes["claim_ids"])
    fact_check = get_fact_check(fact_check.id)
    data = document(fact_check)
    events.record(event_type, "fact_check", fact_check.id, actor, data)
    return fact_check, data


def _wrong_status(fact_check, event_type):
    if fact_check.status == "published":
        return {
            "fact_check.updated": "The fact-check is published: an editor corrects it (POST .../corrections).",
            "fact_check.published": "The fact-check is published already.",
            "fact_check.deleted": "The fact-check is published: an editor unpublishes it first.",
        }[event_type]
    return {
        "fact_check.corrected": "The fact-check is a draft: edit it with PATCH; corrections are for published ones.",
        "fact_check.unpublished": "The fact-check is a draft already.",
    }[event_type]


def _keep_version(fact_check, data, kind, note, actor):
    number = (
        FactCheckVersion.select(FactCheckVersion.number)
        .where(FactCheckVersion.fact_check == fact_check.id)
        .order_by(FactCheckVersion.number.desc())
        .scalar()
        or 0
    ) + 1
    FactCheckVersion.create(fact_check=fact_check.id, number=number, kind=kind, note=note, data=data, actor=actor)


def update_fact_check(fact_check_id, changes, version, actor):
    """Edit a draft fact-check at the version read; 409 for a published one (an editor corrects it)."""
    with database.atomic():
        fact_check, _ = _change(fact_check_id, changes, version, actor, "draft", "fact_check.updated")
    return fact_check


def publish(fact_check_id, version, actor):
    """Publish a draft at the version read, keeping its first publication date if it had one."""
    with database.atomic():
        current = get_fact_check(fact_check_id)
        if current.status == "draft" and not claim_ids(current):
            raise Conflict(f"Fact-check {fact_check_id} rates no claim (its claims were deleted): add one first.")
        published_at = current.published_at or utcnow()
        fact_check, data = _change(
            fact_check_id,
            {},
            version,
            actor,
            "draft",
            "fact_check.published",
            status="published",
            published_at=published_at,
        )
        _keep_version(fact_check, data, "published", None, actor)
    return fact_check


def unpublish(fact_check_id, version, actor):
    """Take a published fact-check back to draft: it stops being public; its history stays."""
    with database.atomic():
        fact_check, _ = _change(
            fact_check_id, {}, version, actor, "published", "fact_check.unpublished", status="draft"
        )
    return fact_check


def correct(fact_check_id, changes, version, actor):
    """Correct a published fact-check at the version read, keeping what it said before in its history."""
    note = changes["note"]
    with database.atomic():
        fact_check, data = _change(fact_check_id, changes, version, actor, "published", "fact_check.corrected")
        _keep_version(fact_check, data, "corrected", note, actor)
    return fact_check


def delete_fact_check(fact_check_id, version, actor):
    """Delete a draft fact-check at the version read; 409 for a published one."""
    with database.atomic():
        fact_check = get_fact_check(fact_check_id)
        if fact_check.status != "draft":
            raise Conflict(_wrong_status(fact_check, "fact_check.deleted"))
        etags.check_version(fact_check, version)
        data = document(fact_check)
        etags.delete_at_version(fact_check, version)
        events.record("fact_check.deleted", "fact_check", fact_check.id, actor, data)


def import_published(data, ids, actor):
    """Store a fact-check published elsewhere before (an import), with its own dates; return it."""
    with database.atomic():
        fact_check = FactCheck.create(
            headline=data["headline"],
            article_url=data["article_url"],
            article_site=article_site(data["article_url"]),
            authors=data["authors"],
            rating=data["rating"],
            explanation=data["explanation"],
            language=data["language"],
            status="published",
            published_at=data["published_at"],
            created_by=actor,
            created_at=utcnow(),
            updated_at=max(data["updated_at"], data["published_at"]),
        )
        _link_claims(fact_check, ids)
        fact_check = get_fact_check(fact_check.id)
        data = document(fact_check)
        events.record("fact_check.created", "fact_check", fact_check.id, actor, data)
        events.record("fact_check.published", "fact_check", fact_check.id, actor, data)
        _keep_version(fact_check, data, "published", "Imported from ClaimReview markup.", actor)
    return fact_check


def add_claims(fact_check_id, ids, note, actor):
    """Add claims to a fact-check, recorded as a correction of a published one; return it."""
    with database.atomic():
        fact_check = get_fact_check(fact_check_id)
        fact_check = etags.compare_and_set(fact_check, None)
        for claim_id in ids:
            FactCheckClaim.create(fact_check=fact_check.id, claim=claim_id)
        fact_check = get_fact_check(fact_check.id)
        data = document(fact_check)
        if fact_check.status == "published":
            events.record("fact_check.corrected", "fact_check", fact_check.id, actor, data)
            _keep_version(fact_check, data, "corrected", note, actor)
        else:
            events.record("fact_check.updated", "fact_check", fact_check.id, actor, data)
    return fact_check


def versions(fact_check_id, include_drafts=True):
    """Return a fact-check's published versions, oldest first."""
    fact_check = get_fact_check(fact_check_id, include_drafts)
    return [
        {
            "number": row.number,
            "kind": row.kind,
            "note": row.note,
            "actor": row.actor,
            "created_at": row.created_at,
            "fact_check": row.data,
        }
        for row in FactCheckVersion.select()
        .where(FactCheckVersion.fact_check == fact_check.id)
        .order_by(FactCheckVersion.number)
    ]


def list_fact_checks(filters, include_drafts=True, limit=50, cursor=None, secret=None):
    """Return a page of fact-checks, newest first; drafts only for those who may see them."""
    query = FactCheck.select(FactCheck, Rating).join(Rating)
    status = filters.get("status")
    if not include_drafts:
        if status == "draft":
            return [], None
        status = "published"
    if status:
        query = query.where(FactCheck.status == status)
    if filters.get("claim"):
        linked = FactCheckClaim.select(FactCheckClaim.fact_check).where(FactCheckClaim.claim == filters["claim"])
        query = query.where(FactCheck.id.in_(linked))
    if cursor:
        (before,) = cursors.decode("fact_checks", cursor, 1, secret)
        query = query.where(FactCheck.id < before)
    rows, next_cursor = cursors.page(
        query.order_by(FactCheck.id.desc()).limit(limit + 1), limit, "fact_checks", lambda row: [row.id], secret
    )
    return [document(row) for row in rows], next_cursor


def published_for_claims(ids):
    """Return {claim id: [published FactCheck, latest first]} for the claims that have any."""
    if not ids:
        return {}
    links = (
        FactCheckClaim.select(FactCheckClaim.claim, FactCheckClaim.fact_check)
        .join(FactCheck)
        .where(FactCheckClaim.claim.in_(list(ids)) & (FactCheck.status == "published"))
        .tuples()
    )
    by_claim = {}
    for claim_id, fact_check_id in links:
        by_claim.setdefault(claim_id, []).append(fact_check_id)
    wanted = {fact_check_id for fact_check_ids in by_claim.values() for fact_check_id in fact_check_ids}
    fact_checks = (
        {
            fact_check.id: fact_check
            for fact_check in FactCheck.select(FactCheck, Rating).join(Rating).where(FactCheck.id.in_(list(wanted)))
        }
        if wanted
        else {}
    )
    newest_first = lambda fact_check: (fact_check.published_at, fact_check.id)  # noqa: E731
    return {
        claim_id: sorted((fact_checks[i] for i in fact_check_ids), key=newest_first, reverse=True)
        for claim_id, fact_check_ids in by_claim.items()
    }
