"""Deleting a speaker, source or topic: only while no claim refers to it, at the version read, with its event."""

import peewee

from service.ledger import events
from service.ledger.errors import Conflict
from service.storage import etags
from service.storage.db import database


def delete_unreferenced(kind, load, references, in_use, raced, version, actor, snapshot):
    """Delete the object load() returns if no claim refers to it and it is at the version read; record kind.deleted.

    references(obj) counts the claims that refer to it and in_use(count) words the 409 for them; raced is
    the 409's words when a referring claim is stored between that count and the DELETE (the foreign key
    refuses the DELETE, and the transaction rolls back whole).
    """
    try:
        with database.atomic():
            obj = load()
            etags.check_version(obj, version)
            count = references(obj)
            if count:
                raise Conflict(in_use(obj, count))
            data = snapshot(obj)
            etags.delete_at_version(obj, version)
            events.record(f"{kind}.deleted", kind, obj.id, actor, data)
    except peewee.IntegrityError as error:
        raise Conflict(raced) from error
