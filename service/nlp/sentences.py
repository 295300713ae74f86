"""Split article text into sentences with their character spans, in English, Ukrainian and Russian.

A sentence never crosses a paragraph break (a blank line). Inside a paragraph a sentence ends at
".", "!", "?" or "…" followed by space and a word that does not start in lower case, unless the
period closes an abbreviation or an initial, or the punctuation sits inside a quotation: a quoted
multi-sentence statement followed by ", he said." stays one sentence. When a paragraph's quotation
marks do not balance (a quote running on into the next paragraph), quotes are not trusted there.
"""

import re
from typing import NamedTuple


class Span(NamedTuple):
    """A slice of the article text: `text == article[start:end]`."""

    start: int
    end: int
    text: str


# Abbreviations taken never to end a sentence, lower case, without their final period.
TITLES = {
    "en": {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "st",
        "sen",
        "rep",
        "gov",
        "pres",
        "rev",
        "no",
        "nos",
        "vs",
        "jr",
        "sr",
        "mt",
        "ft",
        "approx",
        "fig",
        "e.g",
        "i.e",
        "cf",
    },
    "uk": {
        "м",
        "с",
        "смт",
        "вул",
        "просп",
        "пров",
        "обл",
        "р-н",
        "ген",
        "проф",
        "д-р",
        "акад",
        "св",
        "ім",
        "т",
        "зв",
        "зн",
        "див",
        "напр",
        "тис",
        "млн",
        "млрд",
        "грн",
        "пп",
        "п",
        "ст",
        "ч",
        "рис",
        "т.зв",
        "т.ч",
    },
    "ru": {
        "г",
        "гг",
        "ул",
        "пр",
        "пер",
        "обл",
        "р-н",
        "ген",
        "проф",
        "акад",
        "св",
        "им",
        "т",
        "е",
        "н",
        "тыс",
        "млн",
        "млрд",
        "руб",
        "коп",
        "см",
        "напр",
        "ст",
        "ч",
        "рис",
        "д",
        "с",
        "пос",
        "т.е",
        "т.ч",
        "т.к",
        "т.н",
    },
}
TITLES_ANY = set().union(*TITLES.values())

# After a dotted acronym such as "U.S." a new sentence is only seen before a typical sentence opening.
SENTENCE_OPENERS = {
    "the",
    "a",
    "an",
    "it",
    "he",
    "she",
    "they",
    "we",
    "i",
    "this",
    "that",
    "these",
    "those",
    "but",
    "and",
    "in",
    "on",
    "at",
    "after",
    "before",
    "there",
    "his",
    "her",
    "their",
    "its",
    "our",
    "as",
    "if",
}

OPENING_QUOTES = {"«": "»", "„": "“", "“": "”", "‘": "’", "‹": "›"}
TERMINALS = ".!?…"
CLOSERS = "\"'»”“’›)]"
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
DOTTED_ACRONYM = re.compile(r"(?:[A-Za-z]\.){1,}[A-Za-z]")


def sentences(text, language=None):
    """Return the sentences of `text` as spans in Python string offsets."""
    titles = TITLES.get((language or "").split("-")[0].lower(), TITLES_ANY)
    spans = []
    start = 0
    for separator in PARAGRAPH_BREAK.finditer(text):
        spans.extend(_paragraph(text, start, separator.start(), titles))
        start = separator.end()
    spans.extend(_paragraph(text, start, len(text), titles))
    return spans


def quotations(text, start=0, end=None):
    """Return the outermost quotations between `start` and `end`, marks included, that open and close."""
    end = len(text) if end is None else end
    found = []
    open_quotes = []
    opened_at = None
    for index in range(start, end):
        was_open = bool(open_quotes)
        if not _quote_step(text, index, start, open_quotes):
            continue
        if open_quotes and not was_open:
            opened_at = index
        elif was_open and not open_quotes:
            found.append(Span(opened_at, index + 1, text[opened_at : index + 1]))
    return found


