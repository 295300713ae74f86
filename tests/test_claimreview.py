"""ClaimReview markup: the fields Google's fact-check markup requires and recommends, checked as JSON-LD."""

import pytest
from factories import make_claim
from factories import review_claim
from pyld import jsonld

from service.ledger import claimreview
from service.ledger import seeds
from service.ledger.errors import NotFound
from service.storage.models import Claim
from service.storage.models import Speaker

SCHEMA = "http://schema.org/"
# The JSON-LD check runs offline: pyld resolves "https://schema.org" to these lines of schema.org's own
# context (its @vocab is http://schema.org/, and url and sameAs are IRIs), instead of fetching it.
SCHEMA_ORG_CONTEXT = {"@vocab": SCHEMA, "url": {"@type": "@id"}, "sameAs": {"@type": "@id"}}


def _local_context(url, options):
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise AssertionError(f"the ClaimReview refers to a context other than schema.org: {url}")
    return {"contextUrl": None, "documentUrl": url, "document": {"@context": SCHEMA_ORG_CONTEXT}, "contentType": ""}


def _one(node, term):
    values = node.get(SCHEMA + term)
    assert values, f"{term} is missing"
    return values[0]


def _value(node, term):
    value = _one(node, term)
    assert "@value" in value, f"{term} is not a literal: {value}"
    return value["@value"]


def _iri(node, term):
    value = _one(node, term)
    assert "@id" in value, f"{term} is not a URL: {value}"
    return value["@id"]


def _typed(node, term, *types):
    value = _one(node, term)
    assert set(value.get("@type", [])) & {SCHEMA + kind for kind in types}, f"{term} is not a {types}: {value}"
    return value


def check_claim_review(document):
    """Expand the document as JSON-LD and check every required and recommended ClaimReview field."""
    [review] = jsonld.expand(document, {"documentLoader": _local_context})
    assert review["@type"] == [SCHEMA + "ClaimReview"]
    assert _value(review, "claimReviewed")
    assert _iri(review, "url").startswith("http")
    assert _value(review, "datePublished")
    author = _typed(review, "author", "Organization", "Person")
    assert _value(author, "name")
    rating = _typed(review, "reviewRating", "Rating")
    assert _value(rating, "alternateName") in ("Supported", "Contested")
    worst, best = _value(rating, "worstRating"), _value(rating, "bestRating")
    assert worst <= _value(rating, "ratingValue") <= best
    claim = _typed(review, "itemReviewed", "Claim")
    speaker = _typed(claim, "author", "Person", "Organization")
    assert _value(speaker, "name")
    assert _value(claim, "datePublished")
    appearances = claim[SCHEMA + "appearance"]
    assert appearances and all(_iri(work, "url") for work in appearances)
    assert _iri(_typed(claim, "firstAppearance", "CreativeWork"), "url")
    return review


def _seeded_prigozhin_claim():
    seeds.load_all()
    return Claim.select().join(Speaker).where(Speaker.wikidata_id == "Q4533711").order_by(Claim.id).first()


def test_claim_review_of_a_reviewed_seed_claim_passes_the_json_ld_check(app):
    claim = _seeded_prigozhin_claim()
    review = review_claim(claim.id, "contested", rationale="Border guards report no shortage.")

    document = claimreview.claim_review(
        claim.id, "https://ledger.example/", organization="Desk", organization_url="https://desk.example"
    )

    expanded = check_claim_review(document)
    assert _iri(_one(_one(expanded, "itemReviewed"), "author"), "sameAs") == "https://www.wikidata.org/wiki/Q4533711"
    source = {
        "@type": "CreativeWork",
        "url": "https://claimledger.example/seed/article-2023-04-07-bakhmut",
        "headline": "Bakhmut holds as Russia's ammunition claims and peace-talk positions diverge",
        "publisher": {"@type": "Organization", "name": "Unattributed wire report (seed article)"},
        "datePublished": "2023-04-07",
    }
    assert document == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://ledger.example/embed/claims/{claim.id}",
        "claimReviewed": claim.text,
        "datePublished": review.created_at.date().isoformat(),
        "author": {"@type": "Organization", "name": "Desk", "url": "https://desk.example"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "Contested",
            "name": "Contested",
            "ratingExplanation": "Border guards report no shortage.",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {
                "@type": "Person",
                "name": "Yevgeny Prigozhin",
                "jobTitle": "Leader of the Wagner private military company",
                "affiliation": {"@type": "Organization", "name": "Wagner Group"},
                "sameAs": "https://www.wikidata.org/wiki/Q4533711",
            },
            "datePublished": "2023-04-07",
            "appearance": [source],
            "firstAppearance": source,
        },
    }


def test_claim_review_endpoint_answers_json_ld(app, client):
    claim = _seeded_prigozhin_claim()
    review_claim(claim.id, "contested", reviewer="anna")

    response = client.get(f"/api/v1/claims/{claim.id}/claimreview")

    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    document = response.get_json(force=True)
    check_claim_review(document)
    assert document == claimreview.claim_review(claim.id, "http://localhost", organization="claimledger")
    assert (
        client.get(
            f"/api/v1/claims/{claim.id}/claimreview", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )
    review_claim(claim.id, "supported", reviewer="boris")
    assert (
        client.get(
            f"/api/v1/claims/{claim.id}/claimreview", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 200
    )


def test_organization_author_and_every_appearance_are_described(app):
    claim = make_claim(
        speaker={"name": "Ministry of Defence", "kind": "organization", "description": "A ministry"},
        appearances=[{"url": "https://tv.example/clip", "publisher": "TV"}],
    )
    review_claim(claim.id, "supported")

    document = claimreview.claim_review(claim.id, "http://ledger.example")

    check_claim_review(document)
    assert document["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Ministry of Defence",
        "description": "A ministry",
    }
    assert [work["url"] for work in document["itemReviewed"]["appearance"]] == [
        claim.source.url,
        "https://tv.example/clip",
    ]
    assert document["itemReviewed"]["firstAppearance"]["url"] == claim.source.url
    assert document["author"] == {"@type": "Organization", "name": "claimledger"}


@pytest.mark.parametrize(
    ("verdicts", "alternate_name", "rating_value"),
    [
        ([("anna", "supported")], "Supported", 5),
        ([("anna", "contested"), ("boris", "supported")], "Supported", 4),
        ([("anna", "supported"), ("boris", "contested")], "Contested", 2),
        ([("anna", "contested"), ("boris", "contested")], "Contested", 1),
        ([("anna", "supported"), ("anna", "contested")], "Contested", 1),
    ],
)
def test_rating_is_the_latest_verdict_lowered_when_reviewers_split(app, verdicts, alternate_name, rating_value):
    claim = make_claim()
    for reviewer, verdict in verdicts:
        review_claim(claim.id, verdict, reviewer=reviewer)

    rating = claimreview.claim_review(claim.id, "http://ledger.example")["reviewRating"]

    assert (rating["alternateName"], rating["ratingValue"]) == (alternate_name, rating_value)


def test_unreviewed_claim_has_no_claim_review(app, client):
    claim = make_claim()

    with pytest.raises(NotFound):
        claimreview.claim_review(claim.id, "http://ledger.example")
    response = client.get(f"/api/v1/claims/{claim.id}/claimreview")

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json() == {
        "type": "/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": f"Claim {claim.id} has not been reviewed yet, so it has no ClaimReview.",
    }


def test_unknown_claim_has_no_claim_review(app, client):
    response = client.get("/api/v1/claims/999/claimreview")

    assert response.status_code == 404
    assert response.get_json()["detail"] == "No claim with id 999."
