"""Reviews: /api/v1/claims/{id}/reviews and /api/v1/reviews/{id}."""

from flask import url_for

from service.http import guard
from service.http.api.common import LOCATION
from service.http.api.common import Blueprint
from service.ledger import reviews
from service.schemas.reviews import ReviewInput
from service.schemas.reviews import ReviewList
from service.schemas.reviews import ReviewOut

blp = Blueprint("reviews", __name__, description="Reviews: reviewers' verdicts on claims, never edited or deleted.")


@blp.route("/claims/<int:claim_id>/reviews", methods=["POST"])
@guard.require("reviewer")
@blp.arguments(ReviewInput)
@blp.response(201, ReviewOut, headers=LOCATION)
def create_review(data, claim_id):
    """Review a claim: supported or contested, with a rationale and evidence."""
    review = reviews.review_claim(claim_id, data["verdict"], data["rationale"], data["evidence"], guard.actor())
    return review, {"Location": url_for("reviews.get_review", review_id=review.id)}


@blp.route("/claims/<int:claim_id>/reviews")
@blp.response(200, ReviewList)
def list_reviews(claim_id):
    """List a claim's reviews, oldest first: its whole history."""
    return {"items": reviews.list_reviews(claim_id)}


@blp.route("/reviews/<int:review_id>")
@blp.response(200, ReviewOut)
def get_review(review_id):
    """Get one review."""
    return reviews.get_review(review_id)
