"""Desk sessions: a reviewer signs in once with a key and the desk remembers them by a random token.

Only the token's SHA-256 is stored. A session stands for its key and is only as good as the key: it is
looked up together with the key, so revoking the key ends the session on the very next request.
"""

import datetime
import hashlib
import secrets

from service.ledger.errors import Forbidden
from service.ledger.errors import Unauthorized
from service.ledger.keys import RANK
from service.ledger.keys import authenticate
from service.storage.db import database
from service.storage.models import ApiKey
from service.storage.models import DeskSession
from service.storage.models import utcnow

DESK_ROLE = "reviewer"
IDLE_LIMIT = datetime.timedelta(hours=12)
# last_seen_at is written at most this often, so that a page polling every few seconds does not write each time.
TOUCH_EVERY = datetime.timedelta(minutes=1)


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(presented_key):
    """Open a session for a reviewer's (or higher) key; return (DeskSession, token), the token for its cookie only."""
    key = authenticate((presented_key or "").strip())
    if key is None:
        raise Unauthorized("That key is unknown or revoked.")
    if RANK[key.role] < RANK[DESK_ROLE]:
        raise Forbidden(f"The desk is for reviewers; the key {key.name!r} is a {key.role}.")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with database.atomic():
        DeskSession.delete().where(DeskSession.last_seen_at < now - IDLE_LIMIT).execute()
        session = DeskSession.create(
            token_hash=_hash(token), key=key, csrf_secret=secrets.token_urlsafe(32), created_at=now, last_seen_at=now
        )
    session.key = key
    return session, token


def find_session(token):
    """Return the live session a cookie's token belongs to, with its key loaded, or None.

    None when the token is unknown, idle past IDLE_LIMIT, or its key has been revoked (the session is then deleted).
    """
    if not token or len(token) > 200:
        return None
    session = DeskSession.select(DeskSession, ApiKey).join(ApiKey).where(DeskSession.token_hash == _hash(token)).first()
    if session is None:
        return None
    now = utcnow()
    if session.key.revoked_at is not None or session.last_seen_at < now - IDLE_LIMIT:
        with database.atomic():
            DeskSession.delete().where(DeskSession.id == session.id).execute()
        return None
    if session.last_seen_at < now - TOUCH_EVERY:
        with database.atomic():
            DeskSession.update(last_seen_at=now).where(DeskSession.id == session.id).execute()
        session.last_seen_at = now
    return session


def sign_out(token):
    """End the session a token belongs to (nothing happens for an unknown one)."""
    if token:
        with database.atomic():
            DeskSession.delete().where(DeskSession.token_hash == _hash(token)).execute()
