"""Create every table of the first release (frozen copies of the models as they stood)."""

from peewee import BooleanField
from peewee import CharField
from peewee import DateField
from peewee import DateTimeField
from peewee import FloatField
from peewee import ForeignKeyField
from peewee import IntegerField
from peewee import Model
from peewee import TextField


def up(migrator, db):
    class ApiKey(Model):
        name = CharField(max_length=100)
        role = CharField(max_length=20)
        prefix = CharField(unique=True, max_length=16)
        key_hash = CharField(max_length=64)
        created_at = DateTimeField()
        revoked_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "api_key"

    db.create_tables([ApiKey])

    class Speaker(Model):
        name = CharField(max_length=200)
        name_key = CharField(unique=True, max_length=200)
        description = TextField(null=True)
        affiliation = CharField(null=True, max_length=200)
        kind = CharField(max_length=20, default="person")
        wikidata_id = CharField(null=True, max_length=20)
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "speaker"

    db.create_tables([Speaker])

    class Source(Model):
        url = CharField(unique=True, max_length=2000)
        publisher = CharField(max_length=200)
        title = CharField(null=True, max_length=500)
        published_on = DateField(null=True)
        kind = CharField(max_length=20, default="article")
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "source"

    db.create_tables([Source])

    class Claim(Model):
        text = TextField()
        quote = TextField(null=True)
        speaker = ForeignKeyField(Speaker, on_delete="RESTRICT")
        source = ForeignKeyField(Source, on_delete="RESTRICT")
        claimed_on = DateTimeField()
        claimed_on_has_time = BooleanField(default=False)
        language = CharField(max_length=35, default="en")
        status = CharField(max_length=20, default="unreviewed")
        supported_count = IntegerField(default=0)
        contested_count = IntegerField(default=0)
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "claim"
            indexes = (
                (("claimed_on", "id"), False),
                (("speaker", "claimed_on", "id"), False),
                (("source", "claimed_on", "id"), False),
                (("status", "claimed_on", "id"), False),
                (("language", "claimed_on", "id"), False),
            )

    db.create_tables([Claim])

    class ClaimAppearance(Model):
        claim = ForeignKeyField(Claim, on_delete="CASCADE")
        source = ForeignKeyField(Source, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "claim_appearance"
            indexes = ((("claim", "source"), True),)

    db.create_tables([ClaimAppearance])

    class Topic(Model):
        slug = CharField(unique=True, max_length=100)
        title = CharField(max_length=300)
        description = TextField(null=True)
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "topic"

    db.create_tables([Topic])

    class ClaimTopic(Model):
        claim = ForeignKeyField(Claim, on_delete="CASCADE")
        topic = ForeignKeyField(Topic, on_delete="RESTRICT")
        stance = CharField(max_length=10)
        claimed_on = DateTimeField()

        class Meta:
            database = db
            table_name = "claim_topic"
            indexes = ((("claim", "topic"), True), (("topic", "claimed_on", "claim"), False))

    db.create_tables([ClaimTopic])

    class Conflict(Model):
        left_claim = ForeignKeyField(Claim, on_delete="CASCADE")
        right_claim = ForeignKeyField(Claim, on_delete="CASCADE")
        basis = CharField(max_length=20)
        status = CharField(max_length=20, default="suggested")
        topic = ForeignKeyField(Topic, null=True, on_delete="CASCADE")
        topic_key = IntegerField(default=0)
        note = TextField(null=True)
        score = FloatField(null=True)
        created_by = CharField(max_length=100)
        decided_by = CharField(null=True, max_length=100)
        decided_at = DateTimeField(null=True)
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "conflict"
            indexes = (
                (("left_claim", "right_claim", "basis", "topic_key"), True),
                (("right_claim",), False),
                (("topic", "id"), False),
                (("status", "id"), False),
            )

    db.create_tables([Conflict])

    class Webhook(Model):
        url = CharField(max_length=2000)
        event_types = TextField()
        secret = CharField(max_length=100)
        previous_secret = CharField(null=True, max_length=100)
        previous_secret_expires_at = DateTimeField(null=True)
        active = BooleanField(default=True)
        disabled_reason = CharField(null=True, max_length=200)
        description = CharField(null=True, max_length=200)
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "webhook"

    db.create_tables([Webhook])

    class Event(Model):
        type = CharField(max_length=50)
        object_type = CharField(max_length=20)
        object_id = IntegerField()
        actor = CharField(max_length=100)
        created_at = DateTimeField()
        data = TextField()

        class Meta:
            database = db
            table_name = "event"
            indexes = ((("type", "id"), False),)

    db.create_tables([Event])

    class Delivery(Model):
        webhook = ForeignKeyField(Webhook, on_delete="CASCADE")
        event = ForeignKeyField(Event, on_delete="CASCADE")
        message_id = CharField(unique=True, max_length=64)
        status = CharField(max_length=20, default="pending")
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        locked_until = DateTimeField(null=True)
        last_status_code = IntegerField(null=True)
        last_error = TextField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "delivery"
            indexes = ((("status", "next_attempt_at"), False), (("webhook", "id"), False))

    db.create_tables([Delivery])

    class DeliveryAttempt(Model):
        delivery = ForeignKeyField(Delivery, on_delete="CASCADE")
        attempted_at = DateTimeField()
        status_code = IntegerField(null=True)
        error = TextField(null=True)
        duration_ms = IntegerField(null=True)

        class Meta:
            database = db
            table_name = "delivery_attempt"
            indexes = ((("delivery", "id"), False),)

    db.create_tables([DeliveryAttempt])

    class IdempotencyRecord(Model):
        key = CharField(max_length=300)
        scope = CharField(max_length=100)
        request_hash = CharField(max_length=64)
        status_code = IntegerField(null=True)
        response_headers = TextField(null=True)
        response_body = TextField(null=True)
        created_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "idempotency_record"
            indexes = ((("scope", "key"), True),)

    db.create_tables([IdempotencyRecord])

    class Review(Model):
        claim = ForeignKeyField(Claim, on_delete="CASCADE")
        reviewer = CharField(index=True, max_length=100)
        verdict = CharField(max_length=20)
        rationale = TextField()
        evidence = TextField(default=list)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "review"
            indexes = ((("claim", "reviewer", "id"), False),)

    db.create_tables([Review])

    class SpeakerAlias(Model):
        speaker = ForeignKeyField(Speaker, on_delete="CASCADE")
        alias = CharField(max_length=200)
        alias_key = CharField(unique=True, max_length=200)

        class Meta:
            database = db
            table_name = "speaker_alias"

    db.create_tables([SpeakerAlias])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("speaker_alias"))
    migrator.migrate(migrator.drop_table("review"))
    migrator.migrate(migrator.drop_table("idempotency_record"))
    migrator.migrate(migrator.drop_table("delivery_attempt"))
    migrator.migrate(migrator.drop_table("delivery"))
    migrator.migrate(migrator.drop_table("event"))
    migrator.migrate(migrator.drop_table("webhook"))
    migrator.migrate(migrator.drop_table("conflict"))
    migrator.migrate(migrator.drop_table("claim_topic"))
    migrator.migrate(migrator.drop_table("topic"))
    migrator.migrate(migrator.drop_table("claim_appearance"))
    migrator.migrate(migrator.drop_table("claim"))
    migrator.migrate(migrator.drop_table("source"))
    migrator.migrate(migrator.drop_table("speaker"))
    migrator.migrate(migrator.drop_table("api_key"))
