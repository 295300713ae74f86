"""Fact-checks at the desk: draft one from a claim, edit the draft, preview it as readers will see it, publish.

The forms call the API's domain functions (service.ledger.fact_checks) with the API's schemas and If-Match
versions, so a draft written here obeys the same rules; only editors and admins publish and unpublish.
"""

from flask import g
from flask import redirect
from flask import request
from flask import url_for
from marshmallow import ValidationError

from service.http.api.claimreview import organization as markup_author
from service.http.desk.blueprint import actor
from service.http.desk.blueprint import blp
from service.http.desk.blueprint import current_key
from service.http.desk.views import PUBLISHING_ROLE
from service.http.desk.views import render_claim
from service.http.web.embeds import render_claim_card
from service.ledger import cards
from service.ledger import desk
from service.ledger import fact_checks
from service.ledger import keys
from service.ledger.errors import Conflict
from service.ledger.errors import Forbidden
from service.ledger.errors import PreconditionFailed
from service.ledger.errors import ValidationFailed
from service.ledger.errors import flatten_messages
from service.schemas.publishing import FactCheckInput
from service.schemas.publishing import FactCheckUpdate
from service.storage import etags

FORM_FIELDS = ("headline", "article_url", "authors", "rating", "explanation", "language")


def _form():
    return {name: request.form.get(name, "") for name in FORM_FIELDS}


def _data(form):
    """Return the form as the API's body: authors one a line, every other field without its outer spaces."""
    data = {name: form[name].strip() for name in FORM_FIELDS if name != "authors"}
    data["authors"] = [line.strip() for line in form["authors"].splitlines() if line.strip()]
    return data


def _shown_again(claim_id, editing, form, error):
    """Show the claim page with the form as sent and its errors beside their fields (422); nothing was stored."""
    if isinstance(error, ValidationError):
        errors = flatten_messages(error.messages)
    else:
        errors = error.errors or {"_schema": [error.detail]}
    return render_claim(claim_id, panel={"form": form, "errors": errors, "editing": editing}, status=422)


def _version(fact_check_id):
    return etags.expected_version("fact-check", fact_check_id, request.form.get("etag"))


def _editors_only(doing):
    key = current_key()
    if not keys.has_role(key, PUBLISHING_ROLE):
        raise Forbidden(
            f"Only editors and admins {doing} fact-checks; the key {key.name!r} is a {key.role}. "
            "Nothing was changed: ask an editor."
        )


def _back(claim_id, done):
    return redirect(url_for("desk.claim", claim_id=claim_id, fact_check=done) + "#fact-check", 303)


def _changed_since(claim_id, fact_check_id, version, form=None, action="save"):
    """Show the claim page saying what happened to the fact-check since the version the form was read at."""
    panel = {
        "form": form,
        "editing": fact_check_id,
        "action": action,
        "stale": desk.fact_check_changes(fact_check_id, version or 0),
    }
    return render_claim(claim_id, panel=panel, status=409)


@blp.route("/claims/<int:claim_id>/fact-checks", methods=["POST"])
def draft_fact_check(claim_id):
    """Draft a fact-check of this claim from the form; a bad field is shown on the form and nothing is stored."""
    form = _form()
    try:
        data = FactCheckInput().load({**_data(form), "claim_ids": [claim_id]})
        fact_checks.create_fact_check(data, actor())
    except (ValidationError, ValidationFailed) as error:
        return _shown_again(claim_id, "new", form, error)
    return _back(claim_id, "drafted")


@blp.route("/claims/<int:claim_id>/fact-checks/<int:fact_check_id>", methods=["POST"])
def edit_fact_check(claim_id, fact_check_id):
    """Save the draft at the version it was read; if someone changed it since, store nothing and show what changed."""
    form = _form()
    try:
        changes = FactCheckUpdate().load(_data(form))
    except ValidationError as error:
        return _shown_again(claim_id, fact_check_id, form, error)
    version = _version(fact_check_id)
    try:
        fact_checks.update_fact_check(fact_check_id, changes, version, actor())
    except ValidationFailed as error:
        return _shown_again(claim_id, fact_check_id, form, error)
    except (PreconditionFailed, Conflict):
        return _changed_since(claim_id, fact_check_id, version, form)
    return _back(claim_id, "saved")


@blp.route("/claims/<int:claim_id>/fact-checks/<int:fact_check_id>/preview")
def preview_fact_check(claim_id, fact_check_id):
    """Show the claim's card with this fact-check exactly as readers will see it once published (desk users only)."""
    # The claim page shows this page in a frame of its own origin; every other desk page refuses framing.
    g.desk_framable = True
    return render_claim_card(cards.draft_card(claim_id, fact_check_id, *markup_author()))


@blp.route("/claims/<int:claim_id>/fact-checks/<int:fact_check_id>/publish", methods=["POST"])
def publish_fact_check(claim_id, fact_check_id):
    """Publish the draft as it was read (editors and admins): readers see it at once."""
    return _switch(claim_id, fact_check_id, fact_checks.publish, "publish", "published")


@blp.route("/claims/<int:claim_id>/fact-checks/<int:fact_check_id>/unpublish", methods=["POST"])
def unpublish_fact_check(claim_id, fact_check_id):
    """Take a published fact-check back to draft (editors and admins): readers stop seeing it at once."""
    return _switch(claim_id, fact_check_id, fact_checks.unpublish, "unpublish", "unpublished")


def _switch(claim_id, fact_check_id, change, action, done):
    """Publish or unpublish the fact-check at the version the form was drawn from."""
    _editors_only(action)
    version = _version(fact_check_id)
    try:
        change(fact_check_id, version, actor())
    except (PreconditionFailed, Conflict):
        return _changed_since(claim_id, fact_check_id, version, action=action)
    return _back(claim_id, done)
