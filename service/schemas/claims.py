"""Schemas of claims: what the API reads (create, update, query) and what it writes (ClaimOut documents
ledger.documents.claim_document)."""

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from service.schemas.fields import ClaimDate
from service.schemas.fields import LanguageTag
from service.schemas.fields import PageArgs
from service.schemas.fields import Text
from service.schemas.fields import UtcDateTime
from service.schemas.sources import SourceOut
from service.schemas.sources import SourceRef
from service.schemas.speakers import SpeakerOut
from service.schemas.speakers import SpeakerRef
from service.schemas.topics import TopicStance
from service.storage import models


class ClaimInput(Schema):
    text = Text(5000, required=True)
    quote = Text(5000, allow_none=True)
    speaker = fields.Nested(SpeakerRef, required=True)
    source = fields.Nested(SourceRef, required=True)
    appearances = fields.List(fields.Nested(SourceRef), validate=validate.Length(max=100))
    claimed_on = ClaimDate(required=True, metadata={"type": "string", "example": "2023-04-07"})
    language = LanguageTag(metadata={"description": "BCP 47 tag; detected from the text when left out"})
    topics = fields.List(fields.Nested(TopicStance), validate=validate.Length(max=50))
    external_id = Text(
        200,
        allow_none=True,
        metadata={"description": "your CMS's own id for the claim: unique; a batch import updates the claim with it"},
    )

    @validates_schema
    def _distinct_topics(self, data, **kwargs):
        slugs = [topic["slug"] for topic in data.get("topics", [])]
        if len(slugs) != len(set(slugs)):
            raise ValidationError("Each topic may be given once.", "topics")


class ClaimUpdate(ClaimInput):
    text = Text(5000)
    speaker = fields.Nested(SpeakerRef)
    source = fields.Nested(SourceRef)
    claimed_on = ClaimDate(metadata={"type": "string", "example": "2023-04-07"})
    language = LanguageTag()


class ClaimQuery(PageArgs):
    speaker = Text(200, metadata={"description": "speaker id or name"})
    source = Text(2000, metadata={"description": "source id or URL"})
    topic = Text(100, metadata={"description": "topic slug"})
    stance = fields.String(validate=validate.OneOf(models.STANCES))
    status = fields.String(validate=validate.OneOf(models.CLAIM_STATUSES))
    reviewer = Text(100)
    language = LanguageTag(metadata={"description": "primary language: uk-UA and uk both find uk and uk-ua"})
    claimed_from = ClaimDate(metadata={"type": "string"})
    claimed_to = ClaimDate(metadata={"type": "string"})
    q = Text(500, metadata={"description": "full-text search over text and quote, ranked"})


class ReviewSummary(Schema):
    supported = fields.Integer()
    contested = fields.Integer()


class ClaimTopicOut(Schema):
    slug = fields.String()
    title = fields.String()
    stance = fields.String()


class ClaimOut(Schema):
    id = fields.Integer()
    text = fields.String()
    quote = fields.String(allow_none=True)
    speaker = fields.Nested(SpeakerOut)
    source = fields.Nested(SourceOut)
    appearances = fields.List(fields.Nested(SourceOut), attribute="appearance_sources")
    claimed_on = fields.String(
        attribute="claimed_on_text",
        metadata={"description": "YYYY-MM-DD, or an ISO 8601 UTC date-time"},
    )
    language = fields.String()
    topics = fields.List(fields.Nested(ClaimTopicOut), attribute="topic_stances")
    status = fields.String()
    review_summary = fields.Nested(ReviewSummary)
    version = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    external_id = fields.String(allow_none=True, metadata={"description": "the CMS's own id for the claim"})
    snippet = fields.String(metadata={"description": "highlighted match, only in ?q= searches"})


class ClaimPage(Schema):
    items = fields.List(fields.Nested(ClaimOut))
    next_cursor = fields.String(allow_none=True)


class MatchInput(Schema):
    """A statement to look for among stored claims, in any language."""

    text = Text(5000, required=True)
    language = LanguageTag()
    limit = fields.Integer(validate=validate.Range(min=1, max=50), load_default=5)


class MatchQuery(MatchInput):
    text = Text(2000, required=True)
