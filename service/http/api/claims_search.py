"""Google Fact Check Tools API, spoken natively: GET /v1alpha1/claims:search at the service's root."""

from flask import current_app
from flask import jsonify

from service.http import guard
from service.http.api.common import Blueprint
from service.http.api.common import cursor_secret
from service.ledger import factcheck_search
from service.schemas.publishing import ClaimsSearchArgs
from service.schemas.publishing import ClaimsSearchOut

blp = Blueprint(
    "claims_search",
    __name__,
    description="Google Fact Check Tools' claims:search over published fact-checks: point Google's clients here.",
)


@blp.route("/v1alpha1/claims:search")
@blp.arguments(ClaimsSearchArgs, location="query")
@blp.response(200, ClaimsSearchOut)
def search_claims(args):
    """Search published fact-checks as Google's claims:search does, with its parameters and response."""
    guard.check_read_access()
    return jsonify(factcheck_search.search_claims(args, current_app.config["ORGANIZATION"], cursor_secret()))
