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
short. The rebuild runs in a thread beside the searches (a million vectors take about a minute to train and
fill), which go on against the old index meanwhile. Every call takes one lock: faiss does not allow a search
during an add.

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
    """Nearest-neighbour search by cosine similarity over (row id, vector) pairs.

    A rebuild runs in a thread of its own: searches and adds go on against the index as it was, and the
    changes made meanwhile are replayed onto the new one before it takes over (`wait` waits for it).
    """

    def __init__(self, dim, exact_limit=EXACT_LIMIT):
        self.dim = dim
        self.exact_limit = exact_limit
        self.high_water = 0
        self._lock = threading.Lock()
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._trained_at = 0
        self._probes = 0
        self._rebuilding = None
        self._changes = []

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
            self._index.add_with_ids(vectors, ids)
            self.high_water = max(self.high_water, int(ids.max()))
            self._changed(("add", ids, vectors))

    def remove(self, ids):
        """Remove the vectors of these row ids; ids not in the index are ignored."""
        ids = numpy.asarray(ids, dtype=numpy.int64).reshape(-1)
        with self._lock:
            self._index.remove_ids(_selector(ids))
            self._changed(("remove", ids, None))

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

    def wait(self):
        """Wait until no rebuild is running (one rebuild may start the next)."""
        while True:
            with self._lock:
                thread = self._rebuilding
            if thread is None:
                return
            thread.join()

    def _changed(self, change):
        """Note a change for the rebuild under way, if one is; else rebuild if the index has outgrown its shape."""
        if self._rebuilding is not None:
            self._changes.append(change)
        else:
            self._rebuild_if_due()

    def _rebuild_if_due(self):
        size = self._index.ntotal
        if self.exact:
            due = size > self.exact_limit
        else:
            due = size <= self.exact_limit or size > REBUILD_GROWTH * self._trained_at
        if not due:
            return
        ids, vectors = self._contents()
        self._rebuilding = threading.Thread(
            target=self._rebuild, args=(ids, vectors), name="vector-index-rebuild", daemon=True
        )
        self._rebuilding.start()

    def _rebuild(self, ids, vectors):
        """Build the new index without the lock, then replay what changed meanwhile and put it in place."""
        try:
            built = self._built(ids, vectors)
        except BaseException:
            # The index in place stays right; the next change tries again.
            with self._lock:
                self._changes, self._rebuilding = [], None
            raise
        with self._lock:
            index = built[0]
            for kind, changed_ids, changed_vectors in self._changes:
                index.remove_ids(_selector(changed_ids))
                if kind == "add":
                    index.add_with_ids(changed_vectors, changed_ids)
            self._changes = []
            self._rebuilding = None
            self._take_over(*built)
            # It may have grown or shrunk past the next threshold meanwhile.
            self._rebuild_if_due()

    def _take_over(self, index, trained_at, probes):
        self._index, self._trained_at, self._probes = index, trained_at, probes

    def _contents(self):
        """Return every (ids, vectors) the index holds."""
        if not self._index.ntotal:
            return numpy.empty(0, numpy.int64), numpy.empty((0, self.dim), numpy.float32)
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

    def _built(self, ids, vectors):
        """Return (index, trained at, probes) holding these vectors: flat when few, else freshly trained lists."""
        if len(ids) <= self.exact_limit:
            index, trained_at, probes = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim)), 0, 0
        else:
            lists = int(LISTS_PER_ROOT * math.sqrt(len(ids)))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(self.dim), self.dim, lists, faiss.METRIC_INNER_PRODUCT)
            sample = numpy.random.default_rng(len(ids)).choice(
                len(ids), min(len(ids), TRAINING_PER_LIST * lists), replace=False
            )
            index.train(vectors[numpy.sort(sample)])
            trained_at, probes = len(ids), max(MIN_PROBES, int(lists * PROBED_SHARE))
        if len(ids):
            index.add_with_ids(numpy.ascontiguousarray(vectors), ids)
        return index, trained_at, probes
