"""Schemas of bulk import and export: what POST /claims/batch answers and what GET /claims/export reads."""

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from service.schemas.claims import ClaimQuery
from service.storage import models


class ExportQuery(ClaimQuery):
    """The listing's filters, without paging, and the format to stream."""

    format = fields.String(validate=validate.OneOf(models.EXPORT_FORMATS), load_default="ndjson")

    class Meta:
        exclude = ("limit", "cursor")


class BatchCreated(Schema):
    created = fields.Integer(metadata={"description": "how many claims the batch created"})
    ids = fields.List(fields.Integer(), metadata={"description": "the new claims' ids, in the batch's order"})
    possible_duplicates = fields.List(
        fields.Dict(), metadata={"description": "items (by index) whose words nearly all match a stored claim's"}
    )
    skipped = fields.List(fields.Dict(), metadata={"description": "with duplicates=skip: items left out"})
    linked = fields.List(fields.Dict(), metadata={"description": "with duplicates=link: items added as appearances"})


class BatchArgs(Schema):
    duplicates = fields.String(
        validate=validate.OneOf(("store", "skip", "link")),
        load_default="store",
        metadata={"description": "what to do with an item that duplicates a stored claim: store, skip or link"},
    )
