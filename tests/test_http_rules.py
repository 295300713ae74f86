"""HTTP rules of the second hardening pass: strong If-Match only, empty PATCHes, 429 before 401."""

import pytest
from checks import assert_problem
from factories import make_claim
from factories import make_topic

from service.delivery import webhooks
from service.ledger import speakers
from service.storage.models import Event


def test_a_weak_etag_never_matches_if_match(client, keys):
    claim = make_claim()

    response = client.patch(
        f"/api/v1/claims/{claim.id}",
        json={"quote": "changed"},
        headers={**keys["admin"], "If-Match": f'W/"claim-{claim.id}-1"'},
    )

    assert_problem(response, 412)
    assert client.get(f"/api/v1/claims/{claim.id}").json["version"] == 1


@pytest.mark.parametrize("body", ["{}", ""])
def test_an_empty_patch_changes_nothing(client, keys, body):
    claim = make_claim()
    topic = make_topic()
    hook = webhooks.create_webhook({"url": "https://93.184.216.34/h", "event_types": ["*"]}, "admin")
    targets = {
        f"/api/v1/claims/{claim.id}": f'"claim-{claim.id}-1"',
        f"/api/v1/speakers/{claim.speaker_id}": f'"speaker-{claim.speaker_id}-1"',
        f"/api/v1/sources/{claim.source_id}": f'"source-{claim.source_id}-1"',
        f"/api/v1/topics/{topic.id}": f'"topic-{topic.id}-1"',
        f"/api/v1/webhooks/{hook.id}": f'"webhook-{hook.id}-1"',
    }
    events_before = Event.select().count()
    for path, etag in targets.items():
        before = client.get(path, headers=keys["admin"]).json
        headers = {**keys["admin"], "If-Match": etag, "Content-Type": "application/json"}

        response = client.patch(path, data=body, headers=headers)

        assert response.status_code == 200, (path, response.json)
        assert response.json == before
        assert response.headers["ETag"] == etag
        stale = client.patch(path, data=body, headers={**headers, "If-Match": etag.replace('-1"', '-7"')})
        assert_problem(stale, 412)
    assert Event.select().count() == events_before
    assert speakers.get_speaker(claim.speaker_id).version == 1


def test_past_the_limit_an_unauthenticated_write_gets_429_not_401(app, client):
    app.config["RATE_LIMIT_PER_MINUTE"] = 2
    answers = [client.post("/api/v1/claims", json={}).status_code for _ in range(3)]

    assert answers == [401, 401, 429]


def test_the_openapi_document_says_the_limit_comes_before_the_key(client):
    spec = client.get("/api/v1/openapi.json").json

    description = spec["components"]["responses"]["RateLimited"]["description"]
    assert "429, not 401" in description
    assert spec["paths"]["/api/v1/claims"]["post"]["responses"]["429"] == {"$ref": "#/components/responses/RateLimited"}
