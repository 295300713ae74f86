"""Claim matching: sentence vectors written off the write path, searched in an in-process index.

The claim_vectors table is the source of truth. The background embedder (`embed_pending`, run by
`claimledger embed --follow`, which `claimledger serve` starts) encodes claims that have no vector of the
current model; every API process keeps its own VectorIndex and, before each search, reads the vector rows
above the highest row id it has seen, so several servers agree and any index is rebuilt from the table by
starting empty. A claim not yet embedded is still found: word-form candidates are encoded on the fly.
"""

import threading

import faiss
import numpy
from peewee import JOIN

from service.ledger import claims
from service.ledger import documents
from service.ledger import fact_checks
from service.ledger import search
from service.nlp import vector_index
from service.nlp import vectors
from service.nlp.vector_index import VectorIndex
from service.storage.db import database
from service.storage.models import Claim
from service.storage.models import ClaimVector
from service.storage.models import Conflict
from service.storage.models import Event

DEFAULT_LIMIT = 5
MAX_LIMIT = 50
# Vector rows read per query while an index catches up.
CATCH_UP_BATCH = 5000
# Word-form candidates without a vector that one match may encode on the fly (about 50 ms each).
ON_THE_FLY = 12
WORD_CANDIDATES = 30
# Claims the embedder encodes per call to the model.
EMBED_BATCH = 16

_lock = threading.Lock()
_state = {"index": None, "high_water": 0}


def to_bytes(vector):
    """Return a vector as the bytes stored in claim_vectors (vector_index's float16 form)."""
    return vector_index.to_blob(vector)


def from_bytes(blob):
    """Return the vector stored as bytes."""
    return vector_index.from_blob(bytes(blob))


def reset_index():
    """Forget this process's index; the next search rebuilds it from claim_vectors."""
    with _lock:
        _state["index"] = None
        _state["high_water"] = 0


def current_index():
    """Return this process's VectorIndex, caught up with every vector row stored so far."""
    with _lock:
        if _state["index"] is None:
            # One query's search gains nothing from OpenMP threads, and on shared cores their spinning made a
            # 2,000-vector search take 40 ms at p50 instead of 0.3 (bench/matching.py).
            faiss.omp_set_num_threads(1)
            _state["index"] = VectorIndex(vectors.DIM)
            _state["high_water"] = 0
        index = _state["index"]
        # A claim's later row is its newer vector: the last one read wins.
        latest = {}
        while True:
            rows = list(
                ClaimVector.select(ClaimVector.id, ClaimVector.claim, ClaimVector.vector)
                .where((ClaimVector.id > _state["high_water"]) & (ClaimVector.model == vectors.MODEL_NAME))
                .order_by(ClaimVector.id)
                .limit(CATCH_UP_BATCH)
                .tuples()
            )
            if not rows:
                break
            latest.update((claim_id, blob) for _, claim_id, blob in rows)
            _state["high_water"] = rows[-1][0]
        if latest:
            # One add for all the rows, so that a fresh process trains its inverted lists once rather than at
            # every fourfold growth on the way up; add() replaces the vector of an id already held.
            index.add(list(latest), numpy.vstack([from_bytes(blob) for blob in latest.values()]))
        return index


def warm_up():
    """Build this process's index now, so that the first match does not wait for it (a server's workers call it)."""
    with database.connection_context():
        current_index()


def _unembedded(limit, after=0):
    """Return [(id, text)] of claims with no vector of the current model, by id."""
    query = (
        Claim.select(Claim.id, Claim.text)
        .join(
            ClaimVector,
            JOIN.LEFT_OUTER,
            on=(ClaimVector.claim == Claim.id) & (ClaimVector.model == vectors.MODEL_NAME),
        )
        .where(ClaimVector.id.is_null() & (Claim.id > after))
        .order_by(Claim.id)
        .limit(limit)
    )
    return list(query.tuples())


def store_vectors(pairs):
    """Store (claim id, vector) pairs, replacing any older vector of those claims; skip claims gone since."""
    if not pairs:
        return []
    with database.atomic():
        ids = [claim_id for claim_id, _ in pairs]
        existing = set(Claim.select(Claim.id).where(Claim.id.in_(ids)).tuples())
        existing = {row[0] for row in existing}
        ClaimVector.delete().where(ClaimVector.claim.in_(ids)).execute()
        rows = [
            {"claim": claim_id, "model": vectors.MODEL_NAME, "vector": to_bytes(vector)}
            for claim_id, vector in pairs
            if claim_id in existing
        ]
        if rows:
            ClaimVector.insert_many(rows).execute()
    return [row["claim"] for row in rows]


def embed_pending(limit=EMBED_BATCH, after=0):
    """Encode up to limit claims lacking a vector (ids above after) and store them; return their ids."""
    pending = _unembedded(limit, after)
    if not pending:
        return []
    encoded = vectors.encode([text for _, text in pending])
    return store_vectors([(claim_id, vector) for (claim_id, _), vector in zip(pending, encoded, strict=True)])


def changed_claims(after_event, limit=500):
    """Return (claim ids created or edited in events after after_event, the last event id read)."""
    rows = list(
        Event.select(Event.id, Event.object_id)
        .where((Event.id > after_event) & Event.type.in_(["claim.created", "claim.updated"]))
        .order_by(Event.id)
        .limit(limit)
        .tuples()
    )
    if not rows:
        return [], after_event
    return list(dict.fromkeys(object_id for _, object_id in rows)), rows[-1][0]


