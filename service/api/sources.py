"""Sources: /api/v1/sources."""

from flask import url_for

from service import auth
from service import etags
from service import sources
from service.api.common import ETAG
from service.api.common import Blueprint
from service.api.common import if_match
from service.api.common import page_limit
from service.schemas import NameQuery
from service.schemas import SourceDetail
from service.schemas import SourceInput
from service.schemas import SourcePage
from service.schemas import SourceUpdate

blp = Blueprint("sources", __name__, description="Sources: where claims appeared.")


@blp.route("/sources")
@blp.arguments(NameQuery, location="query")
@blp.response(200, SourcePage)
def list_sources(args):
    """List sources, optionally by part of a publisher or URL."""
    items, next_cursor = sources.list_sources(args.get("q"), page_limit(args.get("limit")), args.get("cursor"))
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/sources", methods=["POST"])
@auth.require("reviewer")
@blp.arguments(SourceInput)
@blp.response(201, SourceDetail, headers=ETAG)
def create_source(data):
    """Create a source."""
    source = sources.create_source(data, auth.actor())
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
@auth.require("reviewer")
@blp.arguments(SourceUpdate, required=False)
@blp.response(200, SourceDetail, headers=ETAG)
def update_source(changes, source_id):
    """Edit a source (needs If-Match)."""
    version = etags.expected_version("source", source_id, if_match())
    source = sources.update_source(source_id, changes, version, auth.actor())
    return source, {"ETag": etags.etag("source", source)}


@blp.route("/sources/<int:source_id>", methods=["DELETE"])
@auth.require("admin")
@blp.response(204)
@blp.alt_response(409, response="CONFLICT")
def delete_source(source_id):
    """Delete a source no claim cites (admin; needs If-Match)."""
    version = etags.expected_version("source", source_id, if_match())
    sources.delete_source(source_id, version, auth.actor())
