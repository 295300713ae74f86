"""Contradiction scoring between claims that retrieval found alike, on pairs scored by the real model."""

import json
import pathlib

import pytest

from service.nlp import contradiction
from service.nlp import vectors

PAIRS = json.loads((pathlib.Path(__file__).parent / "data" / "contradiction_pairs.json").read_text(encoding="utf-8"))
PRIGOZHIN = "Prigozhin says his fighters lack ammunition and there is a shortage of shells near Bakhmut."
STEK = "Border guard spokesman Levko Stek said: we sensed no Russian 'ammunition hunger'."


def similarity(a_text, b_text):
    """Return the real model's cosine similarity of two texts."""
    a_vector, b_vector = vectors.encode([a_text, b_text])
    return float(a_vector @ b_vector)


@pytest.fixture(scope="module")
def judged():
    """Return (pair, assessment) for every pair of the table."""
    first = vectors.encode([pair["a"] for pair in PAIRS])
    second = vectors.encode([pair["b"] for pair in PAIRS])
    return [
        (pair, contradiction.assess(pair["a"], pair["a_lang"], pair["b"], pair["b_lang"], float(a @ b)))
        for pair, a, b in zip(PAIRS, first, second, strict=True)
    ]


def test_the_table_has_enough_pairs_of_each_kind_and_language():
    contradicting = [pair for pair in PAIRS if pair["contradicts"]]
    compatible = [pair for pair in PAIRS if not pair["contradicts"]]

    assert len(contradicting) >= 25 and len(compatible) >= 25
    for group in (contradicting, compatible):
        languages = {(pair["a_lang"], pair["b_lang"]) for pair in group}
        assert {("en", "en"), ("uk", "uk"), ("ru", "ru")} <= languages
        assert any(a != b for a, b in languages)


def test_the_seed_story_is_a_contradiction_with_a_reason():
    result = contradiction.assess(PRIGOZHIN, "en", STEK, "en", similarity(PRIGOZHIN, STEK))

    assert result.contradicts
    assert result.score >= contradiction.THRESHOLD
    assert "no Russian 'ammunition hunger" in result.reason
    assert "lack ammunition" in result.reason
    assert "supply" in result.reason
    assert "similarity 0." in result.reason


def test_the_seed_story_contradicts_across_languages():
    stek = "Речник прикордонників Левко Стек: ми не відчули жодного російського «снарядного голоду»."

    result = contradiction.assess(PRIGOZHIN, "en", stek, "uk", similarity(PRIGOZHIN, stek))

    assert result.contradicts
    assert "жодного російського «снарядного голоду" in result.reason


def test_precision_and_recall_on_the_tuning_table(judged):
    hits = [(pair["contradicts"], result.contradicts) for pair, result in judged]
    true_positives = sum(expected and found for expected, found in hits)
    false_positives = sum(found and not expected for expected, found in hits)
    false_negatives = sum(expected and not found for expected, found in hits)

    precision = true_positives / (true_positives + false_positives)
    recall = true_positives / (true_positives + false_negatives)

    assert precision >= 0.9
    assert recall >= 0.85


def test_every_contradiction_found_says_why(judged):
    for _, result in judged:
        assert 0.0 <= result.score <= 1.0
        assert result.contradicts == (result.score >= contradiction.THRESHOLD)
        assert result.reason.endswith(".")
        assert "(similarity " in result.reason


@pytest.mark.parametrize(
    ("a_text", "a_lang", "b_text", "b_lang", "said"),
    [
        ("Ukraine lacks shells.", "en", "Russia has enough shells.", "en", "about ukraine, the other about russia"),
        ("Prices rose in 2022.", "en", "Prices fell in 2023.", "en", "different years (2022 and 2023)"),
    ],
)
def test_claims_about_different_sides_or_years_can_both_be_true(a_text, a_lang, b_text, b_lang, said):
    result = contradiction.assess(a_text, a_lang, b_text, b_lang, 0.95)

    assert not result.contradicts
    assert said in result.reason.lower()


def test_claims_that_are_not_alike_never_contradict():
    result = contradiction.assess("Bread prices rose.", "en", "The bridge is closed.", "en", 0.78)

    assert not result.contradicts
    assert result.score == 0.0


@pytest.mark.parametrize(
    ("a_text", "b_text", "language", "said"),
    [
        ("Losses reached 1 500 people.", "Losses reached 3 000 people.", "en", "1,500 against 3,000"),
        ("Збитки склали 1,5 млн гривень.", "Збитки склали 4 млн гривень.", "uk", "1,500,000 against 4,000,000"),
        ("Инфляция составила 7,5%.", "Инфляция составила 12%.", "ru", "7.5% against 12%"),
    ],
)
def test_numbers_of_one_kind_that_differ_are_named(a_text, b_text, language, said):
    result = contradiction.assess(a_text, language, b_text, language, 0.93)

    assert result.contradicts
    assert said in result.reason


def test_numbers_within_a_tenth_of_each_other_agree():
    result = contradiction.assess("About 1,000 people came.", "en", "Some 1,050 people came.", "en", 0.95)

    assert not result.contradicts


@pytest.mark.parametrize(
    ("a_text", "b_text", "language"),
    [
        ("Россия никогда не атаковала станцию.", "Россия не атаковала станцию.", "ru"),
        ("Ніхто не бачив жодних снарядів.", "Снарядів не бачили.", "uk"),
    ],
)
def test_negative_concord_is_one_negation(a_text, b_text, language):
    result = contradiction.assess(a_text, language, b_text, language, 0.95)

    assert not result.contradicts
