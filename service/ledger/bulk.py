"""Bulk import of claims: thousands validated and stored in one transaction, with their events."""

import json

import peewee
from marshmallow import ValidationError
from peewee import chunked

from service.ledger import claims
from service.ledger import conflict_detection
from service.ledger import documents
from service.ledger import duplicates
from service.ledger import events
from service.ledger import wording
from service.ledger.claims import stored_claimed_on
from service.ledger.errors import BadRequest
from service.ledger.errors import Conflict
from service.ledger.errors import ValidationFailed
from service.ledger.errors import flatten_messages
from service.ledger.speakers import name_key
from service.ledger.topics import count_stances
from service.nlp import names
from service.schemas.claims import ClaimInput
from service.storage.db import database
from service.storage.db import insert_rows
from service.storage.db import value_list
from service.storage.models import CLAIM_STATUSES
from service.storage.models import Claim
from service.storage.models import ClaimAppearance
from service.storage.models import ClaimTopic
from service.storage.models import Source
from service.storage.models import Speaker
from service.storage.models import SpeakerAlias
from service.storage.models import Topic
from service.storage.models import utcnow

MAX_BATCH = 10_000
MAX_REPORTED_ITEMS = 100
# Keys per IN (...) list: well under SQLite's 32,766 bound variables.
KEYS_PER_QUERY = 5000
_CLAIM_INPUT = ClaimInput()


def parse_body(body, ndjson):
    """Return the list of raw items in a JSON array or NDJSON body, or raise 400 naming where it breaks."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"The body is not UTF-8 (byte {error.start}).") from None
    if ndjson:
        return [item for _, item in iter_ndjson(text.splitlines())]
    try:
        return json.loads(text)
    except ValueError as error:
        raise BadRequest(f"The body is not valid JSON: {error}.") from None


def iter_ndjson(lines, first_line=1):
    """Yield (line number, item) for each non-blank line (str or UTF-8 bytes) of NDJSON; 400 names a bad line."""
    for number, line in enumerate(lines, start=first_line):
        if line.strip():
            try:
                yield number, json.loads(line)
            except ValueError as error:
                raise BadRequest(
                    f"Line {number} is not valid JSON: {error}.", errors={f"line.{number}": ["Not valid JSON."]}
                ) from None
            except RecursionError:
                # The app's handler answers this for JSON bodies only; an NDJSON line can nest as deep.
                raise BadRequest(
                    f"Line {number} is nested too deeply.", errors={f"line.{number}": ["Nested too deeply."]}
                ) from None


def _failure(errors, total):
    """Return the 422 for a batch: every bad item's index and fields, up to MAX_REPORTED_ITEMS items."""
    bad = sorted({int(key.split(".", 1)[0]) for key in errors})
    shown = set(bad[:MAX_REPORTED_ITEMS])
    reported = {key: messages for key, messages in errors.items() if int(key.split(".", 1)[0]) in shown}
    detail = f"{len(bad)} of {total} claims are invalid; nothing was stored."
    if len(bad) > len(shown):
        detail += f" The first {len(shown)} are listed."
    return ValidationFailed(detail, errors=dict(sorted(reported.items(), key=lambda kv: int(kv[0].split(".")[0]))))


def validate_batch(raw_items):
    """Return the items loaded as POST /claims loads one, or raise 422 naming each bad item's index and fields."""
    if not isinstance(raw_items, list):
        raise ValidationFailed("Send a JSON array of claims, or NDJSON with one claim per line.")
    if not raw_items:
        raise ValidationFailed("The batch holds no claims.")
    if len(raw_items) > MAX_BATCH:
        raise ValidationFailed(f"A batch holds at most {MAX_BATCH:,} claims, not {len(raw_items):,}; split it.")
    try:
        return _CLAIM_INPUT.load(raw_items, many=True)
    except ValidationError as error:
        raise _failure(flatten_messages(error.messages), len(raw_items)) from None


def _in_chunks(query_for, keys):
    """Run query_for(chunk) for chunks of keys and yield every row, keeping each IN (...) list bounded."""
    for chunk in chunked(list(keys), KEYS_PER_QUERY):
        yield from query_for(chunk)


def _insert(model, rows, returning=False):
    """Insert dict rows, all with the same keys in the same order; return their new ids if asked."""
    if not rows:
        return []
    return insert_rows(model, tuple(rows[0]), [tuple(row.values()) for row in rows], returning)


def _known(query, column, keys):
    """Return {key: id} for the keys a (key, id) query finds, one bounded IN (...) query per chunk of keys."""
    return dict(_in_chunks(lambda chunk: query.where(column.in_(value_list(chunk))).tuples(), keys))


def _source_refs(index, item):
    """Return the item's (field, ref) pairs for its source and appearances, named as errors name them."""
    return [(f"{index}.source", item["source"])] + [
        (f"{index}.appearances.{position}", ref) for position, ref in enumerate(item.get("appearances", ()))
    ]


