"""Measure the claim vector index on synthetic clustered vectors: python bench/vectors.py [--n 1000000].

Sentence vectors are not uniform on the sphere. multilingual-e5 puts every sentence in a narrow cone (unrelated
claims score 0.75-0.86), and claims bunch into topics and sub-topics. The generator copies that shape: a shared
direction, 500 topics, 20,000 sub-topics, and noise, tuned so that a random pair scores about 0.8 and two claims
of one sub-topic about 0.93. Queries are fresh draws from the same mixture, not points of the index.

Prints build time, resident memory added by the index, search latency (p50/p95/p99 over --queries single-vector
searches, one at a time as an API request makes them), recall@10 against exact search over --recall-queries,
and whether storing vectors as float16 blobs changes the exact top 10.
"""

import argparse
import pathlib
import resource
import sys
import time

import faiss
import numpy

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.nlp import vector_index  # noqa: E402

DIM = 384
TOPICS = 500
SUBTOPICS = 20_000
CHUNK = 100_000


def unit_rows(matrix):
    """Return the rows of matrix scaled to length one, as float32."""
    return (matrix / numpy.linalg.norm(matrix, axis=-1, keepdims=True)).astype(numpy.float32)


class ClusteredVectors:
    """Draw 384-d unit vectors shaped like sentence embeddings: one cone, topics, sub-topics, noise."""

    def __init__(self, seed):
        self.rng = numpy.random.default_rng(seed)
        self.shared = unit_rows(self.rng.standard_normal(DIM))
        topics = unit_rows(self.rng.standard_normal((TOPICS, DIM)))
        parents = topics[self.rng.integers(0, TOPICS, SUBTOPICS)]
        self.subtopics = unit_rows(parents + 0.7 * unit_rows(self.rng.standard_normal((SUBTOPICS, DIM))))

    def draw(self, count):
        """Return count fresh vectors, shape (count, DIM)."""
        out = numpy.empty((count, DIM), dtype=numpy.float32)
        for start in range(0, count, CHUNK):
            size = min(CHUNK, count - start)
            subtopic = self.subtopics[self.rng.integers(0, SUBTOPICS, size)]
            noise = unit_rows(self.rng.standard_normal((size, DIM), dtype=numpy.float32))
            out[start : start + size] = unit_rows(self.shared + 0.4 * subtopic + 0.3 * noise)
        return out


def resident_mb():
    """Return this process's resident memory now, in MB."""
    pages = int(pathlib.Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def exact_top(vectors, queries, k):
    """Return the ids (1-based, as the index stores them) of the exact k nearest rows for each query."""
    best_scores = numpy.full((len(queries), k), -numpy.inf, dtype=numpy.float32)
    best_ids = numpy.zeros((len(queries), k), dtype=numpy.int64)
    for start in range(0, len(vectors), CHUNK):
        block = vectors[start : start + CHUNK].astype(numpy.float32) @ queries.T
        scores = numpy.concatenate([best_scores, block.T], axis=1)
        ids = numpy.concatenate(
            [best_ids, numpy.broadcast_to(numpy.arange(start + 1, start + 1 + len(block)), (len(queries), len(block)))],
            axis=1,
        )
        keep = numpy.argpartition(-scores, k, axis=1)[:, :k]
        best_scores = numpy.take_along_axis(scores, keep, axis=1)
        best_ids = numpy.take_along_axis(ids, keep, axis=1)
    return [set(row.tolist()) for row in best_ids]


def main():
    """Build the index at --n vectors, then print its build, memory, latency and recall table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="vectors in the index")
    parser.add_argument("--queries", type=int, default=1000, help="searches timed for latency")
    parser.add_argument("--recall-queries", type=int, default=200, help="searches checked against exact")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    generator = ClusteredVectors(args.seed)
    started = time.perf_counter()
    vectors = generator.draw(args.n)
    queries = generator.draw(max(args.queries, args.recall_queries))
    print(f"generated {args.n:,} vectors in {time.perf_counter() - started:.1f} s", flush=True)
    pair_scores = numpy.einsum("ij,ij->i", vectors[:1000], vectors[1000:2000]) if args.n >= 2000 else None
    if pair_scores is not None:
        print(f"random pairs score {pair_scores.mean():.2f} on average", flush=True)

    memory_before = resident_mb()
    # As the service searches (service.ledger.matching.current_index): one thread per query.
    faiss.omp_set_num_threads(1)
    index = vector_index.VectorIndex(DIM)
    started = time.perf_counter()
    for start in range(0, args.n, CHUNK):
        stop = min(args.n, start + CHUNK)
        index.add(numpy.arange(start + 1, stop + 1, dtype=numpy.int64), vectors[start:stop])
    index.wait()
    build_seconds = time.perf_counter() - started
    memory_added = resident_mb() - memory_before
    print(f"built in {build_seconds:.1f} s ({index.method})", flush=True)

    latencies = []
    for query in queries[: args.queries]:
        started = time.perf_counter()
        index.search(query, args.k)
        latencies.append((time.perf_counter() - started) * 1000)
    p50, p95, p99 = numpy.percentile(latencies, [50, 95, 99])
    print(f"search p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms", flush=True)

    recall_queries = queries[: args.recall_queries]
    truth = exact_top(vectors, recall_queries, args.k)
    found = [{row_id for row_id, _ in index.search(query, args.k)} for query in recall_queries]
    recall = numpy.mean([len(hit & want) / args.k for hit, want in zip(found, truth, strict=True)])

    print(f"recall@{args.k} {recall:.3f}", flush=True)
    blob_truth = exact_top(vectors.astype(vector_index.BLOB_DTYPE), recall_queries, args.k)
    blob_recall = numpy.mean([len(hit & want) / args.k for hit, want in zip(blob_truth, truth, strict=True)])

    rows = [
        ("vectors", f"{args.n:,} x {DIM}"),
        ("search", index.method),
        ("build time", f"{build_seconds:.1f} s"),
        ("memory added", f"{memory_added:,.0f} MB"),
        ("search p50", f"{p50:.2f} ms"),
        ("search p95", f"{p95:.2f} ms"),
        ("search p99", f"{p99:.2f} ms"),
        (f"recall@{args.k} vs exact", f"{recall:.3f} ({args.recall_queries} queries)"),
        (f"float16 blob exact top-{args.k}", f"{blob_recall:.3f} of the float32 top-{args.k}"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
