"""Conflicts: read them side by side, link claims as conflicting, confirm or dismiss, list a topic's sides.

They are found as claims change by service/ledger/conflict_detection.py; a reviewer links, confirms or dismisses.
"""

import peewee
from peewee import JOIN

from service.ledger import claims
from service.ledger import documents
from service.ledger import errors
from service.ledger import events
from service.ledger import topics
from service.ledger.conflict_detection import earlier_first
from service.ledger.conflict_detection import involving
from service.storage import cursors
from service.storage import etags
from service.storage.db import database
from service.storage.models import STANCES
from service.storage.models import Claim
from service.storage.models import ClaimTopic
from service.storage.models import Conflict
from service.storage.models import Topic
from service.storage.models import utcnow

SIDES_LIMIT_DEFAULT = 100


def _claims_by_id(claim_ids):
    """Return {id: claim document} for the ids, in a fixed number of queries."""
    if not claim_ids:
        return {}
    query = claims.select_documents().where(Claim.id.in_(list(claim_ids)))
    return {document["id"]: document for document in documents.documents(database.execute(query).fetchall())}


def _rows(query):
    return database.execute(query.select(*documents.CONFLICT_COLUMNS)).fetchall()


def _base(row, by_id):
    """Return a conflict's fields as ConflictBase shows them, from a CONFLICT_COLUMNS row and its claims."""
    return documents.conflict_fields(row, by_id[row[1]]["speaker"]["id"] == by_id[row[2]]["speaker"]["id"])


def _with_claims(rows):
    """Return the conflicts as ConflictOut shows them, both whole claims loaded in one batch of queries."""
    by_id = _claims_by_id({row[1] for row in rows} | {row[2] for row in rows})
    return [{**_base(row, by_id), "left": by_id[row[1]], "right": by_id[row[2]]} for row in rows]


def _brief(conflict):
    """Return a conflict document as events carry it (ConflictBrief): its claims by id."""
    brief = {key: value for key, value in conflict.items() if key not in ("left", "right")}
    brief.update(left_claim_id=conflict["left"]["id"], right_claim_id=conflict["right"]["id"])
    return brief


def _select():
    return Conflict.select().join(Topic, JOIN.LEFT_OUTER)


def get_conflict(conflict_id):
    """Return a conflict with both whole claims (ConflictOut's shape), or raise NotFound."""
    rows = _rows(_select().where(Conflict.id == conflict_id))
    if not rows:
        raise errors.NotFound(f"No conflict with id {conflict_id}.")
    return _with_claims(rows)[0]


def _pair(first_id, second_id):
    return ((Conflict.left_claim == first_id) & (Conflict.right_claim == second_id)) | (
        (Conflict.left_claim == second_id) & (Conflict.right_claim == first_id)
    )


def link_claims(left_id, right_id, note, actor):
    """Record a reviewer's confirmed conflict between two claims; 409 if the pair is already linked."""
    if left_id == right_id:
        raise errors.ValidationFailed(
            "A claim cannot conflict with itself.",
            errors={"right_claim_id": ["Must name another claim than left_claim_id."]},
        )
    try:
        with database.atomic():
            found = {c.id: c for c in Claim.select(Claim.id, Claim.claimed_on).where(Claim.id.in_([left_id, right_id]))}
            missing = {
                field: [f"No claim with id {claim_id}."]
                for field, claim_id in (("left_claim_id", left_id), ("right_claim_id", right_id))
                if claim_id not in found
            }
            if missing:
                raise errors.ValidationFailed("Both claims must exist.", errors=missing)
            _refuse_known_pair(left_id, right_id)
            (_, left), (_, right) = earlier_first(
                (found[left_id].claimed_on, left_id), (found[right_id].claimed_on, right_id)
            )
            now = utcnow()
            created = Conflict.create(
                left_claim=left,
                right_claim=right,
                basis="reviewer",
                status="confirmed",
                topic_key=0,
                note=note,
                created_by=actor,
                decided_by=actor,
                decided_at=now,
                created_at=now,
                updated_at=now,
            )
            conflict = get_conflict(created.id)
            events.record("conflict.created", "conflict", conflict["id"], actor, _brief(conflict))
    except peewee.IntegrityError as error:
        # Another reviewer linked the same pair, or deleted a claim, a moment earlier.
        _refuse_known_pair(left_id, right_id)
        raise errors.Conflict("The claims changed while they were being linked; try again.") from error
    return conflict


