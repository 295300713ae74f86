"""Marshmallow schemas for webhooks and their deliveries; secrets appear only in WebhookWithSecret."""

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from service.schemas.fields import Text
from service.schemas.fields import UtcDateTime
from service.schemas.fields import WebUrl
from service.schemas.fields import spoken_list
from service.storage import models

SUBSCRIBABLE = (*models.EVENT_TYPES, "*")


def EventTypes(required=False):
    """A non-empty list of known event types, or "*" for all of them."""
    return fields.List(
        fields.String(validate=validate.OneOf(SUBSCRIBABLE)),
        required=required,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "event types to receive: " + ", ".join(SUBSCRIBABLE)},
    )


class WebhookInput(Schema):
    url = WebUrl(required=True, metadata={"description": "the subscriber's http or https URL"})
    event_types = EventTypes(required=True)
    description = Text(200, allow_none=True)
    active = fields.Boolean(metadata={"description": "false pauses deliveries; true resumes them"})


class WebhookUpdate(WebhookInput):
    url = WebUrl()
    event_types = EventTypes()


class WebhookOut(Schema):
    id = fields.Integer()
    url = fields.String()
    event_types = fields.List(fields.String())
    active = fields.Boolean()
    disabled_reason = fields.String(allow_none=True, metadata={"description": "why the service disabled it"})
    description = fields.String(allow_none=True)
    previous_secret_expires_at = UtcDateTime(
        allow_none=True,
        metadata={"description": "until then, deliveries are signed with the previous secret too"},
    )
    version = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class WebhookWithSecret(WebhookOut):
    secret = fields.String(metadata={"description": "the signing secret (whsec_...), shown only in this answer"})


class WebhookPage(Schema):
    items = fields.List(fields.Nested(WebhookOut))
    next_cursor = fields.String(allow_none=True)


class DeliveryAttemptOut(Schema):
    attempted_at = UtcDateTime()
    status_code = fields.Integer(allow_none=True, metadata={"description": "the subscriber's answer, if any"})
    error = fields.String(allow_none=True, metadata={"description": "why no 2xx came back"})
    duration_ms = fields.Integer(allow_none=True)


class DeliveryOut(Schema):
    id = fields.Integer()
    webhook_id = fields.Integer()
    event_id = fields.Integer()
    event_type = fields.String()
    message_id = fields.String(metadata={"description": "the webhook-id header, the same on every retry"})
    status = fields.String(metadata={"description": spoken_list(models.DELIVERY_STATUSES)})
    attempts = fields.Integer()
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = UtcDateTime(
        allow_none=True,
        attribute="next_try",
        metadata={"description": "when it is tried next, while pending"},
    )
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    attempt_log = fields.List(fields.Nested(DeliveryAttemptOut), attribute="attempt_history")


class DeliveryPage(Schema):
    items = fields.List(fields.Nested(DeliveryOut))
    next_cursor = fields.String(allow_none=True)
