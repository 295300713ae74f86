"""Fact-checks: /api/v1/fact-checks, drafts written by reviewers, published and corrected by editors."""

from flask import jsonify
from flask import url_for

from service.http import guard
from service.http.api.common import ETAG
from service.http.api.common import LOCATION
from service.http.api.common import Blueprint
from service.http.api.common import cursor_secret
from service.http.api.common import if_match
from service.http.api.common import needs_if_match
from service.http.api.common import page_limit
from service.ledger import fact_checks
from service.schemas.publishing import CorrectionInput
from service.schemas.publishing import FactCheckInput
from service.schemas.publishing import FactCheckOut
from service.schemas.publishing import FactCheckPage
from service.schemas.publishing import FactCheckQuery
from service.schemas.publishing import FactCheckUpdate
from service.schemas.publishing import FactCheckVersionList
from service.storage import etags

blp = Blueprint("fact_checks", __name__, description="Fact-checks: the desk's published verdicts for readers.")


def _may_see_drafts():
    """Drafts are the desk's: shown to any key, never to an anonymous reader."""
    return guard.current_key() is not None


def _answer(fact_check, status=200):
    headers = {"ETag": etags.etag("fact-check", fact_check)}
    if status == 201:
        headers["Location"] = url_for("fact_checks.get_fact_check", fact_check_id=fact_check.id)
    return jsonify(fact_checks.document(fact_check)), status, headers


@blp.route("/fact-checks")
@blp.arguments(FactCheckQuery, location="query")
@blp.response(200, FactCheckPage)
def list_fact_checks(args):
    """List fact-checks, newest first (drafts only to callers with a key)."""
    cursor = args.pop("cursor", None)
    limit = page_limit(args.pop("limit", None))
    items, next_cursor = fact_checks.list_fact_checks(args, _may_see_drafts(), limit, cursor, cursor_secret())
    return jsonify(items=items, next_cursor=next_cursor)


@blp.route("/fact-checks", methods=["POST"])
@guard.require("reviewer")
@blp.arguments(FactCheckInput)
@blp.response(201, FactCheckOut, headers={**ETAG, **LOCATION})
def create_fact_check(data):
    """Write a draft fact-check of one or more claims."""
    return _answer(fact_checks.create_fact_check(data, guard.actor()), 201)


@blp.route("/fact-checks/<int:fact_check_id>")
@blp.response(200, FactCheckOut, headers=ETAG)
def get_fact_check(fact_check_id):
    """Get a fact-check (a draft only with a key)."""
    return _answer(fact_checks.get_fact_check(fact_check_id, _may_see_drafts()))


@blp.route("/fact-checks/<int:fact_check_id>", methods=["PATCH"])
@guard.require("reviewer")
@blp.arguments(FactCheckUpdate, required=False)
@blp.response(200, FactCheckOut, headers=ETAG)
@blp.alt_response(409, response="CONFLICT")
def update_fact_check(changes, fact_check_id):
    """Edit a draft fact-check (needs If-Match); a published one is corrected by an editor instead."""
    version = etags.expected_version("fact-check", fact_check_id, if_match())
    return _answer(fact_checks.update_fact_check(fact_check_id, changes, version, guard.actor()))


@blp.route("/fact-checks/<int:fact_check_id>", methods=["DELETE"])
@guard.require("admin")
@blp.response(204)
@blp.alt_response(409, response="CONFLICT")
def delete_fact_check(fact_check_id):
    """Delete a draft fact-check (admin; needs If-Match)."""
    version = etags.expected_version("fact-check", fact_check_id, if_match())
    fact_checks.delete_fact_check(fact_check_id, version, guard.actor())


@blp.route("/fact-checks/<int:fact_check_id>/publish", methods=["POST"])
@guard.require("editor")
@blp.response(200, FactCheckOut, headers=ETAG)
@blp.alt_response(409, response="CONFLICT")
@needs_if_match
def publish_fact_check(fact_check_id):
    """Publish a draft fact-check as read (editor; needs If-Match)."""
    version = etags.expected_version("fact-check", fact_check_id, if_match())
    return _answer(fact_checks.publish(fact_check_id, version, guard.actor()))


@blp.route("/fact-checks/<int:fact_check_id>/unpublish", methods=["POST"])
@guard.require("editor")
@blp.response(200, FactCheckOut, headers=ETAG)
@blp.alt_response(409, response="CONFLICT")
@needs_if_match
def unpublish_fact_check(fact_check_id):
    """Take a published fact-check back to draft (editor; needs If-Match)."""
    version = etags.expected_version("fact-check", fact_check_id, if_match())
    return _answer(fact_checks.unpublish(fact_check_id, version, guard.actor()))


@blp.route("/fact-checks/<int:fact_check_id>/corrections", methods=["POST"])
@guard.require("editor")
@blp.arguments(CorrectionInput)
@blp.response(200, FactCheckOut, headers=ETAG)
@blp.alt_response(409, response="CONFLICT")
@needs_if_match
def correct_fact_check(data, fact_check_id):
    """Correct a published fact-check with a note for readers, keeping the earlier version (editor; If-Match)."""
    version = etags.expected_version("fact-check", fact_check_id, if_match())
    return _answer(fact_checks.correct(fact_check_id, data, version, guard.actor()))


@blp.route("/fact-checks/<int:fact_check_id>/versions")
@blp.response(200, FactCheckVersionList)
def fact_check_versions(fact_check_id):
    """List a fact-check's published versions, oldest first: each publication and correction."""
    return {"items": fact_checks.versions(fact_check_id, _may_see_drafts())}
