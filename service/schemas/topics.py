"""Schemas of topics and of a claim's stance on one."""

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from service.schemas.fields import SLUG
from service.schemas.fields import Text
from service.schemas.fields import UtcDateTime
from service.storage import models


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


class TopicOut(Schema):
    id = fields.Integer()
    slug = fields.String()
    title = fields.String()
    description = fields.String(allow_none=True)
    version = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class TopicPage(Schema):
    items = fields.List(fields.Nested(TopicOut))
    next_cursor = fields.String(allow_none=True)
