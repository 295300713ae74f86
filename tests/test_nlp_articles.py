"""Article text, sentence spans and attributed statements, read without the ledger."""

import random

import pytest

from service.nlp.article_text import article_text
from service.nlp.attribution import attributions
from service.nlp.attribution import checkworthiness
from service.nlp.sentences import sentences

HTML = """<!doctype html><html><head><title>Draft</title><style>p { color: red }</style></head>
<body><h1>Shelling &amp; supplies</h1>
<!-- editor: check the figure -->
<p>Border guards   counted <b>4,000</b>
   shells &mdash; &#171;too many&#187;.<br>Second line&nbsp;here.</p>
<script>document.write("<p>never</p>")</script><noscript><p>Enable scripts</p></noscript>
<template><p>slot</p></template><iframe src="x"></iframe>
<ul><li>One</li><li>Two &lt;three&gt;</li></ul></body></html>"""


def test_html_keeps_blocks_and_drops_scripts_styles_and_comments():
    text = article_text(HTML, "text/html; charset=utf-8")
    assert text == (
        "Shelling & supplies\n\nBorder guards counted 4,000 shells — «too many».\nSecond line here.\n\n"
        "One\n\nTwo <three>"
    )


def test_plain_text_only_normalises_line_breaks():
    assert article_text("One.\r\nTwo.\rThree.\n\nFour.", "text/plain") == "One.\nTwo.\nThree.\n\nFour."


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones in the U.S. capital. Y. Prigozhin left! Did he? Yes.",
            "en",
            ["Mr. Smith met Dr. Jones in the U.S. capital.", "Y. Prigozhin left!", "Did he?", "Yes."],
        ),
        ("Aid came from the U.S. The ministry said so.", "en", ["Aid came from the U.S.", "The ministry said so."]),
        (
            "“We hold the city. They are failing,” he said. Next.\n\nA new paragraph",
            "en",
            ["“We hold the city. They are failing,” he said.", "Next.", "A new paragraph"],
        ),
        (
            "Є. Пригожин, т. зв. лідер, прибув у м. Бахмут. Там 20 тис. бійців. «Де снаряди? Нема!» — спитав він.",
            "uk",
            [
                "Є. Пригожин, т. зв. лідер, прибув у м. Бахмут.",
                "Там 20 тис. бійців.",
                "«Де снаряди? Нема!» — спитав він.",
            ],
        ),
        (
            "Он сказал: «Снарядов нет. Мы уходим». В 2023 г. Путин, т.е. Президент, молчал.",
            "ru",
            ["Он сказал: «Снарядов нет. Мы уходим».", "В 2023 г. Путин, т.е. Президент, молчал."],
        ),
        (
            "An “unclosed quote. Then a sentence.\n\nAnother.",
            "en",
            ["An “unclosed quote.", "Then a sentence.", "Another."],
        ),
    ],
)
def test_sentences_respect_abbreviations_initials_quotes_and_paragraphs(text, language, expected):
    found = sentences(text, language)
    assert [span.text for span in found] == expected
    assert all(text[span.start : span.end] == span.text for span in found)


