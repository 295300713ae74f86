"""Ids are never handed out twice: a deleted row's id, ETag and published URLs never come to name another row."""

from checks import assert_problem
from factories import claim_data
from factories import make_claim

from service.delivery import webhooks
from service.ledger import search
from service.storage import db
from service.storage.migrate import MIGRATIONS
from service.storage.migrate import migrate
from service.storage.models import Claim
from service.storage.models import ClaimTopic
from service.storage.models import Event
from service.storage.models import Webhook

LAST_BEFORE_AUTOINCREMENT = "0012_topic_stance_counts"


def _create(client, keys, path, body):
    answer = client.post(f"/api/v1/{path}", json=body, headers=keys["admin"])
    assert answer.status_code == 201, answer.json
    return answer


def _delete(client, keys, path, answer):
    deleted = client.delete(
        f"/api/v1/{path}/{answer.json['id']}", headers={**keys["admin"], "If-Match": answer.headers["ETag"]}
    )
    assert deleted.status_code == 204, deleted.json


def test_a_deleted_claims_id_and_etag_never_name_a_new_claim(client, keys):
    first = _create(client, keys, "claims", claim_data())
    _delete(client, keys, "claims", first)

    second = _create(client, keys, "claims", claim_data(text="A different claim entirely"))
    assert second.json["id"] > first.json["id"]
    stale = client.patch(
        f"/api/v1/claims/{first.json['id']}",
        json={"quote": "edited through a stale ETag"},
        headers={**keys["admin"], "If-Match": first.headers["ETag"]},
    )
    assert_problem(stale, 404)
    assert client.get(f"/embed/claims/{first.json['id']}").status_code == 404
    assert Claim.get_by_id(second.json["id"]).quote is None


def test_deleted_speaker_source_topic_and_webhook_ids_are_not_reused(client, keys):
    bodies = {
        "speakers": lambda n: {"name": f"Speaker {n}"},
        "sources": lambda n: {"url": f"https://news.example/{n}", "publisher": "Example News"},
        "topics": lambda n: {"slug": f"topic-{n}", "title": f"Topic {n}?"},
        "webhooks": lambda n: {"url": f"https://93.184.216.34/hooks/{n}", "event_types": ["claim.created"]},
    }
    for path, body in bodies.items():
        first = _create(client, keys, path, body(1))
        _delete(client, keys, path, first)
        second = _create(client, keys, path, body(2))
        assert second.json["id"] > first.json["id"], path


def test_webhook_ids_are_not_reused_by_the_domain_either(app):
    first = webhooks.create_webhook({"url": "https://93.184.216.34/a", "event_types": ["*"]}, "admin")
    webhooks.delete_webhook(first.id, first.version, "admin")
    second = webhooks.create_webhook({"url": "https://93.184.216.34/b", "event_types": ["*"]}, "admin")
    assert second.id > first.id
    assert Webhook.select().count() == 1


def _old_ledger_with_a_deleted_claim():
    """Store two claims at schema 0012 and delete the second, with its events; return both ids."""
    sql = db.database.execute_sql
    now = "2023-04-07 10:00:00"
    sql(
        "INSERT INTO speaker (name, name_key, kind, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)",
        ("Old Speaker", "old speaker", "person", now, now),
    )
    sql(
        "INSERT INTO source (url, publisher, kind, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)",
        ("https://old.example/1", "Old News", "article", now, now),
    )
    ids = []
    for text in ("Artillery shells ran out in the north", "Shells arrived in the south"):
        cursor = sql(
            "INSERT INTO claim (text, speaker_id, source_id, claimed_on, claimed_on_has_time, language, status,"
            " supported_count, contested_count, version, created_at, updated_at)"
            " VALUES (?, 1, 1, ?, 0, 'en', 'unreviewed', 0, 0, 1, ?, ?)",
            (text, now, now, now),
        )
        ids.append(cursor.lastrowid)
        sql(
            "INSERT INTO event (type, object_type, object_id, actor, created_at, data) VALUES (?, ?, ?, ?, ?, ?)",
            ("claim.created", "claim", ids[-1], "admin", now, "{}"),
        )
    sql("DELETE FROM claim WHERE id = ?", (ids[1],))
    sql(
        "INSERT INTO event (type, object_type, object_id, actor, created_at, data) VALUES (?, ?, ?, ?, ?, ?)",
        ("claim.deleted", "claim", ids[1], "admin", now, "{}"),
    )
    return ids


def test_migrating_an_existing_sqlite_database_keeps_every_row_and_never_reuses_deleted_ids(tmp_path):
    from playhouse.migrations import Runner

    db.bind(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        Runner(db.database.obj, directory=str(MIGRATIONS)).up(target=LAST_BEFORE_AUTOINCREMENT)
        # Rows written as the code of that schema wrote them: today's domain needs columns added since.
        kept_id, deleted_id = _old_ledger_with_a_deleted_claim()
        events_before = list(Event.select().order_by(Event.id).dicts())

        assert "0013_ids_never_reused" in migrate()

        again = make_claim(text="Another claim after the upgrade")
        assert again.id > deleted_id
        assert (
            list(Event.select().where(Event.id <= events_before[-1]["id"]).order_by(Event.id).dicts()) == events_before
        )
        assert Claim.get_by_id(kept_id).text == "Artillery shells ran out in the north"
        assert [row[0] for row in search.best_matches("artillery", 10)] == [kept_id]
        assert ClaimTopic.select().count() == 0
        assert db.database.execute_sql("PRAGMA foreign_key_check").fetchall() == []
        assert db.database.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.database.close()
