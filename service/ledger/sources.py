"""Sources: where claims appeared; one URL is one source."""

import peewee

from service.ledger import documents
from service.ledger import events
from service.ledger.deletes import delete_unreferenced
from service.ledger.errors import NotFound
from service.ledger.errors import ValidationFailed
from service.storage import cursors
from service.storage import etags
from service.storage.db import database
from service.storage.models import Claim
from service.storage.models import ClaimAppearance
from service.storage.models import Source


def get_source(source_id):
    """Return a source by id, or raise NotFound."""
    source = Source.get_or_none(Source.id == source_id)
    if source is None:
        raise NotFound(f"No source with id {source_id}.")
    return source


def snapshot(source):
    """Return the source as events record it."""
    return documents.source_document(source)


def create_source(data, actor):
    """Create a source; 422 if its URL is known already."""
    with database.atomic():
        if Source.get_or_none(Source.url == data["url"]) is not None:
            raise ValidationFailed(errors={"url": ["A source with this URL exists already."]})
        return _insert_source(data, actor)


def _insert_source(data, actor):
    with database.atomic():
        source = Source.create(**data)
        events.record("source.created", "source", source.id, actor, snapshot(source))
    return source


def resolve_source(ref, actor, field="source"):
    """Return the source a claim names: by id, by URL, or newly created (then publisher is needed)."""
    if "id" in ref:
        source = Source.get_or_none(Source.id == ref["id"])
        if source is None:
            raise ValidationFailed(errors={f"{field}.id": [f"No source with id {ref['id']}."]})
        return source
    source = Source.get_or_none(Source.url == ref["url"])
    if source is not None:
        return source
    if not ref.get("publisher"):
        raise ValidationFailed(errors={f"{field}.publisher": ["Needed to create a source for a new URL."]})
    try:
        return _insert_source(ref, actor)
    except peewee.IntegrityError:
        # Another request stored this URL since our look-up.
        return Source.get(Source.url == ref["url"])


def update_source(source_id, changes, version, actor):
    """Edit a source if it is still at the version the caller read."""
    with database.atomic():
        source = get_source(source_id)
        if not changes:
            # An empty PATCH changes nothing: no new version, no event.
            etags.check_version(source, version)
            return source
        if "url" in changes and changes["url"] != source.url:
            if Source.get_or_none(Source.url == changes["url"]) is not None:
                raise ValidationFailed(errors={"url": ["Another source has this URL."]})
        source = etags.compare_and_set(source, version, **changes)
        events.record("source.updated", "source", source.id, actor, snapshot(source))
    return source


def list_sources(q=None, limit=50, cursor=None, *, secret):
    """Return a page of sources by id, optionally those whose publisher or URL contains q."""
    query = Source.select().order_by(Source.id)
    if q:
        query = query.where(Source.publisher.contains(q) | Source.url.contains(q))
    if cursor:
        (after,) = cursors.decode("sources", cursor, 1, secret)
        query = query.where(Source.id > after)
    return cursors.page(query.limit(limit + 1), limit, "sources", lambda s: [s.id], secret)


def delete_source(source_id, version, actor):
    """Delete a source no claim cites, if it is still at the version the caller read; record the event."""
    delete_unreferenced(
        "source",
        lambda: get_source(source_id),
        lambda source: (
            Claim.select().where(Claim.source == source).count()
            + ClaimAppearance.select().where(ClaimAppearance.source == source).count()
        ),
        lambda source, count: f"{count} claim(s) cite source {source_id}; delete or change them first.",
        f"A claim cites source {source_id}; delete or change it first.",
        version,
        actor,
        snapshot,
    )
