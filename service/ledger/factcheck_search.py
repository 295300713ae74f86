"""Google Fact Check Tools' claims:search, answered from this ledger's published fact-checks.

The same parameters and response shape as Google's v1alpha1 API, so that a tool written against Google's API
works by changing its base URL. Only published fact-checks are found; drafts never are.
"""

import datetime

from peewee import Select
from peewee import Tuple
from peewee import fn

from service.ledger import fact_checks
from service.ledger import ratings
from service.ledger import search
from service.ledger.errors import ValidationFailed
from service.storage import cursors
from service.storage.db import database
from service.storage.models import Claim
from service.storage.models import FactCheck
from service.storage.models import FactCheckClaim
from service.storage.models import Speaker
from service.storage.models import utcnow

CURSOR_KIND = "claims-search"


def _google_time(value):
    """Return a timestamp as Google's API writes one: RFC 3339 in UTC with Z."""
    return value.replace(microsecond=0).isoformat() + "Z"


def _published(language=None, site=None, reviewed_since=None):
    """Return a query of the published fact-checks the filters let through."""
    query = FactCheck.select(FactCheck.id).where(FactCheck.status == "published")
    if language:
        primary = language.split("-")[0].lower()
        lowered = fn.LOWER(FactCheck.language)
        query = query.where((lowered == primary) | lowered.startswith(primary + "-"))
    if site:
        query = query.where(FactCheck.article_site == site.lower().removeprefix("www."))
    if reviewed_since is not None:
        query = query.where(FactCheck.published_at >= reviewed_since)
    return query


def _claims_of(fact_check_query):
    return FactCheckClaim.select(FactCheckClaim.claim).where(FactCheckClaim.fact_check.in_(fact_check_query))


def _candidates(language, site, max_age_days):
    """Return a condition on Claim: rated by a matching published fact-check, and young enough if asked."""
    matching = Claim.id.in_(_claims_of(_published(language, site)))
    if not max_age_days:
        return matching
    # Google: "Age is determined by either claim date or review date, whichever is newer."
    cutoff = utcnow() - datetime.timedelta(days=max_age_days)
    recently_reviewed = Claim.id.in_(_claims_of(_published(language, site, cutoff)))
    return matching & ((Claim.claimed_on >= cutoff) | recently_reviewed)


def _page_ids(query_text, condition, page_size, page_token, secret):
    """Return ([claim id], next keyset or None): best match first with a query, else newest claim first."""
    if query_text:
        matches, score = search.ranked(Claim.select(Claim.id.alias("id")).where(condition), query_text)
        ranked = matches.select_extend(score.alias("score")).alias("ranked")
        page = Select([ranked], [ranked.c.id, ranked.c.score])
        if page_token:
            after_score, after_id = cursors.decode(CURSOR_KIND, page_token, 2, secret)
            page = page.where(Tuple(ranked.c.score, ranked.c.id) > Tuple(after_score, after_id))
        rows = database.execute(page.order_by(ranked.c.score, ranked.c.id).limit(page_size + 1)).fetchall()
        keys = [[score_value, claim_id] for claim_id, score_value in rows]
    else:
        page = Claim.select(Claim.id).where(condition)
        if page_token:
            _, before_id = cursors.decode(CURSOR_KIND, page_token, 2, secret)
            page = page.where(Claim.id < before_id)
        keys = [[None, claim_id] for (claim_id,) in page.order_by(Claim.id.desc()).limit(page_size + 1).tuples()]
    next_key = keys[page_size - 1] if len(keys) > page_size else None
    return [claim_id for _, claim_id in keys[:page_size]], next_key


def _matches(fact_check, language, site):
    """Say whether a published fact-check passes the language and site filters, as _published applies them."""
    if language:
        primary = language.split("-")[0].lower()
        tag = fact_check.language.lower()
        if tag != primary and not tag.startswith(primary + "-"):
            return False
    return not site or fact_check.article_site == site.lower().removeprefix("www.")


def _review(fact_check, organization):
    return {
        "publisher": {"name": organization, "site": fact_check.article_site},
        "url": fact_check.article_url,
        "title": fact_check.headline,
        "reviewDate": _google_time(fact_check.published_at),
        "textualRating": ratings.label(fact_check.rating, fact_check.language),
        "languageCode": fact_check.language,
    }


def search_claims(args, organization, secret):
    """Answer a claims:search request (its parameters as Google names them) with Google's response shape."""
    query_text = (args.get("query") or "").strip()
    site = args.get("reviewPublisherSiteFilter")
    if not query_text and not site:
        raise ValidationFailed(
            "Give a query, or a reviewPublisherSiteFilter, as Google's claims:search requires.",
            errors={"query": ["Required unless reviewPublisherSiteFilter is given."]},
        )
    language = args.get("languageCode")
    condition = _candidates(language, site, args.get("maxAgeDays"))
    ids, next_key = _page_ids(query_text, condition, args.get("pageSize", 10), args.get("pageToken"), secret)
    found = {claim.id: claim for claim in Claim.select(Claim, Speaker).join(Speaker).where(Claim.id.in_(ids))}
    published = fact_checks.published_for_claims(ids)
    answer = {}
    items = []
    for claim_id in ids:
        claim = found[claim_id]
        reviews = [fact_check for fact_check in published.get(claim_id, []) if _matches(fact_check, language, site)]
        items.append(
            {
                "text": claim.text,
                "claimant": claim.speaker.name,
                "claimDate": _google_time(claim.claimed_on),
                "claimReview": [_review(fact_check, organization) for fact_check in reviews],
            }
        )
    if items:
        answer["claims"] = items
    if next_key is not None:
        answer["nextPageToken"] = cursors.encode(CURSOR_KIND, next_key, secret)
    return answer
