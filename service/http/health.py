"""Liveness and readiness probes."""

from flask import Blueprint
from flask import jsonify

from service.ledger.errors import Unavailable
from service.storage import db

blp = Blueprint("health", __name__)


@blp.route("/healthz")
def healthz():
    """Answer while the process lives."""
    return jsonify(status="ok")


@blp.route("/readyz")
def readyz():
    """Answer 200 only while the database answers."""
    try:
        db.database.execute_sql("SELECT 1")
    except Exception as error:
        raise Unavailable("The database is not answering.") from error
    return jsonify(status="ready")
