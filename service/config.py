"""Settings, each read from its CLAIMLEDGER_* environment variable.

CLAIMLEDGER_DATABASE_URL        peewee database URL (default: sqlite:///claimledger.db in the working directory)
CLAIMLEDGER_SECRET_KEY          signs pagination cursors (default: a random key per process; set it when
                                running several workers so their cursors agree)
CLAIMLEDGER_PUBLIC_READS        "false" makes every read of the ledger (API, pages, embeds, oEmbed) need an API key
                                (default: true)
CLAIMLEDGER_MAX_BODY_BYTES      largest request body accepted (default: 10485760, 10 MiB)
CLAIMLEDGER_MAX_BATCH_BYTES     largest body of POST /claims/batch, up to 10,000 claims (default: 33554432, 32 MiB)
CLAIMLEDGER_PAGE_LIMIT_DEFAULT  page size when ?limit= is absent (default: 50)
CLAIMLEDGER_ORGANIZATION        the fact-checking organisation named as ClaimReview author (default: claimledger)
CLAIMLEDGER_ORGANIZATION_URL    that organisation's web address (default: none)
CLAIMLEDGER_PUBLIC_URL          the service's public base URL, used in links it publishes (default: the request's,
                                when its host is in CLAIMLEDGER_ALLOWED_HOSTS; any other host gets a 400 there)
CLAIMLEDGER_ALLOWED_HOSTS       space-separated host names taken from the Host header for those links when
                                CLAIMLEDGER_PUBLIC_URL is not set (default: localhost 127.0.0.1 ::1)
CLAIMLEDGER_EMBED_ORIGINS       CMS origins allowed to call the API by CORS; set, only they may frame embeds
CLAIMLEDGER_WEBHOOK_ALLOW_PRIVATE  "true" lets webhooks target loopback, private and metadata addresses (default: false)
CLAIMLEDGER_WEBHOOK_TIMEOUT_SECONDS  the time each webhook delivery attempt has in all (default: 10)
CLAIMLEDGER_WEBHOOK_RETRY_BASE_SECONDS  first retry delay; later ones are 6, 24, 120, 720 times it (default: 5)
CLAIMLEDGER_WEBHOOK_RETRY_MAX_SECONDS  longest delay between retries, used once the steps pass it (default: 21600)
CLAIMLEDGER_WEBHOOK_MAX_ATTEMPTS  attempts before a delivery is given up as failed (default: 30, about 3 days)
CLAIMLEDGER_IDEMPOTENCY_TTL_HOURS  how long Idempotency-Key answers are kept (default: 24)
CLAIMLEDGER_RATE_LIMIT_PER_MINUTE  writes allowed per key and per client address each minute; 0 disables (default: 120)

Read by `claimledger serve` (and so by the container's entrypoint) rather than by the app:
CLAIMLEDGER_HOST                address gunicorn binds (default: 127.0.0.1; 0.0.0.0 in the container)
CLAIMLEDGER_PORT                port gunicorn binds (default: 8000)
CLAIMLEDGER_WORKERS             gunicorn workers, about one per core (default: 2)
CLAIMLEDGER_THREADS             threads per gunicorn worker, each serving one request at a time (default: 8)
CLAIMLEDGER_SEED                "true" makes docker/entrypoint.sh load seeds/ before serving (default: false)
"""

import os
import secrets


def _flag(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def from_environment(environ=None):
    """Return the settings dict read from the environment."""
    env = os.environ if environ is None else environ
    return {
        "DATABASE_URL": env.get("CLAIMLEDGER_DATABASE_URL", "sqlite:///claimledger.db"),
        "SECRET_KEY": env.get("CLAIMLEDGER_SECRET_KEY") or secrets.token_hex(32),
        "PUBLIC_READS": _flag(env.get("CLAIMLEDGER_PUBLIC_READS", "true")),
        "MAX_CONTENT_LENGTH": int(env.get("CLAIMLEDGER_MAX_BODY_BYTES", 10 * 1024 * 1024)),
        "MAX_BATCH_BYTES": int(env.get("CLAIMLEDGER_MAX_BATCH_BYTES", 32 * 1024 * 1024)),
        "PAGE_LIMIT_DEFAULT": int(env.get("CLAIMLEDGER_PAGE_LIMIT_DEFAULT", 50)),
        "ORGANIZATION": env.get("CLAIMLEDGER_ORGANIZATION", "claimledger"),
        "ORGANIZATION_URL": env.get("CLAIMLEDGER_ORGANIZATION_URL"),
        "PUBLIC_URL": env.get("CLAIMLEDGER_PUBLIC_URL"),
        "ALLOWED_HOSTS": env.get("CLAIMLEDGER_ALLOWED_HOSTS", "localhost 127.0.0.1 ::1").lower().split(),
        "EMBED_ORIGINS": env.get("CLAIMLEDGER_EMBED_ORIGINS", "").split(),
        "WEBHOOK_ALLOW_PRIVATE": _flag(env.get("CLAIMLEDGER_WEBHOOK_ALLOW_PRIVATE", "false")),
        "WEBHOOK_TIMEOUT_SECONDS": float(env.get("CLAIMLEDGER_WEBHOOK_TIMEOUT_SECONDS", 10)),
        "WEBHOOK_RETRY_BASE_SECONDS": float(env.get("CLAIMLEDGER_WEBHOOK_RETRY_BASE_SECONDS", 5)),
        "WEBHOOK_RETRY_MAX_SECONDS": float(env.get("CLAIMLEDGER_WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600)),
        "WEBHOOK_MAX_ATTEMPTS": int(env.get("CLAIMLEDGER_WEBHOOK_MAX_ATTEMPTS", 30)),
        "IDEMPOTENCY_TTL_HOURS": int(env.get("CLAIMLEDGER_IDEMPOTENCY_TTL_HOURS", 24)),
        "RATE_LIMIT_PER_MINUTE": int(env.get("CLAIMLEDGER_RATE_LIMIT_PER_MINUTE", 120)),
    }
