"""Judge whether two related claims contradict each other, with a reason a reviewer can check.

No natural-language-inference model with a licence can be installed here, so this is a set of plain cues,
used only after retrieval has found the two claims alike (their cosine similarity is an input):

- opposite poles of one idea, in English, Ukrainian or Russian: lack/enough, rise/fall, won/lost, open/closed,
  allowed/banned, attack/defend, ... A negation just before a cue word flips it ("no ammunition hunger" is
  "enough"), and so does a denial anywhere in the claim ("denied that prices rose" is "fall");
- a negation on a word the other claim states plainly, within one language ("did not attack" / "attacked");
- a denial ("denied", "заперечив", "опроверг") that only one claim makes;
- across languages, where words cannot be compared, a negation that only one claim makes when the two are
  near-paraphrases (similarity at least STRONG_SIMILARITY);
- numbers of one kind (percentages, money, a single count) that differ by more than a tenth.

Words match by lowercase prefix, which covers Ukrainian and Russian endings well enough for cue words without a
stemmer. Three guards keep look-alikes apart: claims about different sides (one names only Ukraine, the other
only Russia), different years, or, in one language, one or two words swapped for others ("fuel prices rose" /
"food prices fell") are about different things, and both can be true. Similarity below RELATED_SIMILARITY
means unrelated (multilingual-e5 scores unrelated sentences 0.75-0.86, so retrieval must have done its part);
above it, a closer pair scores higher.

The cues were tuned on tests/test_nlp_contradiction.py's table of pairs; they are a screen that ranks pairs
for a reviewer, not a verdict.
"""

import dataclasses
import re

THRESHOLD = 0.5
RELATED_SIMILARITY = 0.78
STRONG_SIMILARITY = 0.90
NEGATION_REACH = 4
PREFIX_LENGTH = 5

