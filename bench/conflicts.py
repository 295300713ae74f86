"""Measure what conflicts cost as a topic grows: python bench/conflicts.py [sqlite | postgresql://...].

For each size N, a topic gets N claims that affirm it (bulk-inserted, as an import would), then one claim
that denies it is stored through the domain function, making N stance conflicts and N events in its
transaction; then a page of the topic's conflicts, the topic's sides, and a claim with no stance are timed.
"""

import contextlib
import pathlib
import sys
import tempfile
import time
import uuid
from urllib.parse import quote

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import create_app  # noqa: E402
from service.ledger import claims  # noqa: E402
from service.ledger import conflicts  # noqa: E402
from service.ledger import topics  # noqa: E402
from service.schemas.claims import ClaimInput  # noqa: E402
from service.storage import db  # noqa: E402
from service.storage.migrate import migrate  # noqa: E402
from service.storage.models import Claim  # noqa: E402
from service.storage.models import ClaimTopic  # noqa: E402
from service.storage.models import Source  # noqa: E402
from service.storage.models import Speaker  # noqa: E402
from service.storage.models import Topic  # noqa: E402
from service.storage.models import utcnow  # noqa: E402

SIZES = (100, 1000, 5000)


def claim_body(stance, n):
    return ClaimInput().load(
        {
            "text": f"Observers number {n} said artillery fire at the front stayed steady this week.",
            "speaker": {"name": "Bench Speaker"},
            "source": {"url": f"https://bench.example/{stance}-{n}", "publisher": "Bench"},
            "claimed_on": "2023-05-01",
            "topics": [{"slug": "bench-topic", "stance": stance}] if stance else [],
        }
    )


def fill(size):
    """Bulk-insert size claims affirming the bench topic; return the topic."""
    topic = Topic.create(slug="bench-topic", title="Bench question")
    speaker = Speaker.create(name="Crowd", name_key="crowd")
    source = Source.create(url="https://bench.example/crowd", publisher="Bench")
    when = utcnow().replace(microsecond=0)
    with db.database.atomic():
        for start in range(0, size, 500):
            count = min(500, size - start)
            rows = [
                {"text": f"Crowd claim {start + i} on bench", "speaker": speaker, "source": source, "claimed_on": when}
                for i in range(count)
            ]
            Claim.insert_many(rows).execute()
        ids = [claim_id for (claim_id,) in Claim.select(Claim.id).where(Claim.speaker == speaker).tuples()]
        for start in range(0, len(ids), 500):
            ClaimTopic.insert_many(
                [
                    {"claim": i, "topic": topic, "stance": "affirms", "claimed_on": when, "speaker": speaker}
                    for i in ids[start : start + 500]
                ]
            ).execute()
        topics.count_stances([(topic.id, "affirms", len(ids))])
    return topic


def timed(work):
    started = time.perf_counter()
    result = work()
    return result, (time.perf_counter() - started) * 1000


def run(url, size):
    # Cursors are signed with the app's key, so the domain calls run inside an app context.
    with create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}).app_context():
        migrate()
        return measure(size)


def measure(size):
    fill(size)
    _, store_ms = timed(lambda: claims.create_claim(claim_body("denies", 0), "bench"))
    (page, _), list_ms = timed(lambda: conflicts.list_conflicts({"topic": "bench-topic"}, limit=50, secret="bench"))
    sides, sides_ms = timed(lambda: conflicts.sides("bench-topic"))
    _, plain_ms = timed(lambda: claims.create_claim(claim_body(None, 1), "bench"))
    made = conflicts.list_conflicts({"topic": "bench-topic"}, limit=1, secret="bench")[0]
    assert page and made and len(sides["affirms"]) == min(size, conflicts.SIDES_LIMIT_DEFAULT)
    return store_ms, list_ms, sides_ms, plain_ms


@contextlib.contextmanager
def fresh_database(target):
    """Yield the URL of an empty database: a temporary SQLite file, or a new schema dropped afterwards."""
    if target == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/bench.db"
        return
    schema = f"bench_conflicts_{uuid.uuid4().hex[:8]}"
    admin = db.open_database(target)
    admin.execute_sql(f"CREATE SCHEMA {schema}")
    try:
        separator = "&" if "?" in target else "?"
        yield f"{target}{separator}options={quote(f'-c search_path={schema}')}"
    finally:
        db.database.close_all()
        admin.execute_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.close_all()


def main():
    """Print, per topic size, the cost of storing an opposing claim and of reading the topic's conflicts."""
    target = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    print("milliseconds to store a denying claim, read a page of 50 conflicts, the sides, store a claim on no topic")
    print(f"{'claims on the other side':>26}  {'store':>8}  {'page':>6}  {'sides':>6}  {'no topic':>8}")
    for size in SIZES:
        with fresh_database(target) as url:
            store_ms, list_ms, sides_ms, plain_ms = run(url, size)
            db.database.close()
        print(f"{size:>26}  {store_ms:>8.0f}  {list_ms:>6.1f}  {sides_ms:>6.1f}  {plain_ms:>8.1f}")


if __name__ == "__main__":
    main()
