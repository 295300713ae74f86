"""Find statements an article attributes to someone, in English, Ukrainian and Russian, by rule.

Each sentence is read for one attribution cue outside its quotations (a verb of saying such as
"said", "заявив", "сообщил", or "according to", "за словами", "по словам") and takes one of these
shapes, the speaker before or after the cue:
  “Quote,” said Speaker, role.   «Цитата», — заявив роль Speaker.   “Quote,” he said in a video.
  Role Speaker, aside, said (that) clause.   Statement, the Speaker said on Monday.
  According to Speaker, clause.   Clause, за словами Speaker.   Speaker: clause.  (a headline)
A pronoun speaker (he, вона, он) is the latest named speaker before it. A sentence made only of a
quotation joins the quoted attribution beside it in its paragraph. Speakers and roles are given as
written, so a Ukrainian or Russian speaker after "за словами" or "по словам" stays in the genitive.
"""

import re
from typing import NamedTuple

from service.nlp.sentences import PARAGRAPH_BREAK
from service.nlp.sentences import Span
from service.nlp.sentences import quotations
from service.nlp.sentences import sentences

CUES = {
    "en": (
        "said says say told tells claimed claims stated states added adds denied denies insisted insists "
        "wrote writes complained complains warned warns explained noted stressed argued admitted confirmed "
        "alleged announced reported saying"
    ),
    "uk": (
        "заявив заявила заявили заявляє сказав сказала сказали каже повідомив повідомила повідомили "
        "зазначив зазначила зазначили наголосив наголосила додав додала написав написала переконаний "
        "переконана переконані підкреслив підкреслила розповів розповіла стверджує пояснив пояснила "
        "визнав визнала поскаржився поскаржилася кажучи"
    ),
    "ru": (
        "заявил заявила заявили заявляет сказал сказала сказали сообщил сообщила сообщили отметил "
        "отметила отметили подчеркнул подчеркнула добавил добавила написал написала уверен уверена "
        "рассказал рассказала утверждает пояснил пояснила признал признала пожаловался говорит говоря"
    ),
}
SOURCE_CUES = {"en": ("according to",), "uk": ("за словами", "на думку"), "ru": ("по словам", "по мнению")}
PARTICIPLE_CUES = {"saying", "кажучи", "говоря"}
PRONOUNS = {"en": {"he", "she"}, "uk": {"він", "вона"}, "ru": {"он", "она"}}