def _paragraph(text, start, end, titles):
    """Split one paragraph, trusting its quotation marks only if they balance."""
    ends = _boundaries(text, start, end, titles, trust_quotes=True)
    if ends is None:
        ends = _boundaries(text, start, end, titles, trust_quotes=False)
    spans = []
    for boundary in [*ends, end]:
        span = _trimmed(text, start, boundary)
        if span:
            spans.append(span)
        start = boundary
    return spans


def _boundaries(text, start, end, titles, trust_quotes):
    """Return the offsets where sentences end, or None when quotes were trusted and do not balance."""
    boundaries = []
    open_quotes = []
    index = start
    while index < end:
        char = text[index]
        if trust_quotes and _quote_step(text, index, start, open_quotes):
            index += 1
            # A quotation ending in its own full stop can end the sentence: “We hold.” Then ...
            if not open_quotes and index - 2 >= start and text[index - 2] in TERMINALS:
                stop = index
                while stop < end and (text[stop] in TERMINALS or text[stop] in CLOSERS):
                    stop += 1
                if _ends_sentence(text, index - 2, stop, end, titles):
                    boundaries.append(stop)
                index = stop
            continue
        if char in TERMINALS and not open_quotes:
            stop = index + 1
            while stop < end and (text[stop] in TERMINALS or text[stop] in CLOSERS):
                stop += 1
            if _ends_sentence(text, index, stop, end, titles):
                boundaries.append(stop)
            index = stop
            continue
        index += 1
    if trust_quotes and open_quotes:
        return None
    return boundaries


def _quote_step(text, index, start, open_quotes):
    """Track the quotation opened or closed at `index`; return whether the character was a quote mark."""
    char = text[index]
    before = text[index - 1] if index > start else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    if open_quotes and char == open_quotes[-1]:
        # ’ inside a word is an apostrophe (It’s), not the end of a ‘quote’.
        if char == "’" and after.isalpha():
            return False
        open_quotes.pop()
        return True
    if char == '"':
        if open_quotes and open_quotes[-1] == '"':
            open_quotes.pop()
        elif before.isspace() or before in "([«„“‘—–-":
            open_quotes.append('"')
        return True
    if char in OPENING_QUOTES:
        if char == "‘" and not (before.isspace() or before in '([«„“"'):
            return False
        open_quotes.append(OPENING_QUOTES[char])
        return True
    return False


def _ends_sentence(text, index, stop, end, titles):
    """Decide whether the terminal punctuation at `index` (run ending at `stop`) ends a sentence."""
    if stop < end and not text[stop].isspace():
        return False
    following = _next_word(text, stop, end)
    if following is None:
        return True
    if following[0].islower() or following[0] in ",;:":
        return False
    if text[index] != "." or text[stop - 1] != ".":
        return True
    token = _token_before(text, index)
    bare = token.rstrip(".").lower()
    if len(bare) == 1 and bare.isalpha() and token[0].isupper():
        return False
    if DOTTED_ACRONYM.fullmatch(token.rstrip(".")) and token[0].isupper():
        return following.lower() in SENTENCE_OPENERS
    # "в 2023 г. Путин" and "м. Київ" are far more common in news than a sentence ending in them.
    if bare in titles or (len(bare) == 1 and bare.isalpha()):
        return False
    return True


def _next_word(text, stop, end):
    """Return the next word after `stop`, skipping spaces and dialogue dashes, or None at the end."""
    index = stop
    while index < end and (text[index].isspace() or text[index] in "—–-"):
        index += 1
    if index >= end:
        return None
    match = re.match(r"\w+|\S", text[index:end])
    return match.group()


def _token_before(text, index):
    """Return the run of non-space characters ending just before `index`, without opening marks."""
    start = index
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:index].lstrip('([«„“"‘')


def _trimmed(text, start, end):
    """Return the span between `start` and `end` without surrounding whitespace, or None if empty."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end]) if end > start else None
