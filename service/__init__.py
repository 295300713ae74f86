"""claimledger: a claim-tracking and fact-check ledger for newsrooms."""


def create_app(config=None):
    """Build the Flask app from the environment, overridden by config."""
    from service.http.app import build

    return build(config)
