"""Add article analysis jobs: articles too long to analyse while the caller waits, worked off by the worker."""

import datetime

from peewee import CharField
from peewee import DateField
from peewee import DateTimeField
from peewee import Model
from peewee import TextField


def up(migrator, db):
    class ArticleJob(Model):
        status = CharField(max_length=20, default="pending")
        text = TextField()
        language = CharField(max_length=35, null=True)
        url = CharField(max_length=2000, null=True)
        published_on = DateField(null=True)
        actor = CharField(max_length=100)
        result = TextField(null=True)
        error = TextField(null=True)
        locked_until = DateTimeField(null=True)
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        finished_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "article_job"
            indexes = ((("status", "id"), False),)

    db.create_tables([ArticleJob])


def down(migrator, db):
    db.execute_sql("DROP TABLE article_job")
