"""An in-memory index of unit vectors by id, searched by dot product (exact).

A stand-in with the interface that branch nlp-vectors is finishing (VectorIndex(dim), add, remove,
search, high_water, to_blob/from_blob); that branch's version replaces this file when it lands.
"""

import io

import numpy


class VectorIndex:
    """Unit vectors by integer id; search returns the k best by cosine similarity."""

    def __init__(self, dim):
        self.dim = dim
        self._ids = numpy.empty(0, dtype=numpy.int64)
        self._vectors = numpy.empty((0, dim), dtype=numpy.float32)
        self._pending_ids = []
        self._pending = []
        self.high_water = 0

    def __len__(self):
        self._flush()
        return len(self._ids)

    def _flush(self):
        if self._pending:
            self._ids = numpy.concatenate([self._ids, numpy.asarray(self._pending_ids, dtype=numpy.int64)])
            self._vectors = numpy.vstack([self._vectors, *self._pending])
            self._pending_ids, self._pending = [], []

    def add(self, ids, vectors):
        """Add (or replace) vectors under ids."""
        ids = [int(i) for i in ids]
        if not ids:
            return
        self.remove(ids)
        self._pending_ids.extend(ids)
        self._pending.append(numpy.asarray(vectors, dtype=numpy.float32).reshape(len(ids), self.dim))
        self.high_water = max(self.high_water, max(ids))

    def remove(self, ids):
        """Drop the vectors of ids; unknown ids are ignored."""
        self._flush()
        keep = ~numpy.isin(self._ids, numpy.asarray(list(ids), dtype=numpy.int64))
        self._ids, self._vectors = self._ids[keep], self._vectors[keep]

    def search(self, vector, k):
        """Return [(id, score)] of the k nearest vectors, best first."""
        self._flush()
        if not len(self._ids) or k <= 0:
            return []
        scores = self._vectors @ numpy.asarray(vector, dtype=numpy.float32).reshape(self.dim)
        k = min(k, len(scores))
        best = numpy.argpartition(-scores, k - 1)[:k]
        best = best[numpy.argsort(-scores[best], kind="stable")]
        return [(int(self._ids[i]), float(scores[i])) for i in best]

    def to_blob(self):
        """Return the index as bytes."""
        self._flush()
        buffer = io.BytesIO()
        numpy.savez(buffer, ids=self._ids, vectors=self._vectors, high_water=self.high_water)
        return buffer.getvalue()

    @classmethod
    def from_blob(cls, blob):
        """Return an index read from to_blob's bytes."""
        data = numpy.load(io.BytesIO(blob))
        index = cls(data["vectors"].shape[1])
        index._ids, index._vectors = data["ids"], data["vectors"]
        index.high_water = int(data["high_water"])
        return index
