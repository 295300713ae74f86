"""Desk pages: sign in and out, the queue of claims to review, one claim with its review form and matches, the feed."""

from flask import jsonify
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from marshmallow import ValidationError

from service.http.api.common import cursor_secret
from service.http.desk.blueprint import SESSION_COOKIE
from service.http.desk.blueprint import SIGN_IN_COOKIE
from service.http.desk.blueprint import actor
from service.http.desk.blueprint import blp
from service.http.desk.blueprint import current_key
from service.http.desk.blueprint import listing_filters
from service.http.desk.blueprint import local_path
from service.http.desk.blueprint import new_sign_in_token
from service.http.desk.blueprint import set_cookie
from service.ledger import claims
from service.ledger import conflicts
from service.ledger import desk
from service.ledger import events
from service.ledger import keys
from service.ledger import matching
from service.ledger import reviews
from service.ledger import sessions
from service.ledger.errors import BadRequest
from service.ledger.errors import Forbidden
from service.ledger.errors import PreconditionFailed
from service.ledger.errors import Unauthorized
from service.nlp.vectors import ModelUnavailable
from service.schemas.claims import ClaimQuery
from service.schemas.reviews import ReviewInput
from service.storage import etags
from service.storage.models import CLAIM_STATUSES
from service.storage.models import VERDICTS

QUEUE_FILTERS = ("q", "topic", "speaker", "source", "language", "status")
QUEUE_PAGE = 25
MATCHES = 5
PUBLISHING_ROLE = "editor"
FEED_TYPES = ("claim.created", "claim.updated", "claim.deleted", "review.created") + tuple(
    event_type for event_type in events.EVENT_TYPES if event_type.startswith("conflict.")
)


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with a reviewer's, editor's or admin's key; the desk then keeps a session cookie."""
    next_path = local_path(request.values.get("next"))
    error = None
    status = 200
    if request.method == "POST":
        try:
            _, token = sessions.sign_in(request.form.get("key", ""))
        except (Unauthorized, Forbidden) as problem:
            error, status = problem.detail, problem.status
        else:
            response = redirect(next_path, 303)
            response.delete_cookie(SIGN_IN_COOKIE, path="/desk")
            return set_cookie(response, SESSION_COOKIE, token)
    form_token = new_sign_in_token()
    page = render_template("desk/sign_in.html", form_token=form_token, next_path=next_path, error=error)
    response = make_response(page, status)
    return set_cookie(response, SIGN_IN_COOKIE, form_token, max_age=3600)


@blp.route("/sign-out", methods=["POST"])
def sign_out():
    """End this desk session at once."""
    sessions.sign_out(request.cookies.get(SESSION_COOKIE))
    response = redirect(url_for("desk.sign_in"), 303)
    response.delete_cookie(SESSION_COOKIE, path="/desk")
    return response


@blp.route("/")
def queue():
    """Show the queue: claims newest first (unreviewed unless asked), filtered and searched as the API does."""
    filters = listing_filters(request.args, QUEUE_FILTERS, ClaimQuery(), "unreviewed")
    after = desk.latest_event_id()
    items, next_cursor = claims.list_claims(
        dict(filters), limit=QUEUE_PAGE, cursor=request.args.get("cursor"), secret=cursor_secret()
    )
    return render_template(
        "desk/queue.html",
        items=items,
        next_cursor=next_cursor,
        filters=filters,
        counts=desk.facet_counts(filters),
        matched=desk.window_size(filters),
        window=desk.FACET_WINDOW,
        statuses=CLAIM_STATUSES,
        feed_after=after,
    )


def claim_matches(claim_id):
    """Return the other claims closest in meaning to this one, or None when the sentence model cannot load here."""
    try:
        return matching.claim_matches(claim_id, MATCHES)
    except ModelUnavailable:
        return None


def fact_check_panel(claim_id, form=None, errors=None, stale=None, editing=None, action=None):
    """Return the fact-check panel: the claim's fact-checks, the rating scale, whether the key may publish, and the
    state of the form being sent again (its values, errors, or what changed since it was read)."""
    panel = desk.fact_check_panel(claim_id)
    panel.update(
        may_publish=keys.has_role(current_key(), PUBLISHING_ROLE),
        form=form or {},
        errors=errors or {},
        stale=stale,
        editing=editing,
        action=action,
    )
    return panel


def render_claim(claim_id, form=None, errors=None, stale=None, status=200, panel=None):
    """Render the claim page, with the review form's or (panel) the fact-check form's state when sent again."""
    seen_event = desk.latest_event_id()
    document = claims.read_claim(claim_id)
    page = render_template(
        "desk/claim.html",
        claim=document,
        etag=etags.document_etag("claim", document),
        seen_event=seen_event,
        reviews=reviews.list_reviews(claim_id),
        history=desk.claim_history(claim_id),
        conflicts=conflicts.claim_conflicts(claim_id, limit=50, secret=cursor_secret())[0],
        matches=claim_matches(claim_id),
        fact_check=fact_check_panel(claim_id, **(panel or {})),
        form=form or {},
        errors=errors or {},
        stale=stale,
        verdicts=VERDICTS,
    )
    return page, status


@blp.route("/claims/<int:claim_id>")
def claim(claim_id):
    """Show one claim: speaker, sources, topics, reviews and history, conflicts side by side, and the review form."""
    return render_claim(claim_id)


def _evidence(text):
    """Read the evidence box: one link a line, a URL and then, optionally, its title."""
    items = []
    for line in (text or "").splitlines():
        url, _, title = line.strip().partition(" ")
        if url:
            items.append({"url": url, "title": title.strip() or None})
    return items


def _flat(messages, prefix=""):
    flat = {}
    for field, value in messages.items():
        name = f"{prefix}{field}"
        if isinstance(value, dict):
            flat.update(_flat(value, f"{name}."))
        else:
            flat[name] = value
    return flat


@blp.route("/claims/<int:claim_id>/review", methods=["POST"])
def review(claim_id):
    """Record a review from the form, unless the claim changed since the form was shown: then show what changed."""
    form = {name: request.form.get(name, "") for name in ("verdict", "rationale", "evidence")}
    try:
        data = ReviewInput().load(
            {"verdict": form["verdict"], "rationale": form["rationale"], "evidence": _evidence(form["evidence"])}
        )
    except ValidationError as error:
        return render_claim(claim_id, form, _flat(error.messages), status=422)
    version = etags.expected_version("claim", claim_id, request.form.get("etag"))
    try:
        seen_event = int(request.form.get("seen_event", ""))
    except ValueError as error:
        raise BadRequest("The form lacks the point it was read at; reload the claim.") from error
    try:
        reviews.review_claim(claim_id, data["verdict"], data["rationale"], data["evidence"], actor(), version)
    except PreconditionFailed:
        return render_claim(claim_id, form, stale=desk.changes_since(claim_id, seen_event), status=409)
    return redirect(url_for("desk.claim", claim_id=claim_id, reviewed=1) + "#reviews", 303)


@blp.route("/feed")
def feed():
    """Tell desk.js what changed after an event id: counts of new claims and conflict changes, and the next cursor."""
    try:
        after = max(0, int(request.args.get("after", "0")))
    except ValueError as error:
        raise BadRequest("after must be an event id.") from error
    items = events.list_events(after, FEED_TYPES, limit=1000)
    return jsonify(
        next_after=items[-1].id if items else after,
        claims=sum(1 for item in items if item.type.startswith(("claim.", "review."))),
        conflicts=sum(1 for item in items if item.type.startswith("conflict.")),
        more=len(items) == 1000,
    )
