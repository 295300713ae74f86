"""The peewee database, bound at start-up from a URL (SQLite or PostgreSQL)."""

from urllib.parse import parse_qsl
from urllib.parse import urlsplit

import peewee
from playhouse.pool import PooledPostgresqlDatabase

database = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10000,
    "foreign_keys": 1,
    "synchronous": "normal",
    "cache_size": -64000,
}


def open_database(url):
    """Return a peewee database for a sqlite:/// or postgresql:// URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    options = dict(parse_qsl(parts.query))
    if scheme == "sqlite":
        path = parts.path[1:] if parts.netloc == "" else parts.netloc + parts.path
        # BEGIN IMMEDIATE takes the write lock up front: a transaction that read first and wrote later would
        # otherwise fail with "database is locked" (not wait) whenever another writer committed in between.
        return peewee.SqliteDatabase(path or ":memory:", pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE")
    if scheme in ("postgres", "postgresql"):
        return PooledPostgresqlDatabase(
            parts.path.lstrip("/") or "postgres",
            user=parts.username,
            password=parts.password,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            max_connections=int(options.pop("max_connections", 20)),
            stale_timeout=300,
            timeout=10,
            connect_timeout=int(options.pop("connect_timeout", 5)),
            **options,
        )
    raise ValueError(f"unsupported database URL scheme {parts.scheme!r}: use sqlite:/// or postgresql://")


def bind(url):
    """Open the database at url and make it the one every model uses."""
    db = open_database(url)
    database.initialize(db)
    return db


def is_postgres():
    """Tell whether the bound database is PostgreSQL."""
    return isinstance(database.obj, peewee.PostgresqlDatabase)