# (text, language, [(speaker, role, statement, quote)]) written for these tests, four per language.
PASSAGES = [
    (
        "“We repelled 20 attacks overnight,” said Levko Stek, a spokesman for the border guard service.",
        "en",
        [
            (
                "Levko Stek",
                "a spokesman for the border guard service",
                "We repelled 20 attacks overnight",
                "We repelled 20 attacks overnight",
            )
        ],
    ),
    (
        "Border guard spokesman Levko Stek, speaking on television, said that Russian units had fired 4,000 shells "
        "on Monday. The General Staff denied that any town had fallen.",
        "en",
        [
            ("Levko Stek", "Border guard spokesman", "Russian units had fired 4,000 shells on Monday", None),
            ("General Staff", None, "any town had fallen", None),
        ],
    ),
    (
        "Kremlin spokesman Dmitry Peskov told reporters that talks were impossible. “There is no basis for talks. "
        'Kyiv rejected every offer,” he said on Friday. Y. Prigozhin wrote: "We lost 94 fighters."',
        "en",
        [
            ("Dmitry Peskov", "Kremlin spokesman", "talks were impossible", None),
            (
                "Dmitry Peskov",
                "Kremlin spokesman",
                "There is no basis for talks. Kyiv rejected every offer",
                "There is no basis for talks. Kyiv rejected every offer",
            ),
            ("Y. Prigozhin", None, "We lost 94 fighters.", "We lost 94 fighters."),
        ],
    ),
    (
        "According to the General Staff, Ukrainian forces repelled 32 attacks near Avdiivka. Russian artillery "
        "shelled 14 villages, the regional administration said on Sunday. Stek insisted the ‘shell famine’ was a myth.",
        "en",
        [
            ("General Staff", None, "Ukrainian forces repelled 32 attacks near Avdiivka", None),
            ("regional administration", None, "Russian artillery shelled 14 villages", None),
            ("Stek", None, "the ‘shell famine’ was a myth", "shell famine"),
        ],
    ),
    (
        "«Ми не відчуваємо снарядного голоду в росіян», — заявив речник ДПСУ Андрій Демченко.",
        "uk",
        [
            (
                "Андрій Демченко",
                "речник ДПСУ",
                "Ми не відчуваємо снарядного голоду в росіян",
                "Ми не відчуваємо снарядного голоду в росіян",
            )
        ],
    ),
    (
        "Військовий експерт Олександр Мусієнко переконаний, що російська армія виснажена. Ворог втратив 40 танків, "
        "зазначив Генштаб ЗСУ.",
        "uk",
        [
            ("Олександр Мусієнко", "Військовий експерт", "російська армія виснажена", None),
            ("Генштаб ЗСУ", None, "Ворог втратив 40 танків", None),
        ],
    ),
    (
        "За словами речника ДПСУ Андрія Демченка, росіяни випустили 3 тисячі снарядів. Демченко додав: „Обстріли "
        "не припиняються“.",
        "uk",
        [
            ("Андрія Демченка", "речника ДПСУ", "росіяни випустили 3 тисячі снарядів", None),
            ("Демченко", None, "Обстріли не припиняються", "Обстріли не припиняються"),
        ],
    ),
    (
        "Лідер ПВК Вагнер, Є. Пригожин, знову поскаржився на брак боєприпасів. «Снарядів немає. Бійці гинуть», "
        "— написав він у телеграмі.",
        "uk",
        [
            ("Є. Пригожин", "Лідер ПВК Вагнер", "на брак боєприпасів", None),
            ("Є. Пригожин", "Лідер ПВК Вагнер", "Снарядів немає. Бійці гинуть", "Снарядів немає. Бійці гинуть"),
        ],
    ),
    (
        "«Снарядов нет, бойцы гибнут», — заявил глава ЧВК Вагнер Евгений Пригожин.",
        "ru",
        [("Евгений Пригожин", "глава ЧВК Вагнер", "Снарядов нет, бойцы гибнут", "Снарядов нет, бойцы гибнут")],
    ),
    (
        "По словам Пригожина, за сутки Вагнер потерял 94 бойца. Армия отступила, сообщил источник в Минобороны.",
        "ru",
        [
            ("Пригожина", None, "за сутки Вагнер потерял 94 бойца", None),
            ("источник в Минобороны", None, "Армия отступила", None),
        ],
    ),
    (
        "Министр обороны Сергей Шойгу сообщил, что армия получила 2 миллиона снарядов.",
        "ru",
        [("Сергей Шойгу", "Министр обороны", "армия получила 2 миллиона снарядов", None)],
    ),
    (
        "Пресс-секретарь Кремля Дмитрий Песков отметил, что переговоров не будет. «Основы для переговоров нет. "
        "Киев отверг все предложения», — добавил он. «Мы не спешим», — подчеркнул Песков.",
        "ru",
        [
            ("Дмитрий Песков", "Пресс-секретарь Кремля", "переговоров не будет", None),
            (
                "Дмитрий Песков",
                "Пресс-секретарь Кремля",
                "Основы для переговоров нет. Киев отверг все предложения",
                "Основы для переговоров нет. Киев отверг все предложения",
            ),
            ("Песков", None, "Мы не спешим", "Мы не спешим"),
        ],
    ),
]


