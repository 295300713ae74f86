"""Claims: /api/v1/claims."""

from flask import jsonify
from flask import url_for

from service.http import guard
from service.http.api.common import ETAG
from service.http.api.common import LOCATION
from service.http.api.common import Blueprint
from service.http.api.common import cursor_secret
from service.http.api.common import if_match
from service.http.api.common import page_limit
from service.ledger import claims
from service.ledger import matching
from service.ledger import semantic
from service.schemas.claims import ClaimInput
from service.schemas.claims import ClaimOut
from service.schemas.claims import ClaimPage
from service.schemas.claims import ClaimQuery
from service.schemas.claims import ClaimUpdate
from service.schemas.claims import MatchInput
from service.schemas.claims import MatchQuery
from service.storage import etags

blp = Blueprint("claims", __name__, description="Claims: who said what, where and when.")


@blp.route("/claims")
@blp.arguments(ClaimQuery, location="query")
@blp.response(200, ClaimPage)
def list_claims(args):
    """List claims, newest first, filtered; with q, ranked full-text matches with snippets."""
    cursor = args.pop("cursor", None)
    limit = page_limit(args.pop("limit", None))
    items, next_cursor = claims.list_claims(args, limit=limit, cursor=cursor, secret=cursor_secret())
    # The items are built in ClaimOut's shape (service.ledger.documents); a Response skips flask-smorest's dump.
    return jsonify(items=items, next_cursor=next_cursor)


@blp.route("/claims", methods=["POST"])
@guard.require("reviewer")
@blp.arguments(ClaimInput)
@blp.response(201, ClaimOut, headers={**ETAG, **LOCATION})
def create_claim(data):
    """Create a claim; its speaker and sources are matched or created."""
    claim = claims.create_claim(data, guard.actor())
    document = claim.document
    return (
        jsonify(
            {**document, "possible_duplicates": claim.possible_duplicates, "similar_speakers": claim.similar_speakers}
        ),
        201,
        {
            "Location": url_for("claims.get_claim", claim_id=document["id"]),
            "ETag": etags.document_etag("claim", document),
        },
    )


@blp.route("/claims/match", methods=["POST"])
@guard.require("reviewer")
@blp.arguments(MatchInput)
@blp.response(200)
def match_claims(data):
    """Find the stored claims closest in meaning to a statement, in English, Ukrainian or Russian (a desk's key)."""
    return jsonify(items=matching.match_claims(data["text"], data.get("language"), data["limit"]))


@blp.route("/claims/match")
@blp.arguments(MatchQuery, location="query")
@blp.response(200)
def match_claims_by_query(args):
    """Find the stored claims closest in meaning to a short statement given as ?text=."""
    return jsonify(items=matching.match_claims(args["text"], args.get("language"), args["limit"]))


@blp.route("/claims/<int:claim_id>/suggestions")
@blp.response(200)
def claim_suggestions(claim_id):
    """Suggest topics and stances for a claim, from the nearest claims reviewers have placed."""
    return jsonify(semantic.suggest_topics(claim_id))


@blp.route("/claims/<int:claim_id>")
@blp.response(200, ClaimOut, headers=ETAG)
def get_claim(claim_id):
    """Get a claim with its speaker, sources and topics."""
    document = claims.read_claim(claim_id)
    return jsonify(document), {"ETag": etags.document_etag("claim", document)}


@blp.route("/claims/<int:claim_id>", methods=["PATCH"])
@guard.require("reviewer")
@blp.arguments(ClaimUpdate, required=False)
@blp.alt_response(409, response="CONFLICT")  # another claim has the external_id given
@blp.response(200, ClaimOut, headers=ETAG)
def update_claim(changes, claim_id):
    """Edit a claim (needs If-Match)."""
    version = etags.expected_version("claim", claim_id, if_match())
    document = claims.update_claim(claim_id, changes, version, guard.actor()).document
    return jsonify(document), {"ETag": etags.document_etag("claim", document)}


@blp.route("/claims/<int:claim_id>", methods=["DELETE"])
@guard.require("admin")
@blp.response(204)
@blp.alt_response(409, response="CONFLICT")  # a published fact-check rates the claim
def delete_claim(claim_id):
    """Delete a claim (admin; needs If-Match)."""
    version = etags.expected_version("claim", claim_id, if_match())
    claims.delete_claim(claim_id, version, guard.actor())
