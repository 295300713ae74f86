"""Compare people's names across Cyrillic and Latin spellings."""

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

# One plain romanisation for Ukrainian and Russian letters; the folding below absorbs the others.
CYRILLIC_TO_LATIN = {
    **str.maketrans("абвгґдезиійклмнопрстуфыэў", "abvggdeziiyklmnoprstufyeu", "ъь"),
    **str.maketrans(
        dict(pair.split(">") for pair in "ё>yo є>ye ж>zh ї>yi х>kh ц>ts ч>ch ш>sh щ>shch ю>yu я>ya".split())
    ),
}
# Upper-case stand-ins keep a folded digraph from being folded again as its single letters; order matters.
DIGRAPHS = [
    pair.split(">") for pair in "tsch>C shch>Q sch>Q cz>C zh>Z kh>g ch>C sh>S tz>T ts>T x>ks w>v j>y h>g".split()
]
READABLE = str.maketrans({"Z": "zh", "C": "ch", "S": "sh", "Q": "shch", "T": "ts"})
IOTATED = re.compile(r"[iy]+(?=[aeou])")
DOUBLED = re.compile(r"(.)\1+")
PATRONYMIC = re.compile(r"(?:oviC|eviC|iC|ovna|evna|ivna|iCna)$")
APOSTROPHES = re.compile(r"['’ʼ`]")
NAME_PART = re.compile(r"[^\W\d_]+")

SURNAME_WEIGHT = 0.75
# Calibrated on the pairs in tests/test_nlp_names.py: same people score 0.94 and up, different people 0.85 at most.
SAME_PERSON_THRESHOLD = 0.9


def _fold_part(part):
    """Return one romanised name part with its usual spelling variants folded together."""
    for spelling, folded in DIGRAPHS:
        part = part.replace(spelling, folded)
    part = IOTATED.sub("", part).replace("y", "i")
    return DOUBLED.sub(r"\1", part)


def _parts(name):
    """Return a name's folded parts, a patronymic left out."""
    lowered = APOSTROPHES.sub("", unicodedata.normalize("NFC", name.lower())).translate(CYRILLIC_TO_LATIN)
    plain = "".join(char for char in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(char))
    parts = [_fold_part(part) for part in NAME_PART.findall(plain)]
    # A patronymic follows the given name, whether the surname comes first or last; "Babich" stays a surname.
    if len(parts) == 3:
        for position in (1, 2):
            if PATRONYMIC.search(parts[position]):
                del parts[position]
                break
    return parts


def name_key(name):
    """Return a script-independent key for a name ("Евгений Пригожин" and "Yevgeny Prigozhin" -> "evgeni prigozhin")."""
    return " ".join(_parts(name)).translate(READABLE)


def _split(parts):
    """Return (given name, surname) from folded parts, taking an initial written last as the given name."""
    if len(parts) == 1:
        return "", parts[0]
    if len(parts[-1]) == 1 and len(parts[0]) > 1:
        return parts[-1], parts[0]
    return parts[0], parts[-1]


def _splits(parts):
    """Return the ways to read parts as (given name, surname): also surname first, as documents often write it."""
    given, surname = _split(parts)
    if len(parts) == 2 and len(given) > 1:
        return ((given, surname), (surname, given))
    return ((given, surname),)


def _given_similarity(left, right):
    """Return how alike two given names are, an initial matching any name that starts with it."""
    if len(left) == 1 or len(right) == 1:
        initial, full = sorted((left, right), key=len)
        # "Y." and "E." stand for Є, Е, Ю, Я alike, which the key writes without their y.
        return 1.0 if full.startswith(initial) or (initial in "ie" and full[0] in "aeiou") else 0.0
    return Levenshtein.normalized_similarity(left, right)


def _similarity(given_a, surname_a, given_b, surname_b):
    """Return the weighted similarity of two names already split into given name and surname."""
    surname = Levenshtein.normalized_similarity(surname_a, surname_b)
    if not given_a or not given_b:
        # A surname alone is weaker evidence than a full name.
        return surname * 0.95
    return SURNAME_WEIGHT * surname + (1 - SURNAME_WEIGHT) * _given_similarity(given_a, given_b)


def name_similarity(a, b):
    """Return how likely two names are one person's, from 0 to 1, the surname weighted most."""
    parts_a = _parts(a)
    parts_b = _parts(b)
    if not parts_a or not parts_b:
        return 0.0
    splits_a = _splits(parts_a)
    splits_b = _splits(parts_b)
    # Turning one name round is enough; turning both would pair given name with given name as surnames.
    pairs = [(splits_a[0], split_b) for split_b in splits_b] + [(split_a, splits_b[0]) for split_a in splits_a[1:]]
    return round(max(_similarity(*split_a, *split_b) for split_a, split_b in pairs), 4)


def likely_same(a, b):
    """Return whether two names probably belong to the same person."""
    return name_similarity(a, b) >= SAME_PERSON_THRESHOLD
