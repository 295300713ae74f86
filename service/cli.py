"""The claimledger command: serve, migrate, seed, keys, worker, embed, import, export."""

import itertools
import os
import secrets
import sys

import click

from service.config import from_environment
from service.storage import db
from service.storage import models


def _bind():
    db.bind(from_environment()["DATABASE_URL"])


def _describe(problem):
    """Return a service error as one line for the terminal."""
    reasons = [f"{field}: {' '.join(messages)}" for field, messages in (problem.errors or {}).items()]
    return "; ".join(reasons) or problem.detail


class _Commands(click.Group):
    """The command group, telling plainly when the database has not been migrated instead of a traceback."""

    def invoke(self, ctx):
        import peewee

        try:
            return super().invoke(ctx)
        except peewee.DatabaseError as error:
            if not db.lacks_schema(error):
                raise
            raise click.ClickException(
                "the database has no tables (or lacks this release's): run `claimledger migrate` first"
            ) from error


@click.group(cls=_Commands)
def main():
    """Run and manage a claimledger service (settings come from CLAIMLEDGER_* variables)."""


@main.command()
def migrate():
    """Apply pending schema migrations."""
    from service.storage.migrate import migrate as apply

    _bind()
    applied = apply()
    click.echo("\n".join(f"applied {name}" for name in applied) or "schema is up to date")


@main.command()
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False))
def seed(directory):
    """Load the seed ledger (seeds/*.json); loading twice changes nothing."""
    from service.ledger import seeds

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
    "--workers", envvar="CLAIMLEDGER_WORKERS", default=2, show_default=True, help="gunicorn workers, ~1 per core"
)
def serve(host, port, workers):
    """Serve the API with gunicorn, and the background embedder beside it unless CLAIMLEDGER_EMBEDDER=0."""
    # Workers must share the cursor-signing key, or a cursor from one fails on another; an empty
    # variable (as compose passes an unset one) would give each worker a random key of its own.
    if not os.environ.get("CLAIMLEDGER_SECRET_KEY"):
        os.environ["CLAIMLEDGER_SECRET_KEY"] = secrets.token_hex(32)
    config = os.path.join(os.path.dirname(__file__), "http", "gunicorn_conf.py")
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
@click.option("--role", required=True, type=click.Choice(models.ROLES))
def keys_create(name, role):
    """Create a key and print it once, alone on its line."""
    from service.ledger import keys
    from service.ledger.errors import Problem

    _bind()
    try:
        _, secret = keys.create_key(name, role)
    except Problem as error:
        raise click.ClickException(_describe(error)) from error
    click.echo(secret)


@keys.command("list")
def keys_list():
    """List keys (never their secrets)."""
    from service.ledger import keys

    _bind()
    for key in keys.list_keys():
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        click.echo(f"{key.id}\t{key.name}\t{key.role}\t{key.prefix}\t{state}")


@keys.command("revoke")
@click.argument("key_id", type=int)
def keys_revoke(key_id):
    """Revoke a key by its id."""
    from service.ledger import keys
    from service.ledger.errors import NotFound

    _bind()
    try:
        key = keys.revoke_key(key_id)
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

    from service.delivery import worker as delivery_worker
    from service.delivery.sender import Options

    settings = from_environment()
    db.bind(settings["DATABASE_URL"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(threadName)s %(message)s")
    delivery_worker.run(Options.from_settings(settings), once, concurrency, batch, poll_seconds)


@main.command()
@click.option("--follow", is_flag=True, help="keep running: embed claims as they are created or edited")
@click.option("--poll-seconds", default=1.0, show_default=True, type=click.FloatRange(0.05, 60))
@click.option("--with-parent", is_flag=True, hidden=True, help="stop when the process that started this one ends")
def embed(follow, poll_seconds, with_parent):
    """Give every claim its sentence vector (and suggest conflicts found by meaning); --follow keeps at it."""
    import logging
    import signal
    import threading

    from service.ledger import embedder

    _bind()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not follow:
        click.echo(f"encoded {embedder.catch_up()} claims")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    if with_parent:
        # Started by `serve`: a server killed outright (SIGKILL) cannot stop it, so it watches for itself.
        parent = os.getppid()

        def watch():
            while not stop.wait(poll_seconds):
                if os.getppid() != parent:
                    stop.set()

        threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    embedder.follow(stop, poll_seconds)


def _open_items(stream):
    """Return (items, how many) for an NDJSON or JSON-array byte stream; items are (label, raw item) pairs.

    Labels name lines or array positions. NDJSON streams in constant memory (its count, for the progress
    bar, is its line count when the file can be read twice); a JSON array has to be read whole.
    """
    from service.ledger import bulk

    lines = None
    if stream.seekable():
        lines = sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))
        stream.seek(0)
    head = []
    for line in stream:
        head.append(line)
        if line.strip():
            break
    if not b"".join(head).lstrip().startswith(b"["):
        numbered = bulk.iter_ndjson(itertools.chain(head, stream))
        return ((f"line {number}", item) for number, item in numbered), lines
    document = bulk.parse_body(b"".join(head) + stream.read(), ndjson=False)
    if not isinstance(document, list):
        raise click.ClickException("The file holds neither a JSON array nor NDJSON.")
    return ((f"item {index}", item) for index, item in enumerate(document)), len(document)


