"""The export: every claim matching the listing's filters, streamed as NDJSON or CSV in keyset pages."""

import csv
import io
import re

import orjson
from peewee import Tuple

from service.ledger import claims
from service.ledger import search
from service.ledger.documents import COLUMNS
from service.ledger.documents import documents
from service.ledger.documents import timestamp_text
from service.storage.db import database
from service.storage.db import value_list
from service.storage.models import Review
from service.storage.models import SpeakerAlias
from service.storage.models import Topic

EXPORT_CHUNK = 1000
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
    "external_id",
)
# The columns a CSV import reads (by header name, in any order); the others are the exporting ledger's own.
CSV_IMPORTED = (
    "text",
    "quote",
    "speaker_name",
    "speaker_kind",
    "source_url",
    "source_publisher",
    "appearances",
    "claimed_on",
    "language",
    "topics",
    "external_id",
)


def export_pages(filters, chunk_size=EXPORT_CHUNK):
    """Return an iterator of lists of claim documents matching the listing's filters, newest first.

    Bad filters raise here, before anything streams. Each page is one keyset query plus two for its
    appearances and topics, so memory stays that of one page however many claims match.
    """
    query, date_column, id_column = claims.filtered(filters)
    if filters.get("q"):
        query = search.ranked(query, filters["q"])[0]
    query = query.select(*COLUMNS).order_by(date_column.desc(), id_column.desc())
    return _pages(query, date_column, id_column, chunk_size)


def _pages(query, date_column, id_column, chunk_size):
    after = None
    while True:
        page = query if after is None else query.where(Tuple(date_column, id_column) < Tuple(*after))
        rows = database.execute(page.limit(chunk_size)).fetchall()
        if rows:
            yield with_ledger_parts(documents(rows))
        if len(rows) < chunk_size:
            return
        # The raw stored values, so that the next page's comparison matches the column exactly on either database.
        after = (rows[-1][3], rows[-1][0])


def with_ledger_parts(page):
    """Add to each claim document what rebuilding the ledger needs beyond GET /claims/{id}: the speaker's
    aliases, the topics' descriptions and the claim's reviews (oldest first). Three queries a page."""
    claim_ids = [document["id"] for document in page]
    speaker_ids = sorted({document["speaker"]["id"] for document in page})
    slugs = sorted({topic["slug"] for document in page for topic in document["topics"]})
    aliases = {speaker_id: [] for speaker_id in speaker_ids}
    for speaker_id, alias in (
        SpeakerAlias.select(SpeakerAlias.speaker, SpeakerAlias.alias)
        .where(SpeakerAlias.speaker.in_(value_list(speaker_ids)))
        .order_by(SpeakerAlias.id)
        .tuples()
    ):
        aliases[speaker_id].append(alias)
    descriptions = dict(
        Topic.select(Topic.slug, Topic.description).where(Topic.slug.in_(value_list(slugs))).tuples() if slugs else ()
    )
    reviews = {claim_id: [] for claim_id in claim_ids}
    for review in Review.select().where(Review.claim.in_(value_list(claim_ids))).order_by(Review.id).dicts():
        reviews[review["claim"]].append(
            {
                "id": review["id"],
                "reviewer": review["reviewer"],
                "verdict": review["verdict"],
                "rationale": review["rationale"],
                "evidence": review["evidence"],
                "created_at": timestamp_text(review["created_at"]),
            }
        )
    for document in page:
        document["speaker"] = {**document["speaker"], "aliases": aliases[document["speaker"]["id"]]}
        document["topics"] = [{**topic, "description": descriptions.get(topic["slug"])} for topic in document["topics"]]
        document["reviews"] = reviews[document["id"]]
    return page


def export_claims(filters, chunk_size=EXPORT_CHUNK):
    """Return an iterator of every claim matching the listing's filters as GET /claims/{id} shows it."""
    return (document for page in export_pages(filters, chunk_size) for document in page)


# A spreadsheet runs a cell that begins with one of these as a formula (OWASP's "CSV injection"); a reader
# that takes a CR or LF inside a cell as the end of a row starts a new cell at each line, so every line counts.
FORMULA_AT_LINE_START = re.compile(r"(?:^|(?<=[\r\n]))(?=[=+\-@\t\r])")


def _as_text(value):
    """Return user-written text for a CSV cell, a ' before any formula start that begins the text or a line in it."""
    return FORMULA_AT_LINE_START.sub("'", value) if value else value


def csv_row(document):
    """Return a claim document flattened into CSV_COLUMNS' values."""
    return (
        document["id"],
        _as_text(document["text"]),
        _as_text(document["quote"]),
        document["speaker"]["id"],
        _as_text(document["speaker"]["name"]),
        document["speaker"]["kind"],
        document["source"]["id"],
        document["source"]["url"],
        _as_text(document["source"]["publisher"]),
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
        _as_text(document["external_id"]),
    )


def export_chunks(filters, export_format="ndjson", chunk_size=EXPORT_CHUNK, bom=False):
    """Return an iterator of (claims in chunk, text): NDJSON lines, or CSV under a header row.

    With bom, CSV begins with a UTF-8 byte-order mark: Excel reads a CSV without one in the machine's legacy
    code page, which turns Cyrillic into garbage. Bad filters raise here, before anything streams.
    """
    pages = export_pages(filters, chunk_size)
    return _csv_chunks(pages, bom) if export_format == "csv" else _ndjson_chunks(pages)


def _ndjson_chunks(pages):
    for page in pages:
        yield (
            len(page),
            b"".join(orjson.dumps(document, option=orjson.OPT_APPEND_NEWLINE) for document in page).decode(),
        )


def _csv_chunks(pages, bom=False):
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    # RFC 4180's CRLF: the writer quotes a field holding any character of the line terminator, so every
    # field with a CR or LF in it is quoted (with "\n" alone, a bare CR went out unquoted).
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for page in pages:
        yield count, buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(csv_row(document) for document in page)
        count = len(page)
    yield count, buffer.getvalue()
