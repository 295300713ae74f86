"""Measure a batch import and the same batch sent again: python bench/batch_again.py [postgresql://...].

The second pass finds every claim (half by external_id, half by the same text, speaker, source and date),
compares it with the item and changes nothing. Prints seconds and claims per second for each pass.
"""

import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import create_app  # noqa: E402
from service.ledger import bulk  # noqa: E402
from service.storage import db  # noqa: E402
from service.storage.migrate import migrate  # noqa: E402

CLAIMS = 10_000


def main():
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/batch-again.db"
    create_app({"DATABASE_URL": url})
    db.database.connect(reuse_if_open=True)
    migrate()
    raw = [
        {
            "text": f"Claim {n} about shells and the front",
            "speaker": {"name": f"Speaker {n % 400}"},
            "source": {"url": f"https://news.example/{n % 1000}", "publisher": "Example"},
            "claimed_on": f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "external_id": f"cms-{n}" if n % 2 else None,
        }
        for n in range(CLAIMS)
    ]
    for label in (f"first import ({CLAIMS:,} new)", f"same batch again ({CLAIMS:,} unchanged)"):
        started = time.perf_counter()
        outcome = bulk.import_batch(bulk.validate_batch(raw), "bench")
        took = time.perf_counter() - started
        print(
            f"{label}: {took:.2f} s, {CLAIMS / took:,.0f} claims/s;"
            f" created {outcome['created']}, updated {outcome['updated']}, unchanged {outcome['unchanged']}"
        )


if __name__ == "__main__":
    main()
