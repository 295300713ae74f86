"""The bare-stack ceiling for the benchmark: Flask and peewee on claimledger's database, nothing more.

It answers the read scenarios with the queries claimledger makes (claim, speaker and source joined; one
query each for a page's appearances and topics; the same filters, keyset order and full-text search)
and builds its JSON by hand: no schemas, no validation, no auth, no signed cursors, no ETags. Serve it
with gunicorn: CLAIMLEDGER_DATABASE_URL=... gunicorn 'bench.bare:create_app()'.
"""

import datetime
import json
import os

from flask import Flask
from flask import Response
from flask import request
from peewee import Tuple

from service.ledger import search
from service.storage import db
from service.storage.models import Claim
from service.storage.models import ClaimAppearance
from service.storage.models import ClaimTopic
from service.storage.models import Conflict
from service.storage.models import Source
from service.storage.models import Speaker
from service.storage.models import Topic

CLAIM_COLUMNS = (
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
    Speaker.id,
    Speaker.name,
    Speaker.description,
    Speaker.affiliation,
    Speaker.kind,
    Speaker.wikidata_id,
    Source.id,
    Source.url,
    Source.publisher,
    Source.title,
    Source.published_on,
    Source.kind,
)
SPEAKER_KEYS = ("id", "name", "description", "affiliation", "kind", "wikidata_id")
SOURCE_COLUMNS = (Source.id, Source.url, Source.publisher, Source.title, Source.published_on, Source.kind)


def _text(value):
    return value if value is None or isinstance(value, str) else value.isoformat()


def _source(row):
    return {
        "id": row[0],
        "url": row[1],
        "publisher": row[2],
        "title": row[3],
        "published_on": _text(row[4]),
        "kind": row[5],
    }


def _claims(rows):
    """Return JSON-ready claims for rows of CLAIM_COLUMNS, with their appearances and topics in two queries."""
    ids = [row[0] for row in rows]
    appearances = {claim_id: [] for claim_id in ids}
    topics = {claim_id: [] for claim_id in ids}
    if ids:
        query = (
            ClaimAppearance.select(ClaimAppearance.claim, *SOURCE_COLUMNS)
            .join(Source)
            .where(ClaimAppearance.claim.in_(ids))
            .order_by(ClaimAppearance.id)
        )
        for row in query.tuples():
            appearances[row[0]].append(_source(row[1:]))
        query = (
            ClaimTopic.select(ClaimTopic.claim, Topic.slug, Topic.title, ClaimTopic.stance)
            .join(Topic)
            .where(ClaimTopic.claim.in_(ids))
            .order_by(ClaimTopic.id)
        )
        for claim_id, slug, title, stance in query.tuples():
            topics[claim_id].append({"slug": slug, "title": title, "stance": stance})
    out = []
    for row in rows:
        claimed_on = row[3]
        out.append(
            {
                "id": row[0],
                "text": row[1],
                "quote": row[2],
                "speaker": dict(zip(SPEAKER_KEYS, row[12:18], strict=True)),
                "source": _source(row[18:24]),
                "appearances": appearances[row[0]],
                "claimed_on": claimed_on.isoformat() + "Z" if row[4] else claimed_on.date().isoformat(),
                "language": row[5],
                "topics": topics[row[0]],
                "status": row[6],
                "review_summary": {"supported": row[7], "contested": row[8]},
                "version": row[9],
                "created_at": row[10].isoformat() + "Z",
                "updated_at": row[11].isoformat() + "Z",
            }
        )
    return out


def _select():
    return Claim.select(*CLAIM_COLUMNS).join(Speaker).switch(Claim).join(Source)


def _json(document, status=200):
    return Response(json.dumps(document), status=status, mimetype="application/json")


def get_claim(claim_id):
    """One claim by id."""
    rows = list(_select().where(Claim.id == claim_id).tuples())
    if not rows:
        return _json({"detail": "not found"}, 404)
    return _json(_claims(rows)[0])


