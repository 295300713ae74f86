"""Claims: create, read, edit, delete and list them, with their speaker, sources and topics."""

import datetime

import peewee
from peewee import Tuple

from service.ledger import conflict_detection
from service.ledger import duplicates
from service.ledger import events
from service.ledger import search
from service.ledger import wording
from service.ledger.documents import COLUMNS
from service.ledger.documents import as_datetime
from service.ledger.documents import documents
from service.ledger.errors import Conflict
from service.ledger.errors import NotFound
from service.ledger.sources import resolve_source
from service.ledger.speakers import find_speaker
from service.ledger.speakers import resolve_speaker
from service.ledger.speakers import similar_speakers
from service.ledger.topics import count_stances
from service.ledger.topics import topics_by_slug
from service.storage import cursors
from service.storage import db
from service.storage import etags
from service.storage.db import database
from service.storage.models import Claim
from service.storage.models import ClaimAppearance
from service.storage.models import ClaimTopic
from service.storage.models import ClaimVector
from service.storage.models import FactCheck
from service.storage.models import FactCheckClaim
from service.storage.models import Review
from service.storage.models import Source
from service.storage.models import Speaker
from service.storage.models import Topic
from service.storage.models import parse_id


def stored_claimed_on(value):
    """Return (datetime, has_time) as claimed_on is stored, for a loaded date or datetime."""
    if isinstance(value, datetime.datetime):
        return value, True
    return datetime.datetime.combine(value, datetime.time()), False


def with_details(claims):
    """Attach speakers' and sources' rows, appearances and topic stances to claims; return them."""
    claims = list(claims)
    by_id = {claim.id: claim for claim in claims}
    for claim in claims:
        claim.appearance_sources = []
        claim.topic_stances = []
    if not by_id:
        return claims
    ids = list(by_id)
    appearances = (
        ClaimAppearance.select(ClaimAppearance, Source)
        .join(Source)
        .where(ClaimAppearance.claim.in_(ids))
        .order_by(ClaimAppearance.id)
    )
    for appearance in appearances:
        by_id[appearance.claim_id].appearance_sources.append(appearance.source)
    links = ClaimTopic.select(ClaimTopic, Topic).join(Topic).where(ClaimTopic.claim.in_(ids)).order_by(ClaimTopic.id)
    for link in links:
        by_id[link.claim_id].topic_stances.append(
            {"slug": link.topic.slug, "title": link.topic.title, "stance": link.stance}
        )
    return claims


def _select():
    return Claim.select(Claim, Speaker, Source).join(Speaker).switch(Claim).join(Source)


def select_documents():
    """Return the query of claims' COLUMNS rows, as documents() reads them; add a where."""
    return _select().select(*COLUMNS)


def _lock_claim(claim_id):
    """On PostgreSQL, hold the claim's row until the transaction ends, before any other lock.

    A review racing the delete then waits for it and finds the claim gone (404); a delete that waits for a
    review finds a new version (412). SQLite needs no lock: one writer at a time.
    """
    if db.is_postgres():
        list(Claim.select(Claim.id).where(Claim.id == claim_id).for_update())


def get_claim(claim_id):
    """Return a claim with its details, or raise NotFound."""
    claim = _select().where(Claim.id == claim_id).first()
    if claim is None:
        raise NotFound(f"No claim with id {claim_id}.")
    return with_details([claim])[0]


def read_claim(claim_id):
    """Return a claim as the API shows it (ClaimOut's shape, built from rows), or raise NotFound."""
    rows = database.execute(_select().select(*COLUMNS).where(Claim.id == claim_id)).fetchall()
    if not rows:
        raise NotFound(f"No claim with id {claim_id}.")
    return documents(rows)[0]


def snapshot(claim):
    """Return the claim as events and webhooks carry it."""
    return read_claim(claim.id)


def _set_appearances(claim, refs, actor, replace=True):
    if replace:
        ClaimAppearance.delete().where(ClaimAppearance.claim == claim).execute()
    seen = {claim.source_id}
    for index, ref in enumerate(refs):
        source = resolve_source(ref, actor, field=f"appearances.{index}")
        if source.id not in seen:
            seen.add(source.id)
            ClaimAppearance.create(claim=claim, source=source)