NEGATORS = {
    "en": {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot"},
    "uk": {"не", "ні", "немає", "нема", "ніколи", "ніхто", "ніщо", "без"},
    "ru": {"не", "нет", "ни", "никогда", "никто", "ничего", "нигде", "без"},
}
NEGATOR_PREFIXES = {"en": (), "uk": ("жодн", "ніяк"), "ru": ("никак",)}
# Ukrainian and Russian negate twice for one negation ("никакого голода мы не почувствовали", "ніхто не бачив"):
# negations this close to one of these words repeat that negation rather than cancel it.
CONCORD = {"en": (), "uk": ("жодн", "ні"), "ru": ("ни",)}
CONCORD_REACH = 8
DENIALS = {
    "en": ("deny", "denie", "denied", "refut", "rebut", "debunk", "false", "fake", "untrue", "hoax"),
    "uk": ("запереч", "спросту", "фейк", "неправд", "брехн"),
    "ru": ("отриц", "опроверг", "опровер", "фейк", "неправд", "ложь", "ложн"),
}
FILLERS = {
    "en": {
        "a",
        "an",
        "the",
        "any",
        "be",
        "been",
        "is",
        "was",
        "were",
        "are",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "yet",
        "so",
        "much",
        "many",
        "longer",
        "more",
        "really",
    },
    "uk": {"було", "був", "була", "були", "буде", "так", "вже", "зовсім"},
    "ru": {"было", "был", "была", "были", "будет", "так", "уже", "вовсе"},
}
# words that say nothing about what a claim is about, left out when comparing the words of two claims
FUNCTION_WORDS = {
    "en": {
        "about",
        "after",
        "also",
        "from",
        "into",
        "near",
        "over",
        "says",
        "said",
        "that",
        "their",
        "there",
        "they",
        "this",
        "with",
        "again",
        "still",
        "remains",
        "faces",
    },
    "uk": {"після", "через", "також", "його", "який", "яка", "каже", "заявив", "заявила", "знову", "було"},
    "ru": {"после", "через", "также", "его", "который", "говорит", "заявил", "заявила", "снова", "было"},
}
# verbs that turn the next cue around: "lifted the ban" allows, "did not lift the ban" bans
REVERSALS = {
    "en": ("lift", "cancel", "revok", "repeal", "overturn", "scrap"),
    "uk": ("скасув", "зняв", "зняли", "відмінив"),
    "ru": ("отмен", "снял", "сняли"),
}
CLOSING_QUOTES = "'’»”\""

# idea: {pole: {language: word prefixes}}; a word belongs to the pole of its longest matching prefix, and a
# prefix ending in "$" matches that whole word only ("won$" is not "wonder", "рост$" is not "Ростов")
OPPOSITES = {
    "supply": {
        -1: {
            "en": ("lack", "shortag", "scarc", "insufficien", "deficit", "hunger", "starv", "depleted", "dwindl"),
            "uk": ("брак", "нестач", "дефіцит", "голод", "недостатн", "обмаль"),
            "ru": ("нехват", "недостат", "дефицит", "голод", "недоста"),
        },
        1: {
            "en": ("enough", "plenty", "sufficient", "surplus", "abundan", "ample", "well-supplied"),
            "uk": ("достатн", "вистач", "надлиш", "вдосталь", "профіцит", "забезпечен"),
            "ru": ("достаточ", "хвата", "избыт", "вдовол", "профицит", "обеспечен", "изобил"),
        },
    },
    "change": {
        -1: {
            "en": (
                "decreas",
                "fell",
                "fall",
                "drop",
                "declin",
                "shrank",
                "shrink",
                "lower",
                "reduc",
                "plung",
                "slump",
                "halv",
            ),
            "uk": ("знизи", "зниж", "зменш", "впав", "впал", "падін", "скороти", "скороч", "подешев"),
            "ru": ("снизи", "сниж", "уменьш", "упал", "паден", "сократи", "сокращ", "подешев"),
        },
        1: {
            "en": (
                "increas",
                "rise",
                "rose",
                "risen",
                "rising",
                "grew",
                "grow",
                "climb",
                "surge$",
                "surged",
                "surges",
                "surging",
                "soar",
                "jump",
                "doubl",
                "higher",
            ),
            "uk": ("зрос", "збільш", "підвищ", "виріс", "вирос", "подвої", "подорож"),
            "ru": ("вырос", "рост$", "роста", "росте", "ростом", "увелич", "повыс", "подскоч", "удвои", "подорож"),
        },
    },
    "outcome": {
        -1: {
            "en": ("lost", "lose", "losing", "defeat"),
            "uk": ("програ", "поразк", "втрати"),
            "ru": ("проигр", "поражени", "потерял"),
        },
        1: {
            "en": ("won$", "win$", "wins", "winn", "victor", "triumph"),
            "uk": ("переміг", "перемож", "перемог", "виграв", "виграл"),
            "ru": ("победи", "побед", "выиграл"),
        },
    },
    "access": {
        -1: {
            "en": ("closed", "close$", "closes", "closing", "closure", "shut$", "shuts", "blocked"),
            "uk": ("закри", "заблоков"),
            "ru": ("закры", "заблокир"),
        },
        1: {"en": ("open", "reopen", "unblocked"), "uk": ("відкри", "розблок"), "ru": ("откры", "разблок")},
    },
    "permission": {
        -1: {
            "en": ("ban$", "bans", "banned", "banning", "prohibit", "forbid", "forbade", "illegal", "outlaw"),
            "uk": ("заборон", "нелегальн"),
            "ru": ("запрет", "запрещ", "нелегальн"),
        },
        1: {
            "en": ("allow", "permit", "legal"),
            "uk": ("дозвол", "легальн", "легаліз"),
            "ru": ("разреш", "легальн", "легализ"),
        },
    },
    "role": {
        -1: {"en": ("defend", "defens", "defenc"), "uk": ("оборон", "захищ"), "ru": ("оборон", "защищ")},
        1: {
            "en": ("attack", "offensiv", "assault", "storm"),
            "uk": ("атак", "наступ$", "наступу", "наступом", "наступа", "штурм"),
            "ru": ("атак", "наступлен", "наступа", "штурм"),
        },
    },
    "life": {
        -1: {
            "en": ("dead$", "died", "killed", "death$", "deaths"),
            "uk": ("загину", "загинув", "мертв", "вбит", "вбив", "смерт"),
            "ru": ("погиб", "мертв", "убит", "смерт"),
        },
        1: {
            "en": ("alive", "surviv", "unharmed"),
            "uk": ("живий", "жива", "живі", "вижив", "неушкоджен"),
            "ru": ("живой", "жива", "живы", "выжил", "невредим"),
        },
    },
    "stance": {
        -1: {
            "en": ("oppos", "reject", "against", "refus"),
            "uk": ("проти$", "відхил", "відмов"),
            "ru": ("против$", "отверг", "отклон", "отказ"),
        },
        1: {
            "en": ("support", "endors", "agree", "accept", "approv"),
            "uk": ("підтрим", "погоди", "схвал"),
            "ru": ("поддерж", "согласи", "одобр"),
        },
    },
}
IDEA_WORDS = {
    "supply": "supply",
    "change": "the direction of a change",
    "outcome": "who won",
    "access": "open or closed",
    "permission": "allowed or banned",
    "role": "attack or defence",
    "life": "alive or dead",
    "stance": "support or opposition",
}

SIDES = {
    "Ukraine": ("ukrain", "kyiv", "kiev", "україн", "київ", "зсу", "украин", "киев", "всу"),
    "Russia": (
        "russia",
        "kremlin",
        "moscow",
        "wagner",
        "prigozhin",
        "росі",
        "російськ",
        "москв",
        "кремл",
        "вагнер",
        "пригожин",
        "росси",
        "российск",
    ),
}
PERCENT_WORDS = ("%", "percent", "per cent", "відсот", "процент")
MONEY_WORDS = (
    "$",
    "€",
    "₴",
    "dollar",
    "euro",
    "hryvn",
    "rubl",
    "долар",
    "доллар",
    "євро",
    "евро",
    "гривн",
    "гривен",
    "рубл",
)
MULTIPLIERS = {
    "thousand": 1e3,
    "тисяч": 1e3,
    "тысяч": 1e3,
    "тис": 1e3,
    "тыс": 1e3,
    "million": 1e6,
    "мільйон": 1e6,
    "миллион": 1e6,
    "млн": 1e6,
    "billion": 1e9,
    "мільярд": 1e9,
    "миллиард": 1e9,
    "млрд": 1e9,
}
WORD = re.compile(r"[%$€₴]|[^\W_]+(?:['’ʼ-][^\W_]+)*")
NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ ,\u00a0]\d{3})+|\d+)(?:[.,](\d+))?")
YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