def list_claims():
    """Newest claims first, optionally by speaker id, topic, status or full-text match; after=date,id pages on."""
    args = request.args
    limit = int(args.get("limit", 50))
    query = _select()
    date_column, id_column = Claim.claimed_on, Claim.id
    if "topic" in args:
        topic = Topic.get_or_none(Topic.slug == args["topic"])
        query = query.join(ClaimTopic, on=(ClaimTopic.claim == Claim.id)).where(
            ClaimTopic.topic == (topic.id if topic else 0)
        )
        date_column, id_column = ClaimTopic.claimed_on, ClaimTopic.claim
    if "speaker" in args:
        query = query.where(Claim.speaker == int(args["speaker"]))
    if "status" in args:
        query = query.where(Claim.status == args["status"])
    if "q" in args:
        query, score = search.ranked(query, args["q"])
        query = query.select_extend(score.alias("score"))
        rows = list(query.order_by(score, Claim.id).limit(limit + 1).tuples())
        items = _claims(rows[:limit])
        for item, row in zip(items, rows, strict=False):
            item["snippet"] = search.snippet(row[1], row[2], row[5], args["q"])
        return _json({"items": items, "next": [rows[limit - 1][-2], rows[limit - 1][0]] if len(rows) > limit else None})
    if "after" in args:
        after_date, after_id = args["after"].split(",")
        query = query.where(
            Tuple(date_column, id_column) < Tuple(datetime.datetime.fromisoformat(after_date), int(after_id))
        )
    rows = list(query.order_by(date_column.desc(), id_column.desc()).limit(limit + 1).tuples())
    more = len(rows) > limit
    rows = rows[:limit]
    after = f"{rows[-1][3].isoformat()},{rows[-1][0]}" if more else None
    return _json({"items": _claims(rows), "next": after})


def conflicts():
    """A topic's conflicts, newest first, each with both claims side by side."""
    topic = Topic.get_or_none(Topic.slug == request.args.get("topic", ""))
    found = list(
        Conflict.select(Conflict.id, Conflict.left_claim, Conflict.right_claim, Conflict.basis, Conflict.status)
        .where(Conflict.topic == (topic.id if topic else 0))
        .order_by(Conflict.id.desc())
        .limit(50)
        .tuples()
    )
    claim_ids = {claim_id for row in found for claim_id in row[1:3]}
    by_id = {item["id"]: item for item in _claims(list(_select().where(Claim.id.in_(list(claim_ids))).tuples()))}
    items = [
        {"id": row[0], "left": by_id.get(row[1]), "right": by_id.get(row[2]), "basis": row[3], "status": row[4]}
        for row in found
    ]
    return _json({"items": items})


def sides(slug):
    """A topic's claims by stance, earliest first, up to 100 a side, with their totals and the conflicts between."""
    topic = Topic.get_or_none(Topic.slug == slug)
    if topic is None:
        return _json({"detail": "not found"}, 404)
    answer = {"topic": {"id": topic.id, "slug": topic.slug, "title": topic.title}}
    totals = {"affirms": topic.affirms_count, "denies": topic.denies_count, "neutral": topic.neutral_count}
    listed = []
    for stance in totals:
        rows = list(
            _select()
            .join(ClaimTopic, on=(ClaimTopic.claim == Claim.id))
            .where((ClaimTopic.topic == topic.id) & (ClaimTopic.stance == stance))
            .order_by(ClaimTopic.claimed_on, ClaimTopic.claim)
            .limit(100)
            .tuples()
        )
        answer[stance] = _claims(rows)
        listed.extend(row[0] for row in rows)
    between = (
        Conflict.select(Conflict.id, Conflict.left_claim, Conflict.right_claim, Conflict.basis, Conflict.status)
        .where(Conflict.left_claim.in_(listed) & Conflict.right_claim.in_(listed))
        .where(Conflict.topic.is_null() | (Conflict.topic == topic.id))
        .order_by(Conflict.id)
        .tuples()
    )
    answer["totals"] = totals
    answer["conflicts"] = [
        {"id": row[0], "left_claim_id": row[1], "right_claim_id": row[2], "basis": row[3], "status": row[4]}
        for row in between
    ]
    return _json(answer)


def create_app():
    """Return the bare app on the database at CLAIMLEDGER_DATABASE_URL."""
    app = Flask(__name__)
    db.bind(os.environ["CLAIMLEDGER_DATABASE_URL"])
    app.add_url_rule("/claims/<int:claim_id>", view_func=get_claim)
    app.add_url_rule("/claims", view_func=list_claims)
    app.add_url_rule("/conflicts", view_func=conflicts)
    app.add_url_rule("/topics/<slug>/sides", view_func=sides)

    @app.before_request
    def _connect():
        db.database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        # As claimledger does: a SQLite connection (and its page cache) stays open; PostgreSQL's goes back to the pool.
        if db.is_postgres() and not db.database.is_closed():
            db.database.close()

    return app
