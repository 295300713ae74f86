"""Speakers: /api/v1/speakers."""

from flask import url_for

from service.http import guard
from service.http.api.common import ETAG
from service.http.api.common import LOCATION
from service.http.api.common import Blueprint
from service.http.api.common import cursor_secret
from service.http.api.common import if_match
from service.http.api.common import page_limit
from service.ledger import speakers
from service.schemas.fields import NameQuery
from service.schemas.speakers import MergeInput
from service.schemas.speakers import SpeakerDetail
from service.schemas.speakers import SpeakerInput
from service.schemas.speakers import SpeakerPage
from service.schemas.speakers import SpeakerUpdate
from service.storage import etags

blp = Blueprint("speakers", __name__, description="Speakers: who made claims.")


@blp.route("/speakers")
@blp.arguments(NameQuery, location="query")
@blp.response(200, SpeakerPage)
def list_speakers(args):
    """List speakers, optionally by part of a name."""
    items, next_cursor = speakers.list_speakers(
        args.get("q"), page_limit(args.get("limit")), args.get("cursor"), secret=cursor_secret()
    )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/speakers", methods=["POST"])
@guard.require("reviewer")
@blp.arguments(SpeakerInput)
@blp.response(201, SpeakerDetail, headers={**ETAG, **LOCATION})
def create_speaker(data):
    """Create a speaker."""
    speaker = speakers.with_details([speakers.create_speaker(data, guard.actor())])[0]
    return speaker, {
        "Location": url_for("speakers.get_speaker", speaker_id=speaker.id),
        "ETag": etags.etag("speaker", speaker),
    }


@blp.route("/speakers/<int:speaker_id>")
@blp.response(200, SpeakerDetail, headers=ETAG)
def get_speaker(speaker_id):
    """Get a speaker with aliases and the record of their claims."""
    speaker = speakers.with_details([speakers.get_speaker(speaker_id)])[0]
    return speaker, {"ETag": etags.etag("speaker", speaker)}


@blp.route("/speakers/<int:speaker_id>", methods=["PATCH"])
@guard.require("reviewer")
@blp.arguments(SpeakerUpdate, required=False)
@blp.response(200, SpeakerDetail, headers=ETAG)
def update_speaker(changes, speaker_id):
    """Edit a speaker (needs If-Match)."""
    version = etags.expected_version("speaker", speaker_id, if_match())
    speaker = speakers.update_speaker(speaker_id, changes, version, guard.actor())
    return speakers.with_details([speaker])[0], {"ETag": etags.etag("speaker", speaker)}


@blp.route("/speakers/<int:speaker_id>", methods=["DELETE"])
@guard.require("admin")
@blp.response(204)
@blp.alt_response(409, response="CONFLICT")
def delete_speaker(speaker_id):
    """Delete a speaker no claim names (admin; needs If-Match)."""
    version = etags.expected_version("speaker", speaker_id, if_match())
    speakers.delete_speaker(speaker_id, version, guard.actor())


@blp.route("/speakers/<int:speaker_id>/similar")
@blp.response(200)
def similar_speakers(speaker_id):
    """List speakers whose names are probably this speaker's, in any script (merge candidates)."""
    return {"items": speakers.similar_speakers(speaker_id)}


@blp.route("/speakers/<int:speaker_id>/merge", methods=["POST"])
@guard.require("admin")
@blp.arguments(MergeInput)
@blp.response(200, SpeakerDetail, headers=ETAG)
def merge_speaker(data, speaker_id):
    """Merge this speaker into another (admin): claims and aliases move, this name becomes an alias."""
    speaker = speakers.merge_speakers(speaker_id, data["into"], guard.actor())
    return speakers.with_details([speaker])[0], {"ETag": etags.etag("speaker", speaker)}
