"""Marshmallow schemas for article analysis and for storing the candidates it found."""

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from service.schemas.fields import ClaimDate
from service.schemas.fields import LanguageTag
from service.schemas.fields import Text
from service.schemas.fields import WebUrl
from service.schemas.fields import plausible_year

# A language tag as claims store it (at most 35 characters).
# The most text an analysis reads, HTML markup aside: about 60,000 words.
MAX_TEXT_CHARS = 400_000


class ArticleInput(Schema):
    """An article to analyse: its plain text or its HTML (one of the two), and what the CMS knows of it."""

    text = Text(MAX_TEXT_CHARS)
    html = Text(MAX_TEXT_CHARS * 4)
    url = WebUrl(allow_none=True)
    language = LanguageTag(allow_none=True)
    published_on = fields.Date(allow_none=True, validate=plausible_year)

    @validates_schema
    def _one_body(self, data, **kwargs):
        if ("text" in data) == ("html" in data):
            raise ValidationError("Send the article as exactly one of text or html.", "text")


class ArticleQuery(Schema):
    """The query of an analysis posted as text/plain or text/html: what a JSON body would carry beside the text."""

    url = WebUrl()
    language = LanguageTag()
    published_on = fields.Date(validate=plausible_year)


class CandidateSpeaker(Schema):
    """The speaker of a candidate: a ledger speaker's id, or a name to match or create."""

    id = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**53))
    name = Text(200)
    kind = fields.String(validate=validate.OneOf(("person", "organization")))

    @validates_schema
    def _id_or_name(self, data, **kwargs):
        if "id" not in data and "name" not in data:
            raise ValidationError("Give the speaker's id or name.", "name")


class CandidateInput(Schema):
    """One candidate claim chosen from an analysis."""

    speaker = fields.Nested(CandidateSpeaker, required=True)
    role = Text(500, allow_none=True)
    statement = Text(5000, required=True)
    quote = Text(5000, allow_none=True)
    claimed_on = ClaimDate(allow_none=True)
    language = LanguageTag(allow_none=True)


class ArticleRef(Schema):
    """The article the candidates come from: it becomes (or is) their source, by URL."""

    url = WebUrl(required=True)
    publisher = Text(200, allow_none=True)
    title = Text(500, allow_none=True)
    published_on = fields.Date(allow_none=True, validate=plausible_year)
    language = LanguageTag(allow_none=True)


class StoreCandidatesInput(Schema):
    """Candidates to store in one call, all or nothing."""

    article = fields.Nested(ArticleRef, required=True)
    candidates = fields.List(fields.Nested(CandidateInput), required=True, validate=validate.Length(min=1, max=200))
