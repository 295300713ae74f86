"""SQLite's write transactions queue on a file lock instead of sleeping in SQLite's busy handler."""

import threading

import peewee
import pytest

from service.storage import db

BUSY_50 = "PRAGMA busy_timeout = 50"


@pytest.fixture
def two_connections(tmp_path):
    """Two databases on one SQLite file, as two gunicorn workers hold them.

    Each thread's connection needs `PRAGMA busy_timeout = 50` (BUSY_50) first: peewee opens one per thread.
    """
    url = f"sqlite:///{tmp_path / 'writers.db'}"
    first, second = db.open_database(url), db.open_database(url)
    first.execute_sql("CREATE TABLE note (body TEXT)")
    yield first, second
    first.close()
    second.close()


def test_a_writer_waits_for_the_one_before_it_however_long_it_takes(two_connections):
    first, second = two_connections
    holding, done = threading.Event(), threading.Event()
    outcome = {}

    def write_second():
        second.execute_sql(BUSY_50)
        holding.wait(timeout=10)
        try:
            with second.atomic():
                second.execute_sql("INSERT INTO note VALUES ('second')")
            outcome["second"] = "stored"
        except peewee.OperationalError as error:
            outcome["second"] = str(error)
        finally:
            second.close()
        done.set()

    thread = threading.Thread(target=write_second)
    thread.start()
    first.execute_sql(BUSY_50)
    with first.atomic():
        first.execute_sql("INSERT INTO note VALUES ('first')")
        holding.set()
        # Far past the busy timeout: SQLite's own handler would have given up with "database is locked".
        assert not done.wait(timeout=0.5), "the second writer went ahead while the first held the lock"
    thread.join(timeout=10)

    assert outcome == {"second": "stored"}
    assert [row[0] for row in first.execute_sql("SELECT body FROM note ORDER BY rowid")] == ["first", "second"]


@pytest.mark.timeout(30)
def test_a_failed_transaction_lets_the_next_writer_in(two_connections):
    first, second = two_connections
    first.execute_sql(BUSY_50)
    second.execute_sql(BUSY_50)
    with pytest.raises(RuntimeError), first.atomic():
        first.execute_sql("INSERT INTO note VALUES ('rolled back')")
        raise RuntimeError("the request failed")
    with second.atomic():
        second.execute_sql("INSERT INTO note VALUES ('after')")
    assert [row[0] for row in second.execute_sql("SELECT body FROM note")] == ["after"]
