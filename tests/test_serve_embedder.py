"""The README's first command serves matching: `claimledger serve` starts the embedder, which finds conflicts."""

import time

import pytest
import requests
from factories import claim_data
from servers import serve
from servers import stop

from service.ledger import keys as api_keys
from service.ledger import seeds

pytestmark = pytest.mark.slow  # a real server with its embedder: make test runs it, make test-fast does not

# How long the embedder may take on a loaded two-core machine: a liveness bound, not a speed claim.
PATIENCE_SECONDS = 180


def _eventually(read, accept):
    give_up = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < give_up:
        answer = read()
        if accept(answer):
            return answer
        time.sleep(1)
    raise AssertionError(f"never happened; last answer: {answer}")


def test_serve_starts_the_embedder_and_a_contradiction_is_suggested_with_its_reason(app, database_url, tmp_path):
    seeds.load_all()
    _, secret = api_keys.create_key("desk", "reviewer", actor="test")
    headers = {"Authorization": f"Bearer {secret}"}
    process, base_url = serve(database_url, tmp_path / "serve.log", workers=1, env={"CLAIMLEDGER_EMBEDDER": "1"})
    try:
        body = claim_data(
            text="Пригожин заявив, що у «Вагнера» в Бахмуті немає жодної нестачі боєприпасів.",
            speaker={"name": "Евгений Пригожин"},
        )
        created = requests.post(f"{base_url}/api/v1/claims", json=body, headers=headers, timeout=30).json()
        assert created["language"] == "uk"
        assert created["similar_speakers"][0]["name"] == "Yevgeny Prigozhin"
        conflicts = _eventually(
            lambda: requests.get(f"{base_url}/api/v1/claims/{created['id']}/conflicts", timeout=30).json()["items"],
            lambda items: any(item["basis"] == "similarity" for item in items),
        )
        suggested = next(item for item in conflicts if item["basis"] == "similarity")
        assert "Yevgeny Prigozhin" in (suggested["left"]["speaker"]["name"], suggested["right"]["speaker"]["name"])
        assert suggested["note"]
        found = requests.get(
            f"{base_url}/api/v1/claims/match",
            params={"text": "Пригожин неодноразово скаржився на брак боєприпасів для своїх бійців у Бахмуті."},
            timeout=60,
        ).json()["items"]
        # The claim just posted is the nearest (same language, same words); the seeded English one comes next.
        assert [item["claim"]["id"] for item in found[:1]] == [created["id"]]
        assert "lack of ammunition" in found[1]["claim"]["text"]
    finally:
        stop(process)
