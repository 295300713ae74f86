"""Measure the Google-compatible claims:search and a fact-check's ClaimReview: python bench/claims_search.py [N ...].

For each N, N claims are stored through the domain functions, each rated by its own published fact-check;
then the median of 20 requests is printed for a worded search, a site-filtered listing, its fifth page,
and one fact-check's ClaimReview, beside GET /api/v1/claims/1 as a yardstick for the machine's speed at
the time. SQLite in a temporary directory; figures in milliseconds through Flask's test client.
"""

import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import create_app  # noqa: E402
from service.ledger import claims  # noqa: E402
from service.ledger import fact_checks  # noqa: E402
from service.ledger import ratings  # noqa: E402
from service.schemas.claims import ClaimInput  # noqa: E402
from service.storage import db  # noqa: E402
from service.storage.migrate import migrate  # noqa: E402

SIZES = (100, 1000)
WORDS = ("shells", "grain", "bridges", "drones", "fuel")
RUNS = 20


def fill(count):
    slugs = [rating.slug for rating in ratings.list_ratings(retired=False)]
    for n in range(count):
        claim = claims.create_claim(
            ClaimInput().load(
                {
                    "text": f"Report {n}: the front ran short of {WORDS[n % len(WORDS)]} this week",
                    "speaker": {"name": f"Speaker {n % 50}"},
                    "source": {"url": f"https://news.example/{n}", "publisher": "News Example"},
                    "claimed_on": "2023-04-07",
                }
            ),
            "bench",
        )
        draft = fact_checks.create_fact_check(
            {
                "headline": f"Fact-check {n}",
                "article_url": f"https://{'paper' if n % 2 else 'other'}.example/fc/{n}",
                "rating": slugs[n % len(slugs)],
                "explanation": "Checked.",
                "language": "en",
                "claim_ids": [claim.id],
            },
            "bench",
        )
        fact_checks.publish(draft.id, draft.version, "bench")


def median_ms(client, path):
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_json()
    return statistics.median(times)


def main(sizes):
    print("| N published | `query=shells` | site filter, page 1 | site filter, page 5 | ClaimReview | GET a claim |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        with tempfile.TemporaryDirectory() as directory:
            app = create_app({"DATABASE_URL": f"sqlite:///{directory}/bench.db", "RATE_LIMIT_PER_MINUTE": 0})
            db.database.connect(reuse_if_open=True)
            migrate()
            with app.app_context():
                fill(size)
            client = app.test_client()
            site = "/v1alpha1/claims:search?reviewPublisherSiteFilter=paper.example&pageSize=10"
            token = None
            for _ in range(4):
                token = client.get(site + (f"&pageToken={token}" if token else "")).get_json()["nextPageToken"]
            figures = (
                median_ms(client, "/v1alpha1/claims:search?query=shells&languageCode=en-US&pageSize=10"),
                median_ms(client, site),
                median_ms(client, f"{site}&pageToken={token}"),
                median_ms(client, "/api/v1/fact-checks/1/claimreview"),
                median_ms(client, "/api/v1/claims/1"),
            )
            print(f"| {size:,} | " + " | ".join(f"{figure:.1f}" for figure in figures) + " |")
            db.database.close()


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or SIZES)
