"""A claim's language and search terms, worked out once where a claim is stored or edited."""

from service.nlp import language as languages
from service.nlp import wordforms


def claim_language(text, given=None):
    """Return the claim's language as a lower-case BCP 47 tag: the given one normalised, else detected."""
    if given:
        return languages.normalise_tag(given)
    return languages.detect(text)


def search_terms(text, quote, language):
    """Return the word-form terms stored beside a claim (its text and quote) for full-text search."""
    return wordforms.index_terms(f"{text} {quote or ''}", language)


def language_condition(column, tag):
    """Return a condition matching a language filter by primary language ("uk-UA" finds "uk" and "uk-ua").

    Written as an equality and a range, so that the (language, claimed_on, id) index serves it.
    """
    primary = languages.primary(tag)
    return (column == primary) | ((column >= f"{primary}-") & (column < f"{primary}."))
