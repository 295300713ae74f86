"""Import ClaimReview JSON-LD as found on fact-check pages: claims, speakers, sources and published fact-checks.

Accepts one document or many: a ClaimReview object, an @graph, an array, or arrays of those. Everything is
matched to what the ledger holds before anything is created: a speaker by name or alias, a source by URL, a
claim by its exact text and speaker, a rating by label (in any language) or slug, else by its number placed
on this desk's scale, and a fact-check by its article URL and rating. The import is all or nothing, and
importing the same markup again changes nothing.
"""

import datetime
import json
import math
from urllib.parse import urlsplit

from marshmallow import ValidationError

from service.ledger import claims
from service.ledger import fact_checks
from service.ledger import ratings
from service.ledger import speakers
from service.ledger.errors import BadRequest
from service.ledger.errors import ValidationFailed
from service.ledger.errors import flatten_messages
from service.nlp import language
from service.schemas.claims import ClaimInput
from service.storage.db import database
from service.storage.models import Claim
from service.storage.models import FactCheck
from service.storage.models import Rating
from service.storage.models import Source
from service.storage.models import utcnow

MAX_CLAIM_REVIEWS = 1000
MAX_URL_LENGTH = 2000
MAX_HOST_LENGTH = 253
MAX_AUTHOR_LENGTH = 200
# schema.org's own defaults for a Rating that gives a number without its bounds.
DEFAULT_WORST, DEFAULT_BEST = 1, 5


def parse_body(body):
    """Return the JSON a request body holds, or raise 400."""
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise BadRequest(f"The body is not UTF-8 (byte {error.start}).") from None
    except ValueError as error:
        raise BadRequest(f"The body is not valid JSON: {error}.") from None


def _is_claim_review(node):
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(kind, str) and kind.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "ClaimReview" for kind in kinds)


def claim_reviews(document):
    """Return every ClaimReview object in a document, in order: through arrays, @graph and nesting."""
    found = []

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if _is_claim_review(node):
                found.append(node)
                return
            for key, value in node.items():
                if key != "@context":
                    walk(value)

    walk(document)
    return found


def _first(value):
    return value[0] if isinstance(value, list) and value else value


def _text(value):
    """Return a JSON-LD literal as text: a string, {"@value": ...}, or the first of a list; else None."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _name(value):
    """Return (name, schema.org type) of an author given as text or as an object; (None, None) if none."""
    value = _first(value)
    if isinstance(value, str):
        return (value.strip() or None), None
    if isinstance(value, dict):
        kind = _first(value.get("@type"))
        return _text(value.get("name")), kind if isinstance(kind, str) else None
    return None, None


def _url(value):
    """Return an http(s) URL given as text or as an object's url or @id, if it is one this ledger can keep."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id")
    value = _text(value)
    if not value or len(value) > MAX_URL_LENGTH:
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return None
    return value if parts.scheme in ("http", "https") and host and len(host) <= MAX_HOST_LENGTH else None


