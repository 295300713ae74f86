"""Find conflicts as claims change: stance pairs and similarity suggestions, in the claim's transaction.

Stance conflicts follow the claims' stances: one appears (suggested) whenever two claims take opposite
stances on a topic, and goes away when that stops being so, unless a reviewer has confirmed or dismissed
it, because a reviewer's decision is kept. Similarity suggestions come from the detector in
service/similarity.py and are never confirmed here. The earlier claim is always on the left.
"""

import functools
import operator

from peewee import SQL
from peewee import Tuple
from peewee import chunked
from peewee import fn

from service import db
from service import events
from service import search
from service import similarity
from service.db import database
from service.models import Claim
from service.models import ClaimTopic
from service.models import Conflict
from service.models import Topic
from service.models import utcnow
from service.schemas_conflicts import ConflictBrief

OPPOSITE = {"affirms": "denies", "denies": "affirms"}
# The detector reads this many of the best full-text matches, so its cost stays flat as the ledger grows.
SIMILARITY_CANDIDATES = 50
# Rows per INSERT or DELETE: well under SQLite's bound-parameter limit.
CHUNK = 200


def earlier_first(first, second):
    """Return (left, right) of two (claimed_on, id) pairs: the earlier claim goes left."""
    return (first, second) if first <= second else (second, first)


def snapshot(conflict):
    """Return a conflict as events carry it: its claims by id; topic and self_contradiction attached."""
    return ConflictBrief().dump(conflict)


def _with_topics(conflicts):
    """Attach each conflict's topic from one query; return them."""
    topic_ids = {c.topic_id for c in conflicts if c.topic_id}
    by_id = {t.id: t for t in Topic.select().where(Topic.id.in_(list(topic_ids)))} if topic_ids else {}
    for conflict in conflicts:
        conflict.topic = by_id.get(conflict.topic_id)
    return conflicts


def _record(event_type, conflicts, speakers, actor):
    """Record one event per conflict; speakers maps claim id to speaker id for self_contradiction."""
    for conflict in _with_topics(conflicts):
        conflict.self_contradiction = speakers[conflict.left_claim_id] == speakers[conflict.right_claim_id]
        events.record(event_type, "conflict", conflict.id, actor, snapshot(conflict))


def involving(claim_id):
    """Return the condition matching conflicts with the claim on either side."""
    return (Conflict.left_claim == claim_id) | (Conflict.right_claim == claim_id)


def _other(conflict, claim_id):
    return conflict.right_claim_id if conflict.left_claim_id == claim_id else conflict.left_claim_id


def _insert(rows):
    for batch in chunked(rows, CHUNK):
        Conflict.insert_many(batch).execute()


def _delete(conflicts):
    for batch in chunked([c.id for c in conflicts], CHUNK):
        Conflict.delete().where(Conflict.id.in_(batch)).execute()


def _new_row(left, right, basis, actor, topic_id=None, score=None):
    now = utcnow()
    return {
        "left_claim": left,
        "right_claim": right,
        "basis": basis,
        "status": "suggested",
        "topic": topic_id,
        "topic_key": topic_id or 0,
        "score": score,
        "created_by": actor,
        "created_at": now,
        "updated_at": now,
    }


def _lock_topics(topic_ids):
    """On PostgreSQL, make claims taking stances on the same topic refresh one after the other.

    Without it two opposite claims stored at once would each miss the other, uncommitted, and never
    be paired. NO KEY UPDATE does not wait for the key-share locks that inserting a claim's stance
    rows already holds, so two such transactions cannot deadlock. SQLite has a single writer anyway.
    """
    if topic_ids and db.is_postgres():
        list(
            Topic.select(Topic.id)
            .where(Topic.id.in_(sorted(topic_ids)))
            .order_by(Topic.id)
            .for_update("FOR NO KEY UPDATE")
        )


def _reorder(claim):
    """Swap the sides of the claim's conflicts where its date change made the right claim the earlier."""
    key = Tuple(claim.claimed_on, claim.id)
    other = Claim.alias()
    for mine, theirs, later in (
        (Conflict.left_claim, Conflict.right_claim, False),
        (Conflict.right_claim, Conflict.left_claim, True),
    ):
        misplaced = Tuple(other.claimed_on, other.id) > key if later else Tuple(other.claimed_on, other.id) < key
        (
            Conflict.update({Conflict.left_claim: Conflict.right_claim, Conflict.right_claim: Conflict.left_claim})
            .where((mine == claim.id) & fn.EXISTS(other.select(SQL("1")).where((other.id == theirs) & misplaced)))
            .execute()
        )


