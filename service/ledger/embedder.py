"""The background embedder: give every claim its sentence vector, then suggest conflicts found by meaning.

It first encodes every claim lacking a vector of the current model, then follows the event feed for
claims created or edited since, so a new claim has its vector and its suggestions within seconds of its
POST. Several embedders may run at once (one per `claimledger serve`): the table's unique claim column
lets one of them win each claim, and the others skip it.
"""

import logging

import peewee

from service.ledger import matching
from service.ledger import semantic
from service.storage.db import database

log = logging.getLogger(__name__)


def _suggest(claim_ids):
    for claim_id in claim_ids:
        try:
            semantic.suggest_conflicts(claim_id)
        except peewee.IntegrityError:
            log.info("claim %s was paired by another writer first", claim_id)


def _store_safely(claim_ids):
    try:
        return matching.embed_claims(claim_ids)
    except peewee.IntegrityError:
        # Another embedder stored some of these vectors first.
        return []


def catch_up(stop=None):
    """Encode every claim that has no vector of the current model yet (until stop is set); return how many."""
    total, after = 0, 0
    while stop is None or not stop.is_set():
        pending = matching._unembedded(matching.EMBED_BATCH, after)
        if not pending:
            return total
        after = pending[-1][0]
        done = _store_safely([claim_id for claim_id, _ in pending])
        _suggest(done)
        total += len(done)
    return total


def follow_changes(mark):
    """Embed the claims created or edited in events after mark and suggest their conflicts again.

    Every edited claim is looked at again, not only those whose text changed: a new date can end an
    opposition (semantic.SAME_MOMENT_DAYS). Return (claim ids looked at, ids newly encoded, the new mark).
    """
    changed, mark = matching.changed_claims(mark)
    done = _store_safely(changed) if changed else []
    _suggest(changed)
    return changed, done, mark


def follow(stop, poll_seconds=1.0):
    """Catch up, then embed claims as the event feed shows them created or edited, until stop is set."""
    database.connect(reuse_if_open=True)
    mark = matching.last_event_id()
    log.info("embedder: %d claims encoded on catching up", catch_up(stop))
    while not stop.is_set():
        try:
            database.connect(reuse_if_open=True)
            changed, done, mark = follow_changes(mark)
            if done:
                log.info("embedder: encoded %d claim(s)", len(done))
        except (peewee.OperationalError, peewee.InterfaceError) as error:
            log.warning("database unavailable (%s); trying again in %gs", error, poll_seconds)
            database.close()
            changed = []
        if not changed:
            stop.wait(poll_seconds)
    database.close()
