"""Schemas of bulk import and export: what POST /claims/batch answers and what GET /claims/export reads."""

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load
from marshmallow import pre_load
from marshmallow import validate
from marshmallow import validates_schema

from service.schemas.claims import ClaimInput
from service.schemas.claims import ClaimQuery
from service.schemas.fields import ClaimDate
from service.schemas.fields import Text
from service.schemas.reviews import EvidenceItem
from service.schemas.sources import SourceRef
from service.schemas.speakers import SpeakerInput
from service.schemas.speakers import SpeakerRef
from service.schemas.topics import TopicStance
from service.storage import models


class ExportQuery(ClaimQuery):
    """The listing's filters, without paging, the format to stream, and a byte-order mark for spreadsheets."""

    format = fields.String(validate=validate.OneOf(models.EXPORT_FORMATS), load_default="ndjson")
    bom = fields.Boolean(
        load_default=False,
        metadata={"description": "CSV only: begin with a UTF-8 byte-order mark, so that Excel reads Cyrillic right"},
    )

    class Meta:
        exclude = ("limit", "cursor")


# What an exported line carries that belongs to the exporting ledger: accepted on import, and not used.
LEDGER_OWN = ("id", "status", "review_summary", "version", "created_at", "updated_at", "snippet")


class ImportedSpeaker(SpeakerRef):
    """A claim's speaker in a batch: as for POST /claims, or as the export shows it (id and name: the name counts)."""

    @validates_schema
    def _id_or_name(self, data, **kwargs):
        if "id" not in data and "name" not in data:
            raise ValidationError("Give either id or name.", "_schema")

    @post_load
    def _name_counts(self, data, **kwargs):
        if "name" in data:
            data.pop("id", None)
        return data


class ImportedSource(SourceRef):
    """A claim's source in a batch: as for POST /claims, or as the export shows it (id and url: the url counts)."""

    @validates_schema
    def _id_or_url(self, data, **kwargs):
        if "id" not in data and "url" not in data:
            raise ValidationError("Give either id or url.", "_schema")

    @post_load
    def _url_counts(self, data, **kwargs):
        if "url" in data:
            data.pop("id", None)
        return data


class ImportedTopic(TopicStance):
    """A stance; with a title (and description), the topic is created when this ledger has no such slug."""

    title = Text(300)
    description = Text(5000, allow_none=True)


class ImportedReview(Schema):
    """A review as the export carries it: stored with its reviewer and time unless the claim already has it."""

    reviewer = Text(100, required=True)
    verdict = fields.String(required=True, validate=validate.OneOf(models.VERDICTS))
    rationale = Text(10000, required=True)
    evidence = fields.List(fields.Nested(EvidenceItem), validate=validate.Length(max=50), load_default=list)
    created_at = ClaimDate(required=True, metadata={"type": "string", "format": "date-time"})
    id = fields.Integer(load_only=True, metadata={"description": "the exporting ledger's; not used"})
    claim_id = fields.Integer(load_only=True, metadata={"description": "the exporting ledger's; not used"})


class ImportedClaim(ClaimInput):
    """A claim in a batch: as POST /claims takes it, or a line of the NDJSON export as it is."""

    speaker = fields.Nested(ImportedSpeaker, required=True)
    source = fields.Nested(ImportedSource, required=True)
    appearances = fields.List(fields.Nested(ImportedSource), validate=validate.Length(max=100))
    topics = fields.List(fields.Nested(ImportedTopic), validate=validate.Length(max=50))
    reviews = fields.List(fields.Nested(ImportedReview), validate=validate.Length(max=1000))

    @pre_load
    def _drop_ledger_own(self, data, **kwargs):
        if isinstance(data, dict):
            data = {key: value for key, value in data.items() if key not in LEDGER_OWN}
            if isinstance(data.get("speaker"), dict):
                data["speaker"] = {key: value for key, value in data["speaker"].items() if key != "record"}
        return data


class BatchCreated(Schema):
    created = fields.Integer(metadata={"description": "how many claims the batch created"})
    updated = fields.Integer(
        metadata={
            "description": "how many claims it found (by external_id, or same words, "
            "speaker, source and date) and changed"
        }
    )
    unchanged = fields.Integer(metadata={"description": "how many it found as they already stood"})
    ids = fields.List(
        fields.Integer(allow_none=True),
        metadata={
            "description": "each item's claim id, in the batch's order (a skipped or linked item's: the claim it "
            "duplicates)"
        },
    )

    possible_duplicates = fields.List(
        fields.Dict(), metadata={"description": "items (by index) whose words nearly all match a stored claim's"}
    )
    skipped = fields.List(fields.Dict(), metadata={"description": "with duplicates=skip: items left out"})
    linked = fields.List(fields.Dict(), metadata={"description": "with duplicates=link: items added as appearances"})


class ImportedSpeakerLine(SpeakerInput):
    """A speaker in POST /speakers/batch: as POST /speakers takes it, or a line of GET /speakers/export."""

    @pre_load
    def _drop_ledger_own(self, data, **kwargs):
        if isinstance(data, dict):
            data = {key: value for key, value in data.items() if key not in (*LEDGER_OWN, "record")}
        return data


class SpeakersImported(Schema):
    created = fields.Integer(metadata={"description": "speakers created"})
    unchanged = fields.Integer(metadata={"description": "speakers already here (by name or alias), left as they are"})


class BatchArgs(Schema):
    duplicates = fields.String(
        validate=validate.OneOf(("store", "skip", "link")),
        load_default="store",
        metadata={"description": "what to do with an item that duplicates a stored claim: store, skip or link"},
    )