def _refuse_known_pair(first_id, second_id):
    known = Conflict.select().where(_pair(first_id, second_id)).order_by(Conflict.id).first()
    if known is not None:
        raise errors.Conflict(
            f"Claims {first_id} and {second_id} are already paired as conflict {known.id}"
            f" ({known.basis}, {known.status}); confirm or dismiss that one instead."
        )


def _decide(conflict_id, status, actor, note):
    with database.atomic():
        conflict = Conflict.get_or_none(Conflict.id == conflict_id)
        if conflict is None:
            raise errors.NotFound(f"No conflict with id {conflict_id}.")
        changes = {"status": status, "decided_by": actor, "decided_at": utcnow()}
        if note is not None:
            changes["note"] = note
        # Decisions are not version-checked: the last reviewer's stands, and the audit trail keeps each one.
        conflict = get_conflict(etags.compare_and_set(conflict, None, **changes).id)
        events.record(f"conflict.{status}", "conflict", conflict["id"], actor, _brief(conflict))
    return conflict


def confirm(conflict_id, actor, note=None):
    """Record a reviewer's confirmation of a conflict (a dismissed one may be confirmed after all)."""
    return _decide(conflict_id, "confirmed", actor, note)


def dismiss(conflict_id, actor, note=None):
    """Record a reviewer's dismissal of a conflict; a dismissed pair is never suggested again."""
    return _decide(conflict_id, "dismissed", actor, note)


def list_conflicts(filters, limit=50, cursor=None, *, secret):
    """Return (conflicts, next_cursor): newest first, filtered by topic, speaker, claim, status, basis."""
    query = _select()
    if "topic" in filters:
        topic = Topic.get_or_none(Topic.slug == filters["topic"])
        query = query.where(Conflict.topic == (topic.id if topic else 0))
    if "claim" in filters:
        query = query.where(involving(filters["claim"]))
    if "speaker" in filters:
        spoken = Claim.select(Claim.id).where(Claim.speaker == filters["speaker"])
        query = query.where(Conflict.left_claim.in_(spoken) | Conflict.right_claim.in_(spoken))
    if "status" in filters:
        query = query.where(Conflict.status == filters["status"])
    if "basis" in filters:
        query = query.where(Conflict.basis == filters["basis"])
    if cursor:
        (after,) = cursors.decode("conflicts", cursor, 1, secret)
        query = query.where(Conflict.id < after)
    rows, next_cursor = cursors.page(
        _rows(query.order_by(Conflict.id.desc()).limit(limit + 1)), limit, "conflicts", lambda row: [row[0]], secret
    )
    return _with_claims(rows), next_cursor


def claim_conflicts(claim_id, limit=50, cursor=None, *, secret):
    """Return (conflicts, next_cursor) of everything a claim is in conflict with, newest first."""
    if not Claim.select().where(Claim.id == claim_id).exists():
        raise errors.NotFound(f"No claim with id {claim_id}.")
    return list_conflicts({"claim": claim_id}, limit, cursor, secret=secret)


def sides(topic_ref, limit=SIDES_LIMIT_DEFAULT):
    """Return a topic's claims grouped by stance, each side earliest first, and the conflicts between them."""
    topic = topics.get_topic(topic_ref)
    side_ids = {
        stance: [
            claim_id
            for (claim_id,) in ClaimTopic.select(ClaimTopic.claim)
            .where((ClaimTopic.topic == topic.id) & (ClaimTopic.stance == stance))
            .order_by(ClaimTopic.claimed_on, ClaimTopic.claim)
            .limit(limit)
            .tuples()
        ]
        for stance in STANCES
    }
    listed = [claim_id for ids in side_ids.values() for claim_id in ids]
    by_id = _claims_by_id(listed)
    between = []
    if listed:
        rows = _rows(
            _select()
            .where(
                Conflict.left_claim.in_(listed)
                & Conflict.right_claim.in_(listed)
                & (Conflict.topic.is_null() | (Conflict.topic == topic.id))
            )
            .order_by(Conflict.id)
        )
        between = [{**_base(row, by_id), "left_claim_id": row[1], "right_claim_id": row[2]} for row in rows]
    result = {"topic": topics.snapshot(topic)}
    result.update((stance, [by_id[claim_id] for claim_id in ids]) for stance, ids in side_ids.items())
    result.update(totals=topics.stance_totals(topic), conflicts=between)
    return result
