"""Speakers: who made claims, found by id, name or alias."""

import peewee

from service.ledger import documents
from service.ledger import events
from service.ledger.deletes import delete_unreferenced
from service.ledger.errors import NotFound
from service.ledger.errors import ValidationFailed
from service.nlp import names
from service.storage import cursors
from service.storage import etags
from service.storage.db import database
from service.storage.models import CLAIM_STATUSES
from service.storage.models import Claim
from service.storage.models import Speaker
from service.storage.models import SpeakerAlias
from service.storage.models import utcnow


def name_key(name):
    """Return the form under which two spellings of one name match: casefolded, spaces collapsed."""
    return " ".join(name.split()).casefold()


def get_speaker(speaker_id):
    """Return a speaker by id, or raise NotFound."""
    speaker = Speaker.get_or_none(Speaker.id == speaker_id)
    if speaker is None:
        raise NotFound(f"No speaker with id {speaker_id}.")
    return speaker


def find_speaker(name):
    """Return the speaker whose name or alias matches, or None."""
    key = name_key(name)
    speaker = Speaker.get_or_none(Speaker.name_key == key)
    if speaker is None:
        alias = SpeakerAlias.get_or_none(SpeakerAlias.alias_key == key)
        speaker = alias.speaker if alias else None
    return speaker


def records(speaker_ids):
    """Return {speaker_id: {status: count}} for how each speaker's claims stand."""
    counts = {sid: dict.fromkeys(CLAIM_STATUSES, 0) for sid in speaker_ids}
    if speaker_ids:
        rows = (
            Claim.select(Claim.speaker, Claim.status, peewee.fn.COUNT(Claim.id).alias("n"))
            .where(Claim.speaker.in_(list(speaker_ids)))
            .group_by(Claim.speaker, Claim.status)
            .tuples()
        )
        for speaker_id, status, n in rows:
            counts[speaker_id][status] = n
    return counts


def with_details(speakers):
    """Attach aliases and record to speakers for output; return them."""
    speakers = list(speakers)
    by_id = {s.id: s for s in speakers}
    for speaker in speakers:
        speaker.alias_names = []
    if by_id:
        for alias in SpeakerAlias.select().where(SpeakerAlias.speaker.in_(list(by_id))):
            by_id[alias.speaker_id].alias_names.append(alias.alias)
    for speaker_id, record in records(list(by_id)).items():
        by_id[speaker_id].record = record
    return speakers


def snapshot(speaker):
    """Return the speaker as events record it."""
    return documents.speaker_document(with_details([speaker])[0])


def _add_aliases(speaker, aliases):
    for alias in aliases:
        key = name_key(alias)
        if key == speaker.name_key or SpeakerAlias.get_or_none(
            (SpeakerAlias.alias_key == key) & (SpeakerAlias.speaker == speaker)
        ):
            continue
        if Speaker.get_or_none(Speaker.name_key == key) or SpeakerAlias.get_or_none(SpeakerAlias.alias_key == key):
            raise ValidationFailed(
                f"The alias {alias!r} already names another speaker.",
                errors={"aliases": [f"{alias!r} already names another speaker."]},
            )
        SpeakerAlias.create(speaker=speaker, alias=" ".join(alias.split()), alias_key=key)


def create_speaker(data, actor):
    """Create a speaker; 422 if the name or an alias already names one."""
    with database.atomic():
        if find_speaker(data["name"]) is not None:
            raise ValidationFailed(
                f"A speaker named {data['name']!r} exists already.",
                errors={"name": ["A speaker with this name or alias exists already."]},
            )
        return _insert_speaker(data, actor)


def _insert_speaker(data, actor):
    data = dict(data)
    aliases = data.pop("aliases", [])
    with database.atomic():
        name = " ".join(data["name"].split())
        speaker = Speaker.create(name_key=name_key(name), latin_key=names.name_key(name), **{**data, "name": name})
        _add_aliases(speaker, aliases)
        events.record("speaker.created", "speaker", speaker.id, actor, snapshot(speaker))
    return speaker


