"""Full-text search over claims: SQLite FTS5 or PostgreSQL tsvector, ranked, with safe snippets."""

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
from service.storage import db
from service.storage.models import Claim

TOKEN = re.compile(r"\w+\*?", re.UNICODE)
MARK_START, MARK_END = "\x02", "\x03"
MARKERS = re.compile("([\x02\x03])")
RANKED_MATCHES = 10_000
# The conflict detector ranks candidates among this many newest claims sharing any key term with a new claim.
SIMILAR_MATCHES = 1_000
HEADLINE_OPTIONS = "StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=12, MaxFragments=2"
# Unaliased: FTS5's MATCH and bm25() need the table's own name, not a query alias.
FTS = Table("claim_fts", ("rowid",)).alias("claim_fts")


def terms(q):
    """Return the search words in q (a trailing * asks for a prefix), or raise 400 if none."""
    words = [w for w in TOKEN.findall(q) if w.rstrip("*")][:20]
    if not words:
        raise BadRequest("The search q holds no words to search for.", errors={"q": ["No words."]})
    return words


def match_expression(words):
    """Return the database's query text for all words: quoted so no operator syntax gets through."""
    if db.is_postgres():
        return " & ".join(f"{w.rstrip('*').replace(chr(39), '')}:*" if w.endswith("*") else w for w in words)
    return " ".join(f'"{w[:-1]}"*' if w.endswith("*") else f'"{w}"' for w in words)


def any_expression(words):
    """Return the database's query text matching any of the plain words, with operator syntax stripped."""
    words = [w for w in (re.sub(r"\W+", "", word) for word in words) if w]
    if db.is_postgres():
        return " | ".join(words)
    return " OR ".join(f'"{w}"' for w in words)


def _match(query, expression):
    """Restrict a claim query to FTS matches of a database query text; return (query, score, snippet)."""
    if db.is_postgres():
        vector = Column(Claim._meta.table, "search_vector")
        document = Claim.text.concat(" ").concat(fn.COALESCE(Claim.quote, ""))
        tsquery = fn.to_tsquery("english", expression)
        score = NodeList((SQL("-"), fn.ts_rank_cd(vector, tsquery).cast("float8")), glue="")
        snippet = fn.ts_headline("english", document, tsquery, HEADLINE_OPTIONS)
        return query.where(NodeList((vector, SQL("@@"), tsquery))), score, snippet
    query = query.join(FTS, on=(FTS.rowid == Claim.id)).where(NodeList((SQL("claim_fts MATCH"), expression)))
    score = SQL("bm25(claim_fts)")
    snippet = SQL("snippet(claim_fts, -1, '\x02', '\x03', '…', 24)")
    return query, score, snippet


def _newest_floor(expression, count):
    """Return a subquery for the lowest id among the newest count matches of a database query text.

    Ranking costs a score for every match it considers: bounding the matches to the newest few thousand
    makes a term in 5% of a million claims cost what a rare one does. Ids only grow, so the newest
    matches are the last stored.
    """
    if db.is_postgres():
        matches, _, _ = _match(Claim.select(Claim.id.alias("id")), expression)
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
    query, score, _ = _match(query, expression)
    # On SQLite the bound must be on the FTS table's own rowid for FTS5 to skip older matches unscored. On
    # PostgreSQL, `id + 0` keeps the planner from ANDing the matches with a primary-key range that covers
    # most of the table (350 ms at a million claims).
    key = (Claim.id + 0) if db.is_postgres() else FTS.rowid
    return query.where(key >= _newest_floor(expression, SIMILAR_MATCHES)), score


def ranked(query, q):
    """Restrict a claim query to matches of q; return (query, score expression, snippet expression).

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
        matches, score, _ = _match(Claim.select(Claim.id.alias("id")), expression)
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


def render_snippet(raw):
    """Return a snippet as safe HTML: text escaped, matches in <mark>, every <mark> closed.

    The markers are characters stored text may hold too: one that opens inside a mark or closes outside
    one is dropped, and a mark still open at the end is closed.
    """
    rendered = []
    marking = False
    for part in MARKERS.split(raw or ""):
        if part == MARK_START:
            rendered.append("" if marking else "<mark>")
            marking = True
        elif part == MARK_END:
            rendered.append("</mark>" if marking else "")
            marking = False
        else:
            rendered.append(html.escape(part))
    if marking:
        rendered.append("</mark>")
    return "".join(rendered)
