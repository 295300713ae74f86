"""Tests for search terms that match word forms in English, Ukrainian and Russian."""

import re
import unicodedata

import pytest

from service.nlp import ukrainian
from service.nlp import wordforms


def matches(query, text, language=None):
    """Return whether a query finds a text the way the databases match plain tokens and prefixes."""
    stored = set(wordforms.index_terms(text, language).split())
    words = wordforms.query_terms(query)
    return bool(words) and all(
        any(term in stored or (term.endswith("*") and any(s.startswith(term[:-1]) for s in stored)) for term in word)
        for word in words
    )


# Each query word and real forms of it that it must find, with and without the text's language given.
WORD_FORMS = [
    ("en", "shell", ["shell", "shells", "shelling", "shelled"]),
    ("en", "run", ["run", "running", "runs"]),
    ("en", "attack", ["attack", "attacks", "attacked", "attacking"]),
    ("en", "claim", ["claims", "claimed", "claiming"]),
    ("en", "country", ["country", "countries"]),
    ("en", "ammunition", ["ammunition"]),
    ("ru", "снаряд", ["снаряд", "снаряды", "снарядов", "снарядами", "снаряду", "снарядом"]),
    ("ru", "объёме", ["объеме", "объёма", "объёмом", "объёмов"]),
    ("ru", "боеприпасы", ["боеприпасы", "боеприпасов", "боеприпасами", "боеприпасам"]),
    ("ru", "война", ["война", "войны", "войне", "войну", "войной"]),
    ("ru", "российский", ["российский", "российского", "российскому", "российским", "российская", "российской"]),
    ("uk", "боєприпаси", ["боєприпаси", "боєприпасів", "боєприпасами", "боєприпасам", "боєприпасах", "боєприпасу"]),
    ("uk", "снаряд", ["снаряди", "снарядів", "снарядами", "снаряду", "снарядом", "снарядах"]),
    ("uk", "війна", ["війна", "війни", "війні", "війну", "війною", "війнами"]),
    ("uk", "країна", ["країна", "країни", "країні", "країну", "країною", "країн"]),
    ("uk", "держава", ["держава", "держави", "державі", "державу", "державою", "держав"]),
    ("uk", "обстріл", ["обстріл", "обстріли", "обстрілів", "обстрілами", "обстрілу"]),
    ("uk", "питання", ["питання", "питанням", "питанні", "питань"]),
    ("uk", "земля", ["земля", "землі", "землю", "землею"]),
    (
        "uk",
        "російський",
        [
            "російського",
            "російському",
            "російським",
            "російській",
            "російська",
            "російської",
            "російською",
            "російські",
            "російських",
            "російськими",
            "російське",
        ],
    ),
    ("uk", "останній", ["останнього", "останньому", "останнім", "остання", "останньої", "останні", "останніх"]),
    ("uk", "новий", ["нового", "новому", "новим", "нова", "нової", "новою", "нові", "нових"]),
    ("uk", "заявив", ["заявила", "заявили", "заявить", "заявимо"]),
    ("uk", "говорить", ["говорив", "говорила", "говорили", "говорять", "говорю", "говориш"]),
    ("uk", "атакувати", ["атакує", "атакують", "атакував", "атакувала", "атака", "атаки"]),
    ("uk", "займається", ["займатися", "займаються"]),
    ("uk", "об'єкт", ["об’єкт", "обʼєкти", "об'єктів"]),
]
CASES = [(language, query, form) for language, query, forms in WORD_FORMS for form in forms]


def test_the_table_holds_at_least_sixty_word_forms_in_three_languages():
    assert len(CASES) >= 60
    assert {language for language, _, _ in CASES} == {"en", "uk", "ru"}


@pytest.mark.parametrize(("language", "query", "form"), CASES)
def test_a_query_word_finds_its_forms(language, query, form):
    assert matches(query, form, language)
    assert matches(query, form)
    assert matches(form, query)


# Unrelated words that a careless stemmer would cut down to one stem.
UNRELATED = [
    ("news", "new"),
    ("policy", "police"),
    ("army", "arm"),
    ("general", "generous"),
    ("ракета", "рак"),
    ("газета", "газ"),
    ("світло", "світ"),
    ("держава", "держати"),
    ("мова", "мовчати"),
    ("генерал", "генерація"),
    ("обстріл", "обстановка"),
    ("вода", "водка"),
    ("город", "горох"),
    ("мировой", "миномёт"),
    ("пушка", "пушкин"),
    ("снаряд", "снаряжение"),
]


