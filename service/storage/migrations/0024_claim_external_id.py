"""Give a claim an optional external_id: the CMS's own id for it, unique, so that a batch sent again updates."""

from peewee import CharField

INDEX = ("external_id",)


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("claim", "external_id", CharField(max_length=200, null=True)),
        migrator.add_index("claim", INDEX, unique=True),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index("claim", "claim_external_id"), migrator.drop_column("claim", "external_id"))
