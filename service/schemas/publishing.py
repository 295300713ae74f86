"""Marshmallow schemas for the public layer: ratings, fact-checks and their versions."""

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from service.schemas.fields import SLUG
from service.schemas.fields import LanguageTag
from service.schemas.fields import Text
from service.schemas.fields import UtcDateTime
from service.schemas.fields import WebUrl
from service.storage import models


def _not_all_digits(value):
    if value.isdigit():
        raise ValidationError("Must not be only digits: /ratings/{ref} reads digits as an id.")


class RatingLabels(Schema):
    en = Text(100, required=True)
    uk = Text(100, required=True)
    ru = Text(100, required=True)


class RatingInput(Schema):
    slug = fields.String(
        required=True, validate=[validate.Length(min=1, max=50), validate.Regexp(SLUG), _not_all_digits]
    )
    position = fields.Integer(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "place on the numeric scale, higher is truer; null for a rating off the scale"},
    )
    labels = fields.Nested(RatingLabels, required=True)
    counts_as = fields.String(required=True, validate=validate.OneOf(models.RATING_COUNTS))
    retired = fields.Boolean(load_default=False)


class RatingUpdate(Schema):
    position = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100))
    labels = fields.Nested(RatingLabels)
    counts_as = fields.String(validate=validate.OneOf(models.RATING_COUNTS))
    retired = fields.Boolean()


class RatingOut(Schema):
    id = fields.Integer()
    slug = fields.String()
    position = fields.Integer(allow_none=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String())
    counts_as = fields.String()
    retired = fields.Boolean()
    version = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class RatingList(Schema):
    items = fields.List(fields.Nested(RatingOut))


class RatingQuery(Schema):
    retired = fields.Boolean(metadata={"description": "true: only retired ratings; false: only current ones"})


def _distinct(values):
    if len(values) != len(set(values)):
        raise ValidationError("Each claim may be given once.")


class FactCheckInput(Schema):
    headline = Text(500, required=True)
    article_url = WebUrl(required=True, metadata={"description": "the newsroom's article that publishes it"})
    authors = fields.List(Text(200), validate=validate.Length(max=20), load_default=list)
    rating = Text(50, required=True, metadata={"description": "the rating's slug"})
    explanation = Text(10000, required=True, metadata={"description": "a short explanation for readers"})
    language = LanguageTag(load_default="en")
    claim_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=models.MAX_ID)),
        required=True,
        validate=[validate.Length(min=1, max=100), _distinct],
    )


class FactCheckUpdate(Schema):
    headline = Text(500)
    article_url = WebUrl()
    authors = fields.List(Text(200), validate=validate.Length(max=20))
    rating = Text(50, metadata={"description": "the rating's slug"})
    explanation = Text(10000)
    language = LanguageTag()
    claim_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=models.MAX_ID)),
        validate=[validate.Length(min=1, max=100), _distinct],
    )


class CorrectionInput(FactCheckUpdate):
    note = Text(2000, required=True, metadata={"description": "what was corrected, as readers will be told"})

    @validates_schema
    def _changes_something(self, data, **kwargs):
        if len(data) < 2:
            raise ValidationError("A correction changes at least one field besides its note.", "_schema")


class RatingBrief(Schema):
    slug = fields.String()
    label = fields.String()
    position = fields.Integer(allow_none=True)
    counts_as = fields.String()


class FactCheckOut(Schema):
    id = fields.Integer()
    headline = fields.String()
    article_url = fields.String()
    authors = fields.List(fields.String())
    rating = fields.Nested(RatingBrief)
    explanation = fields.String()
    language = fields.String()
    status = fields.String()
    claim_ids = fields.List(fields.Integer())
    created_by = fields.String()
    published_at = UtcDateTime(allow_none=True)
    version = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class FactCheckPage(Schema):
    items = fields.List(fields.Nested(FactCheckOut))
    next_cursor = fields.String(allow_none=True)


class FactCheckQuery(Schema):
    status = fields.String(validate=validate.OneOf(models.FACT_CHECK_STATUSES))
    claim = fields.Integer(validate=validate.Range(min=1, max=models.MAX_ID), metadata={"description": "claim id"})
    limit = fields.Integer(validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=1000))


class FactCheckVersionOut(Schema):
    number = fields.Integer()
    kind = fields.String(metadata={"description": "published or corrected"})
    note = fields.String(allow_none=True)
    actor = fields.String()
    created_at = UtcDateTime()
    fact_check = fields.Dict(metadata={"description": "the fact-check as it was published then"})


class FactCheckVersionList(Schema):
    items = fields.List(fields.Nested(FactCheckVersionOut))


class ClaimsSearchArgs(Schema):
    """Google Fact Check Tools' claims:search parameters, under Google's names."""

    query = Text(500, metadata={"description": "words to search claims for; required unless a site filter is given"})
    languageCode = LanguageTag(  # noqa: N815
        metadata={"description": 'BCP-47, such as "en-US"; matched on the language alone, as Google does'},
    )
    reviewPublisherSiteFilter = Text(300, metadata={"description": "the fact-check article's site, e.g. paper.example"})  # noqa: N815
    maxAgeDays = fields.Integer(validate=validate.Range(min=1, max=36500))  # noqa: N815
    pageSize = fields.Integer(validate=validate.Range(min=1, max=200), load_default=10)  # noqa: N815
    pageToken = fields.String(validate=validate.Length(max=1000))  # noqa: N815
    key = fields.String(metadata={"description": "ignored: accepted so that calls written for Google work unchanged"})


class PublisherOut(Schema):
    name = fields.String()
    site = fields.String()


class ClaimReviewOut(Schema):
    publisher = fields.Nested(PublisherOut)
    url = fields.String()
    title = fields.String()
    reviewDate = fields.String()  # noqa: N815
    textualRating = fields.String()  # noqa: N815
    languageCode = fields.String()  # noqa: N815


class SearchedClaimOut(Schema):
    text = fields.String()
    claimant = fields.String()
    claimDate = fields.String()  # noqa: N815
    claimReview = fields.List(fields.Nested(ClaimReviewOut))  # noqa: N815


class ClaimsSearchOut(Schema):
    claims = fields.List(fields.Nested(SearchedClaimOut), metadata={"description": "absent when nothing matched"})
    nextPageToken = fields.String(metadata={"description": "absent on the last page"})  # noqa: N815


class ClaimReviewImported(Schema):
    claim_reviews = fields.Integer(metadata={"description": "ClaimReview objects found in the body"})
    fact_check_ids = fields.List(fields.Integer(), metadata={"description": "the fact-checks they are, in order"})
    speakers_created = fields.Integer()
    speakers_matched = fields.Integer()
    sources_created = fields.Integer()
    sources_matched = fields.Integer()
    claims_created = fields.Integer()
    claims_matched = fields.Integer()
    fact_checks_created = fields.Integer()
    fact_checks_matched = fields.Integer()
