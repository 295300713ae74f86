"""Search by word form and store languages as lower-case BCP 47 tags.

Each claim keeps `search_terms`, the word-form terms of its text and quote (service.nlp.wordforms), and
both databases index only those plain tokens: FTS5 with a bare unicode61 tokenizer (no Porter stemmer) on
SQLite, to_tsvector('simple', ...) under a GIN index on PostgreSQL. The same query then finds the same
claims on both. Existing languages are lower-cased ("uk_UA" -> "uk-ua"), and Cyrillic claims stored with
the old default "en" get their detected language, before their terms are computed.
"""

from peewee import PostgresqlDatabase

from service.nlp import language as languages
from service.nlp import wordforms

BATCH = 1000

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS claim_fts_update",
    "DROP TRIGGER IF EXISTS claim_fts_delete",
    "DROP TRIGGER IF EXISTS claim_fts_insert",
    "DROP TABLE IF EXISTS claim_fts",
]
SQLITE_UP = [
    "CREATE VIRTUAL TABLE claim_fts USING fts5(search_terms, content='claim', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER claim_fts_insert AFTER INSERT ON claim BEGIN"
    " INSERT INTO claim_fts(rowid, search_terms) VALUES (new.id, new.search_terms);"
    " END",
    "CREATE TRIGGER claim_fts_delete AFTER DELETE ON claim BEGIN"
    " INSERT INTO claim_fts(claim_fts, rowid, search_terms) VALUES ('delete', old.id, old.search_terms);"
    " END",
    "CREATE TRIGGER claim_fts_update AFTER UPDATE OF search_terms ON claim BEGIN"
    " INSERT INTO claim_fts(claim_fts, rowid, search_terms) VALUES ('delete', old.id, old.search_terms);"
    " INSERT INTO claim_fts(rowid, search_terms) VALUES (new.id, new.search_terms);"
    " END",
    "INSERT INTO claim_fts(claim_fts) VALUES ('rebuild')",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS claim_search_vector",
    "ALTER TABLE claim DROP COLUMN IF EXISTS search_vector",
]
POSTGRES_UP = [
    "ALTER TABLE claim ADD COLUMN search_vector tsvector GENERATED ALWAYS AS"
    " (to_tsvector('simple', search_terms)) STORED",
    "CREATE INDEX claim_search_vector ON claim USING gin (search_vector)",
]


def _language(text, stored):
    try:
        tag = languages.normalise_tag(stored)
    except ValueError:
        tag = "und"
    if tag in ("en", "und"):
        detected = languages.detect(text)
        # Only a claim whose words say otherwise loses the old default; English text keeps "en".
        if detected != "en":
            return detected
    return tag


def _fill(db):
    """Compute every claim's language and search terms, a batch of ids at a time."""
    param = db.param
    last = 0
    while True:
        rows = db.execute_sql(
            f'SELECT "id", "text", "quote", "language" FROM "claim" WHERE "id" > {param} ORDER BY "id" LIMIT {BATCH}',
            (last,),
        ).fetchall()
        if not rows:
            return
        for claim_id, text, quote, stored in rows:
            language = _language(text, stored)
            terms = wordforms.index_terms(f"{text} {quote or ''}", language)
            db.execute_sql(
                f'UPDATE "claim" SET "language" = {param}, "search_terms" = {param} WHERE "id" = {param}',
                (language, terms, claim_id),
            )
        last = rows[-1][0]


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for statement in POSTGRES_DROP if postgres else SQLITE_DROP:
        db.execute_sql(statement)
    # Written out: peewee's SQLite migrator would rebuild the whole claim table to add a NOT NULL column.
    db.execute_sql("ALTER TABLE claim ADD COLUMN search_terms TEXT NOT NULL DEFAULT ''")
    _fill(db)
    for statement in POSTGRES_UP if postgres else SQLITE_UP:
        db.execute_sql(statement)


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for statement in POSTGRES_DROP if postgres else SQLITE_DROP:
        db.execute_sql(statement)
    db.execute_sql("ALTER TABLE claim DROP COLUMN search_terms")
