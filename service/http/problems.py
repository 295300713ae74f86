"""The one handler that answers every error as RFC 9457 problem+json."""

import logging

import peewee
from flask import json
from werkzeug.exceptions import HTTPException

from service.ledger.errors import BadRequest
from service.ledger.errors import Problem
from service.ledger.errors import flatten_messages
from service.nlp.vectors import ModelUnavailable
from service.storage import db

PROBLEM_MIMETYPE = "application/problem+json"
log = logging.getLogger(__name__)


def problem_response(status, title, detail, slug, errors=None, headers=None):
    """Build the problem+json response."""
    from flask import current_app

    body = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _slug(title):
    return title.lower().replace(" ", "-").replace("'", "")


def _own_problems():
    """Return {status: Problem subclass} so that werkzeug's errors share our titles and types."""
    return {cls.status: cls for cls in Problem.__subclasses__()}


def handle_problem(error):
    """Answer one of the service's own errors."""
    return problem_response(error.status, error.title, error.detail, error.slug, error.errors, error.headers)


def handle_http_exception(error):
    """Answer a werkzeug or webargs HTTP error (404, 405, 413, 422 from parsing, ...)."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    errors = None
    detail = error.description or error.name
    if messages:
        if isinstance(messages, dict) and len(messages) == 1:
            location, inner = next(iter(messages.items()))
            errors = flatten_messages(inner)
        else:
            errors = flatten_messages(messages)
        detail = "The request has invalid fields: " + ", ".join(sorted(errors))
        if error.code == 400 and "json" in messages and "_schema" in errors:
            detail = "The request body is not valid JSON."
    headers = dict(data.get("headers") or {})
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    # One problem type, one title (RFC 9457): a 404 from routing reads like a 404 from a view.
    own = _own_problems().get(error.code)
    title, slug = (own.title, own.slug) if own else (error.name, _slug(error.name))
    return problem_response(error.code, title, detail, slug, errors, headers)


def handle_not_migrated(error):
    """Answer 500, saying what to do, when the database lacks the tables or columns this release needs."""
    log.error("the database needs `claimledger migrate`: %s", error)
    return problem_response(
        500,
        "Database not migrated",
        "The database lacks tables or columns this release needs: run `claimledger migrate` against it.",
        "not-migrated",
    )


def handle_database_error(error):
    """Answer a database error: its schema not migrated (500, saying so), else unreachable (503)."""
    if db.lacks_schema(error):
        return handle_not_migrated(error)
    if isinstance(error, (peewee.OperationalError, peewee.InterfaceError)):
        return handle_database_down(error)
    return handle_unexpected(error)


def handle_database_down(error):
    """Answer 503 when the database cannot be reached."""
    log.warning("database unavailable: %s", error)
    return problem_response(
        503,
        "Service unavailable",
        "The database is not answering; try again shortly.",
        "unavailable",
        headers={"Retry-After": "5"},
    )


def handle_model_unavailable(error):
    """Answer 503 when claim matching needs the sentence model and this installation cannot load it."""
    log.error("sentence model unavailable: %s", error)
    return problem_response(
        503,
        "Service unavailable",
        "Matching by meaning is unavailable on this server: its sentence model could not be loaded.",
        "unavailable",
    )


def handle_too_deep(error):
    """Answer 400 for a JSON body nested deeper than the parser can follow; other recursion is a bug (500)."""
    from flask import request

    if request.is_json and request.method in ("POST", "PUT", "PATCH"):
        log.warning("refused a JSON body nested too deeply")
        return problem_response(400, BadRequest.title, "The request body is nested too deeply.", BadRequest.slug)
    return handle_unexpected(error)


def handle_unexpected(error):
    """Answer 500 without a trace; the trace goes to the log."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error")
    return problem_response(500, "Internal server error", "The server failed to answer this request.", "internal-error")


def register(app):
    """Route every error through problem+json."""
    app.register_error_handler(Problem, handle_problem)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(peewee.OperationalError, handle_database_error)
    app.register_error_handler(peewee.InterfaceError, handle_database_error)
    app.register_error_handler(peewee.ProgrammingError, handle_database_error)
    app.register_error_handler(RecursionError, handle_too_deep)
    app.register_error_handler(ModelUnavailable, handle_model_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
