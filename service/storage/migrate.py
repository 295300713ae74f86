"""Apply the numbered schema migrations in service/migrations."""

from pathlib import Path

from playhouse.migrations import Runner

from service.storage.db import database

MIGRATIONS = Path(__file__).parent / "migrations"


def migrate():
    """Apply every pending migration to the bound database; return their names."""
    return Runner(database.obj, directory=str(MIGRATIONS)).up()
