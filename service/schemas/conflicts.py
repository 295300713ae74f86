"""Marshmallow schemas for conflicts and a topic's sides (kept apart from schemas.py to keep merges easy)."""

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from service.schemas.claims import ClaimOut
from service.schemas.fields import PageArgs
from service.schemas.fields import Text
from service.schemas.fields import UtcDateTime
from service.schemas.fields import spoken_list
from service.schemas.topics import TopicOut
from service.storage import models

CLAIM_ID = validate.Range(min=1, max=2**53)


class ConflictInput(Schema):
    left_claim_id = fields.Integer(required=True, strict=True, validate=CLAIM_ID)
    right_claim_id = fields.Integer(required=True, strict=True, validate=CLAIM_ID)
    note = Text(2000, required=True, metadata={"description": "why the two claims cannot both be true"})


class ConflictDecision(Schema):
    note = Text(2000, allow_none=True, metadata={"description": "the reviewer's reason; replaces the note"})


class ConflictQuery(PageArgs):
    topic = Text(100, metadata={"description": "topic slug"})
    speaker = fields.Integer(validate=CLAIM_ID, metadata={"description": "speaker id, on either side"})
    claim = fields.Integer(validate=CLAIM_ID, metadata={"description": "claim id, on either side"})
    status = fields.String(validate=validate.OneOf(models.CONFLICT_STATUSES))
    basis = fields.String(validate=validate.OneOf(models.CONFLICT_BASES))


class SidesQuery(Schema):
    limit = fields.Integer(
        validate=validate.Range(min=1, max=200),
        metadata={"description": "most claims listed per side, earliest first (default 100)"},
    )


class TopicRef(Schema):
    id = fields.Integer()
    slug = fields.String()
    title = fields.String()


class ConflictBase(Schema):
    id = fields.Integer()
    basis = fields.String(metadata={"description": spoken_list(models.CONFLICT_BASES)})
    status = fields.String(metadata={"description": spoken_list(models.CONFLICT_STATUSES)})
    topic = fields.Nested(TopicRef, allow_none=True, metadata={"description": "the topic of a stance conflict"})
    self_contradiction = fields.Boolean(metadata={"description": "both claims have the same speaker"})
    note = fields.String(allow_none=True)
    score = fields.Float(
        allow_none=True, metadata={"description": "how strongly the embedder reads the pair as opposed, 0-1"}
    )
    created_by = fields.String()
    decided_by = fields.String(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)
    version = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class ConflictBrief(ConflictBase):
    """A conflict naming its claims by id: in events, and beside the claims of a topic's sides."""

    left_claim_id = fields.Integer(metadata={"description": "the earlier claim"})
    right_claim_id = fields.Integer()


class ConflictOut(ConflictBase):
    left = fields.Nested(ClaimOut, metadata={"description": "the earlier claim"})
    right = fields.Nested(ClaimOut)


class ConflictPage(Schema):
    items = fields.List(fields.Nested(ConflictOut))
    next_cursor = fields.String(allow_none=True)


class SidesOut(Schema):
    topic = fields.Nested(TopicOut)
    affirms = fields.List(fields.Nested(ClaimOut))
    denies = fields.List(fields.Nested(ClaimOut))
    neutral = fields.List(fields.Nested(ClaimOut))
    totals = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "how many claims each side holds in all, listed or not"},
    )
    conflicts = fields.List(
        fields.Nested(ConflictBrief),
        metadata={"description": "every conflict between two of the listed claims"},
    )
