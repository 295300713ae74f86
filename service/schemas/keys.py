"""Schemas of API keys; the key itself appears only in KeyCreated."""

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from service.schemas.fields import Text
from service.schemas.fields import UtcDateTime
from service.storage import models


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
