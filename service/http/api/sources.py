"""Sources: /api/v1/sources."""

from flask import url_for

from service.http import guard
from service.http.api.common import ETAG
from service.http.api.common import LOCATION
from service.http.api.common import Blueprint
from service.http.api.common import cursor_secret
from service.http.api.common import if_match
from service.http.api.common import page_limit
from service.ledger import sources
from service.schemas.fields import NameQuery
from service.schemas.sources import SourceDetail
from service.schemas.sources import SourceInput
from service.schemas.sources import SourcePage
from service.schemas.sources import SourceUpdate
from service.storage import etags

blp = Blueprint("sources", __name__, description="Sources: where claims appeared.")


@blp.route("/sources")
@blp.arguments(NameQuery, location="query")
@blp.response(200, SourcePage)
def list_sources(args):
    """List sources, optionally by part of a publisher or URL."""
    items, next_cursor = sources.list_sources(
        args.get("q"), page_limit(args.get("limit")), args.get("cursor"), secret=cursor_secret()
    )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/sources", methods=["POST"])
@guard.require("reviewer")
@blp.arguments(SourceInput)
@blp.response(201, SourceDetail, headers={**ETAG, **LOCATION})
def create_source(data):
    """Create a source."""
    source = sources.create_source(data, guard.actor())
    return source, {
        "Location": url_for("sources.get_source", source_id=source.id),
        "ETag": etags.etag("source", source),
    }


@blp.route("/sources/<int:source_id>")
@blp.response(200, SourceDetail, headers=ETAG)
def get_source(source_id):
    """Get a source."""
    source = sources.get_source(source_id)
    return source, {"ETag": etags.etag("source", source)}


@blp.route("/sources/<int:source_id>", methods=["PATCH"])
@guard.require("reviewer")
@blp.arguments(SourceUpdate, required=False)
@blp.response(200, SourceDetail, headers=ETAG)
def update_source(changes, source_id):
    """Edit a source (needs If-Match)."""
    version = etags.expected_version("source", source_id, if_match())
    source = sources.update_source(source_id, changes, version, guard.actor())
    return source, {"ETag": etags.etag("source", source)}


@blp.route("/sources/<int:source_id>", methods=["DELETE"])
@guard.require("admin")
@blp.response(204)
@blp.alt_response(409, response="CONFLICT")
def delete_source(source_id):
    """Delete a source no claim cites (admin; needs If-Match)."""
    version = etags.expected_version("source", source_id, if_match())
    sources.delete_source(source_id, version, guard.actor())
