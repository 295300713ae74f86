"""ClaimReview markup of published fact-checks: every field Google requires and recommends, expanded as JSON-LD."""

import json
from pathlib import Path

import pytest
from factories import make_claim
from factories import publish_fact_check
from pyld import jsonld
from seeded import load_seeds

from service.ledger import claimreview
from service.ledger import fact_checks
from service.ledger import ratings
from service.ledger.errors import NotFound
from service.storage.models import Claim
from service.storage.models import Speaker

SCHEMA = "https://schema.org/"
# The bundled context maps each term the markup uses to https://schema.org/, with no @vocab: a term the markup
# uses that the context does not know is dropped by expansion, which the check below notices.
CONTEXT = json.loads((Path(__file__).parent / "data" / "schema_org_context.jsonld").read_text(encoding="utf-8"))
TERMS = set(CONTEXT["@context"]) - {"@version", "schema"}


def offline_loader(url, options=None):
    """Serve schema.org's context from tests/data instead of the network; refuse every other URL."""
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise AssertionError(f"the markup refers to a context other than schema.org: {url}")
    return {"contextUrl": None, "documentUrl": url, "document": CONTEXT, "contentType": "application/ld+json"}


def _terms(node):
    """Yield every property name used anywhere in a JSON-LD document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("@"):
                yield key
            yield from _terms(value)
    elif isinstance(node, list):
        for item in node:
            yield from _terms(item)


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


def check_google_fields(document):
    """Expand the markup with PyLD, offline, and check each ClaimReview for Google's required and recommended
    properties; return the expanded ClaimReviews."""
    assert set(_terms(document)) <= TERMS, f"terms the schema.org context lacks: {set(_terms(document)) - TERMS}"
    expanded = jsonld.expand(document, {"documentLoader": offline_loader})
    assert expanded, "nothing expanded"
    for review in expanded:
        assert review["@type"] == [SCHEMA + "ClaimReview"]
        # Required by Google.
        assert _value(review, "claimReviewed")
        assert _iri(review, "url").startswith(("https://", "http://"))
        rating = _typed(review, "reviewRating", "Rating")
        assert _value(rating, "alternateName")
        # Recommended by Google, and asked for by the desk.
        worst, best = _value(rating, "worstRating"), _value(rating, "bestRating")
        assert 1 <= worst < best
        assert worst <= _value(rating, "ratingValue") <= best
        author = _typed(review, "author", "Organization")
        assert _value(author, "name") and _iri(author, "url")
        assert _value(review, "datePublished") <= _value(review, "dateModified")[:10]
        assert _value(review, "inLanguage")
        claim = _typed(review, "itemReviewed", "Claim")
        assert _value(_typed(claim, "author", "Person", "Organization"), "name")
        assert _value(claim, "datePublished")
        appearances = claim[SCHEMA + "appearance"]
        assert appearances and all(_iri(work, "url") for work in appearances)
        assert _iri(_typed(claim, "firstAppearance", "CreativeWork"), "url")
    return expanded


def _seeded_prigozhin_claim():
    load_seeds()
    return Claim.select().join(Speaker).where(Speaker.wikidata_id == "Q4533711").order_by(Claim.id).first()


def test_a_published_fact_check_of_the_seeded_prigozhin_claim_passes_googles_fields_and_expands(app):
    claim = _seeded_prigozhin_claim()
    fact_check = publish_fact_check(
        [claim], rating="mostly-false", article_url="https://paper.example/fc/wagner-shells", headline="Wagner shells"
    )

    document = claimreview.for_claim(claim.id, "Desk", "https://desk.example")

    [expanded] = check_google_fields(document)
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
        "url": "https://paper.example/fc/wagner-shells",
        "headline": "Wagner shells",
        "claimReviewed": claim.text,
        "datePublished": fact_check.published_at.date().isoformat(),
        "dateModified": fact_check.updated_at.isoformat(timespec="seconds") + "Z",
        "inLanguage": "en",
        "author": {"@type": "Organization", "name": "Desk", "url": "https://desk.example"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 2,
            "bestRating": 6,
            "worstRating": 1,
            "alternateName": "Mostly false",
            "name": "Mostly false",
            "ratingExplanation": "Checked against the front-line reports.",
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


def test_a_fact_check_of_two_claims_is_one_claim_review_per_claim_in_a_graph(app, client):
    first = make_claim(
        speaker={"name": "Ministry of Defence", "kind": "organization", "description": "A ministry"},
        appearances=[{"url": "https://tv.example/clip", "publisher": "TV"}],
    )
    second = make_claim(text="Shells arrive daily", speaker={"name": "Levko Stek"})
    fact_check = publish_fact_check([first, second], rating="false", language="uk")

    response = client.get(f"/api/v1/fact-checks/{fact_check.id}/claimreview")

    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    document = response.get_json(force=True)
    assert [review["claimReviewed"] for review in document["@graph"]] == [first.text, second.text]
    expanded = check_google_fields(document)
    assert len(expanded) == 2
    first_review = document["@graph"][0]
    assert first_review["reviewRating"]["alternateName"] == "Неправда"
    assert first_review["inLanguage"] == "uk"
    assert first_review["author"] == {"@type": "Organization", "name": "claimledger", "url": "http://localhost"}
    assert first_review["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Ministry of Defence",
        "description": "A ministry",
    }
    assert [work["url"] for work in first_review["itemReviewed"]["appearance"]] == [
        first.source.url,
        "https://tv.example/clip",
    ]


def test_the_claim_endpoint_answers_json_ld_with_an_etag_that_follows_corrections(app, client):
    claim = _seeded_prigozhin_claim()
    fact_check = publish_fact_check([claim], rating="mostly-false")

    response = client.get(f"/api/v1/claims/{claim.id}/claimreview")

    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    document = response.get_json(force=True)
    check_google_fields(document)
    assert document == claimreview.for_claim(claim.id, "claimledger", "http://localhost")
    etag = {"If-None-Match": response.headers["ETag"]}
    assert client.get(f"/api/v1/claims/{claim.id}/claimreview", headers=etag).status_code == 304
    fact_checks.correct(fact_check.id, {"rating": "false", "note": "Rated too kindly."}, None, "editor")
    again = client.get(f"/api/v1/claims/{claim.id}/claimreview", headers=etag)
    assert again.status_code == 200
    assert again.get_json(force=True)["reviewRating"]["alternateName"] == "False"


def test_a_rating_off_the_scale_gives_its_label_alone(app):
    claim = make_claim()
    publish_fact_check([claim], rating="unproven")

    rating = claimreview.for_claim(claim.id, "Desk", "https://desk.example")["reviewRating"]

    assert rating == {
        "@type": "Rating",
        "alternateName": "Unproven",
        "name": "Unproven",
        "ratingExplanation": "Checked against the front-line reports.",
    }


def test_drafts_reviews_and_unknown_claims_have_no_claim_review(app, client, keys):
    ratings.ensure_default_scale()
    claim = make_claim()
    draft = fact_checks.create_fact_check(
        {
            "headline": "Draft",
            "article_url": "https://paper.example/draft",
            "rating": "false",
            "explanation": "Not yet.",
            "claim_ids": [claim.id],
        },
        "reviewer",
    )

    with pytest.raises(NotFound):
        claimreview.for_claim(claim.id, "Desk")
    response = client.get(f"/api/v1/claims/{claim.id}/claimreview")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json() == {
        "type": "/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": f"Claim {claim.id} has no published fact-check, so it has no ClaimReview.",
    }
    assert client.get(f"/api/v1/fact-checks/{draft.id}/claimreview", headers=keys["admin"]).status_code == 404
    assert client.get("/api/v1/claims/999/claimreview").get_json()["detail"] == "No claim with id 999."
