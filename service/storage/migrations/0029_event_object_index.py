"""Index events by the object they changed, so a claim's history and what changed since a reader looked are found
without scanning the feed."""


def up(migrator, db):
    migrator.migrate(migrator.add_index("event", ("object_type", "object_id", "id"), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("event", "event_object_type_object_id_id"))
