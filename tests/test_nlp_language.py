"""Tests for language detection and language tags."""

import unicodedata

import pytest

from service.nlp import language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yevgeny Prigozhin complained of a lack of ammunition for his fighters in Bakhmut.", "en"),
        ("Пригожин поскаржився на брак боєприпасів для своїх бійців у Бахмуті.", "uk"),
        ("Пригожин пожаловался на нехватку боеприпасов для своих бойцов в Бахмуте.", "ru"),
        ("Bonjour tout le monde, la réunion commence à midi.", "fr"),
        ("Die Regierung hat gestern neue Sanktionen beschlossen.", "de"),
        ("Във България днес вали сняг.", "bg"),
    ],
)
def test_detect_names_the_language_of_a_sentence(text, expected):
    assert language.detect(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Де снаряди?", "uk"),
        ("Привіт", "uk"),
        ("Київ", "uk"),
        ("Об'єкт", "uk"),
        ("Потрібні снаряди", "uk"),
        ("Що сталося", "uk"),
        ("Где снаряды?", "ru"),
        ("Это правда", "ru"),
        ("объект", "ru"),
        ("Что случилось", "ru"),
        ("Сергій", "uk"),
        ("Сергей", "ru"),
    ],
)
def test_detect_tells_short_ukrainian_from_russian_by_letters_and_words(text, expected):
    assert language.detect(text) == expected


def test_decomposed_letters_still_decide():
    assert language.detect(unicodedata.normalize("NFD", "Ёлка")) == "ru"
    assert language.detect(unicodedata.normalize("NFD", "Їжак")) == "uk"


def test_letters_of_the_other_language_in_a_quote_are_outweighed():
    assert language.detect("Він сказав «да» і пішов, а її брат залишився.") == "uk"


@pytest.mark.parametrize("text", ["", None, "   ", "123 456", "—!?", "🙂"])
def test_detect_defaults_to_english_without_letters(text):
    assert language.detect(text) == "en"


@pytest.mark.parametrize("text", ["NATO", "Bakhmut", "Kyiv", "Prigozhin"])
def test_detect_calls_one_latin_word_english_unless_the_detector_is_sure(text):
    assert language.detect(text) == "en"


def test_one_word_in_an_unmistakable_language_keeps_its_language():
    assert language.detect("Dziękuję") == "pl"


@pytest.mark.parametrize("text", ["НАТО", "ООН", "Москва"])
def test_detect_calls_cyrillic_without_any_sign_russian(text):
    assert language.detect(text) == "ru"


def test_detect_returns_a_lower_case_primary_tag():
    tag = language.detect("这是一个测试句子，用来检查语言。")
    assert tag == tag.lower() == language.primary(tag)
    assert tag == "zh"


def test_the_detector_is_loaded_once():
    language.detect("one")
    language.detect("two")
    assert language._detector.cache_info().currsize == 1


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("UK", "uk"),
        ("uk_UA", "uk-ua"),
        ("uk-ua", "uk-ua"),
        (" en-GB ", "en-gb"),
        ("en-Latn-GB", "en-latn-gb"),
        ("zh-Hant-TW", "zh-hant-tw"),
        ("es-419", "es-419"),
        ("sr-Latn-RS-u-nu-latn", "sr-latn-rs-u-nu-latn"),
        ("de-CH-1996", "de-ch-1996"),
        ("x-newsroom", "x-newsroom"),
    ],
)
def test_normalise_tag_gives_canonical_lower_case(tag, expected):
    assert language.normalise_tag(tag) == expected


@pytest.mark.parametrize("tag", ["", "e", "english!", "123", "uk--ua", "uk-", "ukrainianx", "uk ua", None, 42])
def test_normalise_tag_rejects_what_is_not_a_language_tag(tag):
    with pytest.raises(ValueError, match="not a language tag"):
        language.normalise_tag(tag)


@pytest.mark.parametrize(("tag", "expected"), [("uk-ua", "uk"), ("UK_UA", "uk"), ("ru", "ru"), ("zh-Hant-TW", "zh")])
def test_primary_gives_the_language_subtag(tag, expected):
    assert language.primary(tag) == expected


def test_primary_rejects_a_bad_tag():
    with pytest.raises(ValueError):
        language.primary("not a tag")
