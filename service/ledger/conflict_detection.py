"""Find stance conflicts as claims change, in the claim's transaction.

Stance conflicts follow the claims' stances: one appears (suggested) whenever two claims take opposite
stances on a topic, and goes away when that stops being so, unless a reviewer has confirmed or dismissed
it, because a reviewer's decision is kept. The earlier claim is always on the left. Conflicts found by
wording or meaning are the background embedder's (service/ledger/semantic.py), never made on the write path.
"""

import collections

from peewee import SQL
from peewee import Tuple
from peewee import chunked
from peewee import fn

from service.ledger import documents
from service.ledger import events
from service.storage import db
from service.storage.db import database
from service.storage.models import Claim
from service.storage.models import ClaimTopic
from service.storage.models import Conflict
from service.storage.models import Topic
from service.storage.models import utcnow

OPPOSITE = {"affirms": "denies", "denies": "affirms"}
# Opposite-stance claims a new claim is paired with per topic, newest first (and as many of its speaker's own).
STANCE_PARTNERS = 5
# Rows per INSERT or DELETE: well under SQLite's bound-parameter limit.
CHUNK = 200


def earlier_first(first, second):
    """Return (left, right) of two (claimed_on, id) pairs: the earlier claim goes left."""
    return (first, second) if first <= second else (second, first)


def snapshot(conflict):
    """Return a conflict as events carry it (ConflictBrief): its claims by id; topic and self_contradiction attached.

    Built by hand: a batch import records tens of thousands, and marshmallow cost more than storing them.
    """
    c, topic = conflict, conflict.topic
    row = (c.id, c.left_claim_id, c.right_claim_id, c.basis, c.status)
    row += (topic.id, topic.slug, topic.title) if topic is not None else (None, None, None)
    row += (c.note, c.score, c.created_by, c.decided_by, c.decided_at, c.version, c.created_at, c.updated_at)
    fields = documents.conflict_fields(row, c.self_contradiction)
    return {**fields, "left_claim_id": c.left_claim_id, "right_claim_id": c.right_claim_id}


def _with_topics(conflicts):
    """Attach each conflict's topic from one query; return them."""
    topic_ids = {c.topic_id for c in conflicts if c.topic_id}
    by_id = {t.id: t for t in Topic.select().where(Topic.id.in_(list(topic_ids)))} if topic_ids else {}
    for conflict in conflicts:
        conflict.topic = by_id.get(conflict.topic_id)
    return conflicts


def _record(event_type, conflicts, speakers, actor):
    """Record one event per conflict; speakers maps claim id to speaker id for self_contradiction."""
    changes = []
    for conflict in _with_topics(conflicts):
        conflict.self_contradiction = speakers[conflict.left_claim_id] == speakers[conflict.right_claim_id]
        changes.append((conflict.id, snapshot(conflict)))
    events.record_many(event_type, "conflict", actor, changes)


def involving(claim_id):
    """Return the condition matching conflicts with the claim on either side.

    Written as ids from the two claim indexes: as `left = ? OR right = ?`, SQLite preferred the index of
    any other filter (basis, status) and scanned every conflict with it.
    """
    on_left = Conflict.select(Conflict.id).where(Conflict.left_claim == claim_id)
    return Conflict.id.in_(on_left + Conflict.select(Conflict.id).where(Conflict.right_claim == claim_id))


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


