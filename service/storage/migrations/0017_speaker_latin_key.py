"""Give each speaker a script-independent key (nlp.names.name_key), so spellings across scripts meet.

"Евгений Пригожин", "Євген Пригожин" and "Yevgeny Prigozhin" all key as "evgeni prigozhin"; similar
speakers are looked up by the key's parts and ranked by nlp.names.name_similarity.
"""

from peewee import CharField

from service.nlp import names


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("speaker", "latin_key", CharField(max_length=200, default="")),
        migrator.add_index("speaker", ("latin_key",)),
    )
    param = db.param
    for speaker_id, name in db.execute_sql('SELECT "id", "name" FROM "speaker"').fetchall():
        db.execute_sql(
            f'UPDATE "speaker" SET "latin_key" = {param} WHERE "id" = {param}', (names.name_key(name), speaker_id)
        )


def down(migrator, db):
    migrator.migrate(migrator.drop_index("speaker", "speaker_latin_key"), migrator.drop_column("speaker", "latin_key"))