def resolve_speaker(ref, actor):
    """Return the speaker a claim names: by id, by name or alias, or newly created."""
    if "id" in ref:
        speaker = Speaker.get_or_none(Speaker.id == ref["id"])
        if speaker is None:
            raise ValidationFailed(errors={"speaker.id": [f"No speaker with id {ref['id']}."]})
        return speaker
    speaker = find_speaker(ref["name"])
    if speaker is not None:
        return speaker
    try:
        return _insert_speaker(ref, actor)
    except peewee.IntegrityError:
        # Another request stored this name (or one of these aliases) since our look-up: use its speaker, or
        # let create_speaker name the alias that now clashes.
        return find_speaker(ref["name"]) or create_speaker(ref, actor)


def update_speaker(speaker_id, changes, version, actor):
    """Edit a speaker if it is still at the version the caller read."""
    changes = dict(changes)
    aliases = changes.pop("aliases", None)
    with database.atomic():
        speaker = get_speaker(speaker_id)
        if not changes and aliases is None:
            # An empty PATCH changes nothing: no new version, no event.
            etags.check_version(speaker, version)
            return speaker
        if "name" in changes:
            changes["name"] = " ".join(changes["name"].split())
            changes["name_key"] = name_key(changes["name"])
            changes["latin_key"] = names.name_key(changes["name"])
            other = find_speaker(changes["name"])
            if other is not None and other.id != speaker.id:
                raise ValidationFailed(errors={"name": ["Another speaker has this name or alias."]})
        speaker = etags.compare_and_set(speaker, version, **changes)
        if aliases is not None:
            SpeakerAlias.delete().where(SpeakerAlias.speaker == speaker).execute()
            _add_aliases(speaker, aliases)
        events.record("speaker.updated", "speaker", speaker.id, actor, snapshot(speaker))
    return speaker


def list_speakers(q=None, limit=50, cursor=None, *, secret):
    """Return a page of speakers by id, optionally those whose name contains q."""
    query = Speaker.select().order_by(Speaker.id)
    if q:
        query = query.where(Speaker.name_key.contains(name_key(q)))
    if cursor:
        (after,) = cursors.decode("speakers", cursor, 1, secret)
        query = query.where(Speaker.id > after)
    rows, next_cursor = cursors.page(query.limit(limit + 1), limit, "speakers", lambda s: [s.id], secret)
    return with_details(rows), next_cursor


def delete_speaker(speaker_id, version, actor):
    """Delete a speaker no claim names, if it is still at the version the caller read; record the event."""
    delete_unreferenced(
        "speaker",
        lambda: get_speaker(speaker_id),
        lambda speaker: Claim.select().where(Claim.speaker == speaker).count(),
        lambda speaker, count: f"{count} claim(s) name speaker {speaker_id}; delete or reassign them first.",
        f"A claim names speaker {speaker_id}; delete or reassign it first.",
        version,
        actor,
        snapshot,
    )


EXPORT_PAGE = 1000


def export_speakers():
    """Yield every speaker as GET /speakers/{id} shows it (aliases and record included), by id, a page at a time."""
    after = 0
    while True:
        page = list(Speaker.select().where(Speaker.id > after).order_by(Speaker.id).limit(EXPORT_PAGE))
        for speaker in with_details(page):
            yield documents.speaker_document(speaker)
        if len(page) < EXPORT_PAGE:
            return
        after = page[-1].id


def import_speakers(items, actor):
    """Create each loaded speaker that no speaker's name or alias names yet, all or nothing; return the counts.

    A speaker already here is left as it is, so importing an export twice changes nothing.
    """
    created = 0
    with database.atomic():
        for item in items:
            if find_speaker(item["name"]) is None:
                _insert_speaker(item, actor)
                created += 1
    return {"created": created, "unchanged": len(items) - created}


