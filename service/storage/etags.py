"""Version-based entity tags and the If-Match rules for writes."""

from service.ledger.errors import PreconditionFailed
from service.ledger.errors import PreconditionRequired
from service.storage.models import utcnow


def etag(kind, obj):
    """Return the strong ETag of an object at its current version."""
    return document_etag(kind, {"id": obj.id, "version": obj.version})


def document_etag(kind, document):
    """Return the strong ETag of an object as the API shows it (a dict with its id and version)."""
    return f'"{kind}-{document["id"]}-{document["version"]}"'


def expected_version(kind, obj_id, if_match):
    """Return the version an If-Match header names (None for *), or raise 428/412."""
    if not if_match:
        raise PreconditionRequired("This write needs an If-Match header with the ETag from your last GET.")
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags:
        return None
    prefix = f'"{kind}-{obj_id}-'
    for tag in tags:
        # If-Match compares strong ETags only (RFC 9110, 13.1.1): a weak one never matches.
        if tag.startswith("W/"):
            continue
        digits = tag[len(prefix) : -1]
        # ASCII and short: int() refuses "²" and strings of more than 4,300 digits.
        if tag.startswith(prefix) and tag.endswith('"') and digits.isascii() and digits.isdigit() and len(digits) <= 18:
            return int(digits)
    raise PreconditionFailed("The If-Match header does not name a version of this object.")


def check_version(obj, version):
    """Raise 412 unless the object is still at the version the caller read."""
    if version is not None and obj.version != version:
        raise PreconditionFailed(f"The object changed since you read it (now version {obj.version}); GET it again.")


def compare_and_set(obj, version, **changes):
    """Apply changes and bump the version in one UPDATE that only matches the version read.

    The WHERE on version makes two writers who read the same version race safely: the database lets
    exactly one UPDATE match, the other gets 412.
    """
    model = type(obj)
    changes.update(version=model.version + 1, updated_at=utcnow())
    query = model.update(**changes).where(model.id == obj.id)
    if version is not None:
        query = query.where(model.version == version)
    if query.execute() == 0:
        current = model.get_or_none(model.id == obj.id)
        raise PreconditionFailed(
            "The object changed since you read it"
            + (f" (now version {current.version}); GET it again." if current else "; it is gone.")
        )
    return model.get_by_id(obj.id)


def delete_at_version(obj, version, gone=None):
    """Delete the object in one DELETE that only matches the version read (412 if it moved on).

    If another request deleted it first, raise gone if given (the caller's 404), else 412.
    """
    model = type(obj)
    query = model.delete().where(model.id == obj.id)
    if version is not None:
        query = query.where(model.version == version)
    if query.execute() == 0:
        current = model.get_or_none(model.id == obj.id)
        if current is None and gone is not None:
            raise gone
        raise PreconditionFailed(
            "The object changed since you read it"
            + (f" (now version {current.version}); GET it again." if current else "; it is gone.")
        )
