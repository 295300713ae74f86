"""What the reviewer desk reads beyond the API's listings: counts per filter, a claim's history, what changed.

The desk's writes go through the same domain functions as the API (reviews, conflicts, fact-checks, keys);
this module only reads.
"""

from peewee import fn

from service.ledger import claims
from service.ledger import fact_checks
from service.ledger import ratings
from service.ledger import search
from service.storage.models import Claim
from service.storage.models import ClaimTopic
from service.storage.models import Event
from service.storage.models import FactCheck
from service.storage.models import FactCheckClaim
from service.storage.models import Rating
from service.storage.models import Source
from service.storage.models import Speaker
from service.storage.models import Topic

FACETS = ("status", "language", "topic", "speaker", "source")
FACET_VALUES = 12
# Counts are taken among at most this many of the newest matching claims, so that a page of the queue costs
# the same on a ledger of a million claims as on one of ten thousand.
FACET_WINDOW = 10_000
WATCHED_FIELDS = ("text", "quote", "claimed_on", "language", "status")
FACT_CHECK_FIELDS = ("headline", "article_url", "authors", "rating", "explanation", "language", "status")
# A claim page lists at most this many of the fact-checks that rate the claim, newest first.
PANEL_FACT_CHECKS = 20


def _window(filters):
    """Return a query for the ids of the newest FACET_WINDOW claims matching the filters (q included)."""
    query, date_column, id_column = claims.filtered(
        {key: value for key, value in filters.items() if key != "q"}, Claim.select(Claim.id)
    )
    if filters.get("q"):
        query = search.ranked(query, filters["q"])[0]
        date_column, id_column = Claim.claimed_on, Claim.id
    return query.order_by(date_column.desc(), id_column.desc()).limit(FACET_WINDOW)


def window_size(filters):
    """Return how many claims the filters match, counted up to FACET_WINDOW (a full window means more)."""
    return Claim.select().from_(_window(filters).alias("window")).count()


def facet_counts(filters):
    """Return {facet: [(value, label, count)]}: for each filter, its values' claim counts under the other filters.

    Takes the listing's filters (as claims.list_claims does, q included). Each facet counts among the newest
    FACET_WINDOW claims the other filters match; speakers, sources and topics list their FACET_VALUES largest.
    """
    counts = {}
    for facet in FACETS:
        window = _window({key: value for key, value in filters.items() if key != facet})
        total = fn.COUNT(Claim.id)
        query = Claim.select().where(Claim.id.in_(window))
        if facet in ("status", "language"):
            column = getattr(Claim, facet)
            rows = query.select(column, column, total).group_by(column).order_by(total.desc(), column)
        elif facet == "topic":
            query = query.join(ClaimTopic, on=(ClaimTopic.claim == Claim.id)).join(
                Topic, on=(Topic.id == ClaimTopic.topic)
            )
            rows = query.select(Topic.slug, Topic.title, total).group_by(Topic.slug, Topic.title)
            rows = rows.order_by(total.desc(), Topic.slug).limit(FACET_VALUES)
        elif facet == "speaker":
            query = query.join(Speaker, on=(Speaker.id == Claim.speaker))
            rows = query.select(Speaker.id, Speaker.name, total).group_by(Speaker.id, Speaker.name)
            rows = rows.order_by(total.desc(), Speaker.id).limit(FACET_VALUES)
        else:
            query = query.join(Source, on=(Source.id == Claim.source))
            rows = query.select(Source.id, Source.publisher, total).group_by(Source.id, Source.publisher)
            rows = rows.order_by(total.desc(), Source.id).limit(FACET_VALUES)
        counts[facet] = [(str(value), label, count) for value, label, count in rows.tuples()]
    return counts


def latest_event_id():
    """Return the id of the newest event (0 if none): where a page's poll of the change feed starts."""
    return Event.select(fn.COALESCE(fn.MAX(Event.id), 0)).scalar()


def claim_history(claim_id):
    """Return the claim's own events (created, updated), oldest first, each with the fields it changed."""
    rows = list(Event.select().where((Event.object_type == "claim") & (Event.object_id == claim_id)).order_by(Event.id))
    return _with_changes(rows, None)


def _summary(document):
    summary = {field: document.get(field) for field in WATCHED_FIELDS}
    summary["speaker"] = document["speaker"]["name"]
    summary["source"] = document["source"]["url"]
    summary["topics"] = ", ".join(f"{topic['slug']} ({topic['stance']})" for topic in document.get("topics", []))
    return summary


def _with_changes(rows, before):
    """Pair each claim event with [(field, before, after)] against the document before it."""
    result = []
    for event in rows:
        after = _summary(event.data) if event.type != "claim.deleted" else None
        changed = []
        if before is not None and after is not None:
            changed = [(field, before[field], after[field]) for field in after if before[field] != after[field]]
        result.append({"event": event, "changed": changed})
        before = after if after is not None else before
    return result


def changes_since(claim_id, seen_event_id):
    """Return what happened to a claim after event seen_event_id: its edits (with what changed) and reviews.

    Edits come from the claim's events; reviews from review.created events since then, which carry the claim.
    """
    edits = list(
        Event.select()
        .where((Event.object_type == "claim") & (Event.object_id == claim_id) & (Event.id > seen_event_id))
        .order_by(Event.id)
    )
    before = None
    if edits:
        last_seen = (
            Event.select()
            .where((Event.object_type == "claim") & (Event.object_id == claim_id) & (Event.id <= seen_event_id))
            .order_by(Event.id.desc())
            .first()
        )
        before = _summary(last_seen.data) if last_seen is not None and last_seen.type != "claim.deleted" else None
    reviews = [
        event
        for event in Event.select()
        .where((Event.type == "review.created") & (Event.id > seen_event_id))
        .order_by(Event.id)
        if event.data.get("claim", {}).get("id") == claim_id
    ]
    return {"edits": _with_changes(edits, before), "reviews": reviews}


def fact_check_panel(claim_id):
    """Return the fact-checks rating a claim (newest first, drafts included) and the current ratings to choose from."""
    linked = FactCheckClaim.select(FactCheckClaim.fact_check).where(FactCheckClaim.claim == claim_id)
    rows = (
        FactCheck.select(FactCheck, Rating)
        .join(Rating)
        .where(FactCheck.id.in_(linked))
        .order_by(FactCheck.id.desc())
        .limit(PANEL_FACT_CHECKS)
    )
    return {"fact_checks": [fact_checks.document(row) for row in rows], "ratings": ratings.list_ratings(retired=False)}


def _fact_check_summary(document):
    summary = {field: document.get(field) for field in FACT_CHECK_FIELDS}
    summary["authors"] = ", ".join(document.get("authors") or [])
    summary["rating"] = document["rating"]["label"]
    return summary


def fact_check_changes(fact_check_id, seen_version):
    """Return what happened to a fact-check after the version seen: its events, each with (field, before, after)."""
    rows = Event.select().where((Event.object_type == "fact_check") & (Event.object_id == fact_check_id))
    before, since = None, []
    for event in rows.order_by(Event.id):
        after = _fact_check_summary(event.data)
        if event.data.get("version", 0) > seen_version:
            changed = [] if before is None else [(f, before[f], after[f]) for f in after if before[f] != after[f]]
            since.append({"event": event, "changed": changed})
        before = after
    return since
