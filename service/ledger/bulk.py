"""Bulk import of claims: thousands validated and stored in one transaction, with their events."""

import csv
import io
import json
import re
from urllib.parse import urlsplit

import peewee
from marshmallow import ValidationError
from peewee import chunked

from service.ledger import claims as single_claims
from service.ledger import conflict_detection
from service.ledger import documents
from service.ledger import duplicates
from service.ledger import events
from service.ledger import export
from service.ledger import reviews as claim_reviews
from service.ledger import topics as topic_store
from service.ledger import wording
from service.ledger.claims import stored_claimed_on
from service.ledger.errors import BadRequest
from service.ledger.errors import Conflict
from service.ledger.errors import ValidationFailed
from service.ledger.errors import flatten_messages
from service.ledger.speakers import name_key
from service.ledger.topics import count_stances
from service.nlp import names
from service.schemas.bulk import ImportedClaim
from service.schemas.bulk import ImportedSpeakerLine
from service.storage.db import database
from service.storage.db import insert_rows
from service.storage.db import value_list
from service.storage.models import CLAIM_STATUSES
from service.storage.models import Claim
from service.storage.models import ClaimAppearance
from service.storage.models import ClaimTopic
from service.storage.models import Review
from service.storage.models import Source
from service.storage.models import Speaker
from service.storage.models import SpeakerAlias
from service.storage.models import Topic
from service.storage.models import utcnow

MAX_BATCH = 10_000
MAX_REPORTED_ITEMS = 100
# Keys per IN (...) list: well under SQLite's 32,766 bound variables.
KEYS_PER_QUERY = 5000
_CLAIM_INPUT = ImportedClaim()


def parse_body(body, ndjson=False, csv_rows=False):
    """Return the list of raw items in a JSON array, NDJSON or CSV body, or raise 400 naming where it breaks."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"The body is not UTF-8 (byte {error.start}).") from None
    if ndjson:
        return [item for _, item in iter_ndjson(text.splitlines())]
    if csv_rows:
        return csv_items(text)
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


# The ' the export puts before a formula start at the beginning of a cell or of a line in it.
FORMULA_GUARD = re.compile(r"(?:^|(?<=[\r\n]))'(?=[=+\-@\t\r])")


def _csv_text(value):
    """Return a CSV cell as typed: the export's ' that keeps a formula start as text is taken off."""
    return FORMULA_GUARD.sub("", value)


def _csv_item(row):
    item = {
        "text": _csv_text(row.get("text") or ""),
        "speaker": {"name": _csv_text(row.get("speaker_name") or "")},
        "source": {"url": row.get("source_url") or "", "publisher": _csv_text(row.get("source_publisher") or "")},
        "claimed_on": row.get("claimed_on") or "",
    }
    if row.get("speaker_kind"):
        item["speaker"]["kind"] = row["speaker_kind"]
    for name in ("quote", "external_id"):
        if row.get(name):
            item[name] = _csv_text(row[name])
    if row.get("language"):
        item["language"] = row["language"]
    if row.get("appearances"):
        # A URL this ledger does not know yet is created with its host as publisher (a CSV cell has no room for more).
        item["appearances"] = [
            {"url": url, "publisher": urlsplit(url).hostname or url} for url in row["appearances"].split()
        ]
    if row.get("topics"):
        item["topics"] = [
            dict(zip(("slug", "stance"), pair.split(":", 1), strict=False)) for pair in row["topics"].split(";") if pair
        ]
    return item


def csv_items(text):
    """Return the raw items of a CSV body with the export's header (the exporting ledger's own columns ignored)."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = reader.fieldnames or []
        unknown = [name for name in header if name not in export.CSV_COLUMNS]
        if unknown or "text" not in header:
            problem = f"unknown columns {', '.join(unknown)}" if unknown else "no text column"
            raise ValidationFailed(
                f"The CSV header has {problem}; use the export's (GET /api/v1/claims/export?format=csv).",
                errors={"header": [f"Columns are {', '.join(export.CSV_IMPORTED)}."]},
            )
        return [_csv_item(row) for row in reader]
    except csv.Error as error:
        raise BadRequest(f"The CSV breaks at line {reader.line_num}: {error}.") from None


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
        items = _CLAIM_INPUT.load(raw_items, many=True)
    except ValidationError as error:
        raise _failure(flatten_messages(error.messages), len(raw_items)) from None
    holders = {}
    errors = {}
    for index, item in enumerate(items):
        external_id = item.get("external_id")
        if external_id is not None:
            if external_id in holders:
                errors[f"{index}.external_id"] = [f"Item {holders[external_id]} has the same external_id."]
            holders.setdefault(external_id, index)
    if errors:
        raise _failure(errors, len(items))
    return items


