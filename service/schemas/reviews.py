"""Marshmallow schemas for reviews, the change feed and API keys."""

import re

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load
from marshmallow import validate

from service.schemas.claims import ReviewSummary
from service.schemas.claims import Text
from service.schemas.claims import UtcDateTime
from service.schemas.claims import WebUrl
from service.storage import models

EVENT_TYPE = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")


def _written(value):
    if not value.strip():
        raise ValidationError("Must not be blank.")
    if "\x00" in value:
        raise ValidationError("Must not contain NUL characters.")


def _event_types(values):
    for value in values:
        for name in value.split(","):
            if not EVENT_TYPE.match(name.strip()):
                raise ValidationError(f"{name!r} is not an event type such as claim.created.")


class EvidenceItem(Schema):
    url = WebUrl(required=True)
    title = Text(500, allow_none=True)
    note = Text(2000, allow_none=True)


class ReviewInput(Schema):
    verdict = fields.String(required=True, validate=validate.OneOf(models.VERDICTS))
    rationale = fields.String(required=True, validate=[validate.Length(min=1, max=10000), _written])
    evidence = fields.List(fields.Nested(EvidenceItem), validate=validate.Length(max=50), load_default=list)


class EvidenceOut(Schema):
    url = fields.String()
    title = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class ReviewOut(Schema):
    id = fields.Integer()
    claim_id = fields.Integer()
    reviewer = fields.String()
    verdict = fields.String()
    rationale = fields.String()
    evidence = fields.List(fields.Nested(EvidenceOut))
    created_at = UtcDateTime()


class ReviewList(Schema):
    items = fields.List(fields.Nested(ReviewOut))


class ClaimStanding(Schema):
    """Where a claim stands after a review: what review.created events carry besides the review."""

    id = fields.Integer()
    status = fields.String()
    review_summary = fields.Nested(ReviewSummary)
    version = fields.Integer()


class EventQuery(Schema):
    after = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=2**53),
        metadata={"description": "return events with a larger id; pass the last answer's next_after"},
    )
    type = fields.List(
        fields.String(validate=validate.Length(min=1, max=500)),
        validate=[validate.Length(max=50), _event_types],
        metadata={"description": "event types, repeated or comma separated (claim.created,review.created)"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))

    @post_load
    def _split_types(self, data, **kwargs):
        if "type" in data:
            data["type"] = sorted({name.strip() for value in data["type"] for name in value.split(",")})
        return data


class EventOut(Schema):
    id = fields.Integer()
    type = fields.String()
    object_type = fields.String()
    object_id = fields.Integer()
    actor = fields.String()
    created_at = UtcDateTime()
    data = fields.Raw(metadata={"description": "the object as it stood after the change"})


class EventPage(Schema):
    items = fields.List(fields.Nested(EventOut))
    next_after = fields.Integer(metadata={"description": "the after to send next: the last id here, or yours"})


class KeyInput(Schema):
    name = Text(100, required=True, metadata={"description": "who uses the key; the actor of its writes"})
    role = fields.String(required=True, validate=validate.OneOf(models.ROLES))


class KeyOut(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()
    prefix = fields.String()
    created_at = UtcDateTime()
    revoked_at = UtcDateTime(allow_none=True)


class KeyCreated(KeyOut):
    key = fields.String(metadata={"description": "the key itself, shown only in this answer"})


class KeyList(Schema):
    items = fields.List(fields.Nested(KeyOut))
