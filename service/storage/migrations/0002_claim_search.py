"""Add full-text search over claim text and quote: FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL."""

from peewee import PostgresqlDatabase

SQLITE_UP = [
    "CREATE VIRTUAL TABLE claim_fts USING fts5(text, quote, content='claim', content_rowid='id',"
    " tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER claim_fts_insert AFTER INSERT ON claim BEGIN"
    " INSERT INTO claim_fts(rowid, text, quote) VALUES (new.id, new.text, coalesce(new.quote, ''));"
    " END",
    "CREATE TRIGGER claim_fts_delete AFTER DELETE ON claim BEGIN"
    " INSERT INTO claim_fts(claim_fts, rowid, text, quote)"
    " VALUES ('delete', old.id, old.text, coalesce(old.quote, ''));"
    " END",
    "CREATE TRIGGER claim_fts_update AFTER UPDATE OF text, quote ON claim BEGIN"
    " INSERT INTO claim_fts(claim_fts, rowid, text, quote)"
    " VALUES ('delete', old.id, old.text, coalesce(old.quote, ''));"
    " INSERT INTO claim_fts(rowid, text, quote) VALUES (new.id, new.text, coalesce(new.quote, ''));"
    " END",
    "INSERT INTO claim_fts(claim_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER claim_fts_update",
    "DROP TRIGGER claim_fts_delete",
    "DROP TRIGGER claim_fts_insert",
    "DROP TABLE claim_fts",
]
POSTGRES_UP = [
    "ALTER TABLE claim ADD COLUMN search_vector tsvector GENERATED ALWAYS AS"
    " (to_tsvector('english', text || ' ' || coalesce(quote, ''))) STORED",
    "CREATE INDEX claim_search_vector ON claim USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX claim_search_vector",
    "ALTER TABLE claim DROP COLUMN search_vector",
]


def _run(db, statements):
    for statement in statements:
        db.execute_sql(statement)


def up(migrator, db):
    _run(db, POSTGRES_UP if isinstance(db, PostgresqlDatabase) else SQLITE_UP)


def down(migrator, db):
    _run(db, POSTGRES_DOWN if isinstance(db, PostgresqlDatabase) else SQLITE_DOWN)
