"""The claimledger command: serve, migrate, seed, keys, worker."""

import os
import secrets
import sys

import click

from service import db
from service.config import from_environment


def _bind():
    db.bind(from_environment()["DATABASE_URL"])


def _describe(problem):
    """Return a service error as one line for the terminal."""
    reasons = [f"{field}: {' '.join(messages)}" for field, messages in (problem.errors or {}).items()]
    return "; ".join(reasons) or problem.detail


@click.group()
def main():
    """Run and manage a claimledger service (settings come from CLAIMLEDGER_* variables)."""


@main.command()
def migrate():
    """Apply pending schema migrations."""
    from service.migrate import migrate as apply

    _bind()
    applied = apply()
    click.echo("\n".join(f"applied {name}" for name in applied) or "schema is up to date")


@main.command()
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False))
def seed(directory):
    """Load the seed ledger (seeds/*.json); loading twice changes nothing."""
    from service import seeds

    _bind()
    directory = directory or seeds.SEEDS
    try:
        totals = seeds.load_all(directory)
    except seeds.SeedError as error:
        raise click.ClickException(str(error)) from error
    if not totals:
        raise click.ClickException(f"no seed files (*.json) in {directory}")
    click.echo("created " + ", ".join(f"{n} {kind}" for kind, n in totals.items()))


@main.command()
@click.option("--host", envvar="CLAIMLEDGER_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="CLAIMLEDGER_PORT", default=8000, show_default=True)
@click.option(
    "--workers", envvar="CLAIMLEDGER_WORKERS", default=2, show_default=True, help="gunicorn sync workers, ~1 per core"
)
def serve(host, port, workers):
    """Serve the API with gunicorn (options also from CLAIMLEDGER_HOST, _PORT, _WORKERS)."""
    # Workers must share the cursor-signing key, or a cursor from one fails on another; an empty
    # variable (as compose passes an unset one) would give each worker a random key of its own.
    if not os.environ.get("CLAIMLEDGER_SECRET_KEY"):
        os.environ["CLAIMLEDGER_SECRET_KEY"] = secrets.token_hex(32)
    config = os.path.join(os.path.dirname(__file__), "gunicorn_conf.py")
    args = [
        "gunicorn",
        "--config",
        config,
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "service:create_app()",
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *args])


@main.group()
def keys():
    """Create, list and revoke API keys."""


@keys.command("create")
@click.option("--name", required=True, help="who or what uses the key; recorded as the actor of its writes")
@click.option("--role", required=True, type=click.Choice(["reader", "reviewer", "admin"]))
def keys_create(name, role):
    """Create a key and print it once, alone on its line."""
    from service import auth
    from service.errors import Problem

    _bind()
    try:
        _, secret = auth.create_key(name, role)
    except Problem as error:
        raise click.ClickException(_describe(error)) from error
    click.echo(secret)


@keys.command("list")
def keys_list():
    """List keys (never their secrets)."""
    from service import auth

    _bind()
    for key in auth.list_keys():
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        click.echo(f"{key.id}\t{key.name}\t{key.role}\t{key.prefix}\t{state}")


@keys.command("revoke")
@click.argument("key_id", type=int)
def keys_revoke(key_id):
    """Revoke a key by its id."""
    from service import auth
    from service.errors import NotFound

    _bind()
    try:
        key = auth.revoke_key(key_id)
    except NotFound as error:
        raise click.ClickException(_describe(error)) from error
    click.echo(f"revoked {key.id} {key.name}")


@main.command()
@click.option("--once", is_flag=True, help="send what is due now, then exit (for cron and tests)")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 32), help="sending threads")
@click.option("--batch", default=20, show_default=True, type=click.IntRange(1, 500), help="deliveries claimed at once")
@click.option(
    "--poll-seconds",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.01, 60),
    help="pause between looks for due deliveries when none were due",
)
def worker(once, concurrency, batch, poll_seconds):
    """Send webhook deliveries from the outbox until SIGTERM or SIGINT, logging one line per attempt."""
    import logging

    from service import worker as delivery_worker
    from service.delivery import Options

    settings = from_environment()
    db.bind(settings["DATABASE_URL"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(threadName)s %(message)s")
    delivery_worker.run(Options.from_settings(settings), once, concurrency, batch, poll_seconds)
