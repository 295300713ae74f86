"""Suggest conflicting claims: shared key terms and opposite polarity, standard library only."""

import functools
import re

# At the recall end of the F1 plateau (0.35-0.40) that bench/similarity.py measures on
# tests/data/conflict_pairs.json: a person confirms every suggestion, so a miss costs more.
THRESHOLD = 0.35

# Negation reaches a few words ("did not sense any ammunition shortage"), not a whole clause.
NEGATION_WINDOW = 5
# Attribution ("X said ...") names the speaker, not the matter; later "said" may be the matter's.
ATTRIBUTION_REACH = 12
# Names (people, places, months) say who and where, not what is claimed, so they count for less.
NAME_WEIGHT = 0.5

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my now of off on once only or other our out over own same she should so some such than
    that the their them then there these they this those through to too under until up very was
    we were what when where which while who whom why will with would you your yet still
    may might must shall per via upon within toward towards across among amid despite because
    ago already ever even much many several one two three first second last next new
    said says say told tells stated claimed added insisted announced according reportedly
    claim claims
    """.split()
)
REPORTING_VERBS = frozenset("said says say told stated claimed added insisted announced".split())
CLAUSE_BREAKS = frozenset("but while whereas although though however because".split())
NEGATORS = frozenset(
    """
    no not never none nor neither nothing nobody nowhere without cannot unable
    deny denies denied denying refuse refuses refused refusing reject rejects rejected rejecting
    """.split()
)
DEFICITS = frozenset(
    """
    lack lacks lacked lacking shortage shortages shortfall deficit scarce scarcity insufficient
    inadequate hunger starved starving exhausted exhaustion depleted dwindling
    fail fails failed failing failure collapse collapses collapsed collapsing
    stall stalls stalled stalling halt halts halted suspended cancelled canceled stopped
    false untrue impossible
    """.split()
)
# Opposites of the deficit cues: they carry the polarity, not the matter, so they are no key terms.
SUFFICIENCY = frozenset(
    """
    plenty plentiful enough sufficient ample abundant adequate succeed succeeding success
    """.split()
)
RUN_VERBS = frozenset("run runs ran running".split())
SYNONYMS = {
    "ammo": "ammunition",
    "munition": "ammunition",
    "shell": "ammunition",
    "negotiation": "talk",
    "negotiate": "talk",
    "negotiated": "talk",
    "negotiating": "talk",
    "troop": "force",
    "soldier": "force",
    "army": "force",
    "fighter": "force",
    "offensive": "attack",
    "assault": "attack",
    "russian": "russia",
    "ukrainian": "ukraine",
}
STEM_SUFFIXES = tuple("ations ation ments ment ings ing ied ies ed es s e".split())
TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?|[,;:.!?]")
WORD = re.compile(r"(?<![\w'])[^\W\d_][^\W_]*")


def _tokens(text: str) -> list[str]:
    """Return lowercased word and punctuation tokens, asides in brackets and attribution removed."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text.lower().replace("\u2019", "'"))
    tokens = TOKEN.findall(text)
    words = [i for i, token in enumerate(tokens) if token[0].isalnum()]
    for position, i in enumerate(words[: ATTRIBUTION_REACH + 1]):
        # A verb near the end ("Exports fell, officials said on Friday") closes the claim instead.
        if tokens[i] in REPORTING_VERBS and position < len(words) - 3:
            tokens = tokens[i + 1 :]
            break
    return tokens


def _clauses(tokens: list[str]) -> list[list[str]]:
    """Split tokens into clauses at punctuation and contrastive words."""
    clauses, current = [], []
    for token in tokens:
        if not token[0].isalnum() or token in CLAUSE_BREAKS:
            clauses.append(current)
            current = []
        else:
            current.append(token)
    clauses.append(current)
    clauses = [clause for clause in clauses if clause]
    # A short later clause with a reporting verb (", officials said") is attribution.
    return clauses[:1] + [c for c in clauses[1:] if len(c) > 6 or not REPORTING_VERBS & set(c)]


