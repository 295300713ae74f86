"""schema.org ClaimReview markup for reviewed claims, as Google's fact-check guidelines ask for it.

The rating scale, declared in every document with worstRating 1 and bestRating 5:
  5  supported, and every reviewer's current verdict agrees
  4  supported by the latest review, while some reviewers contest it
  2  contested by the latest review, while some reviewers support it
  1  contested, and every reviewer's current verdict agrees
The textual rating (alternateName) is the claim's status, the verdict of its most recent review, which is
what search engines show; the number adds how settled that verdict is among the desk's reviewers. 3 is
left unused on purpose: an unreviewed claim has no ClaimReview at all.
"""

from service.ledger import claims
from service.ledger.errors import NotFound
from service.storage.models import Review

WORST_RATING = 1
BEST_RATING = 5
WIKIDATA_ENTITY_URL = "https://www.wikidata.org/wiki/{}"


def rating_value(status, review_summary):
    """Return the 1-5 rating of a verdict, lower when reviewers are split against it."""
    supported, contested = review_summary["supported"], review_summary["contested"]
    if status == "supported":
        return BEST_RATING if contested == 0 else BEST_RATING - 1
    return WORST_RATING if supported == 0 else WORST_RATING + 1


def _speaker(speaker):
    kind = "Organization" if speaker.kind == "organization" else "Person"
    author = {"@type": kind, "name": speaker.name}
    if speaker.description:
        author["jobTitle" if kind == "Person" else "description"] = speaker.description
    if speaker.affiliation and kind == "Person":
        author["affiliation"] = {"@type": "Organization", "name": speaker.affiliation}
    if speaker.wikidata_id:
        author["sameAs"] = WIKIDATA_ENTITY_URL.format(speaker.wikidata_id)
    return author


def _creative_work(source):
    work = {"@type": "CreativeWork", "url": source.url}
    if source.title:
        work["headline"] = source.title
    work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.published_on:
        work["datePublished"] = source.published_on.isoformat()
    return work


def latest_review(claim_id):
    """Return the most recent review of a claim, or None."""
    return Review.select().where(Review.claim == claim_id).order_by(Review.id.desc()).first()


def claim_page_url(claim_id, base_url):
    """Return the address of a claim's page on this service: its embeddable card."""
    return f"{base_url.rstrip('/')}/embed/claims/{claim_id}"


def claim_review(claim_id, base_url, organization="claimledger", organization_url=None):
    """Return the ClaimReview JSON-LD of a reviewed claim; NotFound if it is unknown or unreviewed."""
    claim = claims.get_claim(claim_id)
    review = latest_review(claim.id)
    if review is None or claim.status not in ("supported", "contested"):
        raise NotFound(f"Claim {claim_id} has not been reviewed yet, so it has no ClaimReview.")
    verdict = claim.status.capitalize()
    author = {"@type": "Organization", "name": organization}
    if organization_url:
        author["url"] = organization_url
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": claim_page_url(claim.id, base_url),
        "claimReviewed": claim.text,
        "datePublished": review.created_at.date().isoformat(),
        "author": author,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating_value(claim.status, claim.review_summary),
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": verdict,
            "name": verdict,
            "ratingExplanation": review.rationale,
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": _speaker(claim.speaker),
            "datePublished": claim.claimed_on_text,
            "appearance": [_creative_work(source) for source in [claim.source, *claim.appearance_sources]],
            "firstAppearance": _creative_work(claim.source),
        },
    }
