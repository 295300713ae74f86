"""ClaimReview markup: /api/v1/claims/{id}/claimreview."""

import hashlib

from flask import current_app
from flask import json

from service.http.api.common import ETAG
from service.http.api.common import Blueprint
from service.http.api.common import public_base_url
from service.ledger import claimreview
from service.schemas.published import ClaimReview

JSONLD_MIMETYPE = "application/ld+json"

blp = Blueprint("claimreview", __name__, description="schema.org ClaimReview markup for reviewed claims.")


@blp.route("/claims/<int:claim_id>/claimreview")
@blp.response(
    200,
    ClaimReview,
    content_type=JSONLD_MIMETYPE,
    description="schema.org ClaimReview JSON-LD; 404 while the claim is unreviewed.",
    headers=ETAG,
)
def get_claim_review(claim_id):
    """Get a reviewed claim's schema.org ClaimReview markup (JSON-LD)."""
    document = claimreview.claim_review(
        claim_id,
        public_base_url(),
        organization=current_app.config["ORGANIZATION"],
        organization_url=current_app.config["ORGANIZATION_URL"],
    )
    body = json.dumps(document)
    response = current_app.response_class(body, mimetype=JSONLD_MIMETYPE)
    # The markup changes with the claim and with every new review; a digest of it tracks both.
    response.headers["ETag"] = f'"claimreview-{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
    return response
