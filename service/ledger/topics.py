"""Topics: the questions claims take sides on, found by id or slug."""

import collections

from service.ledger import documents
from service.ledger import events
from service.ledger.deletes import delete_unreferenced
from service.ledger.errors import NotFound
from service.ledger.errors import ValidationFailed
from service.schemas.fields import SLUG
from service.storage import cursors
from service.storage import etags
from service.storage.db import database
from service.storage.models import ClaimTopic
from service.storage.models import Topic
from service.storage.models import parse_id


def get_topic(id_or_slug):
    """Return a topic by id or slug, or raise NotFound."""
    id_or_slug = str(id_or_slug)
    topic = None
    if id_or_slug.isdigit():
        topic_id = parse_id(id_or_slug)
        topic = Topic.get_or_none(Topic.id == topic_id) if topic_id else None
    elif SLUG.match(id_or_slug):
        topic = Topic.get_or_none(Topic.slug == id_or_slug)
    if topic is None:
        raise NotFound(f"No topic {id_or_slug!r}.")
    return topic


def stance_totals(topic):
    """Return {stance: claims taking it} for a topic, as counted by count_stances."""
    return {"affirms": topic.affirms_count, "denies": topic.denies_count, "neutral": topic.neutral_count}


def count_stances(changes):
    """Apply (topic id, stance, +1 or -1) changes to the topics' stance totals, in the caller's transaction.

    One UPDATE per topic, in id order, so that concurrent writers on PostgreSQL lock topics in one order.
    """
    by_topic = collections.defaultdict(collections.Counter)
    for topic_id, stance, delta in changes:
        by_topic[topic_id][stance] += delta
    for topic_id in sorted(by_topic):
        columns = {
            getattr(Topic, f"{stance}_count"): getattr(Topic, f"{stance}_count") + delta
            for stance, delta in by_topic[topic_id].items()
            if delta
        }
        if columns:
            Topic.update(columns).where(Topic.id == topic_id).execute()


def snapshot(topic):
    """Return the topic as events record it."""
    return documents.topic_document(topic)


def create_topic(data, actor):
    """Create a topic; 422 if its slug is taken."""
    with database.atomic():
        if Topic.get_or_none(Topic.slug == data["slug"]) is not None:
            raise ValidationFailed(errors={"slug": ["A topic with this slug exists already."]})
        topic = Topic.create(**data)
        events.record("topic.created", "topic", topic.id, actor, snapshot(topic))
    return topic


def topics_by_slug(slugs):
    """Return {slug: Topic} for the slugs, raising 422 naming any that are unknown."""
    found = {t.slug: t for t in Topic.select().where(Topic.slug.in_(list(slugs)))} if slugs else {}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise ValidationFailed(
            f"Unknown topic: {', '.join(unknown)}. Create it first (POST /api/v1/topics).",
            errors={"topics": [f"Unknown topic slug {slug!r}." for slug in unknown]},
        )
    return found


def update_topic(id_or_slug, changes, version, actor):
    """Edit a topic's title or description if it is still at the version the caller read."""
    with database.atomic():
        topic = get_topic(id_or_slug)
        if not changes:
            # An empty PATCH changes nothing: no new version, no event.
            etags.check_version(topic, version)
            return topic
        topic = etags.compare_and_set(topic, version, **changes)
        events.record("topic.updated", "topic", topic.id, actor, snapshot(topic))
    return topic


def list_topics(limit=50, cursor=None, *, secret):
    """Return a page of topics by id."""
    query = Topic.select().order_by(Topic.id)
    if cursor:
        (after,) = cursors.decode("topics", cursor, 1, secret)
        query = query.where(Topic.id > after)
    return cursors.page(query.limit(limit + 1), limit, "topics", lambda t: [t.id], secret)


def delete_topic(id_or_slug, version, actor):
    """Delete a topic no claim takes a stance on, if it is still at the version the caller read."""
    delete_unreferenced(
        "topic",
        lambda: get_topic(id_or_slug),
        lambda topic: ClaimTopic.select().where(ClaimTopic.topic == topic).count(),
        lambda topic, count: f"{count} claim(s) take a stance on topic {topic.slug!r}; change them first.",
        f"A claim takes a stance on topic {id_or_slug!r}; change it first.",
        version,
        actor,
        snapshot,
    )