def _stances_of(claim_id):
    """Return the claim's stances as (topic id, stance) pairs."""
    return list(ClaimTopic.select(ClaimTopic.topic, ClaimTopic.stance).where(ClaimTopic.claim == claim_id).tuples())


def _set_topics(claim, stances, topics=None):
    """Replace the claim's topic stances; topics, if given, are the stances' Topic rows by slug and the claim is new."""
    changes = []
    if topics is None:
        topics = topics_by_slug([item["slug"] for item in stances])
        changes = [(topic_id, stance, -1) for topic_id, stance in _stances_of(claim.id)]
        ClaimTopic.delete().where(ClaimTopic.claim == claim).execute()
    changes += [(topics[item["slug"]].id, item["stance"], 1) for item in stances]
    count_stances(changes)
    for item in stances:
        ClaimTopic.create(
            claim=claim,
            topic=topics[item["slug"]],
            stance=item["stance"],
            claimed_on=claim.claimed_on,
            speaker=claim.speaker_id,
        )


def _free_external_id(external_id, claim_id=None):
    """Return external_id if no other claim holds it; else raise 409 naming the claim that does."""
    if external_id is not None:
        holder = Claim.select(Claim.id).where(Claim.external_id == external_id).scalar()
        if holder is not None and holder != claim_id:
            raise Conflict(
                f"Claim {holder} already has external_id {external_id!r}.",
                errors={"external_id": [f"Claim {holder} already has it."]},
            )
    return external_id


def create_claim(data, actor):
    """Store a new claim, matching or creating its speaker and sources, and record the event.

    The claim returned carries `document`: the claim as the event recorded it and the API shows it.
    """
    with database.atomic():
        topics = topics_by_slug([item["slug"] for item in data.get("topics", [])])
        speaker = resolve_speaker(data["speaker"], actor)
        source = resolve_source(data["source"], actor)
        claimed_on, has_time = stored_claimed_on(data["claimed_on"])
        language = wording.claim_language(data["text"], data.get("language"))
        claim = Claim.create(
            text=data["text"],
            quote=data.get("quote"),
            search_terms=wording.search_terms(data["text"], data.get("quote"), language),
            speaker=speaker,
            source=source,
            claimed_on=claimed_on,
            claimed_on_has_time=has_time,
            language=language,
            external_id=_free_external_id(data.get("external_id")),
        )
        _set_appearances(claim, data.get("appearances", []), actor, replace=False)
        _set_topics(claim, data.get("topics", []), topics)
        conflict_detection.refresh_for_claim(claim, actor)
        claim.document = snapshot(claim)
        events.record("claim.created", "claim", claim.id, actor, claim.document)
        # Reported, never stored; read before the commit so that a write answered with an error is never kept.
        claim.possible_duplicates = duplicates.possible_duplicates(claim.text, claim.search_terms, exclude=claim.id)
        claim.similar_speakers = similar_speakers(claim.speaker_id)
    return claim


def add_appearance(claim_id, source_ref, actor):
    """Record a further source a claim appeared in (a batch's duplicate, linked); record the event."""
    with database.atomic():
        claim = get_claim(claim_id)
        source = resolve_source(source_ref, actor)
        known = {claim.source_id} | {s.id for s in claim.appearance_sources}
        if source.id in known:
            return claim
        ClaimAppearance.create(claim=claim, source=source)
        claim = etags.compare_and_set(claim, None)
        claim.document = snapshot(claim)
        events.record("claim.updated", "claim", claim.id, actor, claim.document)
    return claim


