"""Schemas of sources: input, update, a claim's reference to one, and output."""

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from service.schemas.fields import ObjectRef
from service.schemas.fields import Text
from service.schemas.fields import UtcDateTime
from service.schemas.fields import WebUrl
from service.schemas.fields import plausible_year
from service.storage import models


class SourceInput(Schema):
    url = WebUrl(required=True)
    publisher = Text(200, required=True)
    title = Text(500, allow_none=True)
    published_on = fields.Date(allow_none=True, validate=plausible_year)
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


class SourceOut(Schema):
    id = fields.Integer()
    url = fields.String()
    publisher = fields.String()
    title = fields.String(allow_none=True)
    published_on = fields.Date(allow_none=True)
    kind = fields.String()


class SourceDetail(SourceOut):
    version = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class SourcePage(Schema):
    items = fields.List(fields.Nested(SourceDetail))
    next_cursor = fields.String(allow_none=True)
