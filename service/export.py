"""Claims as GET /api/v1/claims/{id} shows them, built lean from rows, and the export that streams them."""

import csv
import datetime
import io
import json

from peewee import Tuple

from service import claims
from service import search
from service.db import database
from service.models import Claim
from service.models import Source
from service.models import Speaker

EXPORT_CHUNK = 1000
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
)
# Written out rather than built by peewee: they run for every 1,000 exported claims with 1,000 bound ids,
# and peewee builds an IN list value by value at a cost above that of the query.
APPEARANCES_SQL = (
    'SELECT ca."claim_id", s."id", s."url", s."publisher", s."title", s."published_on", s."kind"'
    ' FROM "claim_appearance" AS ca JOIN "source" AS s ON s."id" = ca."source_id"'
    ' WHERE ca."claim_id" IN ({}) ORDER BY ca."id"'
)
TOPICS_SQL = (
    'SELECT ct."claim_id", t."slug", t."title", ct."stance" FROM "claim_topic" AS ct'
    ' JOIN "topic" AS t ON t."id" = ct."topic_id" WHERE ct."claim_id" IN ({}) ORDER BY ct."id"'
)
CSV_COLUMNS = (
    "id",
    "text",
    "quote",
    "speaker_id",
    "speaker_name",
    "speaker_kind",
    "source_id",
    "source_url",
    "source_publisher",
    "appearances",
    "claimed_on",
    "language",
    "topics",
    "status",
    "supported",
    "contested",
    "version",
    "created_at",
    "updated_at",
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


def _as_datetime(value):
    return datetime.datetime.fromisoformat(value) if isinstance(value, str) else value


def _timestamp_text(value):
    return _as_datetime(value).isoformat() + "Z"


def _claimed_on_text(value, has_time):
    value = _as_datetime(value)
    return value.isoformat(timespec="seconds") + "Z" if has_time else value.date().isoformat()


def claim_document(row, speaker, source, appearances, topics):
    """Return a claim as GET /api/v1/claims/{id} shows it (ClaimOut), from a CLAIM_OUT row and its parts."""
    claim_id, text, quote, claimed_on, has_time, language, status = row[:7]
    supported, contested, version, created, updated = row[7:]
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
        "created_at": _timestamp_text(created),
        "updated_at": _timestamp_text(updated),
    }


def _by_ids(sql, ids):
    return database.execute_sql(sql.format(", ".join([database.param] * len(ids))), ids)


def _documents(rows):
    """Return the claim documents for a page of (CLAIM_OUT, SPEAKER_OUT, SOURCE_OUT) rows, in its order."""
    ids = [row[0] for row in rows]
    appearances = {claim_id: [] for claim_id in ids}
    for row in _by_ids(APPEARANCES_SQL, ids):
        appearances[row[0]].append(source_out(row[1:]))
    topics = {claim_id: [] for claim_id in ids}
    for claim_id, slug, title, stance in _by_ids(TOPICS_SQL, ids):
        topics[claim_id].append({"slug": slug, "title": title, "stance": stance})
    speakers = {}
    sources = {}
    documents = []
    width = len(CLAIM_OUT)
    for row in rows:
        speaker_row = row[width : width + len(SPEAKER_OUT)]
        source_row = row[width + len(SPEAKER_OUT) :]
        speaker = speakers.get(speaker_row[0])
        if speaker is None:
            speaker = speakers[speaker_row[0]] = speaker_out(speaker_row)
        source = sources.get(source_row[0])
        if source is None:
            source = sources[source_row[0]] = source_out(source_row)
        documents.append(claim_document(row[:width], speaker, source, appearances[row[0]], topics[row[0]]))
    return documents


def export_pages(filters, chunk_size=EXPORT_CHUNK):
    """Return an iterator of lists of claim documents matching the listing's filters, newest first.

    Bad filters raise here, before anything streams. Each page is one keyset query plus two for its
    appearances and topics, so memory stays that of one page however many claims match.
    """
    query, date_column, id_column = claims.filtered(filters)
    if filters.get("q"):
        query = search.ranked(query, filters["q"])[0]
    query = query.select(*CLAIM_OUT, *SPEAKER_OUT, *SOURCE_OUT).order_by(date_column.desc(), id_column.desc())
    return _pages(query, date_column, id_column, chunk_size)


def _pages(query, date_column, id_column, chunk_size):
    after = None
    while True:
        page = query if after is None else query.where(Tuple(date_column, id_column) < Tuple(*after))
        rows = database.execute(page.limit(chunk_size)).fetchall()
        if rows:
            yield _documents(rows)
        if len(rows) < chunk_size:
            return
        # The raw stored values, so that the next page's comparison matches the column exactly on either database.
        after = (rows[-1][3], rows[-1][0])


def export_claims(filters, chunk_size=EXPORT_CHUNK):
    """Return an iterator of every claim matching the listing's filters as GET /claims/{id} shows it."""
    return (document for page in export_pages(filters, chunk_size) for document in page)


def csv_row(document):
    """Return a claim document flattened into CSV_COLUMNS' values."""
    return (
        document["id"],
        document["text"],
        document["quote"],
        document["speaker"]["id"],
        document["speaker"]["name"],
        document["speaker"]["kind"],
        document["source"]["id"],
        document["source"]["url"],
        document["source"]["publisher"],
        " ".join(source["url"] for source in document["appearances"]),
        document["claimed_on"],
        document["language"],
        ";".join(f"{topic['slug']}:{topic['stance']}" for topic in document["topics"]),
        document["status"],
        document["review_summary"]["supported"],
        document["review_summary"]["contested"],
        document["version"],
        document["created_at"],
        document["updated_at"],
    )


def export_chunks(filters, export_format="ndjson", chunk_size=EXPORT_CHUNK):
    """Return an iterator of (claims in chunk, text): NDJSON lines, or CSV under a header row.

    Bad filters raise here, before anything streams.
    """
    pages = export_pages(filters, chunk_size)
    return _csv_chunks(pages) if export_format == "csv" else _ndjson_chunks(pages)


def _ndjson_chunks(pages):
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for page in pages:
        yield len(page), "".join(encode(document) + "\n" for document in page)


def _csv_chunks(pages):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for page in pages:
        yield count, buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(csv_row(document) for document in page)
        count = len(page)
    yield count, buffer.getvalue()
