"""Conflict triage: suggested conflicts side by side, confirmed or dismissed one at a time or many at once."""

from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from marshmallow import ValidationError

from service.http.api.common import cursor_secret
from service.http.desk.blueprint import actor
from service.http.desk.blueprint import blp
from service.http.desk.blueprint import is_fetch
from service.http.desk.blueprint import listing_filters
from service.http.desk.blueprint import local_path
from service.ledger import conflicts
from service.ledger import desk
from service.ledger.errors import ValidationFailed
from service.schemas.conflicts import ConflictDecision
from service.schemas.conflicts import ConflictQuery
from service.storage.models import CONFLICT_STATUSES

TRIAGE_PAGE = 30
TRIAGE_FILTERS = ("topic", "status")


@blp.route("/conflicts")
def triage():
    """Show conflicts to triage (suggested unless asked), newest first, each pair side by side with its reason."""
    filters = listing_filters(request.args, TRIAGE_FILTERS, ConflictQuery(), "suggested")
    after = desk.latest_event_id()
    items, next_cursor = conflicts.list_conflicts(
        dict(filters), limit=TRIAGE_PAGE, cursor=request.args.get("cursor"), secret=cursor_secret()
    )
    return render_template(
        "desk/triage.html",
        items=items,
        next_cursor=next_cursor,
        filters=filters,
        statuses=CONFLICT_STATUSES,
        feed_after=after,
        done=request.args.get("done"),
        back=url_for("desk.triage", **{name: value for name, value in request.args.items() if name != "done"}),
    )


def _note():
    try:
        note = ConflictDecision().load({"note": request.form.get("note", "").strip() or None})["note"]
    except ValidationError as error:
        raise ValidationFailed("The note is not valid.", errors=error.messages) from error
    return note


def _after_decision(decided, done):
    if is_fetch():
        return jsonify(items=[{"id": conflict["id"], "status": conflict["status"]} for conflict in decided])
    back = local_path(request.form.get("back") or url_for("desk.triage"))
    separator = "&" if "?" in back else "?"
    return redirect(f"{back}{separator}done={done}", 303)


@blp.route("/conflicts/<int:conflict_id>/confirm", methods=["POST"])
def confirm(conflict_id):
    """Confirm a conflict, with an optional note."""
    return _after_decision([conflicts.confirm(conflict_id, actor(), _note())], "confirmed")


@blp.route("/conflicts/<int:conflict_id>/dismiss", methods=["POST"])
def dismiss(conflict_id):
    """Dismiss a conflict, with an optional note."""
    return _after_decision([conflicts.dismiss(conflict_id, actor(), _note())], "dismissed")


@blp.route("/conflicts/dismiss", methods=["POST"])
def dismiss_selected():
    """Dismiss every selected conflict in one transaction: all of them or, if any is unknown, none."""
    ids = []
    for value in request.form.getlist("ids"):
        if not (value.isascii() and value.isdigit()):
            raise ValidationFailed("Choose conflicts by their ids.", errors={"ids": [f"{value!r} is not an id."]})
        ids.append(int(value))
    return _after_decision(conflicts.dismiss_many(ids, actor(), _note()), "dismissed-many")