def _refresh_stances(claim, actor):
    """Pair the claim with every claim of the opposite stance on its topics; drop pairs no longer opposed."""
    links = list(
        ClaimTopic.select(ClaimTopic.topic, ClaimTopic.stance).where(
            (ClaimTopic.claim == claim.id) & ClaimTopic.stance.in_(list(OPPOSITE))
        )
    )
    _lock_topics({link.topic_id for link in links})
    opposed = {}
    if links:
        opposite_side = functools.reduce(
            operator.or_,
            [(ClaimTopic.topic == link.topic_id) & (ClaimTopic.stance == OPPOSITE[link.stance]) for link in links],
        )
        rows = (
            ClaimTopic.select(ClaimTopic.claim, ClaimTopic.topic, Claim.claimed_on, Claim.speaker)
            .join(Claim)
            .where(opposite_side & (ClaimTopic.claim != claim.id))
            .tuples()
        )
        opposed = {
            (other_id, topic_id): (claimed_on, speaker_id) for other_id, topic_id, claimed_on, speaker_id in rows
        }
    existing = {
        (_other(c, claim.id), c.topic_id): c
        for c in Conflict.select().where((Conflict.basis == "stance") & involving(claim.id))
    }
    stale = [c for key, c in existing.items() if key not in opposed and c.status == "suggested"]
    fresh = [key for key in opposed if key not in existing]
    speakers = {claim.id: claim.speaker_id}
    speakers.update({other_id: opposed[other_id, topic_id][1] for other_id, topic_id in opposed})
    speakers.update(_speakers_of([_other(c, claim.id) for c in stale]))
    if stale:
        _record("conflict.removed", stale, speakers, actor)
        _delete(stale)
    if fresh:
        rows = []
        for other_id, topic_id in fresh:
            (_, left), (_, right) = earlier_first(
                (claim.claimed_on, claim.id), (opposed[other_id, topic_id][0], other_id)
            )
            rows.append(_new_row(left, right, "stance", actor, topic_id=topic_id))
        _insert(rows)
        wanted = set(fresh)
        created = [
            c
            for c in Conflict.select().where((Conflict.basis == "stance") & involving(claim.id)).order_by(Conflict.id)
            if (_other(c, claim.id), c.topic_id) in wanted
        ]
        _record("conflict.suggested", created, speakers, actor)


def _speakers_of(claim_ids):
    if not claim_ids:
        return {}
    return dict(Claim.select(Claim.id, Claim.speaker).where(Claim.id.in_(list(claim_ids))).tuples())


def _pair_score(left_text, right_text):
    """Return the detector's score for a pair, or None when it suggests no conflict."""
    if not similarity.suggests_conflict(left_text, right_text):
        return None
    return similarity.conflict_score(left_text, right_text)


def _refresh_similarity(claim, actor):
    """Suggest claims the detector finds opposed to this one; drop its suggestions it no longer supports."""
    query, rank = search.ranked_any(
        Claim.select(Claim.id, Claim.text, Claim.claimed_on, Claim.speaker).where(Claim.id != claim.id),
        similarity.key_terms(claim.text),
    )
    candidates = list(query.order_by(rank, Claim.id).limit(SIMILARITY_CANDIDATES)) if query is not None else []
    this_claim = (claim.claimed_on, claim.id)
    speakers = {claim.id: claim.speaker_id}
    speakers.update({c.id: c.speaker_id for c in candidates})

    ours = list(Conflict.select().where((Conflict.basis == "similarity") & involving(claim.id)))
    others = {
        c.id: c
        for c in Claim.select(Claim.id, Claim.text, Claim.speaker).where(
            Claim.id.in_([_other(c, claim.id) for c in ours if c.status == "suggested"])
        )
    }
    texts = {claim.id: claim.text, **{c.id: c.text for c in candidates}, **{c.id: c.text for c in others.values()}}
    speakers.update({c.id: c.speaker_id for c in others.values()})
    stale = [
        c
        for c in ours
        if c.status == "suggested" and _pair_score(texts[c.left_claim_id], texts[c.right_claim_id]) is None
    ]
    if stale:
        _record("conflict.removed", stale, speakers, actor)
        _delete(stale)

    candidate_ids = [c.id for c in candidates]
    # Any row for a pair, of any basis or status, means it is known: a dismissed pair is never suggested again.
    paired = (
        {
            _other(c, claim.id)
            for c in Conflict.select(Conflict.left_claim, Conflict.right_claim).where(
                ((Conflict.left_claim == claim.id) & Conflict.right_claim.in_(candidate_ids))
                | ((Conflict.right_claim == claim.id) & Conflict.left_claim.in_(candidate_ids))
            )
        }
        if candidate_ids
        else set()
    )
    rows = []
    for candidate in candidates:
        if candidate.id in paired:
            continue
        (_, left), (_, right) = earlier_first(this_claim, (candidate.claimed_on, candidate.id))
        score = _pair_score(texts[left], texts[right])
        if score is not None:
            rows.append(_new_row(left, right, "similarity", actor, score=round(score, 4)))
    if rows:
        _insert(rows)
        wanted = {(row["left_claim"], row["right_claim"]) for row in rows}
        created = [
            c
            for c in Conflict.select()
            .where((Conflict.basis == "similarity") & involving(claim.id))
            .order_by(Conflict.id)
            if (c.left_claim_id, c.right_claim_id) in wanted
        ]
        _record("conflict.suggested", created, speakers, actor)


def refresh_for_claim(claim, actor):
    """Bring a stored or edited claim's stance and similarity conflicts up to date, in its transaction."""
    assert database.in_transaction(), "conflicts change in the claim's own transaction"
    _reorder(claim)
    _refresh_stances(claim, actor)
    _refresh_similarity(claim, actor)


def remove_for_claim(claim_id, actor):
    """Delete every conflict of a claim about to be deleted, recording each removal."""
    assert database.in_transaction(), "conflicts change in the claim's own transaction"
    gone = list(Conflict.select().where(involving(claim_id)))
    if gone:
        _record(
            "conflict.removed",
            gone,
            _speakers_of({c.left_claim_id for c in gone} | {c.right_claim_id for c in gone}),
            actor,
        )
        _delete(gone)
