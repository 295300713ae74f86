"""Strip Ukrainian inflectional endings so that the forms of one word share a stem."""

import functools

VOWELS = frozenset("аеиіоуяюєї")
FINAL_SOFT = frozenset("аеиіоуяюєїьй")

# Reflexive infinitives are unambiguous; a plain "-ти" is not ("кредити" is a noun), so it is left alone.
REFLEXIVE_INFINITIVE = ("тися", "тись")
REFLEXIVE = ("ся", "сь")

# Inflections of nouns, adjectives and verbs; the longest that fits is removed.
ENDINGS = frozenset(
    """
    тимемо тимете тимуть тимеш тиму тиме
    увати ювати ували ювали увала ювала увало ювало ував ював
    уємо юємо уєте юєте ують юють уєш юєш ує ює ую
    ючи ячи учи ачи вши
    ємо емо имо їмо єте ете ите їте
    єть еть уть ють ать ять ить іть їть єш еш иш їш ймо йте
    ого ому ими іми ий ій им ім их іх ої ою ею єю
    ами ями ові еві єві ів їв ам ям ах ях ом ем єм
    а я о е є и і ї у ю ь й
    """.split()
)
ENDING_LENGTHS = sorted({len(ending) for ending in ENDINGS}, reverse=True)
# Past tense of the -ити verbs; after other vowels these endings are mostly nouns ("генерала", "обстріли").
PAST_AFTER_I = ("ла", "ло", "ли", "в")
MIN_STEM = 2


def fold(word):
    """Return a word lower-cased with apostrophes removed and ґ written as г."""
    return word.lower().replace("'", "").replace("’", "").replace("ʼ", "").replace("ґ", "г")


def _region_start(word):
    """Return where the part of the word after its first vowel begins (endings are sought only there)."""
    for position, letter in enumerate(word):
        if letter in VOWELS:
            return position + 1
    return len(word)


def _strip_ending(word, region):
    """Return the word without its longest inflectional ending inside the region."""
    for ending in PAST_AFTER_I:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 4 and stem[-1] == "и" and len(stem) >= region:
            return stem
    shortest_stem = max(MIN_STEM, region)
    for length in ENDING_LENGTHS:
        if len(word) - length >= shortest_stem and word[-length:] in ENDINGS:
            return word[:-length]
    return word


@functools.lru_cache(maxsize=65536)
def stem(word):
    """Return the stem of a Ukrainian word ("боєприпасами" -> "боєприпас")."""
    word = fold(word)
    region = _region_start(word)
    if len(word) - region < 1:
        return word
    for ending in REFLEXIVE_INFINITIVE + REFLEXIVE:
        if word.endswith(ending) and len(word) - len(ending) >= max(3, region):
            word = word[: -len(ending)]
            break
    word = _strip_ending(word, region)
    if word[-1] in FINAL_SOFT and len(word) > max(MIN_STEM, region):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in VOWELS:
        word = word[:-1]
    return word
