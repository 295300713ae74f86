"""The representations: objects as the API shows them and events carry them, built by hand.

A claim has one builder, claim_document (ClaimOut's shape, from plain rows): listings, one claim, events,
webhooks, exports and bulk imports all read claims through it; at 50 claims a page, building peewee model
instances and dumping them through marshmallow cost twice what the queries do. Speakers, sources, topics,
reviews and conflicts have theirs here too, so the domain records events without the schemas; the
marshmallow output schemas document these shapes, and tests/test_documents.py checks that they agree.
"""

import datetime

from service.storage.db import database
from service.storage.models import Claim
from service.storage.models import Conflict
from service.storage.models import Source
from service.storage.models import Speaker
from service.storage.models import Topic

SPEAKER_OUT = (Speaker.id, Speaker.name, Speaker.description, Speaker.affiliation, Speaker.kind, Speaker.wikidata_id)
SOURCE_OUT = (Source.id, Source.url, Source.publisher, Source.title, Source.published_on, Source.kind)
CLAIM_OUT = (
    Claim.id,
    Claim.text,
    Claim.quote,
    Claim.claimed_on,
    Claim.claimed_on_has_time,
    Claim.language,
    Claim.status,
    Claim.supported_count,
    Claim.contested_count,
    Claim.version,
    Claim.created_at,
    Claim.updated_at,
    Claim.external_id,
)
COLUMNS = (*CLAIM_OUT, *SPEAKER_OUT, *SOURCE_OUT)
# Written out rather than built by peewee: peewee builds an IN list value by value, at a cost above
# that of the query.
APPEARANCES_SQL = (
    'SELECT ca."claim_id", s."id", s."url", s."publisher", s."title", s."published_on", s."kind"'
    ' FROM "claim_appearance" AS ca JOIN "source" AS s ON s."id" = ca."source_id"'
    ' WHERE ca."claim_id" IN ({}) ORDER BY ca."id"'
)
TOPICS_SQL = (
    'SELECT ct."claim_id", t."slug", t."title", ct."stance" FROM "claim_topic" AS ct'
    ' JOIN "topic" AS t ON t."id" = ct."topic_id" WHERE ct."claim_id" IN ({}) ORDER BY ct."id"'
)


def speaker_out(row):
    """Return a SPEAKER_OUT row as a claim shows its speaker."""
    return dict(zip(("id", "name", "description", "affiliation", "kind", "wikidata_id"), row, strict=True))


def source_out(row):
    """Return a SOURCE_OUT row as a claim shows a source."""
    out = dict(zip(("id", "url", "publisher", "title", "published_on", "kind"), row, strict=True))
    out["published_on"] = _date_text(out["published_on"])
    return out


def _date_text(value):
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def as_datetime(value):
    """Return a stored timestamp as a datetime: SQLite hands back text, PostgreSQL a datetime."""
    return datetime.datetime.fromisoformat(value) if isinstance(value, str) else value


def timestamp_text(value):
    """Return a stored timestamp as the API writes it: ISO 8601 with Z."""
    return as_datetime(value).isoformat() + "Z"


def _claimed_on_text(value, has_time):
    value = as_datetime(value)
    return value.isoformat(timespec="seconds") + "Z" if has_time else value.date().isoformat()


def optional_timestamp_text(value):
    """Return a stored timestamp as the API writes it, or None."""
    return None if value is None else timestamp_text(value)


def speaker_document(speaker):
    """Return a speaker as GET /api/v1/speakers/{id} shows it (SpeakerDetail); it carries alias_names and record."""
    return {
        **speaker_out(
            [speaker.id, speaker.name, speaker.description, speaker.affiliation, speaker.kind, speaker.wikidata_id]
        ),
        "aliases": list(speaker.alias_names),
        "record": dict(speaker.record),
        "version": speaker.version,
        "created_at": timestamp_text(speaker.created_at),
        "updated_at": timestamp_text(speaker.updated_at),
    }


def source_document(source):
    """Return a source as GET /api/v1/sources/{id} shows it (SourceDetail)."""
    return {
        **source_out([source.id, source.url, source.publisher, source.title, source.published_on, source.kind]),
        "version": source.version,
        "created_at": timestamp_text(source.created_at),
        "updated_at": timestamp_text(source.updated_at),
    }


def topic_document(topic):
    """Return a topic as GET /api/v1/topics/{id} shows it (TopicOut)."""
    return {
        "id": topic.id,
        "slug": topic.slug,
        "title": topic.title,
        "description": topic.description,
        "version": topic.version,
        "created_at": timestamp_text(topic.created_at),
        "updated_at": timestamp_text(topic.updated_at),
    }


