"""ClaimReview markup of published fact-checks, by claim and by fact-check."""

import hashlib

from flask import current_app
from flask import json
from flask import request

from service.http import guard
from service.http.api.common import ETAG
from service.http.api.common import Blueprint
from service.http.api.common import public_base_url
from service.ledger import claimreview
from service.ledger import claimreview_import
from service.schemas.published import ClaimReview
from service.schemas.publishing import ClaimReviewImported

JSONLD_MIMETYPE = "application/ld+json"
IMPORT_BODY_TYPES = {"application/json", JSONLD_MIMETYPE}
JSONLD_NODE = {"$ref": "#/components/schemas/JsonLdNode"}
IMPORT_SCHEMA = {"oneOf": [JSONLD_NODE, {"type": "array", "items": JSONLD_NODE}]}

blp = Blueprint("claimreview", __name__, description="schema.org ClaimReview markup of published fact-checks.")


def organization():
    """Return (name, url) of the fact-checking organisation: the settings, its URL defaulting to this service's."""
    return current_app.config["ORGANIZATION"], current_app.config["ORGANIZATION_URL"] or public_base_url()


def _json_ld(document):
    body = json.dumps(document)
    response = current_app.response_class(body, mimetype=JSONLD_MIMETYPE)
    # The markup changes with the claim, its fact-checks and the scale; a digest of it tracks them all.
    response.headers["ETag"] = f'"claimreview-{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
    return response


@blp.route("/claims/<int:claim_id>/claimreview")
@blp.response(
    200,
    ClaimReview,
    content_type=JSONLD_MIMETYPE,
    description="schema.org ClaimReview JSON-LD; 404 while no published fact-check rates the claim.",
    headers=ETAG,
)
def get_claim_review(claim_id):
    """Get a claim's ClaimReview markup (JSON-LD) from its latest published fact-check."""
    return _json_ld(claimreview.for_claim(claim_id, *organization()))


@blp.route("/fact-checks/<int:fact_check_id>/claimreview")
@blp.response(
    200,
    {"type": "object"},
    content_type=JSONLD_MIMETYPE,
    description="schema.org JSON-LD: an @graph of one ClaimReview per claim rated; 404 for a draft.",
    headers=ETAG,
)
def get_fact_check_claim_review(fact_check_id):
    """Get a published fact-check's ClaimReview markup (JSON-LD), one ClaimReview per claim it rates."""
    return _json_ld(claimreview.for_fact_check(fact_check_id, *organization()))


@blp.route("/claimreviews/import", methods=["POST"])
@guard.require("editor")
@blp.doc(
    requestBody={
        "required": True,
        "description": "ClaimReview JSON-LD as found on fact-check pages: one object, an @graph, or an array.",
        "content": {media: {"schema": IMPORT_SCHEMA} for media in sorted(IMPORT_BODY_TYPES)},
    }
)
@blp.response(200, ClaimReviewImported)
def import_claim_reviews():
    """Import ClaimReview markup as published fact-checks, matched to the ledger, all or nothing (editor)."""
    document = claimreview_import.parse_body(request.get_data())
    return claimreview_import.import_claim_reviews(document, guard.actor())


@blp.record_once
def _accept_json_ld(state):
    """Let the import take application/ld+json as well as JSON (the app's 415 check reads body_types off the rule)."""
    for rule in state.app.url_map.iter_rules("claimreview.import_claim_reviews"):
        rule.body_types = IMPORT_BODY_TYPES