def _when(value):
    """Return (datetime, has_time) for an ISO 8601 date or date-time (UTC, naive), or None."""
    value = _text(value)
    if not value:
        return None
    try:
        if len(value) <= 10:
            return datetime.datetime.combine(datetime.date.fromisoformat(value), datetime.time()), False
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(datetime.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
    return parsed, True


def _number(value):
    value = _text(value)
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def _language(value):
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    value = _text(value)
    if not value or len(value) > 35:
        return None
    try:
        return language.normalise_tag(value)
    except ValueError:
        return None


class _Scale:
    """This desk's ratings, for finding the one an imported Rating names or places."""

    def __init__(self):
        self.all = list(Rating.select())
        self.by_label = {}
        for rating in self.all:
            for text in [rating.slug, *rating.labels.values()]:
                self.by_label.setdefault(" ".join(text.split()).casefold(), rating)
        self.placed = [rating for rating in self.all if rating.position is not None and not rating.retired]
        positions = [rating.position for rating in self.placed]
        self.bounds = (min(positions), max(positions)) if positions else None

    def find(self, review_rating):
        """Return the rating a schema.org Rating names by label, else places by number; None if neither."""
        for key in ("alternateName", "name"):
            label = _text(review_rating.get(key))
            if label and " ".join(label.split()).casefold() in self.by_label:
                return self.by_label[" ".join(label.split()).casefold()]
        value = _number(review_rating.get("ratingValue"))
        if value is None or self.bounds is None:
            return None
        worst = _number(review_rating.get("worstRating"))
        best = _number(review_rating.get("bestRating"))
        worst = DEFAULT_WORST if worst is None else worst
        best = DEFAULT_BEST if best is None else best
        if best == worst or not min(worst, best) <= value <= max(worst, best):
            return None
        low, high = self.bounds
        target = low + (value - worst) / (best - worst) * (high - low)
        return min(self.placed, key=lambda rating: (abs(rating.position - target), rating.position))


def _read(index, node, scale):
    """Return what one ClaimReview says, or raise 422 naming its index and field."""
    problems = {}

    def need(field, value, message):
        if not value:
            problems[f"{index}.{field}"] = [message]
        return value

    text = need("claimReviewed", _text(node.get("claimReviewed")), "The claim's text is needed.")
    article_url = need("url", _url(node.get("url")), "The fact-check article's http(s) URL is needed.")
    review_rating = _first(node.get("reviewRating"))
    review_rating = review_rating if isinstance(review_rating, dict) else {}
    rating = scale.find(review_rating)
    if rating is None:
        label = _text(review_rating.get("alternateName")) or _text(review_rating.get("name"))
        problems[f"{index}.reviewRating"] = [
            f"The rating {label!r} is not on this desk's scale and gives no number to place it by: "
            "add the label to a rating (PATCH /api/v1/ratings/{slug})."
            if label
            else "A reviewRating with an alternateName or a ratingValue is needed."
        ]
    item = _first(node.get("itemReviewed"))
    item = item if isinstance(item, dict) else {}
    speaker_name, speaker_type = _name(item.get("author"))
    need("itemReviewed.author", speaker_name, "The claim's author (a name or an object with a name) is needed.")
    review_when = _when(node.get("datePublished"))
    claim_when = _when(item.get("datePublished")) or review_when
    need("itemReviewed.datePublished", claim_when, "A date for the claim (or the review) is needed.")
    if problems:
        raise ValidationFailed(f"ClaimReview {index} cannot be imported.", errors=problems)
    appearances = item.get("appearance") or []
    appearances = appearances if isinstance(appearances, list) else [appearances]
    works = [work for work in [_first(item.get("firstAppearance")), *appearances] if _url(work)]
    if works:
        work = works[0]
        publisher = _name(work.get("publisher") or work.get("author"))[0] if isinstance(work, dict) else None
        source_url = _url(work)
        source = {"url": source_url, "publisher": publisher or urlsplit(source_url).hostname}
        if isinstance(work, dict) and _text(work.get("headline") or work.get("name")):
            source["title"] = _text(work.get("headline") or work.get("name"))[:500]
    else:
        # No appearance given: the claim is known from the fact-check article that quotes it.
        source = {"url": article_url, "publisher": _name(node.get("author"))[0] or urlsplit(article_url).hostname}
    authors = node.get("author")
    authors = authors if isinstance(authors, list) else [authors]
    language = _language(node.get("inLanguage")) or "en"
    published_at = review_when[0] if review_when else utcnow()
    return {
        "claim": {
            "text": text,
            "speaker": {
                "name": speaker_name,
                "kind": "organization" if speaker_type == "Organization" else "person",
            },
            "source": source,
            "claimed_on": claim_when[0].isoformat() + "Z" if claim_when[1] else claim_when[0].date().isoformat(),
            "language": language,
        },
        "fact_check": {
            "headline": (_text(node.get("headline")) or _text(node.get("name")) or f"Fact-check: {text}")[:500],
            "article_url": article_url,
            "authors": [name[:MAX_AUTHOR_LENGTH] for name in (_name(author)[0] for author in authors) if name][:20],
            "rating": rating,
            "explanation": _text(review_rating.get("ratingExplanation"))
            or _text(node.get("reviewBody"))
            or _text(node.get("description"))
            or ratings.label(rating, language),
            "language": language,
            "published_at": published_at,
            "updated_at": (_when(node.get("dateModified")) or (published_at, True))[0],
        },
    }


def _load_claim(index, data):
    try:
        return ClaimInput().load(data)
    except ValidationError as error:
        raise ValidationFailed(
            f"ClaimReview {index} cannot be imported.", errors=flatten_messages(error.messages, str(index))
        ) from None


def _claim(index, data, actor, counts):
    """Return the claim the ledger holds with this text and speaker, or a new one; count what was created."""
    loaded = _load_claim(index, data)
    speaker = speakers.find_speaker(loaded["speaker"]["name"])
    counts["speakers_matched" if speaker else "speakers_created"] += 1
    if speaker is not None:
        existing = Claim.get_or_none((Claim.text == loaded["text"]) & (Claim.speaker == speaker))
        if existing is not None:
            counts["claims_matched"] += 1
            return existing
        loaded["speaker"] = {"id": speaker.id}
    counts["sources_matched" if Source.get_or_none(Source.url == loaded["source"]["url"]) else "sources_created"] += 1
    counts["claims_created"] += 1
    return claims.create_claim(loaded, actor)


def _fact_check(data, claim_ids, actor, counts):
    """Return the fact-check with this article URL and rating, linking any claim it lacks, or a new published one."""
    rating = data["rating"]
    existing = FactCheck.get_or_none((FactCheck.article_url == data["article_url"]) & (FactCheck.rating == rating))
    if existing is not None:
        linked = set(fact_checks.claim_ids(existing))
        missing = [claim_id for claim_id in claim_ids if claim_id not in linked]
        if not missing:
            counts["fact_checks_matched"] += 1
            return existing
        return fact_checks.add_claims(existing.id, missing, "Claims added by a ClaimReview import.", actor)
    counts["fact_checks_created"] += 1
    return fact_checks.import_published(data, claim_ids, actor)


def import_claim_reviews(document, actor):
    """Import every ClaimReview in a JSON-LD document (or list of them), all or nothing; return what happened."""
    found = claim_reviews(document)
    if not found:
        raise ValidationFailed(
            "The body holds no ClaimReview (an object with @type ClaimReview, alone, in an array or in an @graph).",
            errors={"_schema": ["No ClaimReview found."]},
        )
    if len(found) > MAX_CLAIM_REVIEWS:
        raise ValidationFailed(
            f"At most {MAX_CLAIM_REVIEWS} ClaimReviews at once.", errors={"_schema": [f"{len(found)} given."]}
        )
    counts = dict.fromkeys(
        (
            "speakers_created",
            "speakers_matched",
            "sources_created",
            "sources_matched",
            "claims_created",
            "claims_matched",
            "fact_checks_created",
            "fact_checks_matched",
        ),
        0,
    )
    with database.atomic():
        scale = _Scale()
        read = [_read(index, node, scale) for index, node in enumerate(found)]
        groups = {}
        for index, item in enumerate(read):
            claim = _claim(index, item["claim"], actor, counts)
            key = (item["fact_check"]["article_url"], item["fact_check"]["rating"].id)
            group = groups.setdefault(key, {"data": item["fact_check"], "claim_ids": []})
            if claim.id not in group["claim_ids"]:
                group["claim_ids"].append(claim.id)
        ids = [_fact_check(group["data"], group["claim_ids"], actor, counts).id for group in groups.values()]
    return {"claim_reviews": len(found), "fact_check_ids": ids, **counts}
