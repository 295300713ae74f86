"""Fixtures: the app on each database (SQLite always, PostgreSQL when CLAIMLEDGER_TEST_POSTGRES_URL is set)."""

import copy
import os
import shutil
import uuid
from urllib.parse import quote

import peewee
import pytest
from checks import CheckedClient
from peewee import sort_models

from service import create_app
from service.ledger import keys as api_keys
from service.storage import db
from service.storage.migrate import migrate
from service.storage.models import ALL_MODELS

POSTGRES_URL = os.environ.get("CLAIMLEDGER_TEST_POSTGRES_URL")
SKIP_POSTGRES = (
    "PostgreSQL tests need CLAIMLEDGER_TEST_POSTGRES_URL, e.g. "
    "postgresql://postgres@127.0.0.1:5432/test (make test sets it)"
)
START_POSTGRES = "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
TEST_SETTINGS = {"TESTING": True, "SECRET_KEY": "test-secret", "RATE_LIMIT_PER_MINUTE": 0}


def pytest_collection_modifyitems(items):
    """Browser checks are slow too: make test-fast (pytest -m "not slow") leaves them out."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db.bind(f"sqlite:///{path}")
    migrate()
    db.database.close()
    return path


@pytest.fixture(scope="session")
def postgres_url():
    """A URL whose connections use a fresh, migrated schema of their own, dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = db.open_database(POSTGRES_URL)
    try:
        admin.connect()
    except peewee.OperationalError as error:
        unreachable = f"PostgreSQL at {POSTGRES_URL} cannot be reached ({str(error).strip()}); {START_POSTGRES}"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(unreachable, pytrace=False)
        pytest.skip(unreachable)
    admin.execute_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options={quote(f'-c search_path={schema}')}"
    db.bind(url)
    migrate()
    db.database.close_all()
    yield url
    admin.execute_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.close_all()


def _empty_database(request, directory):
    """Return the URL of an empty, migrated database: a copied SQLite file, or a truncated PostgreSQL schema."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = directory / "claimledger.db"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    database = db.bind(url)
    with database.atomic():
        database.execute_sql(request.getfixturevalue("_postgres_emptying"))
    database.close()
    return url


@pytest.fixture(scope="session")
def _postgres_emptying(postgres_url):
    """The SQL that empties the test schema and restarts its sequences, sent in one round trip per test.

    DELETE and a sequence restart take a tenth of TRUNCATE's time on tables this small.
    """
    database = db.bind(postgres_url)
    sequences = database.execute_sql("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
    statements = [f'DELETE FROM "{model._meta.table_name}"' for model in reversed(sort_models(ALL_MODELS))]
    statements += [f'ALTER SEQUENCE "{sequence}" RESTART' for (sequence,) in sequences.fetchall()]
    database.close()
    return ";\n".join(statements)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    """The URL of an empty, migrated database: a copied SQLite file, or a truncated PostgreSQL schema."""
    return _empty_database(request, tmp_path)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def module_database_url(request, tmp_path_factory):
    """database_url shared by a module's tests, for those that only make requests that must change nothing."""
    return _empty_database(request, tmp_path_factory.mktemp("module"))


@pytest.fixture(scope="session")
def _shared_apps():
    """One built app per database kind, with the settings it was built with: building one (its routes and
    OpenAPI document) costs about 50 ms, which every test would otherwise pay."""
    return {}


def _app_for(request, database_url, shared_apps):
    """Return the app for this test: the shared one of its database kind, its settings restored, or a fresh
    one for a test marked fresh_app (one that adds routes, which Flask allows only before the first request)."""
    if request.node.get_closest_marker("fresh_app"):
        return create_app({"DATABASE_URL": database_url, **TEST_SETTINGS})
    kind = database_url.partition(":")[0]
    if kind not in shared_apps:
        application = create_app({"DATABASE_URL": database_url, **TEST_SETTINGS})
        shared_apps[kind] = application, copy.deepcopy(dict(application.config))
    application, settings = shared_apps[kind]
    application.config.clear()
    application.config.update(copy.deepcopy(settings), DATABASE_URL=database_url)
    application.test_client_class = None
    db.bind(database_url)
    return application


@pytest.fixture
def app(request, database_url, _shared_apps):
    """The app bound to this test's database; its connection is open for domain calls.

    The app is shared by the tests on one kind of database and its settings are put back before each
    test; the database itself is a fresh copy (SQLite) or emptied (PostgreSQL) for every test.
    """
    application = _app_for(request, database_url, _shared_apps)
    db.database.connect(reuse_if_open=True)
    yield application
    if not db.database.is_closed():
        db.database.close()
    if isinstance(db.database.obj, peewee.PostgresqlDatabase):
        db.database.obj.close_all()


@pytest.fixture
def client(app):
    """A test client for the app that fails a test if any response shows a stack trace or SQL."""
    app.test_client_class = CheckedClient
    return app.test_client()


@pytest.fixture
def runner(app, database_url, monkeypatch):
    """A CLI runner whose commands use this test's database."""
    monkeypatch.setenv("CLAIMLEDGER_DATABASE_URL", database_url)
    return app.test_cli_runner()


@pytest.fixture
def keys(app):
    """Authorization headers for one key of each role: reader, reviewer, reviewer2, admin."""
    headers = {}
    for name, role in (
        ("reader", "reader"),
        ("reviewer", "reviewer"),
        ("reviewer2", "reviewer"),
        ("admin", "admin"),
    ):
        _, secret = api_keys.create_key(name, role, actor="test")
        headers[name] = {"Authorization": f"Bearer {secret}"}
    return headers


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on 127.0.0.1 in a thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def receiver():
    """A webhook receiver on 127.0.0.1 (tests/receiver.py) that answers 204 until told otherwise."""
    from receiver import Receiver

    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A database of the same kind as this test's, with no tables yet."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    base = POSTGRES_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = db.open_database(base)
    admin.execute_sql(f"CREATE SCHEMA {schema}")
    yield f"{base}{'&' if '?' in base else '?'}options={quote(f'-c search_path={schema}')}"
    # A CLI command in the test may have bound the models to this schema: release its connections first.
    db.database.obj.close_all()
    admin.execute_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.close_all()