@dataclasses.dataclass(frozen=True)
class Assessment:
    """How likely two claims contradict (score 0..1), the verdict at THRESHOLD, and why, for a reviewer."""

    score: float
    contradicts: bool
    reason: str


@dataclasses.dataclass(frozen=True)
class _Token:
    word: str
    start: int
    end: int


@dataclasses.dataclass(frozen=True)
class _Cue:
    idea: str
    pole: int
    snippet: str


class _Claim:
    """One claim's words, negations, cue words and numbers."""

    def __init__(self, text, language):
        self.text = text
        self.language = language if language in NEGATORS else "en"
        folded = text.lower().replace("ё", "е")
        self.tokens = [_Token(match.group(), match.start(), match.end()) for match in WORD.finditer(folded)]
        self.negator_positions = [i for i, token in enumerate(self.tokens) if self._is_negator(token.word)]
        self.negations = self._count_negations()
        self.denials = [token.word for token in self.tokens if token.word.startswith(DENIALS[self.language])]
        self.cues = self._find_cues()
        self.sides = {side for side, stems in SIDES.items() if any(t.word.startswith(stems) for t in self.tokens)}
        self.years = set(YEAR.findall(text))
        self.quantities = _quantities(YEAR.sub(" ", text))

    @property
    def negated(self):
        """Tell whether the claim as a whole is negated: an odd count of negations and denials."""
        return (self.negations + len(self.denials)) % 2 == 1

    def _count_negations(self):
        count = 0
        previous = None
        in_concord = False
        for position in self.negator_positions:
            concord = self.tokens[position].word.startswith(CONCORD[self.language])
            if previous is not None and position - previous <= CONCORD_REACH and (concord or in_concord):
                in_concord = True
            else:
                count += 1
                in_concord = concord
            previous = position
        return count

    def _is_negator(self, word):
        return (
            word in NEGATORS[self.language]
            or word.startswith(NEGATOR_PREFIXES[self.language])
            or (self.language == "en" and word.endswith(("n't", "n’t")))
        )

    def _negator_before(self, position):
        """Return the position of a negation that reaches the word at position, if any."""
        for candidate in reversed(self.negator_positions):
            if 0 < position - candidate <= NEGATION_REACH:
                return candidate
        return None

    def _find_cues(self):
        cues = []
        flip = -1 if len(self.denials) % 2 else 1
        for position, token in enumerate(self.tokens):
            match = _idea_of(token.word, self.language)
            if match is None:
                continue
            idea, pole = match
            negator = self._negator_before(position)
            if negator is not None:
                pole = -pole
            if any(t.word.startswith(REVERSALS[self.language]) for t in self.tokens[max(0, position - 2) : position]):
                pole = -pole
            start = self.tokens[negator if negator is not None else position].start
            end = token.end if negator is not None else self._end_of_object(position)
            while end < len(self.text) and self.text[end] in CLOSING_QUOTES:
                end += 1
            cues.append(_Cue(idea, pole * flip, self.text[start:end]))
        return cues

    def _end_of_object(self, position):
        """Return where the first content word after position ends, to quote a cue with its object."""
        for following in self.tokens[position + 1 : position + 4]:
            word = following.word
            if word.isalpha() and len(word) >= 3 and word not in FILLERS[self.language] | FUNCTION_WORDS[self.language]:
                return following.end
        return self.tokens[position].end

    def content_prefixes(self):
        """Return the prefixes of the words that say what the claim is about, cue words and negations aside."""
        words = (re.sub(r"['’]s$", "", token.word) for token in self.tokens)
        return {
            word[:PREFIX_LENGTH]
            for word in words
            if word.isalpha()
            and len(word) >= 4
            and word not in FILLERS[self.language]
            and word not in FUNCTION_WORDS[self.language]
            and not self._is_negator(word)
            and not word.startswith(DENIALS[self.language])
            and _idea_of(word, self.language) is None
        }

    def negated_terms(self):
        """Return (term prefix, snippet) for the first content word each negation reaches."""
        terms = []
        for negator in self.negator_positions:
            for position in range(negator + 1, min(negator + 1 + NEGATION_REACH, len(self.tokens))):
                word = self.tokens[position].word
                if word in FILLERS[self.language] or word in NEGATORS[self.language] or len(word) < 3:
                    continue
                snippet = self.text[self.tokens[negator].start : self.tokens[position].end]
                terms.append((word[:PREFIX_LENGTH], snippet))
                break
        return terms

    def plain_prefixes(self):
        """Return the prefixes of the words no negation reaches."""
        reached = {p for n in self.negator_positions for p in range(n, n + 1 + NEGATION_REACH)}
        return {token.word[:PREFIX_LENGTH] for i, token in enumerate(self.tokens) if i not in reached}


