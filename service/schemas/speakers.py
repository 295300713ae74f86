"""Schemas of speakers: input, update, a claim's reference to one, and output."""

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from service.schemas.fields import WIKIDATA_ID
from service.schemas.fields import ObjectRef
from service.schemas.fields import Text
from service.schemas.fields import UtcDateTime
from service.storage import models


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


class SpeakerOut(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String(allow_none=True)
    affiliation = fields.String(allow_none=True)
    kind = fields.String()
    wikidata_id = fields.String(allow_none=True)


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


class SpeakerPage(Schema):
    items = fields.List(fields.Nested(SpeakerDetail))
    next_cursor = fields.String(allow_none=True)


class MergeInput(Schema):
    into = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=models.MAX_ID))
