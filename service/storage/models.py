"""Peewee models: each docstring states the rules its rows keep."""

import datetime
import json

import peewee

from service.storage.db import database

SPEAKER_KINDS = ("person", "organization")
SOURCE_KINDS = ("article", "video", "social_post", "official_statement", "other")
STANCES = ("affirms", "denies", "neutral")
VERDICTS = ("supported", "contested")
CLAIM_STATUSES = ("unreviewed",) + VERDICTS
ROLES = ("reader", "reviewer", "editor", "admin")
RATING_COUNTS = ("supporting", "contesting", "neither")
RATING_LANGUAGES = ("en", "uk", "ru")
FACT_CHECK_STATUSES = ("draft", "published")
CONFLICT_BASES = ("stance", "reviewer", "similarity")
CONFLICT_STATUSES = ("suggested", "confirmed", "dismissed")
DELIVERY_STATUSES = ("pending", "succeeded", "failed", "cancelled")
EXPORT_FORMATS = ("ndjson", "csv")
EVENT_TYPES = (
    "claim.created",
    "claim.updated",
    "claim.deleted",
    "speaker.created",
    "speaker.updated",
    "speaker.deleted",
    "source.created",
    "source.updated",
    "source.deleted",
    "topic.created",
    "topic.updated",
    "topic.deleted",
    "key.created",
    "key.revoked",
    "review.created",
    "conflict.suggested",
    "conflict.confirmed",
    "conflict.dismissed",
    "conflict.created",
    "conflict.removed",
    "webhook.created",
    "webhook.updated",
    "webhook.deleted",
    "webhook.secret_rotated",
    "webhook.disabled",
    "rating.created",
    "rating.updated",
    "rating.deleted",
    "fact_check.created",
    "fact_check.updated",
    "fact_check.deleted",
    "fact_check.published",
    "fact_check.unpublished",
    "fact_check.corrected",
    "article.analyzed",
    "claims.imported",
)
"""Every event type the change feed carries: the types a webhook may subscribe to (or "*" for all)."""
# Ids stay exact as JSON numbers and within SQLite's 64-bit INTEGER, which a larger Python int overflows.
MAX_ID = 2**53


