"""The desk's Blueprint and what every desk request passes through: session, Origin and CSRF checks, headers."""

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from marshmallow import ValidationError

from service.ledger import sessions
from service.ledger.errors import Forbidden
from service.ledger.errors import Problem
from service.ledger.errors import Unauthorized
from service.ledger.errors import ValidationFailed

blp = Blueprint(
    "desk",
    __name__,
    url_prefix="/desk",
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

SESSION_COOKIE = "desk_session"
SIGN_IN_COOKIE = "desk_sign_in"
OPEN_ENDPOINTS = {"desk.sign_in", "desk.static"}
# desk.js sends this header on its own requests: they get JSON or 204 answers instead of pages and redirects.
FETCH_HEADER = "X-Desk-Fetch"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
)


def is_fetch():
    """Return whether desk.js sent this request (and so wants JSON rather than a page)."""
    return request.headers.get(FETCH_HEADER) == "1"


def current_key():
    """Return the signed-in ApiKey."""
    return g.desk_session.key


def actor():
    """Return the signed-in key's name: the actor recorded for the desk's writes."""
    return g.desk_session.key.name


def local_path(target):
    """Return target if it is a path on this desk, else the queue's: a form's next or back sends nobody elsewhere."""
    parts = urlsplit(target or "")
    on_desk = parts.path.startswith("/desk/") and not parts.scheme and not parts.netloc
    if not on_desk or not target.isascii() or not target.isprintable() or "\\" in target or ".." in parts.path:
        return url_for("desk.queue")
    return target


def _own_origins():
    """Return the origins the desk's own pages are served from: this request's, and CLAIMLEDGER_PUBLIC_URL's."""
    origins = {request.host_url.rstrip("/")}
    public = urlsplit(current_app.config.get("PUBLIC_URL") or "")
    if public.scheme and public.netloc:
        origins.add(f"{public.scheme}://{public.netloc}")
    return origins


def _same_origin():
    """Refuse a write another site's page sent: by Origin when the browser names one, by Sec-Fetch-Site."""
    origin = request.headers.get("Origin")
    if origin is not None and origin not in _own_origins():
        raise Forbidden("This form was sent from another site; the desk only takes its own forms.")
    if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
        raise Forbidden("This form was sent from another site; the desk only takes its own forms.")


def _check_csrf(expected):
    presented = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
    if not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise Forbidden("The form's security token is missing or out of date; reload the page and try again.")


@blp.before_request
def _guard():
    if request.method == "POST":
        _same_origin()
    if request.endpoint in OPEN_ENDPOINTS:
        if request.method == "POST":
            _check_csrf(request.cookies.get(SIGN_IN_COOKIE))
        return None
    g.desk_session = sessions.find_session(request.cookies.get(SESSION_COOKIE))
    if g.desk_session is None:
        if is_fetch() or request.method == "POST":
            raise Unauthorized("You are signed out of the desk; sign in again.")
        return redirect(url_for("desk.sign_in", next=request.full_path if request.args else request.path))
    if request.method == "POST":
        _check_csrf(g.desk_session.csrf_secret)
    return None


@blp.context_processor
def _desk_globals():
    return {"desk_session": g.get("desk_session")}


@blp.after_request
def _headers(response):
    framable = g.get("desk_framable", False)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(
        ancestors="'self'" if framable else "'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN" if framable else "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "desk.static":
        # Pages show who is signed in and carry their CSRF token: never kept by a shared cache or the back button.
        response.headers["Cache-Control"] = "no-store"
    return response


@blp.errorhandler(Problem)
def _problem(error):
    """Answer the desk's errors as a page (or JSON to desk.js), never problem+json or a stack trace."""
    if is_fetch():
        body = {"title": error.title, "detail": error.detail, "errors": error.errors or {}}
        return jsonify(body), error.status
    return render_template("desk/error.html", error=error), error.status


def new_sign_in_token():
    """Return a fresh token for the sign-in form (checked against its cookie: there is no session yet)."""
    return secrets.token_urlsafe(24)


def set_cookie(response, name, value, max_age=None):
    """Set one of the desk's cookies: HttpOnly, SameSite=Lax, Secure over HTTPS, for /desk only."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/desk",
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


def listing_filters(args, names, schema, default_status):
    """Return a listing's filters from the query string, checked by the API's schema; status "any" lifts the default."""
    raw = {name: args[name].strip() for name in names if args.get(name, "").strip()}
    raw.setdefault("status", default_status)
    if raw["status"] == "any":
        del raw["status"]
    try:
        return schema.load(raw)
    except ValidationError as error:
        raise ValidationFailed("A filter is not valid.", errors=error.messages) from error