@pytest.mark.parametrize(("left", "right"), UNRELATED)
def test_unrelated_words_keep_apart(left, right):
    assert not set(wordforms.index_terms(left).split()) & set(wordforms.index_terms(right).split())
    assert not matches(left, right)
    assert not matches(right, left)


def test_a_ukrainian_noun_shares_one_stem_in_every_case():
    forms = ["боєприпаси", "боєприпасів", "боєприпасам", "боєприпасами", "боєприпасах", "боєприпасові"]
    assert {ukrainian.stem(form) for form in forms} == {"боєприпас"}


def test_a_cyrillic_word_of_uncertain_language_is_stored_under_both_stems():
    assert wordforms.index_terms("снарядов") == "снаряд снарядов"
    assert wordforms.index_terms("снарядов", "ru") == "снаряд"
    assert wordforms.index_terms("снарядами") == "снаряд"


def test_a_words_own_letters_outweigh_the_texts_language():
    assert wordforms.index_terms("боєприпасів", "ru") == "боєприпас"
    assert wordforms.index_terms("снаряды", "uk-UA") == "снаряд"


def test_a_query_in_either_language_finds_the_other():
    assert matches("снаряды", "Де снаряди?")
    assert matches("снаряди", "Где снаряды?")
    assert matches("снарядов", "бракує снарядів")


def test_every_term_is_one_token_to_both_databases():
    text = "Зеленський’s «офіс» said: 155-мм снаряди, ёлки-палки! naïve café 東京 e-mail x@y.z"
    terms = wordforms.index_terms(text).split()
    assert terms
    assert all(re.fullmatch(r"[^\W_]+", term) for term in terms)
    assert all(re.fullmatch(r"[^\W_]+\*?", term) for word in wordforms.query_terms(text) for term in word)


def test_index_terms_are_lower_case_folded_and_in_text_order():
    assert wordforms.index_terms("Об’єкт в ОБЪЁМЕ 155-мм") == "обєкт в объем 155 мм"


@pytest.mark.parametrize("spelling", ["об'єкт", "об’єкт", "обʼєкт", "ОБ'ЄКТ"])
def test_ukrainian_apostrophes_are_stripped_alike(spelling):
    assert wordforms.index_terms(spelling) == "обєкт"


def test_decomposed_text_gives_the_same_terms_as_composed():
    text = "Сергій Шойгу заявив про її обʼєм, 2024 рік; Ёлка"
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    assert wordforms.index_terms(decomposed) == wordforms.index_terms(text)
    assert wordforms.query_terms(decomposed) == wordforms.query_terms(text)


def test_an_english_possessive_finds_the_name():
    assert matches("Zelensky", "Zelensky’s office said")
    assert wordforms.index_terms("O'Brien didn't") == "obrien didnt"


def test_a_language_tag_in_any_case_or_region_picks_the_stemmer():
    assert wordforms.index_terms("снарядов", "RU_ru") == wordforms.index_terms("снарядов", "ru") == "снаряд"
    assert wordforms.index_terms("снарядов", "en") == "снаряд снарядов"


def test_query_terms_lists_alternatives_per_word():
    assert wordforms.query_terms("Shells снарядов") == [["shell"], ["снаряд", "снарядов"]]


def test_a_trailing_star_keeps_its_prefix_meaning():
    assert wordforms.query_terms("снаряд*") == [["снаряд*"]]
    assert matches("снаряд*", "снарядами")
    assert matches("снаряд*", "снарядів")
    assert matches("боєприп*", "боєприпасами")
    assert not matches("снаряд*", "боєприпаси")


def test_quoted_phrases_search_as_their_words_anded():
    assert wordforms.query_terms('"shells running" out') == wordforms.query_terms("shells running out")
    assert matches('"shells running"', "running out of shells")


def test_every_query_word_must_match():
    assert matches("shells ammunition", "ammunition and shells")
    assert not matches("shells ammunition", "ammunition and rockets")


def test_no_words_give_no_terms():
    assert wordforms.index_terms("") == ""
    assert wordforms.index_terms(" — ... !") == ""
    assert wordforms.query_terms("  ?! ") == []