def validate_speakers(raw_items):
    """Return speakers loaded as POST /speakers loads one (export lines too), or raise 422 naming each bad one."""
    if not isinstance(raw_items, list) or not raw_items:
        raise ValidationFailed("Send a non-empty JSON array of speakers, or NDJSON with one speaker per line.")
    if len(raw_items) > MAX_BATCH:
        raise ValidationFailed(f"A batch holds at most {MAX_BATCH:,} speakers, not {len(raw_items):,}; split it.")
    try:
        return ImportedSpeakerLine().load(raw_items, many=True)
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
        self.new_topics = {}
        for item in self.items:
            for topic in item.get("topics", ()):
                if topic["slug"] not in self.topics and topic.get("title") and topic["slug"] not in self.new_topics:
                    self.new_topics[topic["slug"]] = {key: topic.get(key) for key in ("slug", "title", "description")}
        for index, item in enumerate(self.items):
            unknown = [
                topic["slug"]
                for topic in item.get("topics", ())
                if topic["slug"] not in self.topics and topic["slug"] not in self.new_topics
            ]
            if unknown:
                self.errors[f"{index}.topics"] = [f"Unknown topic slug {slug!r}." for slug in unknown]

    def _plan_speakers(self):
        """Return each item's speaker: an id, or the name key of a speaker to create (as create_claim would)."""
        refs = [item["speaker"] for item in self.items]
        keys = {name_key(ref["name"]) for ref in refs if "name" in ref}
        keys |= {name_key(alias) for ref in refs if "name" in ref for alias in ref.get("aliases", ())}
        aliases = SpeakerAlias.select(SpeakerAlias.alias_key, SpeakerAlias.speaker)
        names = Speaker.select(Speaker.name_key, Speaker.id)
        known = dict(
            _in_chunks(lambda chunk: aliases.where(SpeakerAlias.alias_key.in_(value_list(chunk))).tuples(), keys)
        )
        known.update(_in_chunks(lambda chunk: names.where(Speaker.name_key.in_(value_list(chunk))).tuples(), keys))
        new_aliases = {}
        speaker_of = []
        for index, ref in enumerate(refs):
            key = name_key(ref["name"]) if "name" in ref else None
            if key is None or key in known:
                speaker_of.append(known[key] if key else ref["id"])
                continue
            key = new_aliases.get(key, key)
            if key not in self.new_speakers:
                self._plan_speaker(index, ref, key, known, new_aliases)
            speaker_of.append(key)
        wanted = {value for value in speaker_of if isinstance(value, int)}
        for row in _in_chunks(
            lambda chunk: Speaker.select(*documents.SPEAKER_OUT).where(Speaker.id.in_(value_list(chunk))).tuples(),
            wanted,
        ):
            self.speakers[row[0]] = documents.speaker_out(row)
        for index, ref in enumerate(refs):
            if "id" in ref and ref["id"] not in self.speakers:
                self.errors[f"{index}.speaker.id"] = [f"No speaker with id {ref['id']}."]
        return speaker_of

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
        refs = [(item["source"], *item.get("appearances", ())) for item in self.items]
        urls = {ref["url"] for group in refs for ref in group if "url" in ref}
        known = dict(
            _in_chunks(
                lambda chunk: Source.select(Source.url, Source.id).where(Source.url.in_(value_list(chunk))).tuples(),
                urls,
            )
        )
        sources_of = []
        for index, group in enumerate(refs):
            resolved = []
            for position, ref in enumerate(group):
                field = f"{index}.source" if position == 0 else f"{index}.appearances.{position - 1}"
                if "id" in ref:
                    resolved.append(ref["id"])
                elif ref["url"] in known:
                    resolved.append(known[ref["url"]])
                else:
                    if ref["url"] not in self.new_sources:
                        if not ref.get("publisher"):
                            self.errors[f"{field}.publisher"] = ["Needed to create a source for a new URL."]
                            continue
                        self.new_sources[ref["url"]] = {
                            "url": ref["url"],
                            "publisher": ref["publisher"],
                            "title": ref.get("title"),
                            "published_on": ref.get("published_on"),
                            "kind": ref.get("kind", "article"),
                        }
                    resolved.append(ref["url"])
            sources_of.append(resolved)
        wanted = {value for group in sources_of for value in group if isinstance(value, int)}
        for row in _in_chunks(
            lambda chunk: Source.select(*documents.SOURCE_OUT).where(Source.id.in_(value_list(chunk))).tuples(), wanted
        ):
            self.sources[row[0]] = documents.source_out(row)
        for index, group in enumerate(refs):
            for position, ref in enumerate(group):
                if "id" in ref and ref["id"] not in self.sources:
                    field = f"{index}.source" if position == 0 else f"{index}.appearances.{position - 1}"
                    self.errors[f"{field}.id"] = [f"No source with id {ref['id']}."]
        return sources_of

    def create_topics(self, actor):
        """Create the topics the batch names with a title that this ledger lacks; record topic.created for each."""
        for plan in self.new_topics.values():
            topic = topic_store.create_topic(plan, actor)
            self.topics[topic.slug] = (topic.id, topic.title)

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
    """Store loaded claims as import_batch does; return each item's claim id, in order."""
    return import_batch(items, actor, detect_conflicts=detect_conflicts)["ids"]