def _idea_of(word, language):
    best = None
    for idea, poles in OPPOSITES.items():
        for pole, by_language in poles.items():
            for prefix in by_language[language]:
                matches = word == prefix[:-1] if prefix.endswith("$") else word.startswith(prefix)
                if matches and (best is None or len(prefix) > best[2]):
                    best = (idea, pole, len(prefix))
    return None if best is None else best[:2]


def _quantities(text):
    """Return {kind: [values]} for the numbers in text, kind being percent, money or count."""
    found = {}
    folded = text.lower()
    for match in NUMBER.finditer(folded):
        whole = re.sub(r"[ ,\u00a0]", "", match.group(1))
        value = float(f"{whole}.{match.group(2)}" if match.group(2) else whole)
        after = folded[match.end() : match.end() + 14].strip()
        before = folded[max(0, match.start() - 2) : match.start()]
        for word, factor in MULTIPLIERS.items():
            if after.startswith(word):
                value *= factor
                after = after[len(word) :].lstrip(". ")
                break
        if after.startswith(PERCENT_WORDS):
            kind = "percent"
        elif after.startswith(MONEY_WORDS) or any(sign in before for sign in "$€₴"):
            kind = "money"
        else:
            kind = "count"
        found.setdefault(kind, []).append(value)
    return found


def _numbers_disagree(a, b):
    """Return the first kind of quantity both claims give with no value in common, and both values."""
    for kind in ("percent", "money", "count"):
        a_values, b_values = a.quantities.get(kind, []), b.quantities.get(kind, [])
        if not a_values or not b_values:
            continue
        if kind == "count" and (len(a_values) > 1 or len(b_values) > 1):
            continue
        close = any(abs(x - y) <= 0.1 * max(abs(x), abs(y)) for x in a_values for y in b_values)
        if not close:
            return kind, a_values[0], b_values[0]
    return None


