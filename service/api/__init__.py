"""The HTTP API: one flask-smorest Blueprint per resource, all under /api/v1."""

from service.api import bulk
from service.api import claimreview
from service.api import claims
from service.api import conflicts
from service.api import events
from service.api import keys
from service.api import reviews
from service.api import sources
from service.api import speakers
from service.api import topics
from service.api import webhooks

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
]


def register(api):
    """Register every resource's blueprint on the Api."""
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix="/api/v1")