DUPLICATE_CHOICES = ("store", "skip", "link")
# Batches up to this size have each new item checked against the stored claims when duplicates are stored anyway
# (a full-text query per item); skip and link always check.
REPORTED_DUPLICATES_LIMIT = 1000


def import_batch(items, actor, on_duplicate="store", detect_conflicts=True):
    """Store loaded claims all or nothing, matching or creating speakers, sources and topics; return the outcome.

    Two deduplications, in this order. First identity: a claim already here (the same external_id; without one,
    the same text, speaker, source and date) is updated where it differs instead of stored again, and reviews it
    lacks are added, so that sending a batch twice changes nothing the second time. Then likeness: each item that
    is genuinely new is checked for likely duplicates (a stored claim, or an earlier new item, with nearly its
    terms), reported in possible_duplicates; with on_duplicate "skip" it is left out, with "link" its source is
    added to the stored claim's appearances instead ("store" stores it anyway).

    The outcome: {"ids": each item's claim id (a skipped or linked item's: the claim it duplicates), "created",
    "updated", "unchanged", "possible_duplicates", "skipped", "linked"}. With detect_conflicts, new claims taking
    opposite stances are paired as when stored one by one. The batch's own events go to the feed; webhooks get
    one claims.imported.
    """
    try:
        return _import(items, actor, detect_conflicts, on_duplicate)
    except peewee.IntegrityError:
        # Another writer created one of the batch's speakers or sources between our look-up and insert: the
        # transaction rolled back whole, and a second pass finds the row that now exists.
        try:
            return _import(items, actor, detect_conflicts, on_duplicate)
        except peewee.IntegrityError as error:
            raise Conflict("The batch collided with concurrent writes; send it again.") from error


def _existing_claims(items, speaker_ids, source_groups):
    """Return {index: claim id} for the items that are already claims here."""
    found = {}
    external_ids = {item["external_id"]: index for index, item in enumerate(items) if item.get("external_id")}
    for claim_id, external_id in _in_chunks(
        lambda chunk: (
            Claim.select(Claim.id, Claim.external_id).where(Claim.external_id.in_(value_list(chunk))).tuples()
        ),
        external_ids,
    ):
        found[external_ids[external_id]] = claim_id
    # Without an external_id, the same words by the same speaker in the same source on the same date.
    wanted = {}
    for index, item in enumerate(items):
        if not item.get("external_id"):
            claimed_on, _ = stored_claimed_on(item["claimed_on"])
            key = (speaker_ids[index], source_groups[index][0], claimed_on, item["text"])
            wanted.setdefault(key, index)
    dates_of = {}
    for speaker_id, _, claimed_on, _ in wanted:
        dates_of.setdefault(speaker_id, set()).add(claimed_on)

    def same_days(chunk):
        dates = sorted(set().union(*(dates_of[speaker_id] for speaker_id in chunk)))
        return (
            Claim.select(Claim.id, Claim.speaker, Claim.source, Claim.claimed_on, Claim.text, Claim.external_id)
            .where(Claim.speaker.in_(value_list(chunk)) & Claim.claimed_on.in_(value_list(dates)))
            .tuples()
        )

    for claim_id, speaker, source, claimed_on, text, external_id in _in_chunks(same_days, dates_of):
        index = wanted.get((speaker, source, documents.as_datetime(claimed_on), text))
        if index is not None and external_id is None and index not in found:
            found[index] = claim_id
    return found


