"""Topics: /api/v1/topics, by id or slug."""

from flask import url_for

from service.http import guard
from service.http.api.common import ETAG
from service.http.api.common import LOCATION
from service.http.api.common import Blueprint
from service.http.api.common import cursor_secret
from service.http.api.common import if_match
from service.http.api.common import page_limit
from service.ledger import topics
from service.schemas.fields import PageArgs
from service.schemas.topics import TopicInput
from service.schemas.topics import TopicOut
from service.schemas.topics import TopicPage
from service.schemas.topics import TopicUpdate
from service.storage import etags

blp = Blueprint("topics", __name__, description="Topics: the questions claims take sides on.")


@blp.route("/topics")
@blp.arguments(PageArgs, location="query")
@blp.response(200, TopicPage)
def list_topics(args):
    """List topics."""
    items, next_cursor = topics.list_topics(page_limit(args.get("limit")), args.get("cursor"), secret=cursor_secret())
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/topics", methods=["POST"])
@guard.require("reviewer")
@blp.arguments(TopicInput)
@blp.response(201, TopicOut, headers={**ETAG, **LOCATION})
def create_topic(data):
    """Create a topic."""
    topic = topics.create_topic(data, guard.actor())
    return topic, {
        "Location": url_for("topics.get_topic", topic_ref=topic.slug),
        "ETag": etags.etag("topic", topic),
    }


@blp.route("/topics/<topic_ref>")
@blp.response(200, TopicOut, headers=ETAG)
def get_topic(topic_ref):
    """Get a topic by id or slug."""
    topic = topics.get_topic(topic_ref)
    return topic, {"ETag": etags.etag("topic", topic)}


@blp.route("/topics/<topic_ref>", methods=["PATCH"])
@guard.require("reviewer")
@blp.arguments(TopicUpdate, required=False)
@blp.response(200, TopicOut, headers=ETAG)
def update_topic(changes, topic_ref):
    """Edit a topic's title or description (needs If-Match)."""
    topic = topics.get_topic(topic_ref)
    version = etags.expected_version("topic", topic.id, if_match())
    topic = topics.update_topic(topic.id, changes, version, guard.actor())
    return topic, {"ETag": etags.etag("topic", topic)}


@blp.route("/topics/<topic_ref>", methods=["DELETE"])
@guard.require("admin")
@blp.response(204)
@blp.alt_response(409, response="CONFLICT")
def delete_topic(topic_ref):
    """Delete a topic no claim takes a stance on (admin; needs If-Match)."""
    topic = topics.get_topic(topic_ref)
    version = etags.expected_version("topic", topic.id, if_match())
    topics.delete_topic(topic.id, version, guard.actor())
