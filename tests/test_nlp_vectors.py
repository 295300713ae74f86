"""Sentence vectors from the real model, the claim vector index, and vector blobs."""

import threading

import numpy
import pytest

from service.nlp import vector_index
from service.nlp import vectors
from service.nlp.vector_index import VectorIndex

ORIGINAL = "Wagner chief Prigozhin says his fighters lack ammunition near Bakhmut."
UKRAINIAN = "Голова «Вагнера» Пригожин каже, що його бійцям бракує боєприпасів під Бахмутом."
RUSSIAN = "Глава «Вагнера» Пригожин говорит, что его бойцам не хватает боеприпасов под Бахмутом."
DISTRACTORS = [
    "Ukrainian border guards say they saw no shortage of Russian artillery shells.",
    "The Wagner group recruited prisoners from Russian jails.",
    "Bakhmut has been under heavy shelling for months.",
    "The defence ministry announced new deliveries of tanks to the front.",
    "Prigozhin criticised the Russian defence minister in a video message.",
    "The central bank raised interest rates by half a percentage point.",
    "Bread prices rose by ten percent in March.",
    "The mayor opened a new bridge over the river.",
    "Parliament banned the sale of alcohol at night.",
    "Grain exports through the Black Sea resumed in August.",
    "A power outage left half of Kyiv without electricity.",
    "The football club won the national cup for the third time.",
    "Scientists warn that the glacier is melting faster than expected.",
    "Fighters in the east complain about cold weather and mud.",
    "The army says it has enough fuel for the winter campaign.",
    "Ammunition factories in Europe are increasing production.",
    "The president signed a decree on mobilisation.",
    "A drone attack damaged an oil depot in the south.",
    "Teachers went on strike over unpaid wages.",
    "The hospital received new equipment from donors.",
]


def clustered_vectors(count, dim=48, clusters=40, seed=3):
    """Return unit vectors bunched around a few centres, as real sentence vectors are."""
    rng = numpy.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim))
    points = centres[rng.integers(0, clusters, count)] + 0.5 * rng.standard_normal((count, dim))
    return (points / numpy.linalg.norm(points, axis=1, keepdims=True)).astype(numpy.float32)


def test_encode_returns_unit_float32_rows_in_order():
    encoded = vectors.encode(["The bridge is open.", "Міст відкрито.", "Мост открыт."])

    assert encoded.shape == (3, vectors.DIM)
    assert encoded.dtype == numpy.float32
    numpy.testing.assert_allclose(numpy.linalg.norm(encoded, axis=1), 1.0, rtol=1e-5)
    assert vectors.encode([]).shape == (0, vectors.DIM)
    assert isinstance(vectors.MODEL_NAME, str) and "e5" in vectors.MODEL_NAME


def test_a_text_gets_the_same_vector_alone_or_in_a_batch():
    alone = vectors.encode(ORIGINAL)[0]
    batched = vectors.encode([DISTRACTORS[0], ORIGINAL, "short"])[1]

    assert float(alone @ batched) > 0.999


@pytest.mark.parametrize("rendering", [UKRAINIAN, RUSSIAN], ids=["uk", "ru"])
def test_a_translation_finds_its_english_original_first(rendering):
    candidates = vectors.encode([*DISTRACTORS, ORIGINAL])
    query = vectors.encode(rendering)[0]

    scores = candidates @ query

    assert int(numpy.argmax(scores)) == len(DISTRACTORS)