def update_claim(claim_id, changes, version, actor):
    """Edit a claim if it is still at the version the caller read; record the event.

    The claim returned carries `document`: the claim as the event recorded it and the API shows it.
    """
    changes = dict(changes)
    with database.atomic():
        claim = get_claim(claim_id)
        if not changes:
            # An empty PATCH changes nothing: no new version, no event.
            etags.check_version(claim, version)
            claim.document = snapshot(claim)
            return claim
        columns = {k: changes[k] for k in ("text", "quote") if k in changes}
        if "language" in changes:
            columns["language"] = wording.claim_language(changes.get("text", claim.text), changes["language"])
        elif "text" in changes:
            columns["language"] = wording.claim_language(changes["text"])
        if columns:
            columns["search_terms"] = wording.search_terms(
                columns.get("text", claim.text),
                columns.get("quote", claim.quote),
                columns.get("language", claim.language),
            )
        if "external_id" in changes:
            columns["external_id"] = _free_external_id(changes["external_id"], claim.id)
        if "speaker" in changes:
            columns["speaker"] = resolve_speaker(changes["speaker"], actor)
        if "source" in changes:
            columns["source"] = resolve_source(changes["source"], actor)
        if "claimed_on" in changes:
            columns["claimed_on"], columns["claimed_on_has_time"] = stored_claimed_on(changes["claimed_on"])
        claim = etags.compare_and_set(claim, version, **columns)
        if "text" in columns:
            # The background embedder sees the claim.updated event and encodes the new text.
            ClaimVector.delete().where(ClaimVector.claim == claim.id).execute()
        if "appearances" in changes:
            _set_appearances(claim, changes["appearances"], actor)
        if "topics" in changes:
            _set_topics(claim, changes["topics"])
        elif "claimed_on" in changes or "speaker" in changes:
            copied = {ClaimTopic.claimed_on: claim.claimed_on, ClaimTopic.speaker: claim.speaker_id}
            ClaimTopic.update(copied).where(ClaimTopic.claim == claim).execute()
        conflict_detection.refresh_for_claim(claim, actor)
        claim.document = snapshot(claim)
        events.record("claim.updated", "claim", claim.id, actor, claim.document)
    return claim


def delete_claim(claim_id, version, actor):
    """Delete a claim if it is still at the version the caller read; record the event."""
    with database.atomic():
        # Locks in one order everywhere: the claim's row first, then the other rows, the feed's lock last
        # (events.record). Taking the feed's lock before this row deadlocked with a review of the claim.
        _lock_claim(claim_id)
        claim = get_claim(claim_id)
        etags.check_version(claim, version)
        _refuse_if_published(claim.id)
        data = snapshot(claim)
        removed = conflict_detection.remove_for_claim(claim.id)
        stances = _stances_of(claim.id)
        # Another request may have changed or deleted it since get_claim read it: 412, or 404 if it is gone.
        etags.delete_at_version(claim, version, gone=NotFound(f"No claim with id {claim_id}."))
        count_stances((topic_id, stance, -1) for topic_id, stance in stances)
        conflict_detection.record_removed(removed, actor)
        events.record("claim.deleted", "claim", claim.id, actor, data)


def _refuse_if_published(claim_id):
    """409 if a published fact-check rates the claim: readers would be left with a verdict on nothing."""
    published = (
        FactCheckClaim.select(FactCheckClaim.fact_check)
        .join(FactCheck)
        .where((FactCheckClaim.claim == claim_id) & (FactCheck.status == "published"))
        .order_by(FactCheckClaim.fact_check)
    )
    ids = [fact_check_id for (fact_check_id,) in published.tuples()]
    if ids:
        named = ", ".join(str(fact_check_id) for fact_check_id in ids)
        raise Conflict(
            f"Claim {claim_id} is rated by published fact-check {named}: unpublish it before deleting the claim.",
            errors={"fact_check_ids": ids},
        )


def _speaker_id(value):
    if value.isdigit():
        return parse_id(value) or 0
    speaker = find_speaker(value)
    return speaker.id if speaker else 0


def _source_id(value):
    if value.isdigit():
        return parse_id(value) or 0
    source = Source.get_or_none(Source.url == value)
    return source.id if source else 0


def _day_end(value):
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.combine(value, datetime.time.max)


