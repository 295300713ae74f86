"""A private server (CLAIMLEDGER_PUBLIC_READS=false): every surface that carries the ledger's data needs a key."""

from urllib.parse import quote

import pytest
from checks import assert_problem
from factories import link_conflict
from factories import make_claim
from factories import make_topic
from factories import publish_fact_check
from factories import review_claim

SECRET_TEXT = "Secret claim the desk has not published"


@pytest.fixture
def private(app):
    """A private server holding one claim, reviewed and rated in a published fact-check, in one confirmed
    conflict; yields (claim id, conflict id)."""
    app.config["PUBLIC_READS"] = False
    app.config["PUBLIC_URL"] = "https://ledger.example"
    first = make_claim(text=SECRET_TEXT, speaker={"name": "Hidden Speaker"})
    second = make_claim(text="The opposite account", speaker={"name": "Other Speaker"})
    review_claim(first.id, "supported", rationale="Rationale nobody outside may read")
    publish_fact_check([first], explanation="Rationale nobody outside may read")
    conflict = link_conflict(first, second, topic=make_topic())
    return first.id, conflict.id


def _data_urls(claim_id, conflict_id):
    card = quote(f"https://ledger.example/embed/claims/{claim_id}", safe="")
    side_by_side = quote(f"https://ledger.example/embed/conflicts/{conflict_id}", safe="")
    return [
        f"/embed/claims/{claim_id}",
        f"/embed/conflicts/{conflict_id}",
        f"/oembed?url={card}&format=json",
        f"/oembed?url={side_by_side}&format=json",
        f"/conflicts/{conflict_id}",
        "/topics/ammunition",
        f"/api/v1/claims/{claim_id}",
        f"/api/v1/claims/{claim_id}/claimreview",
    ]


def test_every_surface_with_data_needs_a_key(private, client, keys):
    claim_id, conflict_id = private
    for url in _data_urls(claim_id, conflict_id):
        response = client.get(url)
        assert response.status_code == 401, url
        body = response.get_data(as_text=True)
        assert SECRET_TEXT not in body and "Hidden Speaker" not in body and "Rationale" not in body, url
        if not url.startswith(("/conflicts", "/topics")):
            assert_problem(response, 401)


def test_a_reader_key_reads_every_surface(private, client, keys):
    claim_id, conflict_id = private
    for url in _data_urls(claim_id, conflict_id):
        assert client.get(url, headers=keys["reader"]).status_code == 200, url


def test_a_private_server_still_serves_what_carries_no_data(private, client):
    """Stylesheets, the OpenAPI document and Swagger UI describe the service, not the ledger: they stay open."""
    for url in ("/embed/static/embed.css", "/assets/claimledger.css", "/api/v1/openapi.json", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET_TEXT.encode() not in response.get_data()
        response.close()
