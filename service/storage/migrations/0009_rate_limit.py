"""Add the rate limiter's counters: writes per key or client address in each one-minute window."""

from peewee import CharField
from peewee import IntegerField
from peewee import Model


def up(migrator, db):
    class RateLimitWindow(Model):
        bucket = CharField(max_length=100)
        window_start = IntegerField()
        hits = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "rate_limit_window"
            indexes = ((("bucket", "window_start"), True), (("window_start",), False))

    db.create_tables([RateLimitWindow])


def down(migrator, db):
    db.execute_sql("DROP TABLE rate_limit_window")
