"""Turn text and queries into plain search terms that match across English, Ukrainian and Russian word forms.

The databases only ever match plain tokens (SQLite FTS5 `unicode61 remove_diacritics 0` without porter,
PostgreSQL `to_tsvector('simple', ...)`), so all normalisation lives here and search behaves the same on both.
A query word may end in `*` to match as a prefix (the prefix is stemmed like a word, since the index holds
stems: "running*" seeks "run*"); quoted phrases are not kept together: their words AND.
"""

import re
import threading
import unicodedata

import Stemmer

from service.nlp import language as languages
from service.nlp import ukrainian

WORD = re.compile(r"([^\W_]+(?:['’ʼ][^\W_]+)*)(\*?)")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
UKRAINIAN_ONLY = re.compile(r"[іїєґ'’ʼ]")
RUSSIAN_ONLY = re.compile(r"[ыэъё]")
APOSTROPHES = str.maketrans("", "", "'’ʼ")
PLAIN_APOSTROPHE = str.maketrans("’ʼ", "''")

# PyStemmer's stemmers must not be shared between threads.
_local = threading.local()


def _stemmer(language):
    """Return this thread's Snowball stemmer for a language."""
    stemmers = _local.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = Stemmer.Stemmer(language)
    return stemmers[language]


def _cyrillic_languages(word, language):
    """Return the languages whose stems a Cyrillic word is indexed under: its own letters decide, then the text's."""
    ukrainian_letters = bool(UKRAINIAN_ONLY.search(word))
    russian_letters = bool(RUSSIAN_ONLY.search(word))
    if ukrainian_letters != russian_letters:
        return ("uk",) if ukrainian_letters else ("ru",)
    if language in ("uk", "ru") and not ukrainian_letters:
        return (language,)
    return ("ru", "uk")


def _word_terms(word, language=None):
    """Return the terms one word is stored and sought under (two when Ukrainian or Russian is uncertain)."""
    lowered = word.lower()
    if CYRILLIC.search(lowered):
        folded = lowered.translate(APOSTROPHES).replace("ё", "е")
        terms = []
        for candidate in _cyrillic_languages(lowered, language):
            term = ukrainian.stem(folded) if candidate == "uk" else _stemmer("russian").stemWord(folded)
            if term not in terms:
                terms.append(term)
        return terms
    if LATIN.search(lowered):
        # Snowball english drops a possessive "'s" itself, so the apostrophe goes only after stemming.
        return [_stemmer("english").stemWord(lowered.translate(PLAIN_APOSTROPHE)).translate(APOSTROPHES)]
    return [lowered.translate(APOSTROPHES)]


def index_terms(text, language=None):
    """Return the space-separated search terms to store beside a text, in the text's word order."""
    hint = languages.primary(language) if language else None
    terms = []
    # Decomposed text (й as и plus a breve, as some editors paste it) would split words at the mark.
    for match in WORD.finditer(unicodedata.normalize("NFC", text or "")):
        terms.extend(_word_terms(match.group(1), hint))
    return " ".join(terms)


def query_terms(query):
    """Return, for each word of a query, the terms it may match (OR); the words AND together."""
    words = []
    for match in WORD.finditer(unicodedata.normalize("NFC", query or "")):
        word, prefix = match.groups()
        alternatives = [term + prefix for term in _word_terms(word)]
        if alternatives not in words:
            words.append(alternatives)
    return words