# Words between a speaker and the cue: "Prigozhin often complained", "Стек також заявив".
INSERTS = set(
    "has have also often later earlier previously repeatedly again reportedly then once recently publicly "
    "openly had already вже уже також знову раніше неодноразово публічно также снова ранее неоднократно "
    "публично тоже".split()
)
CONJUNCTIONS = set(
    "but although though while whereas and as because since yet however але проте однак хоча тоді поки бо "
    "а і й та но однако хотя тогда пока поскольку и".split()
)
PARTICLES = {"von", "van", "der", "den", "de", "da", "di", "du", "la", "le", "bin", "al", "ibn", "dos", "del"}
# Capitalised words that head a role or an organisation rather than a person's name.
NOT_NAMES = set(
    "President Prime Minister General Chancellor Secretary Commander Chief Head Leader Spokesman Spokeswoman "
    "Spokesperson Governor Mayor Senator King Queen Pope Colonel Admiral Sergeant Lieutenant Major Captain "
    "Ambassador Director Chairman Deputy Foreign Defence Defense Staff Forces Army Ministry Office Service "
    "Command Council Commission Government Agency Department Committee Institute Party Police Guard "
    "Parliament Bureau Centre Center Group Company University Court News Times Post Independent The A An "
    "Президент Прем'єр Міністр Генерал Речник Голова Глава Міністерство Міноборони Генштаб Офіс Служба Уряд "
    "Рада Министр Министерство Минобороны Правительство Госдума Кремль Представитель Пресс-секретарь "
    "Командувач Командующий Лідер Лидер".split()
)
# Common nouns that can speak without a name: "a top Russian official said".
SPEAKING_NOUNS = re.compile(
    r"(officials?|spokes\w+|sources?|analysts?|experts?|ministry|ministers?|military|army|police|commanders?|"
    r"diplomats?|residents?|witness\w*|soldiers?|troops|government|kremlin|administration|authorities|office|"
    r"agency|service|command|governor|mayor|president|adviser|aide|посадов\w+|чиновник\w*|речни\w+|джерел\w+|"
    r"источник\w*|представи\w+|експерт\w*|эксперт\w*|аналітик\w*|аналитик\w*|міністерств\w*|министерств\w*|"
    r"військов\w+|военн\w+|мешкан\w+|жител\w+|адміністрац\w+|администрац\w+|влад\w+|власт\w+|штаб\w*|"
    r"командуван\w+|командован\w+|служб\w+|офіс\w*|офис\w*|губернатор\w*|мер\w*|президент\w*|міністр\w*|"
    r"министр\w*|радник\w*|советник\w*|уряд\w*|правительств\w+)",
    re.IGNORECASE,
)
ROLE_OPENERS = set(
    "the a an leader head chief founder spokesman spokeswoman commander лідер глава голова керівник речник "
    "очільник командир засновник міністр лидер руководитель основатель министр командующий".split()
)
ASIDE_OPENERS = re.compile(
    r"(?i)^(who|which|speaking|writing|talking|answering|який|яка|котрий|который|которая|\w+ючи|\w+вши|\w+ячи)\b"
)
TAIL_WORDS = set(
    "in on at during after before to via from for with reporters journalists her him them me us в у на під "
    "після до журналістам журналистам во по после через перед для".split()
)
OBJECTS = {"her", "him", "them", "me", "us", "you", "reporters", "journalists", "parliament"}
STATEMENT_OPENERS = re.compile(r"^(?:[,:—–-]\s*)*(?:that|of|about|що|что|про те,? що|о том,? что)?\s*", re.IGNORECASE)
TOLD = {"told", "tells"}
AS_WORDS = {"as", "як", "как", "it", "this", "that", "there", "це", "это", "we", "ми", "мы"}
ALL_PRONOUNS = {word for words in PRONOUNS.values() for word in words}
NOT_SPEAKERS = {"breaking", "news", "update", "live", "watch", "read", "note", "photo", "video", "відео", "фото"}
LINKS = {"of", "for", "from", "in", "at", "to", "with", "and", "в", "у", "на", "з", "із", "і", "й", "та", "и", "по"}
PATRONYMIC = re.compile(r"(?:ович|евич|йович|ьович|івна|овна|евна|ївна|ична|ич)$")
THAT = re.compile(r"(?<!\w)(?:що|что|that)(?!\w)", re.IGNORECASE)
OPENING_MARKS = '«„“"‘'
QUOTE_MARKS = re.compile(r"[«»„“”\"‘]")
NUMBERS_ONLY = re.compile(r"^\d")
WORD = re.compile(r"\S+")
NUMBERS = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|forty|fifty|hundreds?|"
    r"thousands?|millions?|billions?|dozens?|half|percent|тисяч\w*|тысяч\w*|мільйон\w*|миллион\w*|мільярд\w*|"
    r"миллиард\w*|сотн\w+|десят\w+|двадцят\w+|двадцат\w+|половин\w+|відсот\w+|процент\w*)\b",
    re.IGNORECASE,
)
ASSERTIONS = re.compile(
    r"\b(?:is|are|was|were|has|have|had|did|does|not|no|\w+ed|є|немає|не|нема|нет|"
    r"\w{2,}(?:ли|ла|ло|ив|ав|ув|ів|ил|ал|ул|ял|ел))\b",
    re.IGNORECASE,
)
QUESTIONS = re.compile(r"(?i)^(who|what|why|how|when|where|хто|що|чому|як|коли|де|кто|что|почему|как|когда|где)\b")
OPINIONS = re.compile(
    r"(?i)\b(?:i think|i believe|we believe|in my (?:view|opinion)|thank\w*|grateful|glad|happy|pleased|"
    r"wonderful|great|proud|welcome|congratulat\w+|good (?:morning|evening|luck)|вважаю|думаю|дякую|вдячн\w+|"
    r"радий|рада|пишаюс\w+|вітаю|считаю|спасибо|благодар\w+|рад|горжусь|поздравля\w+|прекрасн\w+|чудов\w+)\b"
)
INTENTIONS = re.compile(
    r"(?i)\b(?:will|shall|going to|plan\w*|intend\w*|hope\w*|want\w*|would like|буде\w*|будут|буду\w*|"
    r"збира\w+|плану\w+|сподіва\w+|хоче\w*|хочемо|собира\w+|планиру\w+|надеемся|надеюсь|хотим|хочет)\b"
)