def _is_negator(word: str) -> bool:
    return word in NEGATORS or word.endswith("n't")


def _is_deficit(clause: list[str], i: int) -> bool:
    word = clause[i]
    if word in DEFICITS:
        return True
    # "ran out of", "short of": the deficit sits in a word that is harmless on its own.
    before = clause[i - 1] if i else ""
    after = clause[i + 1] if i + 1 < len(clause) else ""
    return (word == "out" and before in RUN_VERBS) or (word == "short" and after == "of")


def _normalise(word: str) -> str:
    """Return the plain singular, synonym-mapped form of a word."""
    word = word.split("'")[0]
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return SYNONYMS.get(word, word)


def _stem(word: str) -> str:
    """Return a crude stem so that inflected forms of one word compare equal."""
    for suffix in STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


# Cached: the detector scores one new claim against many candidates, and a claim's terms never change.
@functools.lru_cache(maxsize=4096)
def _terms(text: str) -> tuple[str, ...]:
    """Return the normalised content words of a claim in order of first appearance."""
    terms = []
    for clause in _clauses(_tokens(text)):
        for i, word in enumerate(clause):
            if word in STOPWORDS or word in SUFFICIENCY or word.isdigit():
                continue
            if _is_negator(word) or _is_deficit(clause, i):
                continue
            term = _normalise(word)
            if len(term) > 2 and term not in STOPWORDS and term not in terms:
                terms.append(term)
    return tuple(terms)


def key_terms(text: str, limit: int = 8) -> list[str]:
    """Return up to limit distinct content words of the claim, longest first, for a search query."""
    terms = _terms(text)
    return sorted(terms, key=lambda term: (-len(term), terms.index(term)))[:limit]


def _clause_is_negative(clause: list[str]) -> bool:
    """Say whether a clause asserts a deficit or negation once negators cancel the next cue."""
    negative, pending = False, None
    for i, word in enumerate(clause):
        negator = _is_negator(word)
        if not negator and not _is_deficit(clause, i):
            continue
        if pending is not None and i - pending <= NEGATION_WINDOW:
            pending = None
        elif negator:
            negative = negative or pending is not None
            pending = i
        else:
            negative = True
    return negative or pending is not None


@functools.lru_cache(maxsize=4096)
def polarity(text: str) -> int:
    """Return -1 if any clause asserts a deficit or negation left uncancelled by a negator, else +1."""
    return -1 if any(_clause_is_negative(c) for c in _clauses(_tokens(text))) else 1


def _names(*texts: str) -> set[str]:
    """Return the stems of words capitalised mid-sentence and never written in lower case."""
    capitalised, lower = set(), set()
    for text in texts:
        for match in WORD.finditer(text):
            stem = _stem(_normalise(match.group().lower()))
            if match.group().islower():
                lower.add(stem)
            elif text[: match.start()].rstrip(" \"'(\u201c\u2018")[-1:] not in ("", ".", "!", "?"):
                capitalised.add(stem)
    return capitalised - lower


def overlap(a: str, b: str) -> float:
    """Return the overlap coefficient of the claims' stemmed key-term sets, names weighted down."""
    terms_a = {_stem(term) for term in _terms(a)}
    terms_b = {_stem(term) for term in _terms(b)}
    if not terms_a or not terms_b:
        return 0.0
    names = _names(a, b)

    def weight(terms):
        return sum(NAME_WEIGHT if term in names else 1.0 for term in terms)

    return weight(terms_a & terms_b) / min(weight(terms_a), weight(terms_b))


def conflict_score(a: str, b: str) -> float:
    """Return how strongly two claims conflict: their overlap when polarities differ, else 0."""
    if polarity(a) == polarity(b):
        return 0.0
    return overlap(a, b)


def suggests_conflict(a: str, b: str) -> bool:
    """Return whether the pair's conflict score reaches THRESHOLD."""
    return conflict_score(a, b) >= THRESHOLD