def _changes(item, document, speaker_id, sources):
    """Return what an item changes in the claim it matched (ClaimUpdate's shape), or {} when nothing."""
    changes = {}
    for name in ("text", "quote", "external_id"):
        if name in item and item[name] != document[name]:
            changes[name] = item[name]
    language = wording.claim_language(item["text"], item.get("language"))
    if language != document["language"]:
        changes["language"] = language
    claimed_on, has_time = stored_claimed_on(item["claimed_on"])
    wanted_on = claimed_on.isoformat(timespec="seconds") + "Z" if has_time else claimed_on.date().isoformat()
    if wanted_on != document["claimed_on"]:
        changes["claimed_on"] = item["claimed_on"]
    if speaker_id != document["speaker"]["id"]:
        changes["speaker"] = {"id": speaker_id}
    if sources[0] != document["source"]["id"]:
        changes["source"] = {"id": sources[0]}
    appearing = list(dict.fromkeys(source for source in sources[1:] if source != sources[0]))
    if "appearances" in item and appearing != [source["id"] for source in document["appearances"]]:
        changes["appearances"] = [{"id": source} for source in appearing]
    stances = [{"slug": t["slug"], "stance": t["stance"]} for t in item.get("topics", ())]
    if "topics" in item and stances != [{"slug": t["slug"], "stance": t["stance"]} for t in document["topics"]]:
        changes["topics"] = stances
    return changes


def _add_reviews(reviews_by_claim, actor):
    """Store each claim's reviews that it lacks (by reviewer and time), recount it, and record review.created."""
    if not reviews_by_claim:
        return 0
    held = set()
    for claim_id, reviewer, created_at in _in_chunks(
        lambda chunk: (
            Review.select(Review.claim, Review.reviewer, Review.created_at)
            .where(Review.claim.in_(value_list(chunk)))
            .tuples()
        ),
        reviews_by_claim,
    ):
        held.add((claim_id, reviewer, documents.as_datetime(created_at)))
    added = 0
    for claim_id, reviews in reviews_by_claim.items():
        new = [
            review
            for review in sorted(reviews, key=lambda review: review["created_at"])
            if (claim_id, review["reviewer"], review["created_at"]) not in held
        ]
        for review in new:
            claim_reviews.import_review(claim_id, review, actor)
        added += len(new)
    return added


def _duplicates_of(items, indexes):
    """Return {item index: [likely duplicates]} for the items at indexes: stored claims, or earlier of those items,
    with nearly its terms (an earlier item is named by its index in the batch)."""
    found = {}
    seen = []
    for index in indexes:
        item = items[index]
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


def _import(items, actor, detect_conflicts, on_duplicate):
    """One pass of import_batch, in one transaction with its events and the claims.imported announcement."""
    now = utcnow()
    with database.atomic():
        with events.batch() as written:
            outcome, announcement = _store_batch(items, actor, detect_conflicts, on_duplicate, now)
        if written.first_event_id is not None:
            announcement["first_event_id"] = written.first_event_id
            events.record("claims.imported", "claims", (outcome["ids"] or [0])[0], actor, announcement)
    return outcome


