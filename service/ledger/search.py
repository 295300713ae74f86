"""Full-text search over claims' word-form terms: SQLite FTS5 or PostgreSQL tsvector, ranked, with safe snippets.

Both databases index only the plain terms of service.nlp.wordforms (claim.search_terms), and a query is
turned into terms the same way, so "снаряд" finds "снарядов" and "снаряды", and the same query finds the
same claims on either database. Snippets are cut from the claim's original text here, marking the words
whose terms the query matched.
"""

import html
import re

from peewee import SQL
from peewee import Column
from peewee import NodeList
from peewee import Select
from peewee import Table
from peewee import Tuple
from peewee import fn

from service.ledger.errors import BadRequest
from service.nlp import wordforms
from service.storage import db
from service.storage.models import Claim

MAX_WORDS = 20
RANKED_MATCHES = 10_000
# Any-word searches (word-form candidates for matching, duplicates, article analysis) rank among this many newest hits.
SIMILAR_MATCHES = 1_000
SNIPPET_WORDS = 24
# Terms are letters and digits only (wordforms.WORD), but anything else is dropped again before it reaches SQL.
UNSAFE = re.compile(r"[^\w]+")
# Unaliased: FTS5's MATCH and bm25() need the table's own name, not a query alias.
FTS = Table("claim_fts", ("rowid",)).alias("claim_fts")


def terms(q):
    """Return the query's words as lists of alternative terms (a trailing * keeps a prefix), or raise 400 if none."""
    words = []
    for alternatives in wordforms.query_terms(q):
        safe = [UNSAFE.sub("", term.rstrip("*")) + ("*" if term.endswith("*") else "") for term in alternatives]
        safe = [term for term in dict.fromkeys(safe) if term.rstrip("*")]
        if safe:
            words.append(safe)
    if not words:
        raise BadRequest("The search q holds no words to search for.", errors={"q": ["No words."]})
    return words[:MAX_WORDS]


def _term(term):
    if db.is_postgres():
        return f"'{term[:-1]}':*" if term.endswith("*") else f"'{term}'"
    return f'"{term[:-1]}"*' if term.endswith("*") else f'"{term}"'


def _either(alternatives):
    glue = " | " if db.is_postgres() else " OR "
    joined = glue.join(_term(term) for term in alternatives)
    return f"({joined})" if len(alternatives) > 1 else joined


def match_expression(words):
    """Return the database's query text: every word (any of its alternative terms), quoted so no operator gets in."""
    return (" & " if db.is_postgres() else " AND ").join(_either(alternatives) for alternatives in words)


def any_expression(words):
    """Return the database's query text matching any of the plain words' terms, or "" when none is left."""
    alternatives = []
    for word in words:
        for found in wordforms.query_terms(re.sub(r"\*", "", word)):
            alternatives.extend(UNSAFE.sub("", term) for term in found)
    alternatives = [term for term in dict.fromkeys(alternatives) if term]
    if not alternatives:
        return ""
    return (" | " if db.is_postgres() else " OR ").join(_term(term) for term in alternatives)


def _match(query, expression):
    """Restrict a claim query to FTS matches of a database query text; return (query, score)."""
    if db.is_postgres():
        vector = Column(Claim._meta.table, "search_vector")
        tsquery = fn.to_tsquery("simple", expression)
        score = NodeList((SQL("-"), fn.ts_rank_cd(vector, tsquery).cast("float8")), glue="")
        return query.where(NodeList((vector, SQL("@@"), tsquery))), score
    query = query.join(FTS, on=(FTS.rowid == Claim.id)).where(NodeList((SQL("claim_fts MATCH"), expression)))
    return query, SQL("bm25(claim_fts)")


