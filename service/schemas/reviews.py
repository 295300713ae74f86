"""Schemas of reviews and of where a claim stands after one."""

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from service.schemas.claims import ReviewSummary
from service.schemas.fields import Text
from service.schemas.fields import UtcDateTime
from service.schemas.fields import WebUrl
from service.storage import models


def _written(value):
    if not value.strip():
        raise ValidationError("Must not be blank.")
    if "\x00" in value:
        raise ValidationError("Must not contain NUL characters.")


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
