"""What the API tests share: problem+json shape, nothing stored, nothing leaked, two racing writers."""

import re
import threading

from flask.testing import FlaskClient

from service.storage.db import database
from service.storage.models import ALL_MODELS

PROBLEM = "application/problem+json"
# What a stack trace or a database error would put in a body: no client may ever see these.
LEAK_MARKERS = (
    "Traceback (most recent call last)",
    'File "/',
    "psycopg2",
    "sqlite3.",
    "peewee",
    "OperationalError",
    "IntegrityError",
    "ProgrammingError",
    "DataError",
    "syntax error at or near",
)
TIMESTAMP_PATTERN = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")


class _Timestamp:
    """Equal to any ISO 8601 UTC timestamp string, so whole bodies can be compared."""

    def __eq__(self, other):
        return isinstance(other, str) and TIMESTAMP_PATTERN.match(other) is not None

    def __repr__(self):
        return "<ISO 8601 timestamp with Z>"


TIMESTAMP = _Timestamp()


def row_counts():
    """Return {table: rows} for every table, to show that a failed request stored nothing."""
    return {model._meta.table_name: model.select().count() for model in ALL_MODELS}


def everything():
    """Return every row of every table: what a refused request must leave exactly as it was."""
    return {model._meta.table_name: list(model.select().order_by(model.id).dicts()) for model in ALL_MODELS}


def assert_clean(response):
    """Fail if a response body carries a stack trace or a database error."""
    body = response.get_data()
    for marker in LEAK_MARKERS:
        assert marker.encode() not in body, f"{response.status} leaks {marker!r}: {body[:500]!r}"


def assert_problem(response, status, fields=None):
    """Check a problem+json answer: its status, its members, and the fields it names (exactly)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert set(body) <= {"type", "title", "status", "detail", "errors"}
    if fields is not None:
        assert sorted(body["errors"]) == sorted(fields), body
        for messages in body["errors"].values():
            assert messages and all(isinstance(message, str) and message for message in messages)
    assert_clean(response)
    return body


class CheckedClient(FlaskClient):
    """The test client, failing any test whose response would show a client a trace or SQL."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        assert_clean(response)
        return response


class TwoWriters:
    """Two writers in threads named first and second; first stops at pause() until second has finished.

    On SQLite first already holds the write lock there, so second waits for first instead and pause()
    gives up after 2 s: either way both must succeed.
    """

    def __init__(self):
        self.second_done = threading.Event()

    def pause(self):
        """Let the second writer through, if this is the first."""
        if threading.current_thread().name == "first":
            self.second_done.wait(timeout=2)

    def run(self, work):
        """Run work(name) in both threads; return {name: its result} for each that finished."""
        outcomes = {}

        def write(name):
            try:
                outcomes[name] = work(name)
            finally:
                if name == "second":
                    self.second_done.set()
                database.close()

        threads = [threading.Thread(target=write, args=(name,), name=name) for name in ("first", "second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return outcomes
