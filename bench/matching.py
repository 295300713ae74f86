"""Measure claim matching as a request meets it: python bench/matching.py [--claims 100000] [--queries 200].

Builds a synthetic ledger through the bulk path (bench/generate.py), gives every claim a vector shaped like
multilingual-e5's (bench/vectors.py's clustered generator: encoding 100,000 texts would take an hour here),
stores them in claim_vectors as the embedder does, then prints:
- how long a fresh API process takes to build its index from the table (the rebuild);
- the vector search alone, p50/p99 over --queries searches (the same VectorIndex at --index-size vectors,
  default a million, when that is larger than the ledger);
- POST /claims/match's domain call end to end (encoding the query with the real model, the index search,
  word-form candidates, loading the claims and their conflicts), p50/p99 over --match-queries texts.
"""

import argparse
import pathlib
import sys
import tempfile
import time

import numpy

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402
from vectors import ClusteredVectors  # noqa: E402

from service.ledger import matching  # noqa: E402
from service.nlp import vector_index  # noqa: E402
from service.nlp import vectors  # noqa: E402
from service.storage import db  # noqa: E402
from service.storage.models import Claim  # noqa: E402
from service.storage.models import ClaimVector  # noqa: E402

QUERIES = [
    "Пригожин заявив, що його бійцям у Бахмуті бракує боєприпасів.",
    "Prigozhin complained his fighters lack ammunition in Bakhmut.",
    "Министерство обороны заявило, что войска отразили атаки под Авдеевкой.",
    "The dam was destroyed by shelling, officials said.",
    "Зерновая сделка не будет продлена.",
    "Україна отримала нові системи ППО від партнерів.",
]


def percentiles(samples):
    ordered = sorted(samples)
    return 1000 * ordered[len(ordered) // 2], 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def store_vectors(generator, batch=10_000):
    last = 0
    while True:
        ids = [row[0] for row in Claim.select(Claim.id).where(Claim.id > last).order_by(Claim.id).limit(batch).tuples()]
        if not ids:
            return
        drawn = generator.draw(len(ids))
        rows = [
            (claim_id, vectors.MODEL_NAME, vector_index.to_blob(v), "2026-11-30")
            for claim_id, v in zip(ids, drawn, strict=True)
        ]
        with db.database.atomic():
            db.insert_rows(ClaimVector, ("claim", "model", "vector", "created_at"), rows)
        last = ids[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--index-size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--match-queries", type=int, default=60)
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="claimledger-bench-matching-")
    url = f"sqlite:///{directory}/bench.db"
    began = time.perf_counter()
    generate(url, args.claims, progress=lambda *a, **k: None)
    print(f"ledger of {args.claims:,} claims built in {time.perf_counter() - began:.0f} s")
    generator = ClusteredVectors(seed=7)
    store_vectors(generator)
    began = time.perf_counter()
    matching.reset_index()
    index = matching.current_index()
    index.wait()
    print(
        f"index rebuilt from claim_vectors ({len(index):,} vectors, {index.method})"
        f" in {time.perf_counter() - began:.1f} s"
    )
    if args.index_size > args.claims:
        big = vector_index.VectorIndex(vectors.DIM)
        drawn = generator.draw(args.index_size)
        began = time.perf_counter()
        # As a fresh API process does (service.ledger.matching.current_index): every row in one add.
        big.add(numpy.arange(1, args.index_size + 1), drawn)
        big.wait()
        print(f"index of {len(big):,} vectors ({big.method}) built in {time.perf_counter() - began:.0f} s")
    else:
        big = index
    timings = []
    for query in generator.draw(args.queries):
        started = time.perf_counter()
        big.search(query, 10)
        timings.append(time.perf_counter() - started)
    p50, p99 = percentiles(timings)
    print(f"vector search at {len(big):,}: p50 {p50:.2f} ms, p99 {p99:.2f} ms over {args.queries} searches")
    vectors.encode(["warm up"])
    timings = []
    for number in range(args.match_queries):
        started = time.perf_counter()
        matching.match_claims(QUERIES[number % len(QUERIES)] + f" ({number})", limit=5)
        timings.append(time.perf_counter() - started)
    p50, p99 = percentiles(timings)
    print(
        f"match_claims at {args.claims:,} claims: p50 {p50:.0f} ms, p99 {p99:.0f} ms over {args.match_queries} queries"
    )


if __name__ == "__main__":
    main()
