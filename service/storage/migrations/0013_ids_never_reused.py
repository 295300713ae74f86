"""Never hand a deleted row's id to a new row on SQLite: rebuild the tables whose ids clients see with AUTOINCREMENT.

Without AUTOINCREMENT SQLite takes max(id) + 1, so deleting the newest claim and creating another gave the
new claim the old id: the old claim's ETag then edited it, and published embed and ClaimReview URLs showed
it. PostgreSQL's sequences never go back, so this changes nothing there.

SQLite cannot add AUTOINCREMENT to a table, so each table is rebuilt (its rows copied into a new table of the
same definition, its indexes and triggers made again). Ids deleted before this migration are not known
except from the change feed: each table's counter starts above both its largest id and the largest id its
events ever named, so a deleted claim's id is not handed out again either.
"""

import re

from peewee import PostgresqlDatabase

# Tables whose ids a client sees or holds (in URLs, ETags, cursors, the feed and webhooks), with the event
# object_type that names their rows. rate_limit_window and idempotency_record hold nothing a client refers to.
TABLES = {
    "api_key": "key",
    "speaker": "speaker",
    "speaker_alias": None,
    "source": "source",
    "topic": "topic",
    "claim": "claim",
    "claim_appearance": None,
    "claim_topic": None,
    "review": "review",
    "conflict": "conflict",
    "event": None,
    "webhook": "webhook",
    "delivery": None,
    "delivery_attempt": None,
}
ID_COLUMN = re.compile(r'"id" INTEGER NOT NULL PRIMARY KEY(?! AUTOINCREMENT)')


def _rebuild(db, table, object_type):
    (create,) = db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    if not ID_COLUMN.search(create):
        return
    others = db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    rebuilt = f"{table}__rebuilt"
    definition = ID_COLUMN.sub('"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT', create, count=1)
    db.execute_sql(definition.replace(f'CREATE TABLE "{table}"', f'CREATE TABLE "{rebuilt}"', 1))
    db.execute_sql(f'INSERT INTO "{rebuilt}" SELECT * FROM "{table}"')
    db.execute_sql(f'DROP TABLE "{table}"')
    db.execute_sql(f'ALTER TABLE "{rebuilt}" RENAME TO "{table}"')
    for (sql,) in others:
        db.execute_sql(sql)
    highest = db.execute_sql(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"').fetchone()[0]
    if object_type is not None:
        named = db.execute_sql(
            'SELECT COALESCE(MAX("object_id"), 0) FROM "event" WHERE "object_type" = ?', (object_type,)
        ).fetchone()[0]
        highest = max(highest, named)
    db.execute_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
    db.execute_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, highest))


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        return
    for table, object_type in TABLES.items():
        _rebuild(db, table, object_type)
    violations = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    assert not violations, f"rebuilding the tables broke foreign keys: {violations[:5]}"


def down(migrator, db):
    """Keep AUTOINCREMENT: handing out deleted ids again is never wanted."""
