"""Marshmallow schemas: what the API reads (create, update, query) and what it writes (output)."""

import datetime
import re

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from service.storage import models

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
WIKIDATA_ID = re.compile(r"^Q[1-9][0-9]*$")


def _no_nul(value):
    if "\x00" in value:
        raise ValidationError("Must not contain NUL characters.")


def Text(max_length, required=False, allow_none=False, min_length=1, **kwargs):
    """A string field with a length limit that refuses NUL characters."""
    return fields.String(
        required=required,
        allow_none=allow_none,
        validate=[validate.Length(min=min_length, max=max_length), _no_nul],
        **kwargs,
    )


def WebUrl(required=False, **kwargs):
    """An absolute http or https URL."""
    return fields.Url(
        required=required,
        schemes={"http", "https"},
        require_tld=False,
        validate=[validate.Length(max=2000), _no_nul],
        **kwargs,
    )


def _plausible_year(value):
    if not 1000 <= value.year <= 9999:
        raise ValidationError("Must be between the years 1000 and 9999.")


class ClaimDate(fields.Field):
    """A date (2023-04-07) or a date and time with a zone (2023-04-07T10:30:00Z), kept in UTC."""

    default_error_messages = {
        "invalid": "Not a valid date or date-time: use YYYY-MM-DD or an ISO 8601 date-time.",
        "range": "Must be between the years 1000 and 9999.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or "\x00" in value:
            raise self.make_error("invalid")
        try:
            if len(value) == 10:
                parsed = datetime.date.fromisoformat(value)
            else:
                parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
                if parsed.tzinfo is not None:
                    parsed = parsed.astimezone(datetime.UTC).replace(tzinfo=None)
        except ValueError as error:
            raise self.make_error("invalid") from error
        if not 1000 <= parsed.year <= 9999:
            raise self.make_error("range")
        return parsed

    def _serialize(self, value, attr, obj, **kwargs):
        return value

    def _jsonschema_type_mapping(self):
        return {"type": "string"}


class UtcDateTime(fields.DateTime):
    """A stored (naive UTC) timestamp written as ISO 8601 with Z."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.isoformat() + "Z"


class ObjectRef(Schema):
    """Either {"id": n} or the fields to match or create the object."""

    id = fields.Integer(strict=True, validate=validate.Range(min=1, max=models.MAX_ID))


class SpeakerInput(Schema):
    name = Text(200, required=True)
    description = Text(2000, allow_none=True)
    affiliation = Text(200, allow_none=True)
    kind = fields.String(validate=validate.OneOf(models.SPEAKER_KINDS))
    wikidata_id = fields.String(allow_none=True, validate=validate.Regexp(WIKIDATA_ID))
    aliases = fields.List(Text(200), validate=validate.Length(max=50))


class SpeakerUpdate(SpeakerInput):
    name = Text(200)


class SpeakerRef(ObjectRef, SpeakerInput):
    """A claim's speaker: {"id": n}, or a name (matched case- and space-insensitively, or created)."""

    name = Text(200)

    @validates_schema
    def _id_or_name(self, data, **kwargs):
        if ("id" in data) == ("name" in data):
            raise ValidationError("Give either id or name.", "_schema")


class SourceInput(Schema):
    url = WebUrl(required=True)
    publisher = Text(200, required=True)
    title = Text(500, allow_none=True)
    published_on = fields.Date(allow_none=True, validate=_plausible_year)
    kind = fields.String(validate=validate.OneOf(models.SOURCE_KINDS))


class SourceUpdate(SourceInput):
    url = WebUrl()
    publisher = Text(200)


class SourceRef(ObjectRef, SourceInput):
    """A claim's source: {"id": n}, or a URL (matched, or created with the other fields)."""

    url = WebUrl()
    publisher = Text(200)

    @validates_schema
    def _id_or_url(self, data, **kwargs):
        if ("id" in data) == ("url" in data):
            raise ValidationError("Give either id or url.", "_schema")


def _not_all_digits(value):
    if value.isdigit():
        raise ValidationError("Must not be only digits: /topics/{ref} reads digits as an id.")


class TopicInput(Schema):
    slug = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=100), validate.Regexp(SLUG), _not_all_digits],
    )
    title = Text(300, required=True)
    description = Text(5000, allow_none=True)


