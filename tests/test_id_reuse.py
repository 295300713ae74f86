"""Ids are never handed out twice: a deleted row's id, ETag and published URLs never come to name another row."""

from checks import assert_problem
from factories import claim_data
from factories import make_claim

from service.delivery import webhooks
from service.ledger import claims
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


def test_migrating_an_existing_sqlite_database_keeps_every_row_and_never_reuses_deleted_ids(tmp_path):
    from playhouse.migrations import Runner

    db.bind(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        Runner(db.database.obj, directory=str(MIGRATIONS)).up(target=LAST_BEFORE_AUTOINCREMENT)
        kept = make_claim(text="Artillery shells ran out in the north", topics=[])
        deleted = make_claim(text="Shells arrived in the south")
        claims.delete_claim(deleted.id, deleted.version, "admin")
        events_before = list(Event.select().order_by(Event.id).dicts())

        assert "0013_ids_never_reused" in migrate()

        again = make_claim(text="Another claim after the upgrade")
        assert again.id > deleted.id
        assert (
            list(Event.select().where(Event.id <= events_before[-1]["id"]).order_by(Event.id).dicts()) == events_before
        )
        assert Claim.get_by_id(kept.id).text == kept.text
        assert [row[0] for row in search.best_matches("artillery", 10)] == [kept.id]
        assert ClaimTopic.select().count() == 0
        assert db.database.execute_sql("PRAGMA foreign_key_check").fetchall() == []
        assert db.database.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.database.close()
