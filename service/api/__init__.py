"""The HTTP API: one flask-smorest Blueprint per resource, all under /api/v1."""

from service.api import bulk
from service.api import claims
from service.api import sources
from service.api import speakers
from service.api import topics

BLUEPRINTS = [claims.blp, speakers.blp, sources.blp, topics.blp, bulk.blp]


def register(api):
    """Register every resource's blueprint on the Api."""
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix="/api/v1")
