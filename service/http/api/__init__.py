"""The HTTP API: one flask-smorest Blueprint per resource, all under /api/v1."""

from service.http.api import articles
from service.http.api import bulk
from service.http.api import claimreview
from service.http.api import claims
from service.http.api import claims_search
from service.http.api import conflicts
from service.http.api import events
from service.http.api import fact_checks
from service.http.api import keys
from service.http.api import ratings
from service.http.api import reviews
from service.http.api import sources
from service.http.api import speakers
from service.http.api import topics
from service.http.api import webhooks

BLUEPRINTS = [
    claims.blp,
    speakers.blp,
    sources.blp,
    topics.blp,
    reviews.blp,
    events.blp,
    keys.blp,
    conflicts.blp,
    webhooks.blp,
    claimreview.blp,
    bulk.blp,
    ratings.blp,
    fact_checks.blp,
    articles.blp,
]


# At the service's root, where Google's clients expect them: only the base URL changes.
ROOT_BLUEPRINTS = [claims_search.blp]


def register(api):
    """Register every resource's blueprint on the Api."""
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix="/api/v1")
    for blueprint in ROOT_BLUEPRINTS:
        api.register_blueprint(blueprint)