PASSAGES += [
    (
        "“We hold,” Stek told Reuters. Stek told the BBC that 300 shells fell on Monday. The Kremlin denied "
        "reports that Wagner had run out of shells.",
        "en",
        [
            ("Stek", None, "We hold", "We hold"),
            ("Stek", None, "300 shells fell on Monday", None),
            ("Kremlin", None, "reports that Wagner had run out of shells", None),
        ],
    ),
    (
        "Як повідомили в Генштабі ЗСУ, ворог втратив 500 солдатів. «Бахмут тримається», – сказала речниця "
        "Міноборони Ганна Маляр.",
        "uk",
        [
            ("Генштабі ЗСУ", None, "ворог втратив 500 солдатів", None),
            ("Ганна Маляр", "речниця Міноборони", "Бахмут тримається", "Бахмут тримається"),
        ],
    ),
    (
        "Евгений Викторович Пригожин заявил, что Вагнер контролирует 80% Бахмута. „Снарядов нет“, — сказал он "
        "журналистам.",
        "ru",
        [
            ("Евгений Викторович Пригожин", None, "Вагнер контролирует 80% Бахмута", None),
            ("Евгений Викторович Пригожин", None, "Снарядов нет", "Снарядов нет"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "language", "expected"), PASSAGES)
def test_attributions_find_speaker_role_statement_and_quote(text, language, expected):
    found = attributions(text, language)
    assert [(item.speaker, item.role, item.statement, item.quote) for item in found] == expected
    assert all(text[item.span.start : item.span.end] == item.span.text for item in found)
    assert all(0.0 <= item.checkworthiness <= 1.0 for item in found)


@pytest.mark.parametrize(("text", "language", "expected"), PASSAGES)
def test_attributions_need_no_language(text, language, expected):
    assert [item.speaker for item in attributions(text, None)] == [speaker for speaker, *_ in expected]


@pytest.mark.parametrize(
    ("text", "language", "statement"),
    [
        ("Stek said on Monday that 300 shells fell.", "en", "300 shells fell"),
        ("Stek said in a statement: “We hold the city.”", "en", "We hold the city."),
        ("Песков сказал в интервью: «Переговоров не будет».", "ru", "Переговоров не будет"),
    ],
)
def test_time_or_place_after_the_verb_is_not_part_of_the_statement(text, language, statement):
    assert [item.statement for item in attributions(text, language)] == [statement]


def test_multi_sentence_quote_in_separate_sentences_joins_its_speaker():
    text = "Stek said: “The shelling never stopped.” “We counted 300 shells.”\n\n“Another paragraph.”"
    found = attributions(text, "en")
    assert [(item.speaker, item.quote) for item in found] == [
        ("Stek", "The shelling never stopped. We counted 300 shells.")
    ]
    assert found[0].span.text == "Stek said: “The shelling never stopped.” “We counted 300 shells.”"


def test_quoted_sentences_before_an_attributed_quote_join_it():
    text = "Intro.\n\n«Снарядів немає.» «Бійці гинуть.» «Ми відходимо», — написав Пригожин."
    found = attributions(text, "uk")
    assert [(item.speaker, item.quote) for item in found] == [
        ("Пригожин", "Снарядів немає. Бійці гинуть. Ми відходимо")
    ]
    assert text[found[0].span.start :] == "«Снарядів немає.» «Бійці гинуть.» «Ми відходимо», — написав Пригожин."


def test_quote_running_over_paragraphs_joins_the_paragraph_that_closes_it():
    text = (
        "Wagner's founder spoke again.\n\n“We have no shells left. Our men are dying.\n\n“The ministry hides "
        "30,000 shells,” Prigozhin said.\n\n“Closed quote.” A sentence."
    )
    found = attributions(text, "en")
    assert [(item.speaker, item.quote) for item in found] == [
        ("Prigozhin", "We have no shells left. Our men are dying. The ministry hides 30,000 shells")
    ]
    assert found[0].span.text.startswith("“We have no shells left.") and found[0].span.text.endswith("said.")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "The city has been shelled for months. Residents queue for water at the only working well. The report "
            "said nothing new. Smoke rose over the eastern districts at dawn.",
            "en",
        ),
        (
            "Місто обстрілюють місяцями. Мешканці стоять у черзі по воду біля єдиної криниці. Над східними районами "
            "на світанку піднявся дим.",
            "uk",
        ),
        (
            "Город обстреливают месяцами. Жители стоят в очереди за водой у единственного колодца. Над восточными "
            "районами на рассвете поднялся дым.",
            "ru",
        ),
        ("He said nothing. Він сказав: «Так». Bakhmut: the long battle goes on.", None),
    ],
)
def test_narration_without_attribution_yields_nothing(text, language):
    assert attributions(text, language) == []


def test_checkworthiness_ranks_facts_above_pleasantries_intentions_and_questions():
    fact = checkworthiness("Russian forces fired 4,000 shells at Bakhmut on Monday")
    assert fact > checkworthiness("Thank you all, it is a pleasure to be here")
    assert fact > checkworthiness("We will win this war")
    assert fact > checkworthiness("Where are the shells?")
    assert checkworthiness("Ворог втратив 40 танків під Бахмутом") > checkworthiness("Дякую всім, я радий бути тут")
    assert checkworthiness("Армия получила 2 миллиона снарядов") > checkworthiness("Мы надеемся на лучшее")


def test_junk_never_raises_and_every_span_round_trips():
    pieces = [
        "said",
        "заявив",
        "сказал",
        "«",
        "»",
        "„",
        "“",
        "”",
        '"',
        "‘",
        "’",
        ",",
        ".",
        "?",
        "—",
        "\n\n",
        "Stek",
        "he",
        "він",
        "according to",
        "за словами",
        ":",
        "Y.",
        "U.S.",
        "т. зв.",
        "official",
        "20",
    ]
    generator = random.Random(7)
    for _ in range(300):
        text = " ".join(generator.choice(pieces) for _ in range(generator.randint(0, 30)))
        assert all(text[span.start : span.end] == span.text for span in sentences(text, None))
        assert all(text[item.span.start : item.span.end] == item.span.text for item in attributions(text, None))
