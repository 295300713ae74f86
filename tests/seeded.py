"""The seed ledger for tests: loaded for real once per process and kind of database, then copied.

Loading it runs every claim through the domain (about 0.2 s on SQLite, 0.6 s on PostgreSQL); copying the
result into a test's empty database takes a few milliseconds. tests/test_seeds.py loads it for real.
"""

import sqlite3

from peewee import sort_models

from service.ledger import seeds
from service.storage import db
from service.storage.models import ALL_MODELS
from service.storage.models import Event

_copies = {}


def load_seeds():
    """Load the seed ledger into the bound test database, leaving it exactly as seeds.load_all() would.

    Only a database nothing has been written to (no event yet: every write records one) takes the copy; one
    that already holds keys, with their random secrets, or anything else gets the seeds loaded for real.
    """
    if not _empty():
        seeds.load_all()
        return
    kind = "postgres" if db.is_postgres() else "sqlite"
    if kind in _copies:
        (_restore_postgres if kind == "postgres" else _restore_sqlite)(_copies[kind])
        return
    seeds.load_all()
    _copies[kind] = _postgres_copy() if kind == "postgres" else _sqlite_copy()


def _empty():
    return not Event.select().exists()


def _sqlite_copy():
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    db.database.connection().backup(copy)
    return copy


def _restore_sqlite(copy):
    copy.backup(db.database.connection())


def _postgres_copy():
    """Return the SQL that replaces every row with the seeded ones and sets every sequence where loading left it.

    Migrations leave rows of their own (the rating scale), so the copy deletes before it inserts.
    """
    database = db.database
    cursor = database.cursor()
    statements = [f'DELETE FROM "{model._meta.table_name}"' for model in reversed(sort_models(ALL_MODELS))]
    for model in sort_models(ALL_MODELS):
        table = model._meta.table_name
        columns = [
            name
            for (name,) in database.execute_sql(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
                (table,),
            )
        ]
        names = ", ".join(f'"{name}"' for name in columns)
        rows = database.execute_sql(f'SELECT {names} FROM "{table}"').fetchall()
        if rows:
            values = ", ".join(cursor.mogrify("%s", (row,)).decode() for row in rows)
            statements.append(f'INSERT INTO "{table}" ({names}) VALUES {values}')
    sequences = database.execute_sql(
        "SELECT sequencename, last_value FROM pg_sequences"
        " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
    )
    statements += [f"SELECT setval('\"{name}\"', {value})" for name, value in sequences.fetchall()]
    return ";\n".join(statements)


def _restore_postgres(sql):
    with db.database.atomic():
        db.database.execute_sql(sql)
