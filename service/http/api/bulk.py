"""Bulk claims: POST /api/v1/claims/batch and GET /api/v1/claims/export."""

import orjson
from flask import Response
from flask import current_app
from flask import request
from flask import stream_with_context

from service.http import guard
from service.http.api.common import Blueprint
from service.ledger import bulk
from service.ledger import export
from service.ledger import speakers
from service.schemas.bulk import BatchArgs
from service.schemas.bulk import BatchCreated
from service.schemas.bulk import ExportQuery
from service.schemas.bulk import SpeakersImported
from service.storage.models import utcnow

NDJSON = "application/x-ndjson"
CSV = "text/csv"
BATCH_BODY_TYPES = {"application/json", NDJSON, CSV}
EXPORT_TYPES = {"ndjson": NDJSON, "csv": "text/csv"}
CLAIM_ARRAY = {"type": "array", "maxItems": bulk.MAX_BATCH, "items": {"$ref": "#/components/schemas/ClaimInput"}}

blp = Blueprint("bulk", __name__, description="Claims in bulk: import thousands at once, export every one.")


@blp.route("/claims/batch", methods=["POST"])
@guard.require("reviewer")
@blp.doc(
    requestBody={
        "required": True,
        "description": "Up to 10,000 claims shaped as for POST /claims: a JSON array, NDJSON (one per line; the "
        "export's lines as they are), or CSV with the export's header.",
        "content": {
            "application/json": {"schema": CLAIM_ARRAY},
            NDJSON: {"schema": {"type": "string"}},
            CSV: {"schema": {"type": "string"}},
        },
    }
)
@blp.arguments(BatchArgs, location="query")
@blp.response(201, BatchCreated)
def import_batch(args):
    """Create or update up to 10,000 claims at once, all or nothing; 422 names each bad item's index and fields."""
    request.max_content_length = current_app.config["MAX_BATCH_BYTES"]
    raw_items = bulk.parse_body(request.get_data(), ndjson=request.mimetype == NDJSON, csv_rows=request.mimetype == CSV)
    return bulk.import_batch(bulk.validate_batch(raw_items), guard.actor(), on_duplicate=args["duplicates"])


@blp.route("/claims/export")
@blp.arguments(ExportQuery, location="query")
@blp.response(200)
@blp.doc(
    responses={
        "200": {
            "description": "NDJSON, one claim per line as GET /claims/{id} shows it with its speaker's aliases, its "
            "topics' descriptions and its reviews (POST /claims/batch takes the lines as they are); or CSV with a "
            "header row (with bom=true, after a byte-order mark).",
            "content": {media: {"schema": {"type": "string"}} for media in EXPORT_TYPES.values()},
        }
    }
)
def export_claims(args):
    """Stream every claim matching the listing's filters, newest first, as NDJSON or CSV."""
    export_format = args.pop("format")
    chunks = export.export_chunks(args, export_format, bom=args.pop("bom"))
    response = Response(stream_with_context(text for _, text in chunks), mimetype=EXPORT_TYPES[export_format])
    filename = f"claims-{utcnow():%Y%m%dT%H%M%SZ}.{export_format}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blp.route("/speakers/export")
@blp.response(200)
@blp.doc(
    responses={
        "200": {
            "description": "NDJSON, one speaker per line as GET /speakers/{id} shows it, aliases included.",
            "content": {NDJSON: {"schema": {"type": "string"}}},
        }
    }
)
def export_speakers():
    """Stream every speaker, with aliases, as NDJSON (POST /speakers/batch takes the lines as they are)."""
    lines = (orjson.dumps(speaker, option=orjson.OPT_APPEND_NEWLINE) for speaker in speakers.export_speakers())
    response = Response(stream_with_context(lines), mimetype=NDJSON)
    response.headers["Content-Disposition"] = f'attachment; filename="speakers-{utcnow():%Y%m%dT%H%M%SZ}.ndjson"'
    return response


@blp.route("/speakers/batch", methods=["POST"])
@guard.require("reviewer")
@blp.doc(
    requestBody={
        "required": True,
        "description": "Speakers as for POST /speakers, or the lines of GET /speakers/export: a JSON array or NDJSON.",
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/SpeakerInput"}}},
            NDJSON: {"schema": {"type": "string"}},
        },
    }
)
@blp.response(201, SpeakersImported)
def import_speakers():
    """Create the speakers this ledger lacks (by name or alias), all or nothing; leave the others as they are."""
    request.max_content_length = current_app.config["MAX_BATCH_BYTES"]
    raw_items = bulk.parse_body(request.get_data(), ndjson=request.mimetype == NDJSON)
    return speakers.import_speakers(bulk.validate_speakers(raw_items), guard.actor())


@blp.record_once
def _accept_ndjson(state):
    """Let the batch rule take NDJSON as well as JSON, and bodies up to MAX_BATCH_BYTES (the app reads both off it)."""
    for rule in state.app.url_map.iter_rules("bulk.import_batch"):
        rule.body_types = BATCH_BODY_TYPES
        rule.max_body_setting = "MAX_BATCH_BYTES"
    for rule in state.app.url_map.iter_rules("bulk.import_speakers"):
        rule.body_types = {"application/json", NDJSON}
        rule.max_body_setting = "MAX_BATCH_BYTES"
