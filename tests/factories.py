"""Plain factories for test data, through the domain functions."""

import itertools

from service.ledger import claims
from service.ledger import conflicts
from service.ledger import reviews
from service.ledger import topics
from service.storage.models import Conflict

_counter = itertools.count(1)


def claim_data(**overrides):
    """Return a valid claim body, as the API and create_claim take it."""
    n = next(_counter)
    data = {
        "text": f"Claim number {n} about artillery shells",
        "speaker": {"name": "Test Speaker"},
        "source": {"url": f"https://news.example/story-{n}", "publisher": "Example News"},
        "claimed_on": "2023-04-07",
        "topics": [],
    }
    data.update(overrides)
    return data


def make_claim(actor="test", **overrides):
    """Create and return a claim, parsed as the API would parse it."""
    from service.schemas.claims import ClaimInput

    return claims.create_claim(ClaimInput().load(claim_data(**overrides)), actor)


def make_topic(slug="ammunition", title="Is there an ammunition shortage?", actor="test"):
    """Create and return a topic."""
    return topics.create_topic({"slug": slug, "title": title}, actor)


def review_claim(claim_id, verdict, reviewer="reviewer", rationale="Checked against the cited sources."):
    """Record a review through the reviews domain."""
    return reviews.review_claim(claim_id, verdict, rationale, [], reviewer)


def link_conflict(first, second, topic=None, note="Opposite accounts.", actor="reviewer"):
    """Link two claims as a reviewer-stated conflict through the conflicts domain."""
    conflict = conflicts.link_claims(first.id, second.id, note, actor)
    if topic is not None:
        Conflict.update(topic=topic, topic_key=topic.id).where(Conflict.id == conflict["id"]).execute()
    return Conflict.get_by_id(conflict["id"])


def publish_fact_check(
    claims,
    rating="false",
    article_url=None,
    headline=None,
    language="en",
    explanation="Checked against the front-line reports.",
    actor="editor",
):
    """Write a fact-check of the claims as a draft and publish it, through the fact-checks domain."""
    from service.ledger import fact_checks
    from service.ledger import ratings

    ratings.ensure_default_scale()
    n = next(_counter)
    draft = fact_checks.create_fact_check(
        {
            "headline": headline or f"Fact-check number {n}",
            "article_url": article_url or f"https://www.paper.example/fact-checks/{n}",
            "authors": ["Olena Checker"],
            "rating": rating,
            "explanation": explanation,
            "language": language,
            "claim_ids": [claim.id for claim in claims],
        },
        "reviewer",
    )
    return fact_checks.publish(draft.id, draft.version, actor)
