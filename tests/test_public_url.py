"""Without CLAIMLEDGER_PUBLIC_URL, a Host header nobody allowed never decides the links the service publishes."""

from urllib.parse import quote

import pytest
from checks import assert_problem
from factories import make_claim
from factories import publish_fact_check
from factories import review_claim

EVIL = "evil.example"


def _surfaces(claim_id):
    card = quote(f"http://{EVIL}/embed/claims/{claim_id}", safe="")
    return [
        f"/embed/claims/{claim_id}",
        f"/oembed?url={card}&format=json",
        f"/api/v1/claims/{claim_id}/claimreview",
    ]


@pytest.fixture
def reviewed(app):
    claim = make_claim()
    review_claim(claim.id, "supported")
    publish_fact_check([claim])
    return claim.id


def test_an_unlisted_host_gets_400_and_no_link_to_it(client, reviewed):
    for path in _surfaces(reviewed):
        response = client.get(path, headers={"Host": EVIL})
        body = assert_problem(response, 400)
        assert "CLAIMLEDGER_PUBLIC_URL" in body["detail"]
        assert EVIL not in response.headers.get("Cache-Control", "")


def test_a_listed_host_is_used(app, client, reviewed):
    app.config["ALLOWED_HOSTS"] = ["ledger.example"]

    answer = client.get(f"/api/v1/claims/{reviewed}/claimreview", headers={"Host": "ledger.example:8443"})

    assert answer.status_code == 200
    # The ClaimReview's url is the newsroom's article; the service's own address names its author.
    assert answer.json["author"]["url"] == "http://ledger.example:8443"


def test_the_configured_public_url_wins_over_any_host(app, client, reviewed):
    app.config["PUBLIC_URL"] = "https://ledger.example/"

    for path in _surfaces(reviewed)[::2]:
        response = client.get(path, headers={"Host": EVIL})
        assert response.status_code == 200, path
        assert EVIL not in response.get_data(as_text=True)
        assert "https://ledger.example" in response.get_data(as_text=True)
