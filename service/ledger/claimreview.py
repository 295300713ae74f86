"""schema.org ClaimReview markup of published fact-checks, as Google's fact-check guidelines ask for it.

One ClaimReview per claim a published fact-check rates. url is the newsroom's article; author is the
fact-checking organisation; reviewRating is the fact-check's rating on the desk's scale: ratingValue is its
position, worstRating and bestRating the lowest and highest positions of the scale, alternateName its label in
the fact-check's language. A rating off the scale (Unproven) gives the label alone. Drafts have no markup.
"""

from service.ledger import claims
from service.ledger import fact_checks
from service.ledger import ratings
from service.ledger.errors import NotFound

WIKIDATA_ENTITY_URL = "https://www.wikidata.org/wiki/{}"
CONTEXT = "https://schema.org"


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


def _rating(fact_check, bounds):
    rating = fact_check.rating
    label = ratings.label(rating, fact_check.language)
    out = {"@type": "Rating"}
    worst, best = bounds
    if rating.position is not None and worst is not None and best > worst:
        out.update(ratingValue=rating.position, bestRating=best, worstRating=worst)
    out.update(alternateName=label, name=label, ratingExplanation=fact_check.explanation)
    return out


def claim_review(claim, fact_check, organization, organization_url, bounds=None):
    """Return the ClaimReview of one claim (with its details loaded) as a published fact-check rates it."""
    author = {"@type": "Organization", "name": organization}
    if organization_url:
        author["url"] = organization_url
    return {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": fact_check.article_url,
        "headline": fact_check.headline,
        "claimReviewed": claim.text,
        "datePublished": fact_check.published_at.date().isoformat(),
        "dateModified": fact_check.updated_at.isoformat(timespec="seconds") + "Z",
        "inLanguage": fact_check.language,
        "author": author,
        "reviewRating": _rating(fact_check, bounds or ratings.scale_bounds()),
        "itemReviewed": {
            "@type": "Claim",
            "author": _speaker(claim.speaker),
            "datePublished": claim.claimed_on_text,
            "appearance": [_creative_work(source) for source in [claim.source, *claim.appearance_sources]],
            "firstAppearance": _creative_work(claim.source),
        },
    }


def for_claim(claim_id, organization, organization_url=None):
    """Return the ClaimReview of a claim from its latest published fact-check; NotFound if it has none."""
    claim = claims.get_claim(claim_id)
    published = fact_checks.published_for_claims([claim.id]).get(claim.id)
    if not published:
        raise NotFound(f"Claim {claim_id} has no published fact-check, so it has no ClaimReview.")
    return claim_review(claim, published[0], organization, organization_url)


def for_fact_check(fact_check_id, organization, organization_url=None):
    """Return a published fact-check's markup: one ClaimReview per claim it rates, in an @graph."""
    fact_check = fact_checks.get_fact_check(fact_check_id, include_drafts=False)
    bounds = ratings.scale_bounds()
    reviewed = [claims.get_claim(claim_id) for claim_id in fact_checks.claim_ids(fact_check)]
    graph = []
    for claim in reviewed:
        review = claim_review(claim, fact_check, organization, organization_url, bounds)
        del review["@context"]
        graph.append(review)
    return {"@context": CONTEXT, "@graph": graph}
