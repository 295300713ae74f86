"""Schemas of the change feed."""

import re

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load
from marshmallow import validate

from service.schemas.fields import UtcDateTime

EVENT_TYPE = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")


def _event_types(values):
    for value in values:
        for name in value.split(","):
            if not EVENT_TYPE.match(name.strip()):
                raise ValidationError(f"{name!r} is not an event type such as claim.created.")


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