def utcnow():
    """Return the current UTC time, naive, as every timestamp is stored."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def parse_id(text):
    """Return text as a row id if it is one (ASCII digits, 1 to MAX_ID), else None."""
    # The length first: int() refuses strings of more than 4,300 digits with a ValueError.
    if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)) and 1 <= int(text) <= MAX_ID:
        return int(text)
    return None


class JSONField(peewee.TextField):
    """A JSON document kept as text, so SQLite and PostgreSQL store it alike."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, separators=(",", ":"), default=str)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    """A table with an integer id that is never handed out twice (AUTOINCREMENT on SQLite, migration 0013)."""

    class Meta:
        database = database
        legacy_table_names = False


class Speaker(BaseModel):
    """Who made a claim; name_key (casefolded, spaces collapsed) is unique; version bumps on each edit."""

    name = peewee.CharField(max_length=200)
    name_key = peewee.CharField(max_length=200, unique=True)
    # nlp.names.name_key of the name: the same for one name in Cyrillic and Latin letters.
    latin_key = peewee.CharField(max_length=200, default="", index=True)
    description = peewee.TextField(null=True)
    affiliation = peewee.CharField(max_length=200, null=True)
    kind = peewee.CharField(max_length=20, default="person")
    wikidata_id = peewee.CharField(max_length=20, null=True)
    version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "speaker"


class SpeakerAlias(BaseModel):
    """Another name of one speaker; alias_key is unique across aliases (and never a speaker's name_key)."""

    speaker = peewee.ForeignKeyField(Speaker, backref="aliases", on_delete="CASCADE")
    alias = peewee.CharField(max_length=200)
    alias_key = peewee.CharField(max_length=200, unique=True)

    class Meta:
        table_name = "speaker_alias"


class Source(BaseModel):
    """Where claims appeared; one URL (http or https) is one source."""

    url = peewee.CharField(max_length=2000, unique=True)
    publisher = peewee.CharField(max_length=200)
    title = peewee.CharField(max_length=500, null=True)
    published_on = peewee.DateField(null=True)
    kind = peewee.CharField(max_length=20, default="article")
    version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "source"


class Topic(BaseModel):
    """A question that claims take sides on; slug is unique and never changes."""

    slug = peewee.CharField(max_length=100, unique=True)
    title = peewee.CharField(max_length=300)
    description = peewee.TextField(null=True)
    version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    # Claims taking each stance, kept with every stance stored, changed or deleted (topics.count_stances).
    affirms_count = peewee.IntegerField(default=0)
    denies_count = peewee.IntegerField(default=0)
    neutral_count = peewee.IntegerField(default=0)

    class Meta:
        table_name = "topic"


class Claim(BaseModel):
    """A checkable statement by one speaker, first seen in one source.

    claimed_on is UTC; claimed_on_has_time says whether a time of day was given. status and the two
    counts are kept by the reviews module from the reviews themselves; version bumps on every change.
    external_id is the CMS's own id for the claim, if it gave one: unique, the key a batch import updates by.
    """

    text = peewee.TextField()
    quote = peewee.TextField(null=True)
    speaker = peewee.ForeignKeyField(Speaker, backref="claims", on_delete="RESTRICT", index=False)
    source = peewee.ForeignKeyField(Source, backref="claims", on_delete="RESTRICT", index=False)
    claimed_on = peewee.DateTimeField()
    claimed_on_has_time = peewee.BooleanField(default=False)
    language = peewee.CharField(max_length=35, default="en")
    # The word-form terms of text and quote (ledger.wording.search_terms); the full-text indexes read only this.
    search_terms = peewee.TextField(default="")
    status = peewee.CharField(max_length=20, default="unreviewed")
    supported_count = peewee.IntegerField(default=0)
    contested_count = peewee.IntegerField(default=0)
    version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    external_id = peewee.CharField(max_length=200, null=True, unique=True)

    @property
    def review_summary(self):
        return {"supported": self.supported_count, "contested": self.contested_count}

    @property
    def claimed_on_text(self):
        if self.claimed_on_has_time:
            return self.claimed_on.isoformat(timespec="seconds") + "Z"
        return self.claimed_on.date().isoformat()

    class Meta:
        table_name = "claim"
        indexes = (
            (("claimed_on", "id"), False),
            (("speaker", "claimed_on", "id"), False),
            (("source", "claimed_on", "id"), False),
            (("status", "claimed_on", "id"), False),
            (("language", "claimed_on", "id"), False),
        )


class ClaimAppearance(BaseModel):
    """A further source a claim appeared in; each (claim, source) once."""

    claim = peewee.ForeignKeyField(Claim, backref="appearances", on_delete="CASCADE", index=False)
    source = peewee.ForeignKeyField(Source, backref="appearances", on_delete="RESTRICT")

    class Meta:
        table_name = "claim_appearance"
        indexes = ((("claim", "source"), True),)


class ClaimTopic(BaseModel):
    """A claim's stance on a topic's question; each (claim, topic) once.

    claimed_on and speaker copy the claim's so that a topic's claims page by date, and a speaker's side
    of a topic is found, from one index.
    """

    claim = peewee.ForeignKeyField(Claim, backref="topic_links", on_delete="CASCADE", index=False)
    topic = peewee.ForeignKeyField(Topic, backref="claim_links", on_delete="RESTRICT", index=False)
    stance = peewee.CharField(max_length=10)
    claimed_on = peewee.DateTimeField()
    speaker = peewee.ForeignKeyField(Speaker, null=True, backref="+", index=False)

    class Meta:
        table_name = "claim_topic"
        indexes = (
            (("claim", "topic"), True),
            (("topic", "claimed_on", "claim"), False),
            (("topic", "stance", "claimed_on", "claim"), False),
            (("topic", "stance", "speaker", "claimed_on", "claim"), False),
        )


class ApiKey(BaseModel):
    """A caller's key: only its SHA-256 is kept; prefix finds it, revoked_at ends it."""

    name = peewee.CharField(max_length=100)
    role = peewee.CharField(max_length=20)
    prefix = peewee.CharField(max_length=16, unique=True)
    key_hash = peewee.CharField(max_length=64)
    created_at = peewee.DateTimeField(default=utcnow)
    revoked_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "api_key"


class DeskSession(BaseModel):
    """A reviewer signed in to the desk: only the token's SHA-256 is kept; it lasts while its key is live."""

    token_hash = peewee.CharField(max_length=64, unique=True)
    key = peewee.ForeignKeyField(ApiKey, backref="desk_sessions", on_delete="CASCADE")
    csrf_secret = peewee.CharField(max_length=64)
    created_at = peewee.DateTimeField(default=utcnow)
    last_seen_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "desk_session"


class Review(BaseModel):
    """A reviewer's verdict on a claim; never edited or deleted."""

    claim = peewee.ForeignKeyField(Claim, backref="reviews", on_delete="CASCADE", index=False)
    reviewer = peewee.CharField(max_length=100, index=True)
    verdict = peewee.CharField(max_length=20)
    rationale = peewee.TextField()
    evidence = JSONField(default=list)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "review"
        indexes = ((("claim", "reviewer", "id"), False),)


class Event(BaseModel):
    """An append-only record of one change, written in the change's own transaction."""

    type = peewee.CharField(max_length=50)
    object_type = peewee.CharField(max_length=20)
    object_id = peewee.IntegerField()
    actor = peewee.CharField(max_length=100)
    created_at = peewee.DateTimeField(default=utcnow)
    data = JSONField()

    class Meta:
        table_name = "event"
        indexes = (
            (("type", "id"), False),
            (("object_type", "object_id", "id"), False),
        )


class Conflict(BaseModel):
    """Two claims that cannot both be true; left is the earlier claim.

    One row per (left, right, basis, topic); a dismissed row stays so that it is not suggested again.
    """

    left_claim = peewee.ForeignKeyField(Claim, on_delete="CASCADE", index=False)
    right_claim = peewee.ForeignKeyField(Claim, on_delete="CASCADE")
    basis = peewee.CharField(max_length=20)
    status = peewee.CharField(max_length=20, default="suggested")
    topic = peewee.ForeignKeyField(Topic, null=True, on_delete="CASCADE", index=False)
    topic_key = peewee.IntegerField(default=0)
    note = peewee.TextField(null=True)
    score = peewee.FloatField(null=True)
    created_by = peewee.CharField(max_length=100)
    decided_by = peewee.CharField(max_length=100, null=True)
    decided_at = peewee.DateTimeField(null=True)
    version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "conflict"
        indexes = (
            (("left_claim", "right_claim", "basis", "topic_key"), True),
            (("right_claim",), False),
            (("topic", "id"), False),
            (("status", "id"), False),
            (("basis", "id"), False),
        )


class ClaimVector(BaseModel):
    """A claim's sentence vector (float32 bytes) from one model; id only grows, so readers catch up by id.

    Written by the background embedder, never by a request; an edit to a claim's text deletes its row.
    """

    claim = peewee.ForeignKeyField(Claim, on_delete="CASCADE", unique=True, backref="+")
    model = peewee.CharField(max_length=100)
    vector = peewee.BlobField()
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "claim_vectors"


class Webhook(BaseModel):
    """A subscriber URL and the event types it wants; secrets are whsec_ strings."""

    url = peewee.CharField(max_length=2000)
    event_types = JSONField()
    secret = peewee.CharField(max_length=100)
    previous_secret = peewee.CharField(max_length=100, null=True)
    previous_secret_expires_at = peewee.DateTimeField(null=True)
    active = peewee.BooleanField(default=True)
    disabled_reason = peewee.CharField(max_length=200, null=True)
    description = peewee.CharField(max_length=200, null=True)
    version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "webhook"


class Delivery(BaseModel):
    """One event owed to one webhook (the outbox); written with the event, then worked off."""

    webhook = peewee.ForeignKeyField(Webhook, backref="deliveries", on_delete="CASCADE", index=False)
    event = peewee.ForeignKeyField(Event, on_delete="CASCADE")
    message_id = peewee.CharField(max_length=64, unique=True)
    status = peewee.CharField(max_length=20, default="pending")
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = peewee.DateTimeField(default=utcnow)
    locked_until = peewee.DateTimeField(null=True)
    last_status_code = peewee.IntegerField(null=True)
    last_error = peewee.TextField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "delivery"
        indexes = (
            (("status", "next_attempt_at"), False),
            (("webhook", "id"), False),
        )


class DeliveryAttempt(BaseModel):
    """One try at sending a delivery, kept for the deliveries list."""

    delivery = peewee.ForeignKeyField(Delivery, backref="attempt_log", on_delete="CASCADE", index=False)
    attempted_at = peewee.DateTimeField(default=utcnow)
    status_code = peewee.IntegerField(null=True)
    error = peewee.TextField(null=True)
    duration_ms = peewee.IntegerField(null=True)

    class Meta:
        table_name = "delivery_attempt"
        indexes = ((("delivery", "id"), False),)


class IdempotencyRecord(BaseModel):
    """The first answer to a POST made with an Idempotency-Key, replayed for the same key and body."""

    key = peewee.CharField(max_length=300)
    scope = peewee.CharField(max_length=100)
    request_hash = peewee.CharField(max_length=64)
    status_code = peewee.IntegerField(null=True)
    response_headers = JSONField(null=True)
    response_body = peewee.TextField(null=True)
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "idempotency_record"
        indexes = ((("scope", "key"), True),)


class RateLimitWindow(BaseModel):
    """How many writes one bucket (an API key or a client address) made in one minute; one row per pair.

    window_start is the window's first second since the epoch; windows before the current one are purged.
    """

    bucket = peewee.CharField(max_length=100)
    window_start = peewee.IntegerField()
    hits = peewee.IntegerField(default=0)

    class Meta:
        table_name = "rate_limit_window"
        indexes = (
            (("bucket", "window_start"), True),
            (("window_start",), False),
        )


class Rating(BaseModel):
    """One step of the desk's public rating scale; slug is unique and never changes.

    labels holds the rating's name in every language of RATING_LANGUAGES. position places it on the numeric
    scale (higher is truer; null for a rating off the scale, such as Unproven). A rating that a fact-check
    uses is never deleted, only retired: it stays on the fact-checks that have it and is offered for no new one.
    """

    slug = peewee.CharField(max_length=50, unique=True)
    position = peewee.IntegerField(null=True)
    labels = JSONField()
    counts_as = peewee.CharField(max_length=20, default="neither")
    retired = peewee.BooleanField(default=False)
    version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "rating"


class FactCheck(BaseModel):
    """The desk's verdict for readers on one or more claims, written up in a newsroom article.

    A draft is the desk's own; only a published one is shown to readers. published_at is when it was first
    published; article_site is article_url's host without "www.", kept for the publisher-site filter.
    """

    headline = peewee.CharField(max_length=500)
    article_url = peewee.CharField(max_length=2000)
    article_site = peewee.CharField(max_length=300)
    authors = JSONField(default=list)
    rating = peewee.ForeignKeyField(Rating, backref="fact_checks", on_delete="RESTRICT")
    explanation = peewee.TextField()
    language = peewee.CharField(max_length=35, default="en")
    status = peewee.CharField(max_length=20, default="draft")
    published_at = peewee.DateTimeField(null=True)
    created_by = peewee.CharField(max_length=100)
    version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "fact_check"
        indexes = (
            (("status", "id"), False),
            (("status", "article_site", "id"), False),
            (("article_url",), False),
        )


class FactCheckClaim(BaseModel):
    """A claim a fact-check rates; each (fact-check, claim) once."""

    fact_check = peewee.ForeignKeyField(FactCheck, backref="claim_links", on_delete="CASCADE", index=False)
    claim = peewee.ForeignKeyField(Claim, backref="fact_check_links", on_delete="CASCADE", index=False)

    class Meta:
        table_name = "fact_check_claim"
        indexes = (
            (("fact_check", "claim"), True),
            (("claim", "fact_check"), False),
        )


class FactCheckVersion(BaseModel):
    """A fact-check as it was published: one row at each publication and each correction, never changed."""

    fact_check = peewee.ForeignKeyField(FactCheck, backref="versions", on_delete="CASCADE", index=False)
    number = peewee.IntegerField()
    kind = peewee.CharField(max_length=20)
    note = peewee.TextField(null=True)
    data = JSONField()
    actor = peewee.CharField(max_length=100)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "fact_check_version"
        indexes = ((("fact_check", "number"), True),)


class ArticleJob(BaseModel):
    """An article too long to analyse while the caller waits; the worker analyses it and keeps the result.

    status moves pending -> running -> done (result set) or failed (error set); a running job whose
    locked_until has passed is taken again, so a worker that died does not strand it.
    """

    status = peewee.CharField(max_length=20, default="pending")
    text = peewee.TextField()
    language = peewee.CharField(max_length=35, null=True)
    url = peewee.CharField(max_length=2000, null=True)
    published_on = peewee.DateField(null=True)
    actor = peewee.CharField(max_length=100)
    result = JSONField(null=True)
    error = peewee.TextField(null=True)
    locked_until = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    finished_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "article_job"
        indexes = ((("status", "id"), False),)


ALL_MODELS = [
    Speaker,
    SpeakerAlias,
    Source,
    Topic,
    Claim,
    ClaimAppearance,
    ClaimTopic,
    ApiKey,
    DeskSession,
    Review,
    Event,
    Conflict,
    ClaimVector,
    Webhook,
    Delivery,
    DeliveryAttempt,
    IdempotencyRecord,
    RateLimitWindow,
    Rating,
    FactCheck,
    FactCheckClaim,
    FactCheckVersion,
    ArticleJob,
]
