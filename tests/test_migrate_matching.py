"""Migrations 0015-0017 move an existing ledger forward: languages, word-form terms, vectors, speaker keys."""

import os
import uuid
from urllib.parse import quote

import peewee
import pytest
from playhouse.migrations import Runner

from service.ledger import search
from service.storage import db
from service.storage.migrate import MIGRATIONS

BEFORE = "0012_topic_stance_counts"
CLAIMS = [
    ("Пригожин заявив, що «Вагнеру» бракує боєприпасів.", "en"),
    ("Армии не хватает снарядов под Бахмутом.", "RU"),
    ("The army ran out of shells.", "en_GB"),
]


@pytest.fixture(params=["sqlite", "postgres"])
def old_database(request, tmp_path):
    """A database migrated only up to 0012, with claims stored as the old code stored them."""
    if request.param == "sqlite":
        database = db.bind(f"sqlite:///{tmp_path}/old.db")
        yield database
        database.close()
        return
    url = os.environ.get("CLAIMLEDGER_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL tests need CLAIMLEDGER_TEST_POSTGRES_URL")
    schema = f"m_{uuid.uuid4().hex[:12]}"
    admin = db.open_database(url)
    admin.execute_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in url else "?"
    database = db.bind(f"{url}{separator}options={quote(f'-c search_path={schema}')}")
    yield database
    database.close_all()
    admin.execute_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.close_all()


def test_migrating_forward_detects_languages_and_indexes_word_forms(old_database):
    runner = Runner(old_database, directory=str(MIGRATIONS))
    runner.up(target=BEFORE)
    param = old_database.param
    old_database.execute_sql(
        f'INSERT INTO "speaker" ("name", "name_key", "kind", "version", "created_at", "updated_at")'
        f" VALUES ({param}, {param}, 'person', 1, {param}, {param})",
        ("Евгений Пригожин", "евгений пригожин", "2023-01-01", "2023-01-01"),
    )
    old_database.execute_sql(
        f'INSERT INTO "source" ("url", "publisher", "kind", "version", "created_at", "updated_at")'
        f" VALUES ({param}, {param}, 'article', 1, {param}, {param})",
        ("https://news.example/1", "Example", "2023-01-01", "2023-01-01"),
    )
    for text, language in CLAIMS:
        old_database.execute_sql(
            'INSERT INTO "claim" ("text", "speaker_id", "source_id", "claimed_on", "claimed_on_has_time", "language",'
            ' "status", "supported_count", "contested_count", "version", "created_at", "updated_at")'
            f" VALUES ({param}, 1, 1, {param}, {param}, {param}, 'unreviewed', 0, 0, 1, {param}, {param})",
            (text, "2023-04-07", False, language, "2023-01-01", "2023-01-01"),
        )
    applied = runner.up()
    assert applied[-3:] == ["0015_claim_wordforms", "0016_claim_vectors", "0017_speaker_latin_key"]
    languages = [row[0] for row in old_database.execute_sql('SELECT "language" FROM "claim" ORDER BY "id"')]
    assert languages == ["uk", "ru", "en-gb"]
    (latin_key,) = old_database.execute_sql('SELECT "latin_key" FROM "speaker"').fetchone()
    assert latin_key == "evgeni prigozhin"
    found = [claim_id for claim_id, _ in search.best_matches("снаряд", 10)]
    assert found == [2]
    found = [claim_id for claim_id, _ in search.best_matches("боєприпаси", 10)]
    assert found == [1]
    with pytest.raises(peewee.IntegrityError), old_database.atomic():
        old_database.execute_sql(
            'INSERT INTO "claim_vectors" ("claim_id", "model", "vector", "created_at")'
            f" VALUES (99, {param}, {param}, {param})",
            ("m", b"x", "2023-01-01"),
        )