class Attribution(NamedTuple):
    """A statement the article attributes to a speaker; `span` covers the sentence or sentences holding it."""

    span: Span
    speaker: str
    role: str | None
    statement: str
    quote: str | None
    checkworthiness: float
    verb: str


class _Speaker(NamedTuple):
    """A speaker phrase read apart: the name (or the whole phrase), the role before it, and its kind."""

    name: str
    role: str | None
    person: bool


class _Lexicon(NamedTuple):
    """The cue words of the article's language, or of all three when it is not known."""

    cues: re.Pattern
    sources: frozenset


def attributions(text, language=None):
    """Return the attributed statements in `text`, in order, with the speaker of each as written."""
    lexicon = _lexicon((language or "").split("-")[0].lower())
    units = sentences(text, language)
    found = {}
    latest_person = None
    for index, unit in enumerate(units):
        attribution = _attribution(text, unit, lexicon)
        if attribution is None:
            continue
        if attribution.speaker.lower() in ALL_PRONOUNS:
            if latest_person is None:
                continue
            attribution = attribution._replace(speaker=latest_person[0], role=latest_person[1])
        elif attribution.verb != ":" and _is_person(attribution.speaker):
            latest_person = (attribution.speaker, attribution.role)
        found[index] = attribution
    _join_quoted_neighbours(text, units, found)
    _join_running_quotes(text, units, found)
    return [
        attribution._replace(checkworthiness=checkworthiness(attribution.statement))
        for _, attribution in sorted(found.items())
    ]


def checkworthiness(statement):
    """Score 0..1 how worth checking a statement is: factual and specific high, opinion or intention low."""
    score = 0.4
    words = statement.split()
    if NUMBERS.search(statement):
        score += 0.25
    names = [word for word in words[1:] if word[:1].isupper() or (len(word) > 1 and word.isupper())]
    score += min(len(names), 2) * 0.08
    if ASSERTIONS.search(statement):
        score += 0.12
    if statement.rstrip('»”“"’').endswith("?") or QUESTIONS.match(statement):
        score -= 0.35
    if OPINIONS.search(statement):
        score -= 0.3
    if INTENTIONS.search(statement):
        score -= 0.2
    if len(words) < 5:
        score -= 0.15
    return round(min(max(score, 0.0), 1.0), 2)


