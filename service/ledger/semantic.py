"""Conflicts and topics found by meaning: related claims by sentence vectors, then nlp.contradiction decides.

Run by the background embedder right after it stores a claim's vector, so suggestions appear within
seconds of a POST and never on its path. Two claims can contradict only when they speak of one moment:
claims reported more than SAME_MOMENT_DAYS apart are left alone, whatever their words. A pair already
known in any form (suggested, confirmed or dismissed, on any basis) is never suggested again.
"""

import math

import peewee

from service.ledger import conflict_detection
from service.ledger import matching
from service.nlp import contradiction
from service.nlp import vectors
from service.storage.db import database
from service.storage.models import Claim
from service.storage.models import ClaimTopic
from service.storage.models import Conflict
from service.storage.models import Topic

ACTOR = "embedder"
NEIGHBOURS = 10
TOPIC_NEIGHBOURS = 10
# Claims months apart are about different states of the world, and both can be true when made (a leader
# placed in Belarus in June, in St Petersburg in July). On eval/data's dev half every neighbour pair from
# two different stories that the cues read as opposed was more than 60 days apart, and no gold conflict was.
SAME_MOMENT_DAYS = 60
TOPIC_TEMPERATURE = 0.01
OPPOSITE = {"affirms": "denies", "denies": "affirms", "neutral": "neutral"}


def _assess(a, b, similarity):
    """Return (score, contradicts, reason) from nlp.contradiction for two claims."""
    result = contradiction.assess(a.text, a.language, b.text, b.language, similarity)
    return result.score, result.contradicts, result.reason


def _claim_vector(claim):
    stored = matching.vectors_of([claim.id]).get(claim.id)
    return stored if stored is not None else vectors.encode([claim.text])[0]


def related(claim, count=NEIGHBOURS):
    """Return [(Claim, similarity)] of the stored claims nearest in meaning to a claim, best first."""
    found = matching.nearest(_claim_vector(claim), claim.text, count, exclude={claim.id})
    by_id = {c.id: c for c in Claim.select().where(Claim.id.in_([claim_id for claim_id, _ in found]))}
    return [(by_id[claim_id], score) for claim_id, score in found if claim_id in by_id]


def same_moment(claim, other):
    """Tell whether two claims were reported close enough in time to speak of one state of affairs."""
    return abs((claim.claimed_on - other.claimed_on).days) <= SAME_MOMENT_DAYS


def _known_pairs(claim_id, others):
    if not others:
        return set()
    rows = Conflict.select(Conflict.left_claim, Conflict.right_claim).where(
        ((Conflict.left_claim == claim_id) & Conflict.right_claim.in_(others))
        | ((Conflict.right_claim == claim_id) & Conflict.left_claim.in_(others))
    )
    return {c.right_claim_id if c.left_claim_id == claim_id else c.left_claim_id for c in rows}


def suggest_conflicts(claim_id, actor=ACTOR):
    """Suggest conflicts between a claim and related claims that nlp.contradiction finds opposed; return them."""
    claim = Claim.get_or_none(Claim.id == claim_id)
    if claim is None:
        return []
    decided = [
        (other, similarity, *_assess(claim, other, similarity))
        for other, similarity in related(claim)
        if same_moment(claim, other)
    ]
    with database.atomic():
        ours = list(
            Conflict.select().where(
                (Conflict.basis == "similarity")
                & (Conflict.created_by == actor)
                & (Conflict.status == "suggested")
                & conflict_detection.involving(claim.id)
            )
        )
        supported = {other.id for other, _, _, contradicts, _ in decided if contradicts}
        stale = [c for c in ours if conflict_detection._other(c, claim.id) not in supported]
        speakers = {claim.id: claim.speaker_id, **{other.id: other.speaker_id for other, *_ in decided}}
        speakers.update(conflict_detection._speakers_of([conflict_detection._other(c, claim.id) for c in stale]))
        if stale:
            conflict_detection._record("conflict.removed", stale, speakers, actor)
            conflict_detection._delete(stale)
        known = _known_pairs(claim.id, [other.id for other, *_ in decided]) - {c.id for c in stale}
        rows = []
        for other, _, score, contradicts, reason in decided:
            if not contradicts or other.id in known:
                continue
            (_, left), (_, right) = conflict_detection.earlier_first(
                (claim.claimed_on, claim.id), (other.claimed_on, other.id)
            )
            row = conflict_detection._new_row(left, right, "similarity", actor, score=round(float(score), 4))
            rows.append({**row, "note": reason})
        if not rows:
            return []
        try:
            with database.atomic():
                conflict_detection._insert(rows)
        except peewee.IntegrityError:
            # Another embedder or the write path paired them first; its row stands.
            return []
        wanted = {(row["left_claim"], row["right_claim"]) for row in rows}
        created = [
            c
            for c in Conflict.select()
            .where((Conflict.basis == "similarity") & conflict_detection.involving(claim.id))
            .order_by(Conflict.id)
            if (c.left_claim_id, c.right_claim_id) in wanted
        ]
        conflict_detection._record("conflict.suggested", created, speakers, actor)
    return created


def suggest_topics(claim_id, limit=3):
    """Return topic and stance suggestions for a claim from its nearest neighbours that reviewers placed.

    Each neighbour with a stance votes for its topic with its similarity; the stance is the neighbour's,
    turned round when nlp.contradiction finds the two opposed. Topics the claim already has are left out.
    """
    claim = Claim.get_or_none(Claim.id == claim_id)
    if claim is None:
        from service.ledger.errors import NotFound

        raise NotFound(f"No claim with id {claim_id}.")
    neighbours = related(claim, TOPIC_NEIGHBOURS)
    placed = {}
    if neighbours:
        links = ClaimTopic.select(ClaimTopic.claim, ClaimTopic.topic, ClaimTopic.stance).where(
            ClaimTopic.claim.in_([other.id for other, _ in neighbours])
        )
        for link in links:
            placed.setdefault(link.claim_id, []).append((link.topic_id, link.stance))
    own = {topic_id for (topic_id,) in ClaimTopic.select(ClaimTopic.topic).where(ClaimTopic.claim == claim.id).tuples()}
    votes = {}
    best = max((similarity for other, similarity in neighbours if other.id in placed), default=0.0)
    for other, similarity in neighbours:
        if other.id not in placed:
            continue
        _, contradicts, _ = _assess(claim, other, similarity)
        for topic_id, stance in placed[other.id]:
            if topic_id in own:
                continue
            mine = OPPOSITE[stance] if contradicts else stance
            entry = votes.setdefault(topic_id, {"score": 0.0, "stances": {}, "because": []})
            # Sentence similarities are squeezed (unrelated claims still score 0.75 and up): the nearest
            # neighbours decide, and one 0.03 further off counts a twentieth as much.
            weight = math.exp((similarity - best) / TOPIC_TEMPERATURE)
            entry["score"] += weight
            entry["stances"][mine] = entry["stances"].get(mine, 0.0) + weight
            entry["because"].append(other.id)
    topics = {t.id: t for t in Topic.select().where(Topic.id.in_(list(votes)))} if votes else {}
    ranked = sorted(votes.items(), key=lambda item: (-item[1]["score"], item[0]))[:limit]
    total = sum(entry["score"] for _, entry in ranked) or 1.0
    return {
        "claim_id": claim.id,
        "topics": [
            {
                "slug": topics[topic_id].slug,
                "title": topics[topic_id].title,
                "stance": max(entry["stances"].items(), key=lambda item: item[1])[0],
                "score": round(entry["score"] / total, 4),
                "because_of": entry["because"],
            }
            for topic_id, entry in ranked
        ],
    }