def _newest_floor(expression, count):
    """Return a subquery for the lowest id among the newest count matches of a database query text.

    Ranking costs a score for every match it considers: bounding the matches to the newest few thousand
    makes a term in 5% of a million claims cost what a rare one does. Ids only grow, so the newest
    matches are the last stored.
    """
    if db.is_postgres():
        matches, _ = _match(Claim.select(Claim.id.alias("id")), expression)
        key = Claim.id
    else:
        matches = FTS.select(FTS.rowid.alias("id")).where(NodeList((SQL("claim_fts MATCH"), expression)))
        key = FTS.rowid
    newest = matches.order_by(key.desc()).limit(count).alias("newest")
    return Select([newest], [fn.COALESCE(fn.MIN(newest.c.id), 0)])


def ranked_any(query, words):
    """Restrict a claim query to claims matching any of the words; return (query, score), best first ascending.

    Returns (None, None) when no word is left to search for.
    """
    expression = any_expression(words)
    if not expression:
        return None, None
    query, score = _match(query, expression)
    # On SQLite the bound must be on the FTS table's own rowid for FTS5 to skip older matches unscored. On
    # PostgreSQL, `id + 0` keeps the planner from ANDing the matches with a primary-key range that covers
    # most of the table (350 ms at a million claims).
    key = (Claim.id + 0) if db.is_postgres() else FTS.rowid
    return query.where(key >= _newest_floor(expression, SIMILAR_MATCHES)), score


def ranked(query, q):
    """Restrict a claim query to matches of q; return (query, score expression).

    The score sorts ascending, best first, on both databases.
    """
    return _match(query, match_expression(terms(q)))


def best_matches(q, limit, after=None):
    """Return [(claim id, score)]: the best limit matches of q after a (score, id) keyset, best first.

    Ranked on the full-text index alone (claim_fts, or claim's tsvector), without joining anything.
    """
    expression = match_expression(terms(q))
    if db.is_postgres():
        # Ranked as they are read: one pass over the matches, where a floor subquery read them twice.
        matches, score = _match(Claim.select(Claim.id.alias("id")), expression)
        newest = matches.select_extend(score.alias("score")).order_by(Claim.id.desc()).limit(RANKED_MATCHES)
        newest = newest.alias("newest")
        key, score = newest.c.id, newest.c.score
        query = Select([newest], [key, score])
    else:
        score = SQL("bm25(claim_fts)")
        query = FTS.select(FTS.rowid, score).where(NodeList((SQL("claim_fts MATCH"), expression)))
        key = FTS.rowid
        query = query.where(key >= _newest_floor(expression, RANKED_MATCHES))
    if after is not None:
        query = query.where(Tuple(score, key) > Tuple(*after))
    return db.database.execute(query.order_by(score, key).limit(limit)).fetchall()


def _terms_of(word, language):
    try:
        return wordforms.index_terms(word, language).split()
    except ValueError:
        return wordforms.index_terms(word).split()


def snippet(text, quote, language, q):
    """Return safe HTML from the claim's own words around the first match of q: text escaped, matches in <mark>."""
    sought = [term for alternatives in wordforms.query_terms(q) for term in alternatives]
    exact = {term for term in sought if not term.endswith("*")}
    prefixes = tuple(term[:-1] for term in sought if term.endswith("*"))
    hint = language or None
    document = f"{text} {quote}" if quote else text
    words = list(wordforms.WORD.finditer(document))
    marked = [
        any(term in exact or (prefixes and term.startswith(prefixes)) for term in _terms_of(m.group(1), hint))
        for m in words
    ]
    if not words:
        return html.escape(document)
    first = marked.index(True) if True in marked else 0
    start = max(0, first - SNIPPET_WORDS // 3)
    end = min(len(words), start + SNIPPET_WORDS)
    begin = 0 if start == 0 else words[start].start()
    finish = len(document) if end == len(words) else words[end - 1].end()
    pieces = ["…" if begin else ""]
    position = begin
    for match, is_marked in zip(words[start:end], marked[start:end], strict=True):
        if not is_marked:
            continue
        pieces.append(html.escape(document[position : match.start()]))
        pieces.append(f"<mark>{html.escape(match.group(1))}</mark>")
        position = match.end(1)
    pieces.append(html.escape(document[position:finish]))
    pieces.append("" if finish == len(document) else "…")
    return "".join(pieces)
