"""Tests for the similarity conflict detector and its hand-written corpus."""

import json
import pathlib

import pytest

from service.ledger import similarity

CORPUS = pathlib.Path(__file__).parent / "data" / "conflict_pairs.json"

PRIGOZHIN = "Yevgeny Prigozhin complained of a lack of ammunition for his fighters in Bakhmut."
STEK = "Ukrainian forces did not sense any ammunition hunger on the Russian side."
NO_TALKS = "A top Russian official said there was no chance of peace talks between Russia and Ukraine."
TALKS_SOON = "Xi Jinping said he hoped Russia and Ukraine could hold negotiations as soon as possible."
EXHAUSTED = "Russian forces are exhausted and cannot maintain the pace of attacks."
OFFENSIVES = "Russian troops are concentrating on conducting offensives toward Lyman, Bakhmut, Avdiivka."


def load_corpus():
    return json.loads(CORPUS.read_text(encoding="utf-8"))


def test_key_terms_keeps_content_words_and_drops_cues():
    terms = similarity.key_terms(PRIGOZHIN)
    assert "ammunition" in terms
    assert "bakhmut" in terms
    assert not {"lack", "of", "a", "his", "for", "in"} & set(terms)


def test_key_terms_are_plain_lowercase_alphanumeric_tokens():
    terms = similarity.key_terms("Ukraine's ministry said: \"Shells aren't scarce!\" (AP) — 2023 café")
    assert terms
    assert all(term.isalnum() and term == term.lower() for term in terms)


def test_key_terms_are_deduplicated_and_normalised():
    terms = similarity.key_terms("Ammo shortages: the ammo depots and the shells, shells, shells.")
    assert terms.count("ammunition") == 1
    assert "depot" in terms
    assert len(terms) == len(set(terms))


def test_key_terms_respects_limit_and_puts_longer_words_first():
    text = "Negotiators in Geneva discussed grain corridors, shipping insurance and port access."
    assert len(similarity.key_terms(text, limit=3)) == 3
    terms = similarity.key_terms(text)
    assert [len(term) for term in terms] == sorted((len(term) for term in terms), reverse=True)
    assert similarity.key_terms("") == []


def test_key_terms_drop_attribution():
    terms = similarity.key_terms("Oleksander Musienko said the Russian army's ability to attack has stalled.")
    assert "musienko" not in terms
    assert "ability" in terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PRIGOZHIN, -1),
        (STEK, 1),
        ("Russian units have plenty of ammunition.", 1),
        ("There is no shortage of ammunition.", 1),
        ("There are not enough vaccines for the winter.", -1),
        (NO_TALKS, -1),
        (TALKS_SOON, 1),
        (EXHAUSTED, -1),
        (OFFENSIVES, 1),
        ("The dam did not fail during the storm.", 1),
        ("The dam failed during the storm.", -1),
        ("The grid never collapsed.", 1),
        ("The bakeries ran out of bread.", -1),
        ("The president didn't sign the decree.", -1),
        ("The ministry denied any shortage of bread.", 1),
        ("It is not true that there is no shortage.", -1),
        ("Prices rose, but the talks stalled.", -1),
        ("", 1),
    ],
)
def test_polarity(text, expected):
    assert similarity.polarity(text) == expected


def test_polarity_ignores_asides_and_attribution():
    aside = "Farmers have ample fertiliser (the ministry's figures, not yet audited)."
    attribution = "A senior official, not named in the report, said farmers have ample fertiliser."
    assert similarity.polarity(aside) == 1
    assert similarity.polarity(attribution) == 1


def test_overlap_bounds_and_symmetry():
    assert similarity.overlap(PRIGOZHIN, PRIGOZHIN) == 1.0
    assert similarity.overlap(PRIGOZHIN, "Inflation eased in March.") == 0.0
    assert similarity.overlap(PRIGOZHIN, "") == 0.0
    forward = similarity.overlap(PRIGOZHIN, STEK)
    assert 0.0 < forward < 1.0
    assert forward == similarity.overlap(STEK, PRIGOZHIN)


def test_overlap_matches_inflections_and_synonyms():
    assert similarity.overlap("Wagner has run out of ammo.", "Wagner has plenty of ammunition.") == 1.0
    assert similarity.overlap("Attempts to encircle the city.", "They encircled the city.") == 1.0


def test_overlap_counts_shared_names_for_less_than_shared_matter():
    matter = similarity.overlap("Bread is scarce in Bakhmut.", "Bread is plentiful in Kherson.")
    place = similarity.overlap("Bread is scarce in Bakhmut.", "Water is plentiful in Bakhmut.")
    assert matter > place > 0.0


def test_conflict_score_is_zero_when_polarity_agrees():
    agreeing = "Wagner fighters in Bakhmut are running short of ammunition."
    assert similarity.polarity(PRIGOZHIN) == similarity.polarity(agreeing)
    assert similarity.overlap(PRIGOZHIN, agreeing) > 0
    assert similarity.conflict_score(PRIGOZHIN, agreeing) == 0.0


def test_conflict_score_is_overlap_when_polarity_differs():
    score = similarity.conflict_score(PRIGOZHIN, STEK)
    assert score == similarity.overlap(PRIGOZHIN, STEK)
    assert 0.0 < score <= 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [(PRIGOZHIN, STEK), (NO_TALKS, TALKS_SOON), (EXHAUSTED, OFFENSIVES)],
    ids=["ammunition", "peace-talks", "offensive-capacity"],
)
def test_suggests_conflict_on_seed_article_contradictions(a, b):
    assert similarity.suggests_conflict(a, b)
    assert similarity.suggests_conflict(b, a)


def test_no_conflict_for_agreeing_claims():
    assert not similarity.suggests_conflict(EXHAUSTED, "The Russian army's ability to attack has stalled.")


def test_no_conflict_for_different_matters_with_opposite_polarity():
    assert similarity.polarity(PRIGOZHIN) != similarity.polarity(TALKS_SOON)
    assert not similarity.suggests_conflict(PRIGOZHIN, TALKS_SOON)


def test_threshold_is_a_probability():
    assert 0.0 < similarity.THRESHOLD < 1.0


def test_corpus_is_well_formed_and_balanced():
    pairs = load_corpus()
    assert len(pairs) >= 80
    for pair in pairs:
        assert set(pair) == {"a", "b", "conflict", "note"}
        assert isinstance(pair["conflict"], bool)
        assert pair["a"].strip() and pair["b"].strip() and pair["note"].strip()
    conflicts = sum(pair["conflict"] for pair in pairs)
    assert 0.4 <= conflicts / len(pairs) <= 0.6


def test_corpus_precision_and_recall_floors():
    # These floors guard against regressions and sit a little below what was measured; the
    # figures themselves (and the misclassified pairs) are printed by bench/similarity.py.
    pairs = load_corpus()
    tp = fp = fn = 0
    for pair in pairs:
        predicted = similarity.suggests_conflict(pair["a"], pair["b"])
        assert predicted == (similarity.conflict_score(pair["a"], pair["b"]) >= similarity.THRESHOLD)
        tp += predicted and pair["conflict"]
        fp += predicted and not pair["conflict"]
        fn += not predicted and pair["conflict"]
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    assert precision >= 0.72, f"precision {precision:.3f}"
    assert recall >= 0.84, f"recall {recall:.3f}"
