"""Conflicts: /api/v1/conflicts, a topic's sides and a claim's conflicts."""

from flask import jsonify
from flask import url_for

from service.http import guard
from service.http.api.common import LOCATION
from service.http.api.common import Blueprint
from service.http.api.common import cursor_secret
from service.http.api.common import page_limit
from service.ledger import conflicts
from service.schemas.conflicts import ConflictDecision
from service.schemas.conflicts import ConflictInput
from service.schemas.conflicts import ConflictOut
from service.schemas.conflicts import ConflictPage
from service.schemas.conflicts import ConflictQuery
from service.schemas.conflicts import SidesOut
from service.schemas.conflicts import SidesQuery
from service.schemas.fields import PageArgs

blp = Blueprint("conflicts", __name__, description="Conflicts: claims that cannot both be true, side by side.")


@blp.route("/conflicts")
@blp.arguments(ConflictQuery, location="query")
@blp.response(200, ConflictPage)
def list_conflicts(args):
    """List conflicts, newest first, each with both whole claims (the earlier on the left)."""
    cursor = args.pop("cursor", None)
    limit = page_limit(args.pop("limit", None))
    items, next_cursor = conflicts.list_conflicts(args, limit=limit, cursor=cursor, secret=cursor_secret())
    # The items are built in ConflictOut's shape (service.ledger.conflicts); a Response skips flask-smorest's dump.
    return jsonify(items=items, next_cursor=next_cursor)


@blp.route("/conflicts", methods=["POST"])
@guard.require("reviewer")
@blp.arguments(ConflictInput)
@blp.response(201, ConflictOut, headers=LOCATION)
def create_conflict(data):
    """Link two claims as a confirmed conflict, with the reviewer's note."""
    conflict = conflicts.link_claims(data["left_claim_id"], data["right_claim_id"], data["note"], guard.actor())
    return jsonify(conflict), 201, {"Location": url_for("conflicts.get_conflict", conflict_id=conflict["id"])}


@blp.route("/conflicts/<int:conflict_id>")
@blp.response(200, ConflictOut)
def get_conflict(conflict_id):
    """Get a conflict with both whole claims."""
    return jsonify(conflicts.get_conflict(conflict_id))


@blp.route("/conflicts/<int:conflict_id>/confirm", methods=["POST"])
@guard.require("reviewer")
@blp.arguments(ConflictDecision, required=False)
@blp.response(200, ConflictOut)
def confirm_conflict(data, conflict_id):
    """Confirm a conflict: the two claims cannot both be true."""
    return jsonify(conflicts.confirm(conflict_id, guard.actor(), data.get("note")))


@blp.route("/conflicts/<int:conflict_id>/dismiss", methods=["POST"])
@guard.require("reviewer")
@blp.arguments(ConflictDecision, required=False)
@blp.response(200, ConflictOut)
def dismiss_conflict(data, conflict_id):
    """Dismiss a conflict; a dismissed pair is not suggested again."""
    return jsonify(conflicts.dismiss(conflict_id, guard.actor(), data.get("note")))


@blp.route("/topics/<topic_ref>/sides")
@blp.arguments(SidesQuery, location="query")
@blp.response(200, SidesOut)
def topic_sides(args, topic_ref):
    """Get a topic's claims grouped by stance, each side earliest first, with the conflicts between them."""
    return jsonify(conflicts.sides(topic_ref, args.get("limit", conflicts.SIDES_LIMIT_DEFAULT)))


@blp.route("/claims/<int:claim_id>/conflicts")
@blp.arguments(PageArgs, location="query")
@blp.response(200, ConflictPage)
def claim_conflicts(args, claim_id):
    """List everything a claim is in conflict with, newest first."""
    items, next_cursor = conflicts.claim_conflicts(
        claim_id, page_limit(args.get("limit")), args.get("cursor"), secret=cursor_secret()
    )
    return jsonify(items=items, next_cursor=next_cursor)