def _newest_on_side(topic_id, stance, speaker_id=None):
    """Return [(claim id, claimed_on, speaker id)] of the newest claims taking this stance on the topic.

    Only STANCE_PARTNERS of them, and with speaker_id only that speaker's: a new claim is paired with
    these rather than the whole side, which would grow with the square of a busy topic. Either way one
    seek in a (topic, stance, [speaker,] claimed_on, claim) index of claim_topic. The SQL is written
    out: a batch import asks this thousands of times, and peewee composing it cost more than the seek.
    """
    param = database.param
    by_speaker = f' AND "speaker_id" = {param}' if speaker_id is not None else ""
    sql = (
        f'SELECT "claim_id", "claimed_on", "speaker_id" FROM "claim_topic"'
        f' WHERE "topic_id" = {param} AND "stance" = {param}{by_speaker}'
        f' ORDER BY "claimed_on" DESC, "claim_id" DESC LIMIT {STANCE_PARTNERS}'
    )
    params = (topic_id, stance) if speaker_id is None else (topic_id, stance, speaker_id)
    return [
        (claim_id, documents.as_datetime(claimed_on), speaker)
        for claim_id, claimed_on, speaker in database.execute_sql(sql, params).fetchall()
    ]


def _opposed(claim, stances, partners=None):
    """Return {(other claim id, topic id): (claimed_on, speaker id)} of the claims to pair with this one.

    For each (topic id, stance) the claim takes: the newest claims of the opposite stance, and the
    speaker's own (a speaker contradicting themselves); the topic's whole debate is on its sides page.
    partners, if given, keeps _newest_on_side's answers across the claims of one batch.
    """
    partners = {} if partners is None else partners
    opposed = {}
    for topic_id, stance in stances:
        for speaker_id in (None, claim.speaker_id):
            key = (topic_id, OPPOSITE[stance], speaker_id)
            if key not in partners:
                partners[key] = _newest_on_side(*key)
            for other_id, claimed_on, speaker in partners[key]:
                opposed[other_id, topic_id] = (claimed_on, speaker)
    return opposed


def _still_opposed(conflicts, claim_id, stances):
    """Return the stance conflicts whose two claims still take opposite stances on their topic."""
    others = {(_other(c, claim_id), c.topic_id) for c in conflicts}
    if not others:
        return set()
    current = set(
        ClaimTopic.select(ClaimTopic.claim, ClaimTopic.topic, ClaimTopic.stance)
        .where(ClaimTopic.claim.in_([other for other, _ in others]))
        .tuples()
    )
    return {
        c.id
        for c in conflicts
        if c.topic_id in stances and (_other(c, claim_id), c.topic_id, OPPOSITE[stances[c.topic_id]]) in current
    }


def _refresh_stances(claim, actor):
    """Pair the claim with the latest claims of the opposite stance on its topics; drop pairs no longer opposed."""
    links = list(
        ClaimTopic.select(ClaimTopic.topic, ClaimTopic.stance).where(
            (ClaimTopic.claim == claim.id) & ClaimTopic.stance.in_(list(OPPOSITE))
        )
    )
    _lock_topics({link.topic_id for link in links})
    opposed = _opposed(claim, [(link.topic_id, link.stance) for link in links])
    existing = {
        (_other(c, claim.id), c.topic_id): c
        for c in Conflict.select().where((Conflict.basis == "stance") & involving(claim.id))
    }
    kept = _still_opposed(existing.values(), claim.id, {link.topic_id: link.stance for link in links})
    stale = [c for c in existing.values() if c.id not in kept and c.status == "suggested"]
    fresh = [key for key in opposed if key not in existing]
    speakers = {claim.id: claim.speaker_id}
    speakers.update({other_id: opposed[other_id, topic_id][1] for other_id, topic_id in opposed})
    speakers.update(_speakers_of([_other(c, claim.id) for c in stale]))
    _remove(stale, speakers, actor)
    rows = []
    for other_id, topic_id in fresh:
        (_, left), (_, right) = earlier_first((claim.claimed_on, claim.id), (opposed[other_id, topic_id][0], other_id))
        rows.append(_new_row(left, right, "stance", actor, topic_id=topic_id))
    _suggest(claim, "stance", rows, speakers, actor)


def _remove(stale, speakers, actor):
    """Record conflict.removed for each suggestion no longer supported, then delete them."""
    if stale:
        _record("conflict.removed", stale, speakers, actor)
        _delete(stale)


