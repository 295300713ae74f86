"""The rating scale: the public verdicts a fact-check gives, managed by admins, found by id or slug."""

import peewee

from service.ledger import events
from service.ledger.deletes import delete_unreferenced
from service.ledger.documents import timestamp_text
from service.ledger.errors import NotFound
from service.ledger.errors import ValidationFailed
from service.schemas.fields import SLUG
from service.storage import etags
from service.storage.db import database
from service.storage.models import RATING_LANGUAGES
from service.storage.models import FactCheck
from service.storage.models import Rating
from service.storage.models import parse_id

# The scale migration 0020 loads, as (slug, position, counts_as, labels); ensure_default_scale restores it.
DEFAULT_SCALE = (
    ("true", 6, "supporting", {"en": "True", "uk": "Правда", "ru": "Правда"}),
    ("mostly-true", 5, "supporting", {"en": "Mostly true", "uk": "Здебільшого правда", "ru": "В основном правда"}),
    (
        "missing-context",
        4,
        "neither",
        {"en": "Missing context", "uk": "Бракує контексту", "ru": "Не хватает контекста"},
    ),
    ("misleading", 3, "contesting", {"en": "Misleading", "uk": "Маніпуляція", "ru": "Манипуляция"}),
    (
        "mostly-false",
        2,
        "contesting",
        {"en": "Mostly false", "uk": "Здебільшого неправда", "ru": "В основном неправда"},
    ),
    ("false", 1, "contesting", {"en": "False", "uk": "Неправда", "ru": "Неправда"}),
    ("unproven", None, "neither", {"en": "Unproven", "uk": "Не доведено", "ru": "Не доказано"}),
)


def snapshot(rating):
    """Return the rating as the API shows it (RatingOut) and events record it."""
    return {
        "id": rating.id,
        "slug": rating.slug,
        "position": rating.position,
        "labels": dict(rating.labels),
        "counts_as": rating.counts_as,
        "retired": rating.retired,
        "version": rating.version,
        "created_at": timestamp_text(rating.created_at),
        "updated_at": timestamp_text(rating.updated_at),
    }


def label(rating, language="en"):
    """Return the rating's label in a language tag's primary language, else in English."""
    primary = (language or "en").split("-")[0].lower()
    return rating.labels.get(primary) or rating.labels["en"]


def get_rating(id_or_slug):
    """Return a rating by id or slug, or raise NotFound."""
    ref = str(id_or_slug)
    rating = None
    if ref.isdigit():
        rating_id = parse_id(ref)
        rating = Rating.get_or_none(Rating.id == rating_id) if rating_id else None
    elif SLUG.match(ref):
        rating = Rating.get_or_none(Rating.slug == ref)
    if rating is None:
        raise NotFound(f"No rating {ref!r}.")
    return rating


def usable_rating(slug, field="rating"):
    """Return the current (unretired) rating a fact-check names by slug, or raise 422 naming the field."""
    rating = Rating.get_or_none(Rating.slug == slug) if SLUG.match(slug) else None
    if rating is None:
        raise ValidationFailed(errors={field: [f"No rating {slug!r}; GET /api/v1/ratings lists the scale."]})
    if rating.retired:
        raise ValidationFailed(errors={field: [f"The rating {slug!r} is retired; choose a current one."]})
    return rating


def list_ratings(retired=None):
    """Return the scale, truest first, ratings off the scale last; optionally only (un)retired ones."""
    query = Rating.select()
    if retired is not None:
        query = query.where(Rating.retired == retired)
    return sorted(query, key=lambda rating: (rating.position is None, -(rating.position or 0), rating.id))


def scale_bounds():
    """Return (worstRating, bestRating): the lowest and highest positions on the scale, or (None, None)."""
    worst, best = Rating.select(peewee.fn.MIN(Rating.position), peewee.fn.MAX(Rating.position)).scalar(as_tuple=True)
    return worst, best


def _check_position(position, rating_id=None):
    if position is None:
        return
    query = Rating.select().where((Rating.position == position) & (Rating.retired == False))  # noqa: E712
    if rating_id is not None:
        query = query.where(Rating.id != rating_id)
    taken = query.first()
    if taken is not None:
        raise ValidationFailed(errors={"position": [f"Position {position} is the rating {taken.slug!r}'s."]})


def _check_labels(labels):
    missing = [language for language in RATING_LANGUAGES if not labels.get(language)]
    if missing:
        raise ValidationFailed(
            errors={f"labels.{language}": ["Missing data for required field."] for language in missing}
        )


def create_rating(data, actor):
    """Add a rating to the scale; 422 if its slug or its position is taken."""
    with database.atomic():
        if Rating.get_or_none(Rating.slug == data["slug"]) is not None:
            raise ValidationFailed(errors={"slug": ["A rating with this slug exists already."]})
        _check_labels(data["labels"])
        if not data.get("retired"):
            _check_position(data.get("position"))
        rating = Rating.create(**data)
        events.record("rating.created", "rating", rating.id, actor, snapshot(rating))
    return rating


def update_rating(id_or_slug, changes, version, actor):
    """Change a rating's labels, position, counting or retirement, if still at the version read."""
    with database.atomic():
        rating = get_rating(id_or_slug)
        retired = changes.get("retired", rating.retired)
        if not retired:
            _check_position(changes.get("position", rating.position), rating.id)
        rating = etags.compare_and_set(rating, version, **changes)
        events.record("rating.updated", "rating", rating.id, actor, snapshot(rating))
    return rating


def delete_rating(id_or_slug, version, actor):
    """Delete a rating no fact-check uses; 409 for one in use (retire it instead)."""
    delete_unreferenced(
        "rating",
        lambda: get_rating(id_or_slug),
        lambda rating: FactCheck.select().where(FactCheck.rating == rating).count(),
        lambda rating, count: (
            f'{count} fact-check(s) use the rating {rating.slug!r}: retire it instead (PATCH {{"retired": true}}).'
        ),
        f"A fact-check uses the rating {id_or_slug!r}: retire it instead.",
        version,
        actor,
        snapshot,
    )


def ensure_default_scale(actor="seed"):
    """Add any rating of the default scale whose slug is missing; return how many were added."""
    added = 0
    with database.atomic():
        for slug, position, counts_as, labels in DEFAULT_SCALE:
            if Rating.get_or_none(Rating.slug == slug) is None:
                rating = Rating.create(slug=slug, position=position, counts_as=counts_as, labels=labels)
                events.record("rating.created", "rating", rating.id, actor, snapshot(rating))
                added += 1
    return added
