"""Add the public layer a fact-check desk publishes: a rating scale, fact-checks, the claims they rate, and
the versions kept of each publication and correction; load the default rating scale.
"""

import datetime
import json

from peewee import BooleanField
from peewee import CharField
from peewee import DateTimeField
from peewee import ForeignKeyField
from peewee import IntegerField
from peewee import Model
from peewee import PostgresqlDatabase
from peewee import TextField

# (slug, position, counts_as, labels): frozen here as the scale stood when this migration was written.
DEFAULT_SCALE = (
    ("true", 6, "supporting", {"en": "True", "uk": "Правда", "ru": "Правда"}),
    ("mostly-true", 5, "supporting", {"en": "Mostly true", "uk": "Здебільшого правда", "ru": "В основном правда"}),
    (
        "missing-context",
        4,
        "neither",
        {"en": "Missing context", "uk": "Бракує контексту", "ru": "Не хватает контекста"},
    ),
    ("misleading", 3, "contesting", {"en": "Misleading", "uk": "Маніпуляція", "ru": "Манипуляция"}),
    (
        "mostly-false",
        2,
        "contesting",
        {"en": "Mostly false", "uk": "Здебільшого неправда", "ru": "В основном неправда"},
    ),
    ("false", 1, "contesting", {"en": "False", "uk": "Неправда", "ru": "Неправда"}),
    ("unproven", None, "neither", {"en": "Unproven", "uk": "Не доведено", "ru": "Не доказано"}),
)


# Their ids are in URLs and ETags: on SQLite, AUTOINCREMENT keeps a deleted one from naming a new row (see 0013).
NEVER_REUSED = ("rating", "fact_check")


def _create(db, model):
    """Create a model's table and indexes, with AUTOINCREMENT on SQLite for the tables in NEVER_REUSED."""
    if isinstance(db, PostgresqlDatabase) or model._meta.table_name not in NEVER_REUSED:
        db.create_tables([model])
        return
    sql, params = model._schema._create_table(safe=False).query()
    sql = sql.replace('"id" INTEGER NOT NULL PRIMARY KEY', '"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT', 1)
    assert "AUTOINCREMENT" in sql, sql
    db.execute_sql(sql, params)
    model._schema.create_indexes(safe=False)


def up(migrator, db):
    class Claim(Model):
        class Meta:
            database = db
            table_name = "claim"

    class Rating(Model):
        slug = CharField(max_length=50, unique=True)
        position = IntegerField(null=True)
        labels = TextField()
        counts_as = CharField(max_length=20, default="neither")
        retired = BooleanField(default=False)
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "rating"

    class FactCheck(Model):
        headline = CharField(max_length=500)
        article_url = CharField(max_length=2000)
        article_site = CharField(max_length=300)
        authors = TextField()
        rating = ForeignKeyField(Rating, on_delete="RESTRICT")
        explanation = TextField()
        language = CharField(max_length=35, default="en")
        status = CharField(max_length=20, default="draft")
        published_at = DateTimeField(null=True)
        created_by = CharField(max_length=100)
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "fact_check"
            indexes = (
                (("status", "id"), False),
                (("status", "article_site", "id"), False),
                (("article_url",), False),
            )

    class FactCheckClaim(Model):
        fact_check = ForeignKeyField(FactCheck, on_delete="CASCADE", index=False)
        claim = ForeignKeyField(Claim, on_delete="CASCADE", index=False)

        class Meta:
            database = db
            table_name = "fact_check_claim"
            indexes = ((("fact_check", "claim"), True), (("claim", "fact_check"), False))

    class FactCheckVersion(Model):
        fact_check = ForeignKeyField(FactCheck, on_delete="CASCADE", index=False)
        number = IntegerField()
        kind = CharField(max_length=20)
        note = TextField(null=True)
        data = TextField()
        actor = CharField(max_length=100)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "fact_check_version"
            indexes = ((("fact_check", "number"), True),)

    for model in (Rating, FactCheck, FactCheckClaim, FactCheckVersion):
        _create(db, model)
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    for slug, position, counts_as, labels in DEFAULT_SCALE:
        Rating.create(
            slug=slug,
            position=position,
            labels=json.dumps(labels, ensure_ascii=False, separators=(",", ":")),
            counts_as=counts_as,
            created_at=now,
            updated_at=now,
        )


def down(migrator, db):
    for table in ("fact_check_version", "fact_check_claim", "fact_check", "rating"):
        db.execute_sql(f'DROP TABLE "{table}"')