def filtered(filters, query=None):
    """Return (query, date column, id column): the claims matching the listing's filters other than q, unordered.

    query, if given, is the claim query to narrow (by default claims with their speaker and source joined).
    """
    query = _select() if query is None else query
    if "topic" in filters:
        topic = Topic.get_or_none(Topic.slug == filters["topic"])
        query = query.join(ClaimTopic, on=(ClaimTopic.claim == Claim.id)).where(
            ClaimTopic.topic == (topic.id if topic else 0)
        )
        if "stance" in filters:
            query = query.where(ClaimTopic.stance == filters["stance"])
        date_column, id_column = ClaimTopic.claimed_on, ClaimTopic.claim
    else:
        if "stance" in filters:
            query = query.where(
                peewee.fn.EXISTS(
                    ClaimTopic.select(peewee.SQL("1")).where(
                        (ClaimTopic.claim == Claim.id) & (ClaimTopic.stance == filters["stance"])
                    )
                )
            )
        date_column, id_column = Claim.claimed_on, Claim.id
    if "speaker" in filters:
        query = query.where(Claim.speaker == _speaker_id(filters["speaker"]))
    if "source" in filters:
        query = query.where(Claim.source == _source_id(filters["source"]))
    if "status" in filters:
        query = query.where(Claim.status == filters["status"])
    if "language" in filters:
        query = query.where(wording.language_condition(Claim.language, filters["language"]))
    if "reviewer" in filters:
        # IN, not a correlated EXISTS: the planner starts from the reviewer's index rather than scanning
        # every claim by date and probing each one.
        query = query.where(Claim.id.in_(Review.select(Review.claim).where(Review.reviewer == filters["reviewer"])))
    if "claimed_from" in filters:
        query = query.where(date_column >= stored_claimed_on(filters["claimed_from"])[0])
    if "claimed_to" in filters:
        query = query.where(date_column <= _day_end(filters["claimed_to"]))
    return query, date_column, id_column


def list_claims(filters, limit=50, cursor=None, *, secret):
    """Return (claim documents, next_cursor): newest claimed_on first, or best match first with q."""
    if filters.get("q"):
        return _search(filters, limit, cursor, secret)
    query, date_column, id_column = filtered(filters)
    if cursor:
        after_date, after_id = cursors.decode("claims", cursor, 2, secret)
        after = datetime.datetime.fromisoformat(after_date)
        query = query.where(Tuple(date_column, id_column) < Tuple(after, after_id))
    query = query.select(*COLUMNS).order_by(date_column.desc(), id_column.desc()).limit(limit + 1)
    rows, next_cursor = cursors.page(
        database.execute(query).fetchall(),
        limit,
        "claims",
        lambda row: [as_datetime(row[3]).isoformat(), row[0]],
        secret,
    )
    return documents(rows), next_cursor


def _search(filters, limit, cursor, secret):
    after = cursors.decode("claims-search", cursor, 2, secret) if cursor else None
    if filters.keys() == {"q"}:
        # Ranked on the full-text index alone, then only the page's rows joined: the joins no longer
        # cost per match.
        best = search.best_matches(filters["q"], limit + 1, after)
        ranking, next_cursor = cursors.page(best, limit, "claims-search", lambda match: [match[1], match[0]], secret)
        if not ranking:
            return [], None
        ids = [claim_id for claim_id, _ in ranking]
        by_id = {row[0]: row for row in database.execute(_select().select(*COLUMNS).where(Claim.id.in_(ids)))}
        rows = [by_id[claim_id] for claim_id in ids if claim_id in by_id]
    else:
        # Other filters narrow the matches in the joined query, so every match is ranked there.
        query = filtered(filters)[0]
        query, score = search.ranked(query, filters["q"])
        if after:
            query = query.where(Tuple(score, Claim.id) > Tuple(*after))
        query = query.select(*COLUMNS, score).order_by(score, Claim.id).limit(limit + 1)
        rows, next_cursor = cursors.page(
            database.execute(query).fetchall(), limit, "claims-search", lambda row: [row[-1], row[0]], secret
        )
    page = documents(rows)
    for document, row in zip(page, rows, strict=True):
        document["snippet"] = search.snippet(row[1], row[2], row[5], filters["q"])
    return page, next_cursor