@main.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--actor", default="cli", show_default=True, help="recorded as the actor of every event")
@click.option("--chunk-size", default=10_000, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--skip", default=0, type=click.IntRange(0), help="claims to pass over first, to resume a failed run")
def import_claims(file, actor, chunk_size, skip):
    """Import claims from NDJSON or a JSON array (FILE, or - for stdin); each chunk is stored all or nothing.

    On a bad chunk nothing of it is stored, the errors name its lines, and the claims of earlier chunks
    stay: fix the file and run again with --skip set to the count imported.
    """
    from peewee import chunked
    from tqdm import tqdm

    from service.ledger import bulk
    from service.ledger.errors import Problem

    _bind()
    imported = 0
    try:
        items, total = _open_items(file)
        with tqdm(total=total, initial=skip, unit=" claims", file=sys.stderr, disable=None, delay=1) as progress:
            for chunk in chunked(itertools.islice(items, skip, None), chunk_size):
                labels = [label for label, _ in chunk]
                try:
                    loaded = bulk.validate_batch([item for _, item in chunk])
                    imported += len(bulk.import_claims(loaded, actor))
                except Problem as error:
                    raise _import_failure(error, labels, imported, skip) from None
                progress.update(len(chunk))
    except Problem as error:
        # A line that is not JSON: the chunks before it are stored.
        raise click.ClickException(f"{error.detail} {_resume_hint(imported, skip)}") from None
    click.echo(f"imported {imported} claims")


def _resume_hint(imported, skip):
    return f"{imported} claims were imported before it; fix the file and resume with --skip {skip + imported}."


def _import_failure(problem, labels, imported, skip):
    lines = [f"{problem.detail} Nothing of this chunk was stored."]
    for key, messages in (problem.errors or {}).items():
        index, _, field = key.partition(".")
        where = labels[int(index)] if index.isdigit() else key
        lines.append(f"  {where}: {field or 'item'}: {' '.join(messages)}")
    lines.append(_resume_hint(imported, skip))
    return click.ClickException("\n".join(lines))


@main.command("export")
@click.option(
    "--format", "export_format", type=click.Choice(models.EXPORT_FORMATS), default="ndjson", show_default=True
)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8", lazy=True), default="-", help="default: stdout")
@click.option("--speaker", help="speaker id or name")
@click.option("--source", help="source id or URL")
@click.option("--topic", help="topic slug")
@click.option("--stance", type=click.Choice(models.STANCES))
@click.option("--status", type=click.Choice(models.CLAIM_STATUSES))
@click.option("--reviewer")
@click.option("--language")
@click.option("--claimed-from", help="YYYY-MM-DD or an ISO 8601 date-time")
@click.option("--claimed-to", help="YYYY-MM-DD or an ISO 8601 date-time")
@click.option("--q", help="full-text search over text and quote")
def export_claims(export_format, output, **options):
    """Write every claim matching the filters, newest first, as NDJSON (as the API shows claims) or CSV."""
    from marshmallow import ValidationError
    from tqdm import tqdm

    from service.ledger import export
    from service.ledger.errors import Problem
    from service.schemas.bulk import ExportQuery

    _bind()
    try:
        filters = ExportQuery().load({name: value for name, value in options.items() if value is not None})
        filters.pop("format")
        chunks = export.export_chunks(filters, export_format)
    except ValidationError as error:
        raise click.ClickException(f"Bad filters: {error.messages}") from None
    except Problem as error:
        raise click.ClickException(error.detail) from None
    with tqdm(unit=" claims", file=sys.stderr, disable=None, delay=1) as progress:
        for count, text in chunks:
            output.write(text)
            progress.update(count)


if __name__ == "__main__":
    main()
