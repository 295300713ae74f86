"""The peewee database, bound at start-up from a URL (SQLite or PostgreSQL)."""

import fcntl
import itertools
import os
import threading
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


class SqliteDatabase(peewee.SqliteDatabase):
    """SQLite whose write transactions queue on a file lock, so that the next writer starts the moment one ends.

    Left to SQLite's busy handler, a writer that finds the database locked sleeps and retries, up to
    100 ms at a time, while the holder's process may take the lock again first: under steady writes
    from several gunicorn workers one POST waited 1.7 s at p99. A writer blocked on flock() wakes as
    soon as the lock is released. The kernel releases it if the process dies.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writer = threading.local()

    def _lock_file(self):
        if getattr(self._writer, "fd", None) is None:
            self._writer.fd = os.open(f"{self.database}-writer", os.O_RDWR | os.O_CREAT, 0o600)
        return self._writer.fd

    def begin(self, lock_type=None):
        if self.database == ":memory:":
            return super().begin(lock_type)
        lock = self._lock_file()
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            super().begin(lock_type)
        except BaseException:
            fcntl.flock(lock, fcntl.LOCK_UN)
            raise

    def _release(self):
        if getattr(self._writer, "fd", None) is not None:
            fcntl.flock(self._writer.fd, fcntl.LOCK_UN)

    def _close(self, conn):
        super()._close(conn)
        if getattr(self._writer, "fd", None) is not None:
            os.close(self._writer.fd)
            self._writer.fd = None

    def commit(self):
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._release()


def open_database(url):
    """Return a peewee database for a sqlite:/// or postgresql:// URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    options = dict(parse_qsl(parts.query))
    if scheme == "sqlite":
        path = parts.path[1:] if parts.netloc == "" else parts.netloc + parts.path
        # BEGIN IMMEDIATE takes the write lock up front: a transaction that read first and wrote later would
        # otherwise fail with "database is locked" (not wait) whenever another writer committed in between.
        return SqliteDatabase(path or ":memory:", pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE")
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


# PostgreSQL's codes for a missing table and a missing column.
UNDEFINED_TABLE_OR_COLUMN = ("42P01", "42703")


def lacks_schema(error):
    """Tell whether a database error says a table or column is missing: the database needs migrating."""
    causes = [error, *error.args, error.__cause__, error.__context__]
    if any(getattr(cause, "pgcode", None) in UNDEFINED_TABLE_OR_COLUMN for cause in causes):
        return True
    return str(error).startswith(("no such table:", "no such column:"))


def is_postgres():
    """Tell whether the bound database is PostgreSQL."""
    return isinstance(database.obj, peewee.PostgresqlDatabase)


# Bound values per statement: under SQLite's limit of 32,766 (and PostgreSQL's 65,535).
MAX_PARAMS = 30000


def _converter(field):
    """Return field.db_value if the field stores values in another form (JSON as text), else None."""
    if type(field).db_value in (peewee.Field.db_value, peewee.ForeignKeyField.db_value):
        return None
    return field.db_value


def insert_rows(model, columns, rows, returning=False):
    """Insert rows (tuples of the columns' values) in multi-row statements; return the new ids in order if asked.

    Values come in the columns' own Python types (ids, not model instances), so only fields that store
    another form (JSON as text) convert them. The SQL is written here once per statement, not built value
    by value through peewee's query tree, which at bulk sizes costs several times what the database
    spends storing the rows.
    """
    fields = [model._meta.fields[name] for name in columns]
    converters = [(index, convert) for index, convert in enumerate(map(_converter, fields)) if convert]
    names = ", ".join(f'"{field.column_name}"' for field in fields)
    placeholders = "(" + ", ".join([database.param] * len(fields)) + ")"
    suffix = f' RETURNING "{model._meta.primary_key.column_name}"' if returning else ""
    per_statement = max(1, MAX_PARAMS // len(fields))
    ids = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        if converters:
            chunk = [list(row) for row in chunk]
            for row in chunk:
                for index, convert in converters:
                    row[index] = convert(row[index])
        sql = f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES ' + ", ".join([placeholders] * len(chunk))
        cursor = database.execute_sql(sql + suffix, list(itertools.chain.from_iterable(chunk)))
        if returning:
            # One statement's ids ascend in the order of its rows, whatever order RETURNING lists them in.
            ids.extend(sorted(row[0] for row in cursor.fetchall()))
    return ids


def value_list(values):
    """Return values as a parenthesised list of bound parameters for IN, written at once.

    peewee builds IN (...) value by value through its query tree; for thousands of ids that costs more
    than the query. Never pass an empty list (IN () is not SQL).
    """
    return peewee.SQL("(" + ", ".join([database.param] * len(values)) + ")", list(values))