def _suggest(claim, basis, rows, speakers, actor):
    """Insert new suggestions of one basis for the claim and record conflict.suggested for each, in id order."""
    if not rows:
        return
    _insert(rows)
    wanted = {(row["left_claim"], row["right_claim"], row["topic"]) for row in rows}
    created = [
        c
        for c in Conflict.select().where((Conflict.basis == basis) & involving(claim.id)).order_by(Conflict.id)
        if (c.left_claim_id, c.right_claim_id, c.topic_id) in wanted
    ]
    _record("conflict.suggested", created, speakers, actor)


def _speakers_of(claim_ids):
    if not claim_ids:
        return {}
    return dict(Claim.select(Claim.id, Claim.speaker).where(Claim.id.in_(list(claim_ids))).tuples())


def refresh_for_claim(claim, actor):
    """Bring a stored or edited claim's stance conflicts, and the sides of all its conflicts, up to date."""
    assert database.in_transaction(), "conflicts change in the claim's own transaction"
    _reorder(claim)
    _refresh_stances(claim, actor)


def pair_imported(claims, actor):
    """Pair a batch of newly stored claims by stance, set-based, in the import's transaction; return new conflict ids.

    Each claim gets the partners _refresh_stances would give it: per topic, the newest opposite claims
    and its speaker's own.
    """
    assert database.in_transaction(), "conflicts change in the claims' own transaction"
    by_id = {claim.id: claim for claim in claims}
    links = []
    for chunk in chunked(list(by_id), CHUNK):
        links.extend(
            ClaimTopic.select(ClaimTopic.claim, ClaimTopic.topic, ClaimTopic.stance)
            .where(ClaimTopic.claim.in_(chunk) & ClaimTopic.stance.in_(list(OPPOSITE)))
            .tuples()
        )
    _lock_topics({topic_id for _, topic_id, _ in links})
    stances = collections.defaultdict(list)
    for claim_id, topic_id, stance in links:
        stances[claim_id].append((topic_id, stance))
    speakers = {claim.id: claim.speaker_id for claim in claims}
    partners, pairs = {}, {}
    for claim_id, taken in stances.items():
        claim = by_id[claim_id]
        for (other_id, topic_id), (claimed_on, speaker) in _opposed(claim, taken, partners).items():
            speakers[other_id] = speaker
            (_, left), (_, right) = earlier_first((claim.claimed_on, claim.id), (claimed_on, other_id))
            pairs[left, right, topic_id] = True
    if not pairs:
        return []
    now = utcnow()
    columns = (
        "left_claim",
        "right_claim",
        "basis",
        "status",
        "topic",
        "topic_key",
        "created_by",
        "version",
        "created_at",
    )
    rows = [(left, right, "stance", "suggested", topic, topic, actor, 1, now) for left, right, topic in pairs]
    ids = db.insert_rows(Conflict, (*columns, "updated_at"), [(*row, now) for row in rows], returning=True)
    created = [
        Conflict(id=conflict_id, **dict(zip(columns, row, strict=True)), updated_at=now)
        for conflict_id, row in zip(ids, rows, strict=True)
    ]
    _record("conflict.suggested", created, speakers, actor)
    return ids


def remove_for_claim(claim_id):
    """Delete every conflict of a claim about to be deleted; return what record_removed() records.

    The events are recorded apart, after the caller's other row changes: the feed lock comes last.
    """
    assert database.in_transaction(), "conflicts change in the claim's own transaction"
    gone = list(Conflict.select().where(involving(claim_id)))
    speakers = _speakers_of({c.left_claim_id for c in gone} | {c.right_claim_id for c in gone})
    _delete(gone)
    return gone, speakers


def record_removed(removed, actor):
    """Record a conflict.removed event for each conflict remove_for_claim() deleted."""
    gone, speakers = removed
    if gone:
        _record("conflict.removed", gone, speakers, actor)
