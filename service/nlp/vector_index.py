"""Find the claims whose vectors lie nearest a given vector, in this process's memory.

The database is the source of truth; this index is a cache of it that each API server builds for itself and
keeps current by adding the rows with an id above `high_water`. Scores are cosine similarities, since every
vector is L2-normalised on the way in.

Small indexes are searched exactly (faiss `IndexFlatIP`). Past `exact_limit` vectors the index becomes an
inverted file (faiss `IndexIVFFlat`): k-means splits the vectors into about 4·√n lists and a query scans the
`PROBED_SHARE` of lists whose centres are nearest. Measured against faiss's HNSW at a million clustered
vectors on two cores (bench/README.md): HNSW took 279 s to build and reached recall@10 0.905; inverted lists
built in 64 s in one add with recall 1.000, and delete natively where HNSW needs tombstones. The lists are
trained on the vectors of the day; when the index has grown fourfold since, it is rebuilt so the lists stay
short. Every call takes one lock: faiss does not allow a search during an add.

Vectors travel to and from a database column as float16 little-endian (`to_blob`, `from_blob`): half the
size of float32, and bench/vectors.py shows the exact top 10 is kept (0.997 of it at a million).
"""

import math
import threading

import faiss
import numpy

EXACT_LIMIT = 20_000
LISTS_PER_ROOT = 4
PROBED_SHARE = 1 / 128
MIN_PROBES = 16
TRAINING_PER_LIST = 40
REBUILD_GROWTH = 4
BLOB_DTYPE = numpy.dtype("<f2")


def to_blob(vector):
    """Return the bytes that store one vector in a database column (float16, little-endian)."""
    return numpy.asarray(vector, dtype=numpy.float32).reshape(-1).astype(BLOB_DTYPE).tobytes()


def from_blob(blob):
    """Return the float32 vector stored by `to_blob`."""
    return numpy.frombuffer(blob, dtype=BLOB_DTYPE).astype(numpy.float32)


def _normalised(vectors, dim):
    vectors = numpy.array(vectors, dtype=numpy.float32, ndmin=2, copy=True)
    if vectors.shape[1] != dim:
        raise ValueError(f"expected vectors of dimension {dim}, got {vectors.shape[1]}")
    norms = numpy.linalg.norm(vectors, axis=1, keepdims=True)
    return numpy.ascontiguousarray(vectors / numpy.maximum(norms, 1e-12))


def _selector(ids):
    return faiss.IDSelectorBatch(numpy.ascontiguousarray(ids, dtype=numpy.int64))


class VectorIndex:
    """Nearest-neighbour search by cosine similarity over (row id, vector) pairs."""

    def __init__(self, dim, exact_limit=EXACT_LIMIT):
        self.dim = dim
        self.exact_limit = exact_limit
        self.high_water = 0
        self._lock = threading.Lock()
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._trained_at = 0
        self._probes = 0

    def __len__(self):
        return self._index.ntotal

    @property
    def exact(self):
        """Tell whether searches are exact (a flat index) rather than approximate (inverted lists)."""
        return self._probes == 0

    @property
    def method(self):
        """Describe how searches run, for benchmarks and logs."""
        if self.exact:
            return "exact (flat)"
        return f"inverted lists: {self._index.nlist} lists, {self._probes} probed"

    def add(self, ids, vectors):
        """Add vectors under row ids; an id already present is replaced."""
        ids = numpy.asarray(ids, dtype=numpy.int64).reshape(-1)
        vectors = _normalised(vectors, self.dim)
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids for {len(vectors)} vectors")
        if len(numpy.unique(ids)) != len(ids):
            raise ValueError("ids repeat within one add")
        if not len(ids):
            return
        with self._lock:
            if ids.min() <= self.high_water:
                self._index.remove_ids(_selector(ids))
            size = self._index.ntotal + len(ids)
            if size > self.exact_limit and (self.exact or size > REBUILD_GROWTH * self._trained_at):
                self._rebuild(ids, vectors)
            else:
                self._index.add_with_ids(vectors, ids)
            self.high_water = max(self.high_water, int(ids.max()))

    def remove(self, ids):
        """Remove the vectors of these row ids; ids not in the index are ignored."""
        ids = numpy.asarray(ids, dtype=numpy.int64).reshape(-1)
        with self._lock:
            self._index.remove_ids(_selector(ids))
            if not self.exact and self._index.ntotal <= self.exact_limit:
                self._rebuild()

    def search(self, vector, k):
        """Return up to k (row id, cosine similarity) pairs, most similar first."""
        query = _normalised(vector, self.dim)[:1]
        with self._lock:
            k = min(k, self._index.ntotal)
            if k <= 0:
                return []
            params = None if self.exact else faiss.SearchParametersIVF(nprobe=self._probes)
            scores, ids = self._index.search(query, k, params=params)
        return [(int(row_id), float(score)) for score, row_id in zip(scores[0], ids[0], strict=True) if row_id >= 0]

    def _contents(self):
        """Return every (ids, vectors) the index holds."""
        if self.exact:
            ids = faiss.vector_to_array(self._index.id_map)
            return ids, self._index.index.reconstruct_n(0, self._index.ntotal)
        lists = self._index.invlists
        id_parts, vector_parts = [], []
        for list_number in range(lists.nlist):
            size = lists.list_size(list_number)
            if size:
                id_parts.append(faiss.rev_swig_ptr(lists.get_ids(list_number), size).copy())
                codes = faiss.rev_swig_ptr(lists.get_codes(list_number), size * self.dim * 4)
                vector_parts.append(codes.view(numpy.float32).reshape(size, self.dim).copy())
        return numpy.concatenate(id_parts), numpy.concatenate(vector_parts)

    def _rebuild(self, extra_ids=None, extra_vectors=None):
        """Rebuild from what the index holds (plus any being added): flat when small, else freshly trained lists."""
        ids, vectors = self._contents() if self._index.ntotal else (numpy.empty(0, numpy.int64), None)
        if extra_ids is not None:
            ids = numpy.concatenate([ids, extra_ids])
            vectors = extra_vectors if vectors is None else numpy.concatenate([vectors, extra_vectors])
        if len(ids) <= self.exact_limit:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
            self._trained_at = self._probes = 0
        else:
            lists = int(LISTS_PER_ROOT * math.sqrt(len(ids)))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(self.dim), self.dim, lists, faiss.METRIC_INNER_PRODUCT)
            sample = numpy.random.default_rng(len(ids)).choice(
                len(ids), min(len(ids), TRAINING_PER_LIST * lists), replace=False
            )
            index.train(vectors[numpy.sort(sample)])
            self._trained_at = len(ids)
            self._probes = max(MIN_PROBES, int(lists * PROBED_SHARE))
        if len(ids):
            index.add_with_ids(numpy.ascontiguousarray(vectors), ids)
        self._index = index