class TopicUpdate(Schema):
    title = Text(300)
    description = Text(5000, allow_none=True)


class TopicStance(Schema):
    slug = fields.String(required=True, validate=[validate.Length(min=1, max=100), validate.Regexp(SLUG)])
    stance = fields.String(required=True, validate=validate.OneOf(models.STANCES))


class ClaimInput(Schema):
    text = Text(5000, required=True)
    quote = Text(5000, allow_none=True)
    speaker = fields.Nested(SpeakerRef, required=True)
    source = fields.Nested(SourceRef, required=True)
    appearances = fields.List(fields.Nested(SourceRef), validate=validate.Length(max=100))
    claimed_on = ClaimDate(required=True, metadata={"type": "string", "example": "2023-04-07"})
    language = fields.String(validate=[validate.Length(max=35), validate.Regexp(LANGUAGE_TAG)], load_default="en")
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
    language = fields.String(validate=[validate.Length(max=35), validate.Regexp(LANGUAGE_TAG)])


class PageArgs(Schema):
    limit = fields.Integer(validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=1000))


class ClaimQuery(PageArgs):
    speaker = Text(200, metadata={"description": "speaker id or name"})
    source = Text(2000, metadata={"description": "source id or URL"})
    topic = Text(100, metadata={"description": "topic slug"})
    stance = fields.String(validate=validate.OneOf(models.STANCES))
    status = fields.String(validate=validate.OneOf(models.CLAIM_STATUSES))
    reviewer = Text(100)
    language = fields.String(validate=validate.Regexp(LANGUAGE_TAG))
    claimed_from = ClaimDate(metadata={"type": "string"})
    claimed_to = ClaimDate(metadata={"type": "string"})
    q = Text(500, metadata={"description": "full-text search over text and quote, ranked"})


class SpeakerOut(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String(allow_none=True)
    affiliation = fields.String(allow_none=True)
    kind = fields.String()
    wikidata_id = fields.String(allow_none=True)


class SourceOut(Schema):
    id = fields.Integer()
    url = fields.String()
    publisher = fields.String()
    title = fields.String(allow_none=True)
    published_on = fields.Date(allow_none=True)
    kind = fields.String()


class TopicOut(Schema):
    id = fields.Integer()
    slug = fields.String()
    title = fields.String()
    description = fields.String(allow_none=True)
    version = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


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


class SpeakerDetail(SpeakerOut):
    aliases = fields.List(fields.String(), attribute="alias_names")
    record = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "how many of the speaker's claims stand supported, contested, unreviewed"},
    )
    version = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class SourceDetail(SourceOut):
    version = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class SpeakerPage(Schema):
    items = fields.List(fields.Nested(SpeakerDetail))
    next_cursor = fields.String(allow_none=True)


class SourcePage(Schema):
    items = fields.List(fields.Nested(SourceDetail))
    next_cursor = fields.String(allow_none=True)


class TopicPage(Schema):
    items = fields.List(fields.Nested(TopicOut))
    next_cursor = fields.String(allow_none=True)


class NameQuery(PageArgs):
    q = Text(200, metadata={"description": "name prefix or substring"})


class ProblemOut(Schema):
    """An RFC 9457 problem, as every error is answered (documents errors.problem_response)."""

    type = fields.String(metadata={"example": "/problems/validation-error"})
    title = fields.String(metadata={"example": "Validation failed"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String(metadata={"example": "The request has invalid fields: speaker"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "messages by field, for bad input", "example": {"speaker": ["Missing data."]}},
    )
