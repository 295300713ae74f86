"""Add the desk's sign-in sessions: a hashed random token, the key it stands for, its CSRF secret, when last seen."""

from peewee import CharField
from peewee import DateTimeField
from peewee import ForeignKeyField
from peewee import Model


def up(migrator, db):
    class ApiKey(Model):
        class Meta:
            database = db
            table_name = "api_key"

    class DeskSession(Model):
        token_hash = CharField(max_length=64, unique=True)
        key = ForeignKeyField(ApiKey, on_delete="CASCADE")
        csrf_secret = CharField(max_length=64)
        created_at = DateTimeField()
        last_seen_at = DateTimeField()

        class Meta:
            database = db
            table_name = "desk_session"
            indexes = ((("last_seen_at",), False),)

    db.create_tables([DeskSession])


def down(migrator, db):
    db.execute_sql("DROP TABLE desk_session")