def test_threads_encoding_at_once_get_the_vectors_one_thread_gets():
    texts = [ORIGINAL, UKRAINIAN, RUSSIAN, DISTRACTORS[3]]
    expected = vectors.encode(texts)
    results = [None] * len(texts)

    def encode_one(position):
        results[position] = vectors.encode(texts[position])[0]

    threads = [threading.Thread(target=encode_one, args=(position,)) for position in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    numpy.testing.assert_allclose(numpy.stack(results), expected, atol=1e-4)


def test_the_index_finds_a_claim_from_its_translation():
    index = VectorIndex(vectors.DIM)
    index.add(numpy.arange(101, 101 + len(DISTRACTORS) + 1), vectors.encode([*DISTRACTORS, ORIGINAL]))

    hits = index.search(vectors.encode(UKRAINIAN)[0], 3)

    assert hits[0][0] == 101 + len(DISTRACTORS)
    assert [score for _, score in hits] == sorted((score for _, score in hits), reverse=True)


def test_index_add_search_remove_and_high_water():
    points = clustered_vectors(30)
    index = VectorIndex(48)
    assert len(index) == 0
    assert index.high_water == 0
    assert index.search(points[0], 5) == []

    index.add(numpy.arange(10, 40), points)

    assert len(index) == 30
    assert index.high_water == 39
    assert index.exact
    best_id, best_score = index.search(points[4], 1)[0]
    assert best_id == 14
    assert best_score == pytest.approx(1.0, abs=1e-5)
    assert len(index.search(points[4], 100)) == 30

    index.remove([14, 999])

    assert len(index) == 29
    assert 14 not in {row_id for row_id, _ in index.search(points[4], 29)}
    assert index.high_water == 39


def test_adding_an_id_again_replaces_its_vector():
    points = clustered_vectors(3)
    index = VectorIndex(48)
    index.add([1, 2], points[:2])

    index.add([1], points[2:])

    assert len(index) == 2
    assert index.search(points[2], 1)[0][0] == 1
    assert dict(index.search(points[0], 2))[1] < 0.999


@pytest.mark.parametrize(
    ("ids", "points", "message"),
    [
        ([1, 2], numpy.zeros((2, 47), dtype=numpy.float32), "dimension 48"),
        ([1], numpy.ones((2, 48), dtype=numpy.float32), "1 ids for 2 vectors"),
        ([5, 5], numpy.ones((2, 48), dtype=numpy.float32), "repeat"),
    ],
)
def test_index_rejects_bad_input_and_keeps_nothing(ids, points, message):
    index = VectorIndex(48)

    with pytest.raises(ValueError, match=message):
        index.add(ids, points)

    assert len(index) == 0
    assert index.high_water == 0


def test_two_servers_catching_up_from_the_rows_agree():
    points = clustered_vectors(400)
    rows = list(zip(range(1, 401), points, strict=True))
    first, second = VectorIndex(48, exact_limit=150), VectorIndex(48, exact_limit=150)

    for index, batch in ((first, 50), (second, 170)):
        while index.high_water < 400:
            new = [(row_id, vector) for row_id, vector in rows if row_id > index.high_water][:batch]
            index.add([row_id for row_id, _ in new], numpy.stack([vector for _, vector in new]))

    first.wait()
    second.wait()
    assert len(first) == len(second) == 400
    assert not first.exact and not second.exact
    query = clustered_vectors(1, seed=11)[0]
    assert first.search(query, 1)[0][0] == second.search(query, 1)[0][0]


def test_the_approximate_index_keeps_recall_and_honours_removal():
    points = clustered_vectors(3000)
    queries = clustered_vectors(60, seed=5)
    index = VectorIndex(48, exact_limit=1000)
    index.add(numpy.arange(1, 3001), points)
    index.wait()
    assert not index.exact

    exact = numpy.argsort(-(queries @ points.T), axis=1)[:, :10] + 1
    found = [{row_id for row_id, _ in index.search(query, 10)} for query in queries]
    recall = numpy.mean([len(hit & set(want.tolist())) / 10 for hit, want in zip(found, exact, strict=True)])
    assert recall >= 0.95

    index.remove(numpy.arange(1, 101))
    assert len(index) == 2900
    assert not index.exact
    for query in queries[:10]:
        assert all(row_id > 100 for row_id, _ in index.search(query, 10))

    index.remove(numpy.arange(101, 2501))
    index.wait()
    assert len(index) == 500
    assert index.exact
    assert {row_id for row_id, _ in index.search(points[2999], 1)} == {3000}
    assert index.high_water == 3000


def test_searches_and_changes_go_on_while_the_index_rebuilds():
    points = clustered_vectors(1300)
    building = threading.Event()
    release = threading.Event()

    class HeldIndex(VectorIndex):
        def _built(self, ids, vectors):
            building.set()
            assert release.wait(timeout=60)
            return super()._built(ids, vectors)

    index = HeldIndex(48, exact_limit=1000)
    index.add(numpy.arange(1, 1101), points[:1100])
    assert building.wait(timeout=60)

    assert index.search(points[1049], 1)[0][0] == 1050
    index.add(numpy.arange(1101, 1300), points[1100:1299])
    index.remove([5])
    index.add([7], points[1299:])
    assert index.exact, "the old index answers until the new one is built"
    release.set()
    index.wait()

    assert not index.exact
    assert len(index) == 1298
    assert index.search(points[1199], 1)[0][0] == 1200
    assert 5 not in {row_id for row_id, _ in index.search(points[4], 20)}
    assert index.search(points[1299], 1)[0][0] == 7
    assert index.search(points[6], 1)[0][0] != 7


def test_a_failed_rebuild_leaves_the_index_in_place_and_the_next_change_tries_again(monkeypatch):
    points = clustered_vectors(1200)
    failures = []

    class FailingOnce(VectorIndex):
        def _built(self, ids, vectors):
            if not failures:
                failures.append(len(ids))
                raise MemoryError("no room for a second index")
            return super()._built(ids, vectors)

    monkeypatch.setattr(threading, "excepthook", lambda args: None)
    index = FailingOnce(48, exact_limit=1000)
    index.add(numpy.arange(1, 1101), points[:1100])
    index.wait()

    assert failures == [1100]
    assert index.exact and len(index) == 1100
    assert index.search(points[5], 1)[0][0] == 6
    index.add(numpy.arange(1101, 1201), points[1100:])
    index.wait()
    assert not index.exact and len(index) == 1200


def test_a_vector_survives_its_blob():
    vector = vectors.encode(ORIGINAL)[0]

    blob = vector_index.to_blob(vector)
    restored = vector_index.from_blob(blob)

    assert isinstance(blob, bytes)
    assert len(blob) == vectors.DIM * 2
    assert restored.dtype == numpy.float32
    numpy.testing.assert_allclose(restored, vector, atol=1e-3)
    assert float(restored @ vector) > 0.9999
