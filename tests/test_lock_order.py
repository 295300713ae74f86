"""One lock order everywhere: a delete racing a review of a claim with conflicts never deadlocks (no 503)."""

import threading

import pytest
import requests
from factories import claim_data

pytestmark = pytest.mark.slow  # real servers or worker processes: make test runs it, make test-fast does not

ROUNDS = 20


def _post(session, url, body, headers):
    answer = session.post(url, json=body, headers=headers, timeout=60)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _race(api, keys, claim_id, etag):
    """DELETE the claim and POST a review of it at the same moment; return both answers."""
    start = threading.Barrier(2)
    answers = {}

    def delete():
        with requests.Session() as session:
            start.wait()
            answers["delete"] = session.delete(
                f"{api}/claims/{claim_id}", headers={**keys["admin"], "If-Match": etag}, timeout=60
            )

    def review():
        with requests.Session() as session:
            start.wait()
            answers["review"] = session.post(
                f"{api}/claims/{claim_id}/reviews",
                json={"verdict": "supported", "rationale": "Checked."},
                headers=keys["reviewer"],
                timeout=60,
            )

    threads = [threading.Thread(target=delete), threading.Thread(target=review)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers["delete"], answers["review"]


def test_deleting_a_claim_while_it_is_reviewed_gives_the_loser_404_or_412(live_server, keys):
    api = f"{live_server}/api/v1"
    with requests.Session() as session:
        for round_number in range(ROUNDS):
            claim = _post(session, f"{api}/claims", claim_data(), keys["reviewer"])
            other = _post(session, f"{api}/claims", claim_data(), keys["reviewer"])
            link = {"left_claim_id": claim["id"], "right_claim_id": other["id"], "note": f"Round {round_number}"}
            _post(session, f"{api}/conflicts", link, keys["reviewer"])
            etag = session.get(f"{api}/claims/{claim['id']}", timeout=60).headers["ETag"]

            deleted, reviewed = _race(api, keys, claim["id"], etag)

            outcome = (deleted.status_code, reviewed.status_code)
            assert outcome in {(204, 404), (412, 201)}, (round_number, deleted.text, reviewed.text)
