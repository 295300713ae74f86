"""GET /v1alpha1/claims:search: Google Fact Check Tools' claims:search, over published fact-checks only."""

import datetime

import pytest
from factories import make_claim
from factories import publish_fact_check

from service.ledger import fact_checks
from service.ledger import ratings
from service.storage.models import FactCheck
from service.storage.models import utcnow

SEARCH = "/v1alpha1/claims:search"


@pytest.fixture
def published(app):
    """Three claims about shells rated in published fact-checks, one about grain in a draft."""
    shells = make_claim(text="Wagner fighters have run out of artillery shells", speaker={"name": "Yevgeny Prigozhin"})
    more = make_claim(text="Shells reach Bakhmut every night", claimed_on="2023-04-09", speaker={"name": "Levko Stek"})
    ukrainian = make_claim(text="Artillery shells ran short at Bakhmut", language="uk")
    grain = make_claim(text="Grain shipments stopped entirely")
    publish_fact_check([shells], rating="mostly-false", article_url="https://www.paper.example/fc/shells")
    publish_fact_check([more], rating="true", article_url="https://other.example/fc/nightly")
    publish_fact_check([ukrainian], rating="false", article_url="https://paper.example/uk/fc/1", language="uk")
    ratings.ensure_default_scale()
    fact_checks.create_fact_check(
        {
            "headline": "Draft about grain and shells",
            "article_url": "https://paper.example/fc/draft",
            "rating": "false",
            "explanation": "Not yet.",
            "claim_ids": [grain.id],
        },
        "reviewer",
    )
    return {"shells": shells, "more": more, "ukrainian": ukrainian, "grain": grain}


def test_a_request_shaped_as_in_googles_documentation_gets_googles_response_shape(client, published):
    response = client.get(f"{SEARCH}?query=Wagner%20shells&languageCode=en-US&pageSize=10")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    fact_check = FactCheck.get(FactCheck.article_url == "https://www.paper.example/fc/shells")
    assert response.get_json() == {
        "claims": [
            {
                "text": "Wagner fighters have run out of artillery shells",
                "claimant": "Yevgeny Prigozhin",
                "claimDate": "2023-04-07T00:00:00Z",
                "claimReview": [
                    {
                        "publisher": {"name": "claimledger", "site": "paper.example"},
                        "url": "https://www.paper.example/fc/shells",
                        "title": fact_check.headline,
                        "reviewDate": fact_check.published_at.replace(microsecond=0).isoformat() + "Z",
                        "textualRating": "Mostly false",
                        "languageCode": "en",
                    }
                ],
            }
        ]
    }


def test_only_published_fact_checks_are_found(client, published):
    found = client.get(f"{SEARCH}?query=grain").get_json()

    assert found == {}, "a draft's claim is not found"


def test_language_site_and_age_filters(client, published):
    def texts(query):
        return [claim["text"] for claim in client.get(f"{SEARCH}?{query}").get_json().get("claims", [])]

    assert texts("query=shells&languageCode=uk") == ["Artillery shells ran short at Bakhmut"]
    assert sorted(texts("reviewPublisherSiteFilter=paper.example")) == [
        "Artillery shells ran short at Bakhmut",
        "Wagner fighters have run out of artillery shells",
    ]
    assert texts("reviewPublisherSiteFilter=other.example&query=shells") == ["Shells reach Bakhmut every night"]
    assert len(texts("query=shells&maxAgeDays=30")) == 3, "claims from 2023, reviewed today"
    long_ago = utcnow() - datetime.timedelta(days=400)
    FactCheck.update(published_at=long_ago).where(FactCheck.article_url.contains("other.example")).execute()
    assert "Shells reach Bakhmut every night" not in texts("query=shells&maxAgeDays=30")


@pytest.mark.parametrize("query", ["query=shells", "reviewPublisherSiteFilter=paper.example"])
def test_pages_follow_next_page_token_without_gaps_or_repeats(client, published, query):
    extra = [make_claim(text=f"Shells story number {n}", speaker={"name": "Levko Stek"}) for n in range(4)]
    for claim in extra:
        publish_fact_check([claim], article_url=f"https://paper.example/fc/extra-{claim.id}")
    expected = client.get(f"{SEARCH}?{query}&pageSize=50").get_json()["claims"]

    seen, token = [], None
    while True:
        url = f"{SEARCH}?{query}&pageSize=2" + (f"&pageToken={token}" if token else "")
        page = client.get(url).get_json()
        assert len(page["claims"]) <= 2
        seen += page["claims"]
        token = page.get("nextPageToken")
        if token is None:
            break

    assert seen == expected
    assert len(seen) == (7 if query == "query=shells" else 6)


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("languageCode=en", 422, "query"),
        ("query=shells&pageSize=0", 422, "pageSize"),
        ("query=shells&pageSize=201", 422, "pageSize"),
        ("query=shells&maxAgeDays=-1", 422, "maxAgeDays"),
        ("query=shells&languageCode=english%20please", 422, "languageCode"),
        ("query=shells&offset=10", 422, "offset"),
        ("query=shells&pageToken=forged", 400, None),
    ],
)
def test_bad_requests_are_problems_naming_the_parameter(client, published, query, status, field):
    response = client.get(f"{SEARCH}?{query}")

    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    if field:
        assert field in response.get_json()["errors"], response.get_json()


def test_a_google_api_key_parameter_is_accepted_and_private_reads_need_ours(app, client, keys, published):
    assert client.get(f"{SEARCH}?query=shells&key=AIzaSyExample").status_code == 200

    app.config["PUBLIC_READS"] = False

    assert client.get(f"{SEARCH}?query=shells").status_code == 401
    assert client.get(f"{SEARCH}?query=shells", headers=keys["reader"]).status_code == 200
