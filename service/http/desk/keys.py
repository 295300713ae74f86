"""Keys on the desk (admins only): list colleagues' keys, make one (shown once), revoke one."""

from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from service.http.desk.blueprint import actor
from service.http.desk.blueprint import blp
from service.http.desk.blueprint import current_key
from service.ledger import keys
from service.ledger.errors import Forbidden
from service.ledger.errors import ValidationFailed
from service.storage.models import ROLES


def _admin_only():
    if current_key().role != "admin":
        raise Forbidden(f"Keys are managed by admins; the key {current_key().name!r} is a {current_key().role}.")


def _page(created=None, secret=None, errors=None, status=200):
    page = render_template(
        "desk/keys.html", keys=keys.list_keys(), roles=ROLES, created=created, secret=secret, errors=errors or {}
    )
    return make_response(page, status)


@blp.route("/keys")
def key_list():
    """List the keys (never their secrets), with forms to make and revoke them."""
    _admin_only()
    return _page()


@blp.route("/keys", methods=["POST"])
def create_key():
    """Make a key for a colleague and show it, this once only."""
    _admin_only()
    try:
        key, secret = keys.create_key(request.form.get("name", "").strip(), request.form.get("role", ""), actor())
    except ValidationFailed as problem:
        return _page(errors=problem.errors, status=422)
    return _page(created=key, secret=secret, status=201)


@blp.route("/keys/<int:key_id>/revoke", methods=["POST"])
def revoke_key(key_id):
    """Revoke a key: it stops working at once, and every desk session it opened ends."""
    _admin_only()
    keys.revoke_key(key_id, actor())
    return redirect(url_for("desk.key_list"), 303)
