"""Schemas of what the service publishes outside the JSON API proper: ClaimReview markup, oEmbed answers and
webhook payloads. They type the OpenAPI document (service/http/openapi.py) for client generators; the service
builds these documents by hand (service/ledger/claimreview.py, service/http/web/embeds.py,
service/delivery/signing.py)."""

from marshmallow import Schema
from marshmallow import fields

from service.schemas.claims import ClaimOut
from service.schemas.conflicts import ConflictBrief
from service.schemas.events import EventOut
from service.schemas.fields import UtcDateTime
from service.schemas.keys import KeyOut
from service.schemas.publishing import FactCheckOut
from service.schemas.publishing import RatingOut
from service.schemas.reviews import ClaimStanding
from service.schemas.reviews import ReviewOut
from service.schemas.sources import SourceDetail
from service.schemas.speakers import SpeakerDetail
from service.schemas.topics import TopicOut
from service.schemas.webhooks import WebhookOut


def _type(name):
    return fields.String(data_key="@type", required=True, metadata={"example": name})


class SchemaOrgOrganization(Schema):
    type = _type("Organization")
    name = fields.String(required=True)
    url = fields.String()
    description = fields.String()


class SchemaOrgAuthor(Schema):
    """The claim's speaker: a Person (jobTitle, affiliation) or an Organization (description)."""

    type = _type("Person")
    name = fields.String(required=True)
    jobTitle = fields.String()
    description = fields.String()
    affiliation = fields.Nested(SchemaOrgOrganization)
    sameAs = fields.String(metadata={"description": "the speaker's Wikidata entity"})


class SchemaOrgCreativeWork(Schema):
    type = _type("CreativeWork")
    url = fields.String(required=True)
    headline = fields.String()
    publisher = fields.Nested(SchemaOrgOrganization)
    datePublished = fields.String()


class SchemaOrgRating(Schema):
    type = _type("Rating")
    ratingValue = fields.Integer(required=True, metadata={"description": "1 (contested by all) to 5"})
    bestRating = fields.Integer(required=True)
    worstRating = fields.Integer(required=True)
    alternateName = fields.String(required=True, metadata={"example": "Contested"})
    name = fields.String()
    ratingExplanation = fields.String()


class SchemaOrgClaim(Schema):
    type = _type("Claim")
    author = fields.Nested(SchemaOrgAuthor, required=True)
    datePublished = fields.String(required=True)
    appearance = fields.List(fields.Nested(SchemaOrgCreativeWork), required=True)
    firstAppearance = fields.Nested(SchemaOrgCreativeWork, required=True)


class ClaimReview(Schema):
    """A schema.org ClaimReview, as GET /claims/{id}/claimreview answers it (application/ld+json)."""

    context = fields.String(data_key="@context", required=True, metadata={"example": "https://schema.org"})
    type = _type("ClaimReview")
    url = fields.String(required=True)
    claimReviewed = fields.String(required=True)
    datePublished = fields.String(required=True)
    author = fields.Nested(SchemaOrgOrganization, required=True)
    reviewRating = fields.Nested(SchemaOrgRating, required=True)
    itemReviewed = fields.Nested(SchemaOrgClaim, required=True)


class OEmbedOut(Schema):
    """An oEmbed 1.0 rich answer for a card: an iframe and its resize listener in html."""

    version = fields.String(required=True, metadata={"example": "1.0"})
    type = fields.String(required=True, metadata={"example": "rich"})
    html = fields.String(required=True)
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    title = fields.String(required=True)
    provider_name = fields.String(required=True)
    provider_url = fields.String()
    cache_age = fields.Integer(required=True)


class ClaimsImported(Schema):
    """What a claims.imported event carries: one batch import."""

    ids = fields.List(fields.Integer(), required=True, metadata={"description": "the claims created, in order"})
    updated_ids = fields.List(
        fields.Integer(), required=True, metadata={"description": "claims updated by their external_id"}
    )
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={
            "description": "claims created, updated, unchanged, skipped and linked as duplicates; speakers, "
            "sources and topics created; reviews added; conflicts suggested"
        },
    )
    conflict_ids = fields.List(fields.Integer(), required=True, metadata={"description": "conflicts it suggested"})


class ArticleJobOut(Schema):
    """An article analysis job as article.analyzed carries it (service/ledger/article_jobs.summary)."""

    id = fields.Integer(required=True)
    status = fields.String(required=True)
    url = fields.String(allow_none=True)
    words = fields.Integer(allow_none=True)
    notes = fields.Integer(allow_none=True, metadata={"description": "how many notes the analysis made"})
    error = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    finished_at = fields.String(allow_none=True)


class ReviewEventData(ReviewOut):
    claim = fields.Nested(ClaimStanding)


# What each kind of event carries in data: the object after the change.
EVENT_DATA = {
    "claim": ClaimOut,
    "speaker": SpeakerDetail,
    "source": SourceDetail,
    "topic": TopicOut,
    "review": ReviewEventData,
    "conflict": ConflictBrief,
    "key": KeyOut,
    "webhook": WebhookOut,
    "claims": ClaimsImported,
    "article": ArticleJobOut,
    "rating": RatingOut,
    "fact_check": FactCheckOut,
}


def _event_schemas(object_type, data_schema):
    """Return (event schema, payload schema) classes for events whose data is data_schema."""
    title = "".join(part.capitalize() for part in object_type.split("_"))
    event = type(f"{title}Event", (EventOut,), {"data": fields.Nested(data_schema, required=True)})
    payload = type(
        f"{title}WebhookPayload",
        (Schema,),
        {
            "__doc__": f"The body of a webhook delivery of a {object_type}.* event (signed as Standard Webhooks).",
            "type": fields.String(required=True, metadata={"example": f"{object_type}.created"}),
            "timestamp": UtcDateTime(required=True),
            "data": fields.Nested(
                event, required=True, metadata={"description": "the event as the change feed has it"}
            ),
        },
    )
    return event, payload


WEBHOOK_PAYLOADS = {object_type: _event_schemas(object_type, schema)[1] for object_type, schema in EVENT_DATA.items()}
"""The payload schema of each kind of event, by the part of the event type before its first dot."""
