"""The rating scale: /api/v1/ratings, by id or slug."""

from flask import url_for

from service.http import guard
from service.http.api.common import ETAG
from service.http.api.common import LOCATION
from service.http.api.common import Blueprint
from service.http.api.common import if_match
from service.ledger import ratings
from service.schemas.publishing import RatingInput
from service.schemas.publishing import RatingList
from service.schemas.publishing import RatingOut
from service.schemas.publishing import RatingQuery
from service.schemas.publishing import RatingUpdate
from service.storage import etags

blp = Blueprint("ratings", __name__, description="The rating scale fact-checks give their verdicts on.")


@blp.route("/ratings")
@blp.arguments(RatingQuery, location="query")
@blp.response(200, RatingList)
def list_ratings(args):
    """List the rating scale, truest first, ratings off the scale last."""
    return {"items": ratings.list_ratings(args.get("retired"))}


@blp.route("/ratings", methods=["POST"])
@guard.require("admin")
@blp.arguments(RatingInput)
@blp.response(201, RatingOut, headers={**ETAG, **LOCATION})
def create_rating(data):
    """Add a rating to the scale (admin)."""
    rating = ratings.create_rating(data, guard.actor())
    return rating, {
        "Location": url_for("ratings.get_rating", rating_ref=rating.slug),
        "ETag": etags.etag("rating", rating),
    }


@blp.route("/ratings/<rating_ref>")
@blp.response(200, RatingOut, headers=ETAG)
def get_rating(rating_ref):
    """Get a rating by id or slug."""
    rating = ratings.get_rating(rating_ref)
    return rating, {"ETag": etags.etag("rating", rating)}


@blp.route("/ratings/<rating_ref>", methods=["PATCH"])
@guard.require("admin")
@blp.arguments(RatingUpdate, required=False)
@blp.response(200, RatingOut, headers=ETAG)
def update_rating(changes, rating_ref):
    """Change a rating's labels, position or counting, or retire it (admin; needs If-Match)."""
    rating = ratings.get_rating(rating_ref)
    version = etags.expected_version("rating", rating.id, if_match())
    rating = ratings.update_rating(rating.id, changes, version, guard.actor())
    return rating, {"ETag": etags.etag("rating", rating)}


@blp.route("/ratings/<rating_ref>", methods=["DELETE"])
@guard.require("admin")
@blp.response(204)
@blp.alt_response(409, response="CONFLICT")
def delete_rating(rating_ref):
    """Delete a rating no fact-check uses (admin; needs If-Match); one in use is retired instead."""
    rating = ratings.get_rating(rating_ref)
    version = etags.expected_version("rating", rating.id, if_match())
    ratings.delete_rating(rating.id, version, guard.actor())
