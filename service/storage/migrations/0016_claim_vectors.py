"""Keep one sentence vector per claim, written by the background embedder, never on a request's path.

`id` only ever grows (AUTOINCREMENT on SQLite, which otherwise reuses the highest id once its row is
deleted), so each API process's in-memory index catches up by reading the rows above the highest id it
has seen; an edited claim loses its row in the edit's transaction and gets a new, higher one.
"""

from peewee import PostgresqlDatabase

SQLITE_UP = [
    'CREATE TABLE "claim_vectors" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,'
    ' "claim_id" INTEGER NOT NULL REFERENCES "claim" ("id") ON DELETE CASCADE,'
    ' "model" VARCHAR(100) NOT NULL, "vector" BLOB NOT NULL, "created_at" DATETIME NOT NULL)',
    'CREATE UNIQUE INDEX "claim_vectors_claim_id" ON "claim_vectors" ("claim_id")',
]
POSTGRES_UP = [
    'CREATE TABLE "claim_vectors" ("id" BIGSERIAL NOT NULL PRIMARY KEY,'
    ' "claim_id" INTEGER NOT NULL REFERENCES "claim" ("id") ON DELETE CASCADE,'
    ' "model" VARCHAR(100) NOT NULL, "vector" BYTEA NOT NULL, "created_at" TIMESTAMP NOT NULL)',
    'CREATE UNIQUE INDEX "claim_vectors_claim_id" ON "claim_vectors" ("claim_id")',
]


def up(migrator, db):
    for statement in POSTGRES_UP if isinstance(db, PostgresqlDatabase) else SQLITE_UP:
        db.execute_sql(statement)


def down(migrator, db):
    db.execute_sql('DROP TABLE "claim_vectors"')