def _listed(claim, prefixes):
    words = [token.word for token in claim.tokens if token.word[:PREFIX_LENGTH] in prefixes]
    return " and ".join(f"'{word}'" for word in dict.fromkeys(words))


def _number_text(value):
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


def assess(a_text, a_lang, b_text, b_lang, similarity):
    """Score how likely claim a contradicts claim b, which retrieval found alike (cosine similarity given)."""
    a = _Claim(a_text, a_lang)
    b = _Claim(b_text, b_lang)
    at = f"(similarity {similarity:.2f})"
    if similarity < RELATED_SIMILARITY:
        return Assessment(0.0, False, f"The claims are not about the same thing {at}.")

    findings = _findings(a, b, similarity)
    strength = min(1.0, max(0.0, (similarity - RELATED_SIMILARITY) / (STRONG_SIMILARITY - RELATED_SIMILARITY)))
    if not findings:
        return Assessment(round(0.1 * strength, 3), False, f"Related, and nothing in them says the opposite {at}.")
    apart = _about_different_things(a, b)
    if apart:
        return Assessment(0.05, False, f"{findings[0][1]}, but {apart}: both can be true {at}.")
    unlikely = 1.0
    for weight, _ in findings:
        unlikely *= 1.0 - weight
    score = round((1.0 - unlikely) * (0.7 + 0.3 * strength), 3)
    reason = "; ".join(text for _, text in findings) + f" {at}."
    return Assessment(score, score >= THRESHOLD, reason)


def _findings(a, b, similarity):
    """Return (weight, sentence) for every cue that the two claims disagree."""
    findings = []
    b_poles = {}
    for cue in b.cues:
        b_poles.setdefault(cue.idea, cue)
    shared_ideas = [(cue, b_poles[cue.idea]) for cue in a.cues if cue.idea in b_poles]
    opposed = [(cue, other) for cue, other in shared_ideas if cue.pole != other.pole]
    if opposed:
        cue, other = opposed[0]
        findings.append(
            (
                0.75,
                f'One says "{cue.snippet}", the other says "{other.snippet}": '
                f"opposite claims about {IDEA_WORDS[cue.idea]}",
            )
        )
    agreeing = bool(shared_ideas) and not opposed

    if a.language == b.language and not agreeing:
        for claim, other in ((a, b), (b, a)):
            shared = [(term, snippet) for term, snippet in claim.negated_terms() if term in other.plain_prefixes()]
            if shared and claim.negated != other.negated:
                findings.append((0.65, f'One says "{shared[0][1]}", the other states it: negation on a shared subject'))
                break

    if not agreeing and len(a.denials) % 2 != len(b.denials) % 2:
        denying = a if len(a.denials) % 2 else b
        findings.append((0.6, f'One denies it ("{denying.denials[0]}"), the other asserts it'))
    elif not findings and a.language != b.language and a.negated != b.negated and similarity >= STRONG_SIMILARITY:
        negating = a if a.negated else b
        word = negating.tokens[negating.negator_positions[0]].word
        findings.append((0.55, f'Only one of two near-translations is negated ("{word}")'))

    disagreement = _numbers_disagree(a, b)
    if disagreement:
        kind, a_value, b_value = disagreement
        unit = "%" if kind == "percent" else ""
        findings.append(
            (
                0.6,
                f"The numbers disagree: {_number_text(a_value)}{unit} against {_number_text(b_value)}{unit}",
            )
        )
    return findings


def _about_different_things(a, b):
    """Return why two claims are about different things (sides, years, swapped words), or None."""
    if a.sides and b.sides and not a.sides & b.sides:
        return f"one is about {' and '.join(sorted(a.sides))}, the other about {' and '.join(sorted(b.sides))}"
    if a.years and b.years and not a.years & b.years:
        return f"they speak of different years ({', '.join(sorted(a.years))} and {', '.join(sorted(b.years))})"
    if a.language == b.language and len(a.denials) % 2 == len(b.denials) % 2:
        only_a = a.content_prefixes() - b.content_prefixes()
        only_b = b.content_prefixes() - a.content_prefixes()
        if 1 <= len(only_a) <= 2 and 1 <= len(only_b) <= 2:
            return f"one speaks of {_listed(a, only_a)}, the other of {_listed(b, only_b)}"
    return None
