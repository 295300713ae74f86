"""Time article analysis as an editor's save button meets it: python bench/articles.py [--claims 20000].

Builds a ledger (bench/generate.py's synthetic claims plus the seeds) in a temporary SQLite file, then
posts a 1,000-word article (the six labelled eval articles, English first, cut at --words) to
POST /api/v1/articles/analyze through the app --runs times, and prints the p50 and p95 seconds. The
target is p95 under 5 s on the project's 2-core machine; articles past SYNC_WORD_LIMIT words become jobs.
"""

import argparse
import json
import pathlib
import re
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

from service import create_app  # noqa: E402
from service.ledger import articles  # noqa: E402
from service.ledger import keys  # noqa: E402
from service.ledger import seeds  # noqa: E402
from service.storage import db  # noqa: E402

ARTICLES = ROOT / "eval" / "data" / "articles"
WORD = re.compile(r"\S+")


def article_of(words):
    """Return a text of about this many words, built from the labelled articles' paragraphs."""
    paragraphs = []
    count = 0
    names = sorted(ARTICLES.glob("*.txt"), key=lambda path: (not path.name.startswith("en-"), path.name))
    while count < words:
        for path in names:
            for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
                if count >= words:
                    break
                paragraphs.append(paragraph)
                count += len(WORD.findall(paragraph))
    return "\n\n".join(paragraphs)


def percentile(values, share):
    """Return the nearest-rank percentile of values."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000, help="synthetic claims in the ledger")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--words", type=int, default=1_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        print(f"building a ledger of {options.claims:,} synthetic claims plus the seeds ...")
        generate(url, options.claims, progress=lambda *args, **kwargs: None)
        app = create_app({"DATABASE_URL": url, "RATE_LIMIT_PER_MINUTE": 0})
        db.database.connect(reuse_if_open=True)
        seeds.load_all()
        _, secret = keys.create_key("bench", "reviewer", actor="bench")
        db.database.close()
        text = article_of(options.words)
        words = articles.word_count(text)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        seconds = []
        notes = 0
        for _ in range(options.runs):
            started = time.perf_counter()
            response = client.post("/api/v1/articles/analyze", json={"text": text}, headers=headers)
            seconds.append(time.perf_counter() - started)
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
            notes = len(response.get_json()["notes"])
        figures = {
            "words": words,
            "claims": options.claims,
            "runs": options.runs,
            "notes": notes,
            "p50_seconds": round(statistics.median(seconds), 3),
            "p95_seconds": round(percentile(seconds, 0.95), 3),
            "job_above_words": articles.SYNC_WORD_LIMIT,
        }
        print(json.dumps(figures))
        print(f"article analysis, {words} words: p50 {figures['p50_seconds']} s, p95 {figures['p95_seconds']} s")


if __name__ == "__main__":
    main()
