"""Pages: /conflicts/{id} and /topics/{slug}, two columns that stack on a phone."""

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import request

from service.http import guard
from service.ledger import public
from service.ledger import ratings
from service.ledger.errors import NotFound
from service.ledger.errors import Problem
from service.storage.models import STANCES

MAX_ID = 2**53

blp = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")


def content_security_policy(frame_origins):
    """Return the pages' Content-Security-Policy: own stylesheet and images only, framing by the given origins."""
    frame_ancestors = " ".join(frame_origins) or "'none'"
    return (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {frame_ancestors}"
    )


@blp.before_request
def _check_reads():
    # The stylesheet carries no data: a private server's pages need a key, their assets do not.
    if request.endpoint != "pages.static":
        guard.check_read_access()


@blp.after_request
def _security_headers(response):
    response.headers["Content-Security-Policy"] = content_security_policy(current_app.config["EMBED_ORIGINS"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return response


@blp.errorhandler(Problem)
def _problem_page(error):
    """Answer a page's errors (an unknown id or slug, private reads) as HTML, not problem+json."""
    return render_template("error.html", error=error), error.status, error.headers


@blp.route("/conflicts/<conflict_ref>")
def conflict_page(conflict_ref):
    """Show a confirmed conflict's two claims side by side."""
    # Matched as text so that /conflicts/abc gets this page's HTML 404, not the API's problem+json.
    if not (conflict_ref.isascii() and conflict_ref.isdigit() and 1 <= int(conflict_ref) <= MAX_ID):
        raise NotFound(f"No conflict {conflict_ref!r}.")
    conflict_id = int(conflict_ref)
    conflict, fact_checks = public.conflict(conflict_id)
    return render_template("conflict.html", conflict=conflict, fact_checks=fact_checks, rating_label=ratings.label)


@blp.route("/topics/<slug>")
def topic_page(slug):
    """Show a topic's debate as readers may see it: the public claims for and against, side by side."""
    sides, fact_checks = public.topic_sides(slug)
    claims = {claim["id"]: claim for stance in STANCES for claim in sides[stance]}
    return render_template(
        "topic.html", sides=sides, claims=claims, fact_checks=fact_checks, rating_label=ratings.label
    )
