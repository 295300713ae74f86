"""Tests for matching speakers' names across Cyrillic and Latin spellings."""

import unicodedata

import pytest

from service.nlp import names

SAME_PERSON = [
    ("Евгений Пригожин", "Yevgeny Prigozhin"),
    ("Євген Пригожин", "Yevgeny Prigozhin"),
    ("Evgeniy Prigozhin", "Yevgeniy Prigozhin"),
    ("Y. Prigozhin", "Євген Пригожин"),
    ("Prigozhin", "Пригожин Евгений Викторович"),
    ("Volodymyr Zelensky", "Володимир Зеленський"),
    ("Владимир Зеленский", "Volodymyr Zelenskyy"),
    ("Zelenskiy", "Зеленський"),
    ("Sergei Shoigu", "Сергей Шойгу"),
    ("Serhiy Shoigu", "Shoigu"),
    ("Dmitry Peskov", "Дмитрий Песков"),
    ("Dmitriy Peskov", "Дмитро Пєсков"),
    ("Oleh Musienko", "Олег Мусієнко"),
    ("Oleg Musiyenko", "Олег Мусиенко"),
    ("Oleksandr Stek", "Олександр Стек"),
    ("Aleksandr Stek", "Stek, Oleksandr"),
    ("Andriy Yermak", "Андрій Єрмак"),
    ("Andrii Yermak", "Andrei Ermak"),
    ("Valerii Zaluzhnyi", "Валерій Залужний"),
    ("Valery Zaluzhny", "Валерий Залужный"),
    ("Mikhail Podolyak", "Mykhailo Podoliak"),
    ("Kyrylo Budanov", "Кирилл Буданов"),
    ("Lavrov, Sergey", "Сергей Лавров"),
    ("Dmytro Kuleba", "Дмитрий Кулеба"),
    ("Yuliya Timoshenko", "Юлія Тимошенко"),
    ("Mariya Zakharova", "Мария Захарова"),
    ("Ramzan Kadyrov", "Рамзан Кадыров"),
    ("Vitali Klitschko", "Віталій Кличко"),
    ("Denis Shmygal", "Денис Шмигаль"),
    ("Mykola Azarov", "Николай Азаров"),
]

DIFFERENT_PEOPLE = [
    ("Dmitry Peskov", "Dmitry Medvedev"),
    ("Andriy Yermak", "Andriy Kostin"),
    ("Sergei Shoigu", "Sergei Lavrov"),
    ("Yevgeny Prigozhin", "Yevgeny Primakov"),
    ("Volodymyr Zelensky", "Volodymyr Groysman"),
    ("Oleksandr Stek", "Oleksandr Syrskyi"),
    ("Viktor Medvedchuk", "Dmitry Medvedev"),
    ("Maria Zakharova", "Maria Zakharchenko"),
    ("Vitali Klitschko", "Wladimir Klitschko"),
    ("Yulia Tymoshenko", "Yulia Svyrydenko"),
    ("Ігор Гіркін", "Ігор Клименко"),
    ("Дмитро Кулеба", "Дмитро Кулебякін"),
    ("Sergei Lavrov", "Sergei Ivanov"),
    ("Ramzan Kadyrov", "Akhmat Kadyrov"),
    ("Vladimir Putin", "Vladimir Pushkin"),
    ("Олег Мусієнко", "Олег Мусіченко"),
    ("Petro Poroshenko", "Petro Porokhnenko"),
    ("Mykhailo Podolyak", "Mykhailo Fedorov"),
]


@pytest.mark.parametrize(("left", "right"), SAME_PERSON)
def test_likely_same_matches_one_person_across_scripts(left, right):
    assert names.likely_same(left, right), names.name_similarity(left, right)
    assert names.likely_same(right, left)


@pytest.mark.parametrize(("left", "right"), DIFFERENT_PEOPLE)
def test_likely_same_keeps_different_people_apart(left, right):
    assert not names.likely_same(left, right), names.name_similarity(left, right)
    assert not names.likely_same(right, left)


def test_the_threshold_sits_in_the_gap_between_same_and_different():
    lowest_same = min(names.name_similarity(left, right) for left, right in SAME_PERSON)
    highest_different = max(names.name_similarity(left, right) for left, right in DIFFERENT_PEOPLE)
    assert highest_different < names.SAME_PERSON_THRESHOLD < lowest_same


@pytest.mark.parametrize(
    "spelling",
    ["Евгений Пригожин", "Yevgeny Prigozhin", "Evgeniy Prigozhin", "Yevgeniy Prigozhin", "Evgenii Prigozhin"],
)
def test_name_key_folds_romanisations_of_one_name_together(spelling):
    assert names.name_key(spelling) == names.name_key("Yevgeny Prigozhin")


@pytest.mark.parametrize(
    "spelling", ["Зеленський", "Зеленский", "Zelensky", "Zelenskyy", "Zelenskiy", "Zelenskii", "ZELENSKYI"]
)
def test_name_key_folds_surname_endings(spelling):
    assert names.name_key(spelling) == names.name_key("Zelensky")


def test_name_key_is_plain_lower_case_latin():
    assert names.name_key("Євген Пригожин") == "evgen prigozhin"
    assert names.name_key("Шойгу, Сергей Кужугетович") == "shoigu sergei"
    assert names.name_key("Кличко") == names.name_key("Klitschko") == "klichko"


def test_name_key_folds_ukrainian_h_with_russian_g_and_doubled_letters():
    assert names.name_key("Hennadiy") == names.name_key("Геннадий") == names.name_key("Gennady")


def test_name_key_strips_diacritics_and_leaves_out_patronymics():
    assert names.name_key("Évgeny Prigózhin") == names.name_key("Yevgeny Prigozhin")
    assert names.name_key("Евгений Викторович Пригожин") == names.name_key("Евгений Пригожин")
    assert names.name_key("Мусієнко Олег Олександрович") == names.name_key("Мусієнко Олег")
    assert names.name_key("Ivan Petrovich Babich") == names.name_key("Ivan Babich")


def test_name_key_of_decomposed_cyrillic_is_the_same():
    assert names.name_key(unicodedata.normalize("NFD", "Сергій Шойгу")) == names.name_key("Сергій Шойгу")


def test_name_key_of_a_ukrainian_name_with_an_apostrophe():
    assert names.name_key("Дар'я") == names.name_key("Darya") == names.name_key("Daria")


def test_name_similarity_is_one_for_the_same_spelling_and_zero_for_no_name():
    assert names.name_similarity("Oleksandr Stek", "Oleksandr Stek") == 1.0
    assert names.name_similarity("", "Oleksandr Stek") == 0.0
    assert names.name_similarity("!!", "...") == 0.0


def test_name_similarity_weighs_the_surname_above_the_given_name():
    same_surname = names.name_similarity("Dmitry Peskov", "Mikhail Peskov")
    same_given_name = names.name_similarity("Dmitry Peskov", "Dmitry Lapin")
    assert same_surname > same_given_name


def test_an_initial_must_agree_with_the_given_name():
    assert names.likely_same("D. Peskov", "Dmitry Peskov")
    assert not names.likely_same("M. Peskov", "Dmitry Peskov")


def test_name_similarity_stays_between_zero_and_one():
    scores = [names.name_similarity(left, right) for left, right in SAME_PERSON + DIFFERENT_PEOPLE]
    assert all(0.0 <= score <= 1.0 for score in scores)