class _Batch:
    """The rows a batch refers to: found by one query per kind, missing speakers and sources planned in memory."""

    def __init__(self, items):
        self.items = items
        self.errors = {}
        self.topics = {}
        self.speakers = {}
        self.sources = {}
        self.new_speakers = {}
        self.new_sources = {}

    def resolve(self):
        """Decide every item's topics, speaker and sources; raise 422 naming each item that cannot be stored."""
        self._find_topics()
        self.speaker_of = self._plan_speakers()
        self.sources_of = self._plan_sources()
        if self.errors:
            raise _failure(self.errors, len(self.items))

    def _find_topics(self):
        slugs = {topic["slug"] for item in self.items for topic in item.get("topics", ())}
        rows = _in_chunks(
            lambda chunk: (
                Topic.select(Topic.slug, Topic.id, Topic.title).where(Topic.slug.in_(value_list(chunk))).tuples()
            ),
            slugs,
        )
        self.topics = {slug: (topic_id, title) for slug, topic_id, title in rows}
        for index, item in enumerate(self.items):
            unknown = [topic["slug"] for topic in item.get("topics", ()) if topic["slug"] not in self.topics]
            if unknown:
                self.errors[f"{index}.topics"] = [f"Unknown topic slug {slug!r}." for slug in unknown]

    def _plan_speakers(self):
        """Return each item's speaker: an id, or the name key of a speaker to create (as create_claim would)."""
        refs = [(f"{index}.speaker", item["speaker"]) for index, item in enumerate(self.items)]
        keys = {name_key(ref["name"]) for _, ref in refs if "name" in ref}
        keys |= {name_key(alias) for _, ref in refs if "name" in ref for alias in ref.get("aliases", ())}
        known = _known(SpeakerAlias.select(SpeakerAlias.alias_key, SpeakerAlias.speaker), SpeakerAlias.alias_key, keys)
        known.update(_known(Speaker.select(Speaker.name_key, Speaker.id), Speaker.name_key, keys))
        new_aliases = {}
        speaker_of = [self._speaker_of(index, ref, known, new_aliases) for index, (_, ref) in enumerate(refs)]
        found = self._referenced(Speaker, documents.SPEAKER_OUT, documents.speaker_out, speaker_of, refs, "speaker")
        self.speakers.update(found)
        return speaker_of

    def _speaker_of(self, index, ref, known, new_aliases):
        """Return the item's speaker: its id, or the name key of the speaker to create, planned here if new."""
        key = name_key(ref["name"]) if "name" in ref else None
        if key is None:
            return ref["id"]
        if key in known:
            return known[key]
        key = new_aliases.get(key, key)
        if key not in self.new_speakers:
            self._plan_speaker(index, ref, key, known, new_aliases)
        return key

    def _referenced(self, model, columns, document, resolved, refs, noun):
        """Return {id: document} for the ids among resolved, and note each id a ref gives that names no row."""
        ids = {value for value in resolved if isinstance(value, int)}
        rows = _in_chunks(lambda chunk: model.select(*columns).where(model.id.in_(value_list(chunk))).tuples(), ids)
        found = {row[0]: document(row) for row in rows}
        for field, ref in refs:
            if "id" in ref and ref["id"] not in found:
                self.errors[f"{field}.id"] = [f"No {noun} with id {ref['id']}."]
        return found

    def _plan_speaker(self, index, ref, key, known, new_aliases):
        aliases = {}
        for alias in ref.get("aliases", ()):
            alias_key = name_key(alias)
            if alias_key == key or alias_key in aliases:
                continue
            if alias_key in known or alias_key in self.new_speakers or alias_key in new_aliases:
                self.errors.setdefault(f"{index}.speaker.aliases", []).append(
                    f"{alias!r} already names another speaker."
                )
                continue
            aliases[alias_key] = " ".join(alias.split())
        new_aliases.update(dict.fromkeys(aliases, key))
        fields = {name: ref.get(name) for name in ("description", "affiliation", "wikidata_id")}
        self.new_speakers[key] = {
            "name": " ".join(ref["name"].split()),
            "name_key": key,
            "kind": ref.get("kind", "person"),
            **fields,
            "aliases": aliases,
        }

    def _plan_sources(self):
        """Return each item's [source, *appearances]: ids, or the URLs of sources to create."""
        groups = [_source_refs(index, item) for index, item in enumerate(self.items)]
        urls = {ref["url"] for group in groups for _, ref in group if "url" in ref}
        known = _known(Source.select(Source.url, Source.id), Source.url, urls)
        sources_of = [
            [source for source in (self._source_of(field, ref, known) for field, ref in group) if source is not None]
            for group in groups
        ]
        refs = [pair for group in groups for pair in group]
        resolved = [source for group in sources_of for source in group]
        self.sources.update(
            self._referenced(Source, documents.SOURCE_OUT, documents.source_out, resolved, refs, "source")
        )
        return sources_of

    def _source_of(self, field, ref, known):
        """Return a source's id, or the URL of the source to create, planned here if new (None if it cannot be)."""
        if "id" in ref:
            return ref["id"]
        if ref["url"] in known:
            return known[ref["url"]]
        if ref["url"] not in self.new_sources:
            if not ref.get("publisher"):
                self.errors[f"{field}.publisher"] = ["Needed to create a source for a new URL."]
                return None
            self.new_sources[ref["url"]] = {
                "url": ref["url"],
                "publisher": ref["publisher"],
                "title": ref.get("title"),
                "published_on": ref.get("published_on"),
                "kind": ref.get("kind", "article"),
            }
        return ref["url"]

    def create_speakers(self, actor, now):
        """Insert the planned speakers and their aliases; record speaker.created for each."""
        planned = list(self.new_speakers.values())
        rows = [
            {
                **{k: v for k, v in plan.items() if k != "aliases"},
                "latin_key": names.name_key(plan["name"]),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for plan in planned
        ]
        aliases = []
        changes = []
        for speaker_id, plan, row in zip(_insert(Speaker, rows, returning=True), planned, rows, strict=True):
            self.new_speakers[plan["name_key"]] = speaker_id
            speaker = Speaker(id=speaker_id, **row)
            self.speakers[speaker_id] = documents.speaker_out([getattr(speaker, f.name) for f in documents.SPEAKER_OUT])
            aliases += [
                {"speaker": speaker_id, "alias": name, "alias_key": key} for key, name in plan["aliases"].items()
            ]
            speaker.alias_names = list(plan["aliases"].values())
            speaker.record = dict.fromkeys(CLAIM_STATUSES, 0)
            changes.append((speaker_id, documents.speaker_document(speaker)))
        _insert(SpeakerAlias, aliases)
        events.record_many("speaker.created", "speaker", actor, changes)

    def create_sources(self, actor, now):
        """Insert the planned sources; record source.created for each."""
        rows = [{**plan, "version": 1, "created_at": now, "updated_at": now} for plan in self.new_sources.values()]
        changes = []
        for source_id, row in zip(_insert(Source, rows, returning=True), rows, strict=True):
            self.new_sources[row["url"]] = source_id
            source = Source(id=source_id, **row)
            self.sources[source_id] = documents.source_out([getattr(source, f.name) for f in documents.SOURCE_OUT])
            changes.append((source_id, documents.source_document(source)))
        events.record_many("source.created", "source", actor, changes)

    def speaker_id(self, value):
        return self.new_speakers[value] if isinstance(value, str) else value

    def source_ids(self, values):
        return [self.new_sources[value] if isinstance(value, str) else value for value in values]


def import_claims(items, actor, detect_conflicts=True):
    """Store loaded claims all or nothing, matching or creating speakers and sources; return the new ids in order.

    With detect_conflicts, claims taking opposite stances are paired as when stored one by one.
    """
    try:
        return _import(items, actor, detect_conflicts)
    except peewee.IntegrityError:
        # Another writer created one of the batch's speakers or sources between our look-up and insert: the
        # transaction rolled back whole, and a second pass finds the row that now exists.
        try:
            return _import(items, actor, detect_conflicts)
        except peewee.IntegrityError as error:
            raise Conflict("The batch collided with concurrent writes; send it again.") from error


DUPLICATE_CHOICES = ("store", "skip", "link")
# Batches up to this size have each item checked against the stored claims when duplicates are stored anyway
# (a full-text query per item); skip and link always check.
REPORTED_DUPLICATES_LIMIT = 1000


def _duplicates_of(items):
    """Return {item index: [likely duplicates]}: stored claims, or earlier items of the batch, with nearly its terms."""
    found = {}
    seen = []
    for index, item in enumerate(items):
        language = wording.claim_language(item["text"], item.get("language"))
        terms = wording.search_terms(item["text"], item.get("quote"), language)
        matches = duplicates.possible_duplicates(item["text"], terms)
        matches += [
            {"item": earlier, "score": round(score, 4), "text": items[earlier]["text"]}
            for earlier, earlier_terms in seen
            if (score := duplicates.overlap(terms, earlier_terms)) >= duplicates.DUPLICATE_OVERLAP
        ]
        if matches:
            found[index] = matches
        seen.append((index, terms))
    return found


def import_batch(items, actor, on_duplicate="store"):
    """Store a batch as import_claims does, reporting likely duplicates; skip them or link them if asked.

    Returns {"ids", "possible_duplicates", "skipped", "linked"}. With "skip" an item whose duplicate is
    stored (or earlier in the batch) is left out; with "link" its source is added to the stored claim's
    appearances instead. Either way ids lists only the claims created, in the batch's order.
    """
    check = on_duplicate != "store" or len(items) <= REPORTED_DUPLICATES_LIMIT
    found = _duplicates_of(items) if check else {}
    reported = [{"index": index, "duplicates": matches} for index, matches in sorted(found.items())]
    if on_duplicate == "store":
        return {"ids": import_claims(items, actor), "possible_duplicates": reported, "skipped": [], "linked": []}
    kept = [item for index, item in enumerate(items) if index not in found]
    skipped, linked = [], []
    with database.atomic():
        ids = import_claims(kept, actor) if kept else []
        for index, matches in sorted(found.items()):
            stored = [match["id"] for match in matches if "id" in match]
            if on_duplicate == "link" and stored:
                claims.add_appearance(stored[0], items[index]["source"], actor)
                linked.append({"index": index, "claim_id": stored[0]})
            else:
                skipped.append({"index": index, "duplicate_of": stored[0] if stored else {"item": matches[0]["item"]}})
    return {"ids": ids, "possible_duplicates": reported, "skipped": skipped, "linked": linked}


def _import(items, actor, detect_conflicts):
    """One pass of import_claims: resolve, create what is missing, insert the claims and their parts, pair."""
    now = utcnow()
    with database.atomic():
        batch = _Batch(items)
        batch.resolve()
        batch.create_speakers(actor, now)
        batch.create_sources(actor, now)
        source_groups = [batch.source_ids(group) for group in batch.sources_of]
        rows = [
            _claim_row(item, batch.speaker_id(speaker), sources[0], now)
            for item, speaker, sources in zip(items, batch.speaker_of, source_groups, strict=True)
        ]
        ids = _insert(Claim, rows, returning=True)
        claims = list(zip(ids, items, rows, source_groups, strict=True))
        appearances = [_appearing(row, sources) for _, _, row, sources in claims]
        links = [link for claim_id, item, row, _ in claims for link in _topic_links(claim_id, item, row, batch)]
        _insert(
            ClaimAppearance,
            [
                {"claim": claim[0], "source": source}
                for claim, appearing in zip(claims, appearances, strict=True)
                for source in appearing
            ],
        )
        _insert(ClaimTopic, links)
        count_stances((link["topic"], link["stance"], 1) for link in links)
        created = [
            (claim_id, _document(claim_id, item, row, appearing, batch))
            for (claim_id, item, row, _), appearing in zip(claims, appearances, strict=True)
        ]
        events.record_many("claim.created", "claim", actor, created)
        if detect_conflicts:
            conflict_detection.pair_imported(_stanced(claims), actor)
    return ids


def _claim_row(item, speaker_id, source_id, now):
    """Return the claim table's row for a loaded item, as create_claim would store it."""
    claimed_on, has_time = stored_claimed_on(item["claimed_on"])
    language = wording.claim_language(item["text"], item.get("language"))
    return {
        "text": item["text"],
        "quote": item.get("quote"),
        "speaker": speaker_id,
        "source": source_id,
        "claimed_on": claimed_on,
        "claimed_on_has_time": has_time,
        "language": language,
        "search_terms": wording.search_terms(item["text"], item.get("quote"), language),
        "status": "unreviewed",
        "supported_count": 0,
        "contested_count": 0,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _appearing(row, sources):
    """Return the claim's appearances: its other sources, once each, in the order given."""
    return list(dict.fromkeys(source for source in sources[1:] if source != row["source"]))


def _topic_links(claim_id, item, row, batch):
    """Return the claim_topic rows of the claim's stances."""
    return [
        {
            "claim": claim_id,
            "topic": batch.topics[t["slug"]][0],
            "stance": t["stance"],
            "claimed_on": row["claimed_on"],
            "speaker": row["speaker"],
        }
        for t in item.get("topics", ())
    ]


def _document(claim_id, item, row, appearing, batch):
    """Return the claim as claim.created records it, built by documents.claim_document from the batch's rows."""
    return documents.claim_document(
        (claim_id, *(row[field.name] for field in documents.CLAIM_OUT[1:])),
        batch.speakers[row["speaker"]],
        batch.sources[row["source"]],
        [batch.sources[source] for source in appearing],
        [
            {"slug": t["slug"], "title": batch.topics[t["slug"]][1], "stance": t["stance"]}
            for t in item.get("topics", ())
        ],
    )


def _stanced(claims):
    """Return the new claims that take a side on a topic, as conflict detection pairs them."""
    return [
        Claim(id=claim_id, speaker=row["speaker"], claimed_on=row["claimed_on"])
        for claim_id, item, row, _ in claims
        if any(t["stance"] != "neutral" for t in item.get("topics", ()))
    ]