EVIDENCE_FIELDS = ("url", "title", "note")


def review_document(review):
    """Return a review as GET /api/v1/reviews/{id} shows it (ReviewOut)."""
    return {
        "id": review.id,
        "claim_id": review.claim_id,
        "reviewer": review.reviewer,
        "verdict": review.verdict,
        "rationale": review.rationale,
        "evidence": [{k: item[k] for k in EVIDENCE_FIELDS if k in item} for item in review.evidence],
        "created_at": timestamp_text(review.created_at),
    }


def claim_standing(claim):
    """Return where a claim stands after a review (ClaimStanding): what review.created carries besides the review."""
    return {
        "id": claim.id,
        "status": claim.status,
        "review_summary": {"supported": claim.supported_count, "contested": claim.contested_count},
        "version": claim.version,
    }


def claim_document(row, speaker, source, appearances, topics):
    """Return a claim as GET /api/v1/claims/{id} shows it (ClaimOut), from a CLAIM_OUT row and its parts."""
    claim_id, text, quote, claimed_on, has_time, language, status = row[:7]
    supported, contested, version, created, updated, external_id = row[7:13]
    return {
        "id": claim_id,
        "text": text,
        "quote": quote,
        "speaker": speaker,
        "source": source,
        "appearances": appearances,
        "claimed_on": _claimed_on_text(claimed_on, has_time),
        "language": language,
        "topics": topics,
        "status": status,
        "review_summary": {"supported": supported, "contested": contested},
        "version": version,
        "created_at": timestamp_text(created),
        "updated_at": timestamp_text(updated),
        "external_id": external_id,
    }


def _by_ids(sql, ids):
    return database.execute_sql(sql.format(", ".join([database.param] * len(ids))), ids)


def documents(rows):
    """Return the claim documents for rows that start with COLUMNS' values, in the rows' order.

    Two more queries, whatever the number of rows: the appearances and the topics of them all.
    """
    if not rows:
        return []
    ids = [row[0] for row in rows]
    appearances = {claim_id: [] for claim_id in ids}
    for row in _by_ids(APPEARANCES_SQL, ids):
        appearances[row[0]].append(source_out(row[1:]))
    topics = {claim_id: [] for claim_id in ids}
    for claim_id, slug, title, stance in _by_ids(TOPICS_SQL, ids):
        topics[claim_id].append({"slug": slug, "title": title, "stance": stance})
    speakers = {}
    sources = {}
    result = []
    width = len(CLAIM_OUT)
    source_start = width + len(SPEAKER_OUT)
    for row in rows:
        speaker_row = row[width:source_start]
        source_row = row[source_start : len(COLUMNS)]
        speaker = speakers.get(speaker_row[0])
        if speaker is None:
            speaker = speakers[speaker_row[0]] = speaker_out(speaker_row)
        source = sources.get(source_row[0])
        if source is None:
            source = sources[source_row[0]] = source_out(source_row)
        result.append(claim_document(row[:width], speaker, source, appearances[row[0]], topics[row[0]]))
    return result


# A conflict's own columns with its topic's, in the order conflict_fields reads them.
CONFLICT_COLUMNS = (
    Conflict.id,
    Conflict.left_claim,
    Conflict.right_claim,
    Conflict.basis,
    Conflict.status,
    Topic.id,
    Topic.slug,
    Topic.title,
    Conflict.note,
    Conflict.score,
    Conflict.created_by,
    Conflict.decided_by,
    Conflict.decided_at,
    Conflict.version,
    Conflict.created_at,
    Conflict.updated_at,
)


def conflict_fields(row, self_contradiction):
    """Return a conflict's fields as ConflictBase shows them, from a CONFLICT_COLUMNS row."""
    conflict_id, _, _, basis, status, topic_id, slug, title, note, score = row[:10]
    created_by, decided_by, decided_at, version, created_at, updated_at = row[10:]
    return {
        "id": conflict_id,
        "basis": basis,
        "status": status,
        "topic": None if topic_id is None else {"id": topic_id, "slug": slug, "title": title},
        "self_contradiction": self_contradiction,
        "note": note,
        "score": None if score is None else float(score),
        "created_by": created_by,
        "decided_by": decided_by,
        "decided_at": None if decided_at is None else timestamp_text(decided_at),
        "version": version,
        "created_at": timestamp_text(created_at),
        "updated_at": timestamp_text(updated_at),
    }
