"""Time the desk's pages on a synthetic ledger: python bench/desk.py --claims 50000 [--database-url URL].

Builds the ledger with bench/generate.py (once per size, kept in bench/out/), signs in through the desk's
own form, and renders each page --repeat times through the app in this process (no HTTP, one thread),
printing the median and slowest in milliseconds. The queue's counts per filter are a GROUP BY per
filter over the claims the other filters leave, so they grow with the ledger: these figures say how much.
"""

import argparse
import pathlib
import re
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402
from peewee import fn  # noqa: E402

from service import create_app  # noqa: E402
from service.ledger import keys  # noqa: E402
from service.storage import db  # noqa: E402
from service.storage.migrate import migrate  # noqa: E402
from service.storage.models import Claim  # noqa: E402
from service.storage.models import Event  # noqa: E402
from service.storage.models import Topic  # noqa: E402

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url
    if url is None:
        path = generate.OUT / f"desk-{args.claims}.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            generate.OUT.mkdir(parents=True, exist_ok=True)
            generate.generate(url, args.claims, progress=lambda *a, **k: print(*a, **k, file=sys.stderr))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATE_LIMIT_PER_MINUTE": 0})
    db.database.connect(reuse_if_open=True)
    migrate()
    _, secret = keys.create_key("bench-desk", "reviewer", actor="bench")
    client = app.test_client()
    form = client.get("/desk/sign-in")
    client.post("/desk/sign-in", data={"csrf": CSRF.search(form.text).group(1), "key": secret})
    claim_id = Claim.select(Claim.id).order_by(Claim.id.desc()).scalar()
    topic = Topic.select(Topic.slug).order_by(Topic.affirms_count.desc()).scalar()
    pages = {
        "queue (unreviewed)": "/desk/",
        "queue, any status": "/desk/?status=any",
        "queue, busiest topic": f"/desk/?topic={topic}",
        "queue, search (1 in 200)": f"/desk/?q={generate.MARKERS['medium'][0]}&status=any",
        "queue, search (1 in 20)": f"/desk/?q={generate.MARKERS['common'][0]}&status=any",
        "claim page": f"/desk/claims/{claim_id}",
        "triage (suggested)": "/desk/conflicts",
        "feed poll": f"/desk/feed?after={Event.select(fn.MAX(Event.id)).scalar()}",
    }
    print(f"{Claim.select().count():,} claims on {'PostgreSQL' if db.is_postgres() else 'SQLite'}")
    for name, path in pages.items():
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - began) * 1000)
            assert answer.status_code == 200, (path, answer.status_code)
        print(f"{name:<24} median {statistics.median(times):7.1f} ms   slowest {max(times):7.1f} ms")


if __name__ == "__main__":
    main()