# Key parts shorter than this (initials, particles) do not select candidates on their own.
KEY_PART = 3
SIMILAR_LIMIT = 10


def similar_speakers(speaker_id, limit=SIMILAR_LIMIT):
    """Return [{id, name, score}] of other speakers whose name or an alias is probably this speaker's, best first.

    Candidates share a part of the script-independent key ("evgeni prigozhin"), then nlp.names scores
    every spelling of both; only likely matches (names.likely_same) are returned.
    """
    speaker = get_speaker(speaker_id)
    spellings = [speaker.name] + [a.alias for a in SpeakerAlias.select().where(SpeakerAlias.speaker == speaker)]
    parts = {part for spelling in spellings for part in names.name_key(spelling).split() if len(part) >= KEY_PART}
    if not parts:
        return []
    condition = None
    for part in sorted(parts):
        clause = Speaker.latin_key.contains(part)
        condition = clause if condition is None else condition | clause
    candidates = list(Speaker.select().where(condition & (Speaker.id != speaker.id)).limit(200))
    aliases = {}
    if candidates:
        for alias in SpeakerAlias.select().where(SpeakerAlias.speaker.in_([c.id for c in candidates])):
            aliases.setdefault(alias.speaker_id, []).append(alias.alias)
    found = []
    for candidate in candidates:
        theirs = [candidate.name, *aliases.get(candidate.id, [])]
        score = max(names.name_similarity(mine, other) for mine in spellings for other in theirs)
        if score >= names.SAME_PERSON_THRESHOLD:
            found.append({"id": candidate.id, "name": candidate.name, "score": score})
    return sorted(found, key=lambda item: (-item["score"], item["id"]))[:limit]


def merge_speakers(speaker_id, into_id, actor):
    """Merge a speaker into another in one transaction: claims, stances and aliases move; its name becomes an alias."""
    if speaker_id == into_id:
        raise ValidationFailed(errors={"into": ["A speaker cannot be merged into itself."]})
    from service.ledger import claims as claim_ledger
    from service.storage.models import ClaimTopic

    with database.atomic():
        merged = get_speaker(speaker_id)
        try:
            target = get_speaker(into_id)
        except NotFound as error:
            raise ValidationFailed(errors={"into": [f"No speaker with id {into_id}."]}) from error
        before = snapshot(merged)
        moved = [claim_id for (claim_id,) in Claim.select(Claim.id).where(Claim.speaker == merged).tuples()]
        Claim.update(speaker=target, version=Claim.version + 1, updated_at=utcnow()).where(
            Claim.speaker == merged
        ).execute()
        ClaimTopic.update(speaker=target).where(ClaimTopic.speaker == merged).execute()
        moving = list(SpeakerAlias.select().where(SpeakerAlias.speaker == merged))
        SpeakerAlias.delete().where(SpeakerAlias.speaker == merged).execute()
        Speaker.delete().where(Speaker.id == merged.id).execute()
        spellings = [merged.name] + [alias.alias for alias in moving]
        for spelling in spellings:
            key = name_key(spelling)
            if key != target.name_key and SpeakerAlias.get_or_none(SpeakerAlias.alias_key == key) is None:
                SpeakerAlias.create(speaker=target, alias=spelling, alias_key=key)
        Speaker.update(version=Speaker.version + 1).where(Speaker.id == target.id).execute()
        target = get_speaker(target.id)
        events.record("speaker.deleted", "speaker", merged.id, actor, {**before, "merged_into": target.id})
        events.record(
            "speaker.merged", "speaker", target.id, actor, {**snapshot(target), "merged": before, "claims_moved": moved}
        )
        if moved:
            events.record_many(
                "claim.updated", "claim", actor, [(claim_id, claim_ledger.read_claim(claim_id)) for claim_id in moved]
            )
    return target
