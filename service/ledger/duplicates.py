"""Likely duplicates of a claim being stored, from the word-form index alone (no model on the write path)."""

from service.ledger import search
from service.storage.models import Claim

# Share of the longer claim's distinct terms that the two share, above which they are likely one statement.
DUPLICATE_OVERLAP = 0.8
CANDIDATES = 10


def overlap(terms_a, terms_b):
    """Return the share of the larger of two claims' distinct search terms that both hold."""
    a, b = set(terms_a.split()), set(terms_b.split())
    if not a or not b:
        return 0.0
    return len(a & b) / max(len(a), len(b))


def possible_duplicates(text, terms, exclude=None):
    """Return [{id, score, text}] of stored claims sharing nearly all their word-form terms with a text, best first."""
    query, rank = search.ranked_any(Claim.select(Claim.id, Claim.text, Claim.search_terms), text.split())
    if query is None:
        return []
    if exclude is not None:
        query = query.where(Claim.id != exclude)
    found = []
    for other_id, other_text, other_terms in query.order_by(rank, Claim.id).limit(CANDIDATES).tuples():
        score = overlap(terms, other_terms)
        if score >= DUPLICATE_OVERLAP:
            found.append({"id": other_id, "score": round(score, 4), "text": other_text})
    return sorted(found, key=lambda item: (-item["score"], item["id"]))
