"""The schema of an RFC 9457 problem, as every error is answered."""

from marshmallow import Schema
from marshmallow import fields


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
