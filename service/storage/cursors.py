"""Opaque, signed keyset cursors: the last row's sort values, so that every page costs the same.

The signing secret is an argument: the HTTP face passes its SECRET_KEY, so listing works outside an app too.
"""

from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer

from service.ledger.errors import BadRequest


def _serializer(kind, secret):
    return URLSafeSerializer(secret, salt=f"cursor:{kind}")


def encode(kind, values, secret):
    """Return the cursor that continues after a row with these sort values."""
    return _serializer(kind, secret).dumps(list(values))


def decode(kind, token, arity, secret):
    """Return the sort values in a cursor, or raise BadRequest if it is malformed or tampered."""
    try:
        values = _serializer(kind, secret).loads(token)
    except BadSignature as error:
        raise BadRequest("The cursor is malformed or was altered; start again without it.") from error
    if not isinstance(values, list) or len(values) != arity:
        raise BadRequest("The cursor does not belong to this listing; start again without it.")
    return values


def page(rows, limit, kind, key, secret):
    """Split limit+1 fetched rows into (page, next_cursor)."""
    rows = list(rows)
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode(kind, key(rows[-1]), secret)