def _lexicon(language):
    """Build the cue pattern for `language`, or for every language the module knows."""
    languages = [language] if language in CUES else list(CUES)
    verbs = {word for key in languages for word in CUES[key].split()}
    sources = {phrase for key in languages for phrase in SOURCE_CUES[key]}
    alternatives = sorted((re.escape(cue) for cue in verbs | sources), key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
    return _Lexicon(pattern, frozenset(sources))


def _attribution(text, unit, lexicon):
    """Read one sentence for an attribution, the speaker still possibly a pronoun."""
    start, end = unit.start, unit.end
    quotes = quotations(text, start, end)
    cue = next((match for match in lexicon.cues.finditer(text, start, end) if not _inside(match.start(), quotes)), None)
    if cue is None:
        return _headline(text, unit, quotes)
    verb = cue.group()
    if verb.lower() in lexicon.sources or text[start : cue.start()].strip().lower() in AS_WORDS:
        return _source_cue(text, unit, cue, quotes)
    if verb.lower() in PARTICIPLE_CUES:
        speaker = _split_speaker(_leading_name(text[start : cue.start()]))
        statement = _clean(text[cue.end() : end])
        return _result(unit, speaker, statement, _fragments(text, cue.end(), end, quotes), verb)
    boundary = _boundary(text, start, cue.start(), quotes)
    if boundary is not None and text[start:boundary].strip(" ,—–"):
        phrase = text[boundary : cue.start()].strip(" ,—–")
        if not phrase:
            speaker, after_speaker = _speaker_after(text, cue.end(), end)
            if speaker is not None:
                statement, quote = _statement_before(text, start, boundary, after_speaker, quotes)
                return _result(unit, speaker, statement, quote, verb)
        elif _is_tail(text, cue.end(), end, verb):
            speaker = _split_speaker(phrase)
            if speaker is not None:
                statement, quote = _statement_before(text, start, boundary, cue.end(), quotes)
                return _result(unit, speaker, statement, quote, verb)
    speaker = _speaker_before(text, start, cue.start())
    statement, quote = _statement_after(text, cue.end(), end, verb, quotes)
    return _result(unit, speaker, statement, quote, verb)


def _result(unit, speaker, statement, quote, verb):
    """Make the attribution when both a speaker and a statement were found."""
    if speaker is None or not statement or len(statement.split()) < 2:
        return None
    return Attribution(Span(unit.start, unit.end, unit.text), speaker.name, speaker.role, statement, quote, 0.0, verb)


def _inside(index, quotes):
    """Tell whether `index` falls inside one of the quotations."""
    return any(quote.start <= index < quote.end for quote in quotes)


def _boundary(text, start, cue_start, quotes):
    """Return where the clause holding the cue begins: after the last comma, spaced dash or quotation."""
    best = None
    for index in range(start, cue_start):
        char = text[index]
        spaced_dash = char in "—–" and text[index - 1 : index].isspace()
        if (char == "," or spaced_dash) and not _inside(index, quotes):
            best = index + 1
    for quote in quotes:
        if quote.end <= cue_start and (best is None or quote.end > best):
            best = quote.end
    if best is not None:
        while best < cue_start and text[best] in " ,—–":
            best += 1
    return best


def _speaker_after(text, cue_end, end):
    """Read an inverted speaker, "said [role] Name[, role]", and return it with where it ends."""
    words = []
    stop = end
    for match in WORD.finditer(text, cue_end, end):
        word = match.group()
        bare = word.strip(".,;:!?…")
        if QUOTE_MARKS.search(word) or len(words) >= 8:
            return None, None
        # "said he in a video" ends at "in"; "a source in the ministry" goes on to its name.
        if words and bare.lower() in TAIL_WORDS and (_is_name_word(words[-1]) or words[-1].lower() in ALL_PRONOUNS):
            stop = match.start()
            break
        words.append(bare)
        if word.endswith(","):
            stop = match.end()
            break
        if word[-1] in ".!?…":
            stop = match.end()
            break
    speaker = _split_speaker(" ".join(words))
    if speaker is None:
        return None, None
    if stop < end and text[stop - 1] == ",":
        apposition = re.split(r"[“”«»\"„]", text[stop:end])[0].strip(" ,.;")
        if apposition and _looks_like_role(apposition):
            return speaker._replace(role=apposition), stop + len(text[stop:end]) - len(text[stop:end].lstrip())
    return speaker, stop


def _is_tail(text, cue_end, end, verb):
    """Tell whether what follows the cue is only a tail ("on Monday", "told Reuters") or more quotation."""
    rest = text[cue_end:end].strip(" .!?…")
    if not rest or rest.startswith(","):
        return not rest or bool(QUOTE_MARKS.match(rest.lstrip(", —–")))
    first = rest.split()[0]
    told_whom = verb.lower() in TOLD and (first[:1].isupper() or first.lower() in OBJECTS)
    return (told_whom or first.lower() in TAIL_WORDS) and not QUOTE_MARKS.search(rest) and not THAT.search(rest)


def _statement_before(text, start, boundary, after_speaker, quotes):
    """Return (statement, quote) from the sentence part before the speaker, adding quotes after it."""
    head = [quote for quote in quotes if quote.end <= boundary]
    unquoted = text[start:boundary]
    for quote in head:
        unquoted = unquoted.replace(quote.text, "")
    if head and not unquoted.strip(" ,.;:—–-"):
        parts = [_inner(quote) for quote in head + [q for q in quotes if after_speaker and q.start >= after_speaker]]
        joined = " ".join(parts)
        return joined, joined
    statement = _clean(text[start:boundary])
    return statement, _fragments(text, start, boundary, quotes)


def _speaker_before(text, start, cue_start):
    """Read the speaker before the cue, skipping asides and taking a role in apposition or sentence-first."""
    words = text[start:cue_start].split()
    while words and words[-1].lower().strip(",") in INSERTS:
        words.pop()
    segments = " ".join(words).split(",")
    role = None
    index = len(segments) - 1
    while index > 0:
        segment = segments[index].strip()
        if segment and not ASIDE_OPENERS.match(segment):
            if not _looks_like_role(segment):
                break
            role = segment
        index -= 1
    speaker = _split_speaker(_after_conjunction(segments[index]))
    if speaker is None:
        return None
    if role is None and index == 1 and speaker.person and speaker.role is None:
        first = segments[0].strip()
        role = first if _looks_like_role(first) else None
    return speaker._replace(role=role) if role else speaker


def _statement_after(text, cue_end, end, verb, quotes):
    """Return (statement, quote) after the cue, without "that", its object or a colon."""
    rest_start = cue_end
    told = verb.lower() in TOLD
    if told:
        following = text[cue_end:end].split(None, 1)
        if following and (following[0].lower() in OBJECTS or following[0][:1].isupper()):
            rest_start = text.index(following[0], cue_end) + len(following[0])
    # "told the BBC that ...", "said on Monday that ..." and "сказав журналістам, що ..." put an object or
    # a time before the clause; "said in a statement: “...”" puts one before the quote.
    between = text[cue_end : min(end, cue_end + 60)].split()
    after_tail = bool(between) and between[0].lower() in TAIL_WORDS
    conjunction = THAT.search(text, cue_end, min(end, cue_end + 60))
    if conjunction and not _inside(conjunction.start(), quotes):
        if told or after_tail or "," in text[cue_end : conjunction.start() + 1]:
            rest_start = max(rest_start, conjunction.end())
    colon = text.find(":", cue_end, min(end, cue_end + 60))
    if after_tail and colon != -1 and not _inside(colon, quotes) and QUOTE_MARKS.match(text[colon + 1 : end].lstrip()):
        rest_start = max(rest_start, colon + 1)
    rest = text[rest_start:end]
    opener = STATEMENT_OPENERS.match(rest)
    rest_start += opener.end()
    whole = [quote for quote in quotes if quote.start >= rest_start]
    if whole and whole[0].start == rest_start and not text[whole[-1].end : end].strip(" .!?…,"):
        joined = " ".join(_inner(quote) for quote in whole)
        return joined, joined
    statement = _clean(text[rest_start:end])
    if re.match(r"(?i)to\s", statement):
        return None, None
    return statement, _fragments(text, rest_start, end, quotes)


def _source_cue(text, unit, cue, quotes):
    """Read "according to Speaker, clause" and "clause, за словами Speaker"."""
    start, end = unit.start, unit.end
    before = _after_conjunction(text[start : cue.start()]).strip(" ,—–")
    if before and before.lower() not in AS_WORDS:
        segments = text[cue.end() : end].strip(" .!?…").split(",")
        statement = _clean(text[start : cue.start()])
        fragments = _fragments(text, start, cue.start(), quotes)
    else:
        after = text[cue.end() : end]
        segments = after.split(",")
        taken = 2 if len(segments) > 2 and _looks_like_role(segments[1].strip()) else 1
        statement_start = cue.end() + len(",".join(segments[:taken])) + 1
        statement = _clean(text[statement_start:end])
        fragments = _fragments(text, statement_start, end, quotes)
        segments = segments[:taken]
    speaker = _split_speaker(re.sub(r"(?i)^\s*(?:в|у|во|in|at)\s+", "", segments[0]))
    if speaker is not None and len(segments) > 1 and _looks_like_role(segments[1].strip()):
        speaker = speaker._replace(role=segments[1].strip())
    return _result(unit, speaker, statement, fragments, cue.group())


def _headline(text, unit, quotes):
    """Read a wire-style "Speaker: clause" sentence, whose speaker is a short capitalised name."""
    colon = unit.text.find(":")
    if colon < 1 or _inside(unit.start + colon, quotes):
        return None
    phrase = re.sub(r"^\W+", "", unit.text[:colon])
    words = phrase.split()
    if not 2 <= len(words) <= 5 or any(word.lower() in NOT_SPEAKERS for word in words):
        return None
    if not all(_is_name_word(word) or word in NOT_NAMES or word.isupper() or word in {"of", "'s"} for word in words):
        return None
    statement = _clean(unit.text[colon + 1 :])
    if len(statement.split()) < 3:
        return None
    return _result(unit, _split_speaker(phrase), statement, None, ":")


def _split_speaker(phrase):
    """Split a speaker phrase into the person's name and the role before it, or keep it whole."""
    words = re.sub(r"^[^\w«“\"„]+", "", phrase or "").strip(" ,.;:—–").split()
    if not words or len(words) > 12:
        return None
    if len(words) == 1 and words[0].lower() in ALL_PRONOUNS:
        return _Speaker(words[0], None, False)
    if words[0] in {"the", "The"}:
        words = words[1:]
    if not words or all(word.lower() in AS_WORDS | CONJUNCTIONS | INSERTS for word in words):
        return None
    run = len(words)
    while run > 0 and (_is_name_word(words[run - 1]) or (run < len(words) and words[run - 1].lower() in PARTICLES)):
        run -= 1
    while run < len(words) and words[run].lower() in PARTICLES and not words[run][0].isupper():
        run += 1
    names = [index for index in range(run, len(words)) if words[index].lower() not in PARTICLES]
    if names:
        keep = 3 if len(names) >= 3 and (PATRONYMIC.search(words[names[-2]]) or _is_initial(words[names[-3]])) else 2
        first = names[-keep] if len(names) >= keep else names[0]
        while first > 0 and words[first - 1].lower() in PARTICLES:
            first -= 1
        if not (first > 0 and words[first - 1].lower() in LINKS):
            role = " ".join(words[:first]) or None
            return _Speaker(" ".join(words[first:]), role, not SPEAKING_NOUNS.fullmatch(words[-1]))
    last = words[-1]
    if not (last[:1].isupper() or SPEAKING_NOUNS.fullmatch(last.strip("’'"))):
        return None
    return _Speaker(" ".join(words), None, False)


def _is_name_word(word):
    """Tell whether a word can be part of a person's name: capitalised, not a title, not an acronym."""
    word = word.strip(",.;:")
    if not word[:1].isupper() or word in NOT_NAMES or word.endswith(("'s", "’s")):
        return False
    return _is_initial(word + ".") or not word.isupper()


def _is_initial(word):
    """Tell whether a word is an initial such as "Y." or "Є."."""
    return len(word) == 2 and word[0].isupper() and word[1] == "."


def _is_person(name):
    """Tell whether a speaker name read from the text is a person's, for "he said" later on."""
    speaker = _split_speaker(name)
    return speaker is not None and speaker.person and speaker.role is None


def _looks_like_role(segment):
    """Tell whether a comma-separated segment is a role: "a spokesman for ...", "речник ДПСУ"."""
    words = segment.split()
    return 0 < len(words) <= 14 and words[0].lower() in ROLE_OPENERS and not NUMBERS_ONLY.search(segment)


def _after_conjunction(clause):
    """Return the part of a clause after its last conjunction: "but Levko Stek" gives "Levko Stek"."""
    words = clause.split()
    cut = max((index + 1 for index, word in enumerate(words) if word.lower() in CONJUNCTIONS), default=0)
    return " ".join(words[cut:])


def _leading_name(clause):
    """Return the capitalised words opening a clause: "Vladimir Putin is seeking" gives "Vladimir Putin"."""
    words = []
    for word in clause.split():
        if not (_is_name_word(word) or word.lower() in PARTICLES):
            break
        words.append(word)
    return " ".join(words)


def _inner(quote):
    """Return a quotation's text without its marks or a trailing comma."""
    return quote.text[1:-1].strip().rstrip(",").strip()


def _fragments(text, start, end, quotes):
    """Return the quoted fragments inside a reported statement, or None."""
    inside = [_inner(quote) for quote in quotes if quote.start >= start and quote.end <= end]
    return " … ".join(inside) or None


def _clean(statement):
    """Trim a statement's surrounding punctuation and a leading "that"."""
    statement = STATEMENT_OPENERS.sub("", statement.strip(), count=1)
    return statement.lstrip(" ,;:—–").rstrip(" ,;:—–.…")


def _join_quoted_neighbours(text, units, found):
    """Join a sentence that is only a quotation to the quoted attribution beside it in its paragraph."""
    alone = {index for index, unit in enumerate(units) if index not in found and _only_quotation(text, unit)}
    # Forward first so that “A.” “B.” “C,” he said gathers from the end, then backward for said: “A.” “B.”
    for indexes, step in ((sorted(alone, reverse=True), 1), (sorted(alone), -1)):
        for index in indexes:
            attribution = found.get(index + step)
            if index not in alone or attribution is None or attribution.quote != attribution.statement:
                continue
            first, last = sorted((units[index], attribution.span))
            if PARAGRAPH_BREAK.search(text, first.end, last.start):
                continue
            quote = _inner(quotations(text, units[index].start, units[index].end)[0])
            joined = f"{quote} {attribution.quote}" if step == 1 else f"{attribution.quote} {quote}"
            span = Span(first.start, last.end, text[first.start : last.end])
            del found[index + step]
            found[index] = attribution._replace(span=span, statement=joined, quote=joined)
            alone.discard(index)


def _join_running_quotes(text, units, found):
    """Join paragraphs that open a quotation and leave it open, as English copy does, to the quote closing it."""
    if not found:
        return
    starts = [i for i in range(len(units)) if i == 0 or PARAGRAPH_BREAK.search(text, units[i - 1].end, units[i].start)]
    bounds = list(zip(starts, [*starts[1:], len(units)], strict=True))
    paragraph_of = {index: number for number, (first, after) in enumerate(bounds) for index in range(first, after)}
    for index in sorted(found):
        attribution = found[index]
        number = paragraph_of[index]
        if attribution.quote != attribution.statement or bounds[number][0] != index:
            continue
        if text[attribution.span.start] not in OPENING_MARKS:
            continue
        parts = []
        while number > 0:
            first, after = bounds[number - 1]
            start, end = units[first].start, units[after - 1].end
            closed = any(quote.start == start for quote in quotations(text, start, end))
            if text[start] not in OPENING_MARKS or closed or any(first <= key < after for key in found):
                break
            parts.insert(0, text[start + 1 : end].strip())
            number -= 1
        if parts:
            first = bounds[number][0]
            statement = " ".join([*parts, attribution.quote])
            span = Span(units[first].start, attribution.span.end, text[units[first].start : attribution.span.end])
            del found[index]
            found[first] = attribution._replace(span=span, statement=statement, quote=statement)


def _only_quotation(text, unit):
    """Tell whether a sentence is one quotation and its closing punctuation."""
    quotes = quotations(text, unit.start, unit.end)
    return len(quotes) == 1 and quotes[0].start == unit.start and not text[quotes[0].end : unit.end].strip(".!?…")