def _store_batch(items, actor, detect_conflicts, on_duplicate, now):
    """Store the batch; return (outcome, the claims.imported event's data)."""
    batch = _Batch(items)
    batch.resolve()
    batch.create_topics(actor)
    batch.create_speakers(actor, now)
    batch.create_sources(actor, now)
    source_groups = [batch.source_ids(group) for group in batch.sources_of]
    speaker_ids = [batch.speaker_id(speaker) for speaker in batch.speaker_of]
    # Identity first: items that are already claims here are updated (or left as they stand), never compared.
    existing = _existing_claims(items, speaker_ids, source_groups)
    new = [index for index in range(len(items)) if index not in existing]
    # Then likeness, for the genuinely new items only.
    check = on_duplicate != "store" or len(new) <= REPORTED_DUPLICATES_LIMIT
    found = _duplicates_of(items, new) if check else {}
    reported = [{"index": index, "duplicates": matches} for index, matches in sorted(found.items())]
    fresh = new if on_duplicate == "store" else [index for index in new if index not in found]
    rows = [
        {
            **_claim_row(items[index], speaker_ids[index], source_groups[index][0], now),
            "external_id": items[index].get("external_id"),
        }
        for index in fresh
    ]
    ids = _insert(Claim, rows, returning=True)
    stored = list(
        zip(ids, [items[index] for index in fresh], rows, [source_groups[index] for index in fresh], strict=True)
    )
    appearances = [_appearing(row, sources) for _, _, row, sources in stored]
    links = [link for claim_id, item, row, _ in stored for link in _topic_links(claim_id, item, row, batch)]
    _insert(
        ClaimAppearance,
        [
            {"claim": claim[0], "source": source}
            for claim, appearing in zip(stored, appearances, strict=True)
            for source in appearing
        ],
    )
    _insert(ClaimTopic, links)
    count_stances((link["topic"], link["stance"], 1) for link in links)
    created = [
        (claim_id, _document(claim_id, item, row, appearing, batch))
        for (claim_id, item, row, _), appearing in zip(stored, appearances, strict=True)
    ]
    events.record_many("claim.created", "claim", actor, created)
    conflict_ids = conflict_detection.pair_imported(_stanced(stored), actor) if detect_conflicts else []
    updated = _update_existing(items, existing, speaker_ids, source_groups, actor)
    claim_of = dict(zip(fresh, ids, strict=True)) | existing
    skipped, linked = [], []
    if on_duplicate != "store":
        for index, matches in sorted(found.items()):
            known = [match["id"] for match in matches if "id" in match]
            if on_duplicate == "link" and known:
                single_claims.add_appearance(known[0], {"id": source_groups[index][0]}, actor)
                linked.append({"index": index, "claim_id": known[0]})
                claim_of[index] = known[0]
            else:
                duplicate_of = known[0] if known else {"item": matches[0]["item"]}
                skipped.append({"index": index, "duplicate_of": duplicate_of})
                claim_of[index] = known[0] if known else claim_of.get(matches[0]["item"])
    reviews_by_claim = {}
    for index, item in enumerate(items):
        if item.get("reviews") and claim_of.get(index) is not None:
            reviews_by_claim.setdefault(claim_of[index], []).extend(item["reviews"])
    added_reviews = _add_reviews(reviews_by_claim, actor)
    outcome = {
        "ids": [claim_of.get(index) for index in range(len(items))],
        "created": len(ids),
        "updated": len(updated),
        "unchanged": len(existing) - len(updated),
        "possible_duplicates": reported,
        "skipped": skipped,
        "linked": linked,
    }
    announcement = {
        "ids": ids,
        "updated_ids": updated,
        "counts": {
            "created": len(ids),
            "updated": len(updated),
            "unchanged": outcome["unchanged"],
            "skipped": len(skipped),
            "linked": len(linked),
            "speakers_created": len(batch.new_speakers),
            "sources_created": len(batch.new_sources),
            "topics_created": len(batch.new_topics),
            "reviews_added": added_reviews,
            "conflicts_suggested": len(conflict_ids),
        },
        "conflict_ids": conflict_ids,
    }
    return outcome, announcement


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


def _update_existing(items, existing, speaker_ids, source_groups, actor):
    """Update each matched claim where the item differs; return the ids of those changed."""
    if not existing:
        return []
    by_id = {}
    for chunk in chunked(sorted(set(existing.values())), KEYS_PER_QUERY):
        rows = database.execute(
            Claim.select(*documents.COLUMNS)
            .join(Speaker)
            .switch(Claim)
            .join(Source)
            .where(Claim.id.in_(value_list(chunk)))
        ).fetchall()
        by_id.update((document["id"], document) for document in documents.documents(rows))
    updated = []
    for index, claim_id in sorted(existing.items()):
        changes = _changes(items[index], by_id[claim_id], speaker_ids[index], source_groups[index])
        if changes and claim_id not in updated:
            single_claims.update_claim(claim_id, changes, None, actor)
            updated.append(claim_id)
    return updated