def last_event_id():
    """Return the id of the newest event, 0 when there is none."""
    row = Event.select(Event.id).order_by(Event.id.desc()).limit(1).tuples().first()
    return row[0] if row else 0


def embed_claims(claim_ids):
    """Encode the given claims that lack a vector of the current model; return the ids embedded."""
    if not claim_ids:
        return []
    have = {
        claim_id
        for (claim_id,) in ClaimVector.select(ClaimVector.claim)
        .where(ClaimVector.claim.in_(claim_ids) & (ClaimVector.model == vectors.MODEL_NAME))
        .tuples()
    }
    todo = list(
        Claim.select(Claim.id, Claim.text).where(Claim.id.in_([i for i in claim_ids if i not in have])).tuples()
    )
    embedded = []
    for start in range(0, len(todo), EMBED_BATCH):
        chunk = todo[start : start + EMBED_BATCH]
        encoded = vectors.encode([text for _, text in chunk])
        embedded += store_vectors([(claim_id, vector) for (claim_id, _), vector in zip(chunk, encoded, strict=True)])
    return embedded


def vectors_of(claim_ids):
    """Return {claim id: vector} of the stored vectors (current model) of the claims."""
    if not claim_ids:
        return {}
    rows = (
        ClaimVector.select(ClaimVector.claim, ClaimVector.vector)
        .where(ClaimVector.claim.in_(list(claim_ids)) & (ClaimVector.model == vectors.MODEL_NAME))
        .tuples()
    )
    return {claim_id: from_bytes(blob) for claim_id, blob in rows}


def _word_candidates(text, exclude=()):
    """Return [(id, text)] of the best word-form matches of any of the text's words."""
    query, rank = search.ranked_any(Claim.select(Claim.id, Claim.text), text.split())
    if query is None:
        return []
    if exclude:
        query = query.where(Claim.id.not_in(list(exclude)))
    return list(query.order_by(rank, Claim.id).limit(WORD_CANDIDATES).tuples())


def nearest(vector, text, limit, exclude=()):
    """Return [(claim id, score)]: the claims nearest a query vector, best first, from the index and word forms."""
    index = current_index()
    found = {claim_id: score for claim_id, score in index.search(vector, limit + len(exclude) + 5)}
    for claim_id in exclude:
        found.pop(claim_id, None)
    candidates = _word_candidates(text, exclude)
    stored = vectors_of([claim_id for claim_id, _ in candidates if claim_id not in found])
    missing = [(claim_id, body) for claim_id, body in candidates if claim_id not in found and claim_id not in stored]
    for claim_id, stored_vector in stored.items():
        found[claim_id] = float(stored_vector @ vector)
    missing = missing[:ON_THE_FLY]
    if missing:
        for (claim_id, _), encoded in zip(missing, vectors.encode([body for _, body in missing]), strict=True):
            found[claim_id] = float(encoded @ vector)
    return sorted(found.items(), key=lambda item: (-item[1], item[0]))[:limit]


def _conflicts_by_claim(claim_ids):
    """Return {claim id: [its conflicts, briefly]} for the claims."""
    out = {claim_id: [] for claim_id in claim_ids}
    if not claim_ids:
        return out
    rows = Conflict.select().where(Conflict.left_claim.in_(claim_ids) | Conflict.right_claim.in_(claim_ids))
    for conflict in rows:
        for mine, theirs in (
            (conflict.left_claim_id, conflict.right_claim_id),
            (conflict.right_claim_id, conflict.left_claim_id),
        ):
            if mine in out:
                out[mine].append(
                    {
                        "id": conflict.id,
                        "other_claim_id": theirs,
                        "basis": conflict.basis,
                        "status": conflict.status,
                        "score": conflict.score,
                        "note": conflict.note,
                    }
                )
    return out


def _fact_checks(claim_ids):
    """Return {claim id: [published fact-checks, latest first]}, as the API shows them (drafts never)."""
    published = fact_checks.published_for_claims(claim_ids)
    return {claim_id: [fact_checks.document(f) for f in published.get(claim_id, ())] for claim_id in claim_ids}


def _with_details(ranked):
    """Return the ranked (claim id, score) pairs as matches: each claim's document, conflicts and fact-checks."""
    ids = [claim_id for claim_id, _ in ranked]
    by_id = {}
    if ids:
        rows = database.execute(claims.select_documents().where(Claim.id.in_(ids))).fetchall()
        by_id = {document["id"]: document for document in documents.documents(rows)}
    conflicts = _conflicts_by_claim(list(by_id))
    fact_checks = _fact_checks(list(by_id))
    return [
        {
            "score": round(score, 4),
            "claim": by_id[claim_id],
            "conflicts": conflicts[claim_id],
            "fact_checks": fact_checks[claim_id],
        }
        for claim_id, score in ranked
        if claim_id in by_id
    ]


def match_claims(text, language=None, limit=DEFAULT_LIMIT):
    """Return the stored claims closest in meaning to a text, in any language, best first, with their conflicts."""
    vector = vectors.encode([text])[0]
    return _with_details(nearest(vector, text, limit))


def claim_matches(claim_id, limit=DEFAULT_LIMIT):
    """Return the other stored claims closest in meaning to a stored claim, best first, as match_claims does."""
    claim = claims.get_claim(claim_id)
    vector = vectors_of([claim.id]).get(claim.id)
    if vector is None:
        vector = vectors.encode([claim.text])[0]
    return _with_details(nearest(vector, claim.text, limit, exclude=(claim.id,)))
