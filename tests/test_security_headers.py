"""Every HTML page the service sends carries the security headers; only the configured CMS origins may frame it."""

import pytest
from factories import make_claim
from factories import make_topic
from factories import publish_fact_check
from factories import review_claim

from service.ledger import conflicts
from service.storage.models import Conflict

PAGES = {
    "topic page": lambda ids: f"/topics/{ids['topic']}",
    "conflict page": lambda ids: f"/conflicts/{ids['conflict']}",
    "claim embed": lambda ids: f"/embed/claims/{ids['claim']}",
    "conflict embed": lambda ids: f"/embed/conflicts/{ids['conflict']}",
    "API docs": lambda ids: "/api/v1/docs",
    "missing topic page": lambda ids: "/topics/nothing-here",
    "missing conflict page": lambda ids: "/conflicts/999",
}
ORIGINS = {"no embed origins": [], "two embed origins": ["https://cms.example", "https://www.paper.example"]}
SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


@pytest.fixture
def ids(app):
    topic = make_topic()
    left = make_claim(topics=[{"slug": topic.slug, "stance": "affirms"}])
    right = make_claim(topics=[{"slug": topic.slug, "stance": "denies"}])
    review_claim(left.id, "supported")
    publish_fact_check([left])
    conflict = Conflict.get((Conflict.left_claim == left.id) & (Conflict.right_claim == right.id))
    conflicts.confirm(conflict.id, "reviewer")
    return {"topic": topic.slug, "claim": left.id, "conflict": conflict.id}


def _directives(policy):
    """Return a Content-Security-Policy as {directive: [sources]}."""
    directives = {}
    for directive in policy.split(";"):
        if directive.strip():
            name, *sources = directive.split()
            directives[name] = sources
    return directives


@pytest.mark.parametrize("origins", ORIGINS, ids=list(ORIGINS))
@pytest.mark.parametrize("page", PAGES, ids=list(PAGES))
def test_html_pages_send_the_security_headers(app, client, ids, page, origins):
    app.config["EMBED_ORIGINS"] = ORIGINS[origins]

    response = client.get(PAGES[page](ids))

    assert response.status_code in (200, 404)
    assert response.mimetype == "text/html"
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    embed = page.endswith("embed")
    # Embeds are public and read-only: any site frames them unless origins are listed; other pages nobody.
    assert policy["frame-ancestors"] == (ORIGINS[origins] or (["*"] if embed else ["'none'"]))
    if embed:
        assert policy["script-src"] == ["'self'"]
        del policy["frame-ancestors"]
    assert policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in policy.get("script-src", []) and "'unsafe-eval'" not in policy.get("script-src", [])
    assert not any("*" in source or source in ("http:", "https:") for sources in policy.values() for source in sources)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in SAFE_REFERRER_POLICIES
    # X-Frame-Options cannot name origins: sent, it must forbid framing, and only when nobody may frame.
    framed_by_none = not ORIGINS[origins] and not embed
    assert response.headers.get("X-Frame-Options") in ((None, "DENY") if framed_by_none else (None,))
