"""The audit trail and change feed: /api/v1/events."""

from service.http import guard
from service.http.api.common import Blueprint
from service.ledger import events
from service.schemas.events import EventPage
from service.schemas.events import EventQuery

blp = Blueprint(
    "events",
    __name__,
    description=(
        "The change feed: every change, oldest first. Poll with after=<next_after of the last answer>; "
        "an event is never rewritten, and none is skipped or repeated."
    ),
)


@blp.route("/events")
@blp.arguments(EventQuery, location="query")
@blp.response(200, EventPage)
@blp.alt_response(403, response="FORBIDDEN", description="key.* or webhook.* events asked for without an admin key")
def list_events(args):
    """List events after an event id, oldest first, optionally of some types; continue from next_after.

    key.* and webhook.* events are listed for admin keys only.
    """
    key = guard.current_key()
    admin = key is not None and key.role == "admin"
    items = events.list_events(args["after"], args.get("type"), args["limit"], admin=admin)
    return {"items": items, "next_after": items[-1].id if items else args["after"]}
