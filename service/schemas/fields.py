"""Field helpers every resource's schemas share: bounded text, URLs, dates, references and paging."""

import datetime
import re

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from service.nlp import language as languages
from service.storage import models

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


WIKIDATA_ID = re.compile(r"^Q[1-9][0-9]*$")


def spoken_list(words):
    """Return words as a sentence lists them: "a, b or c" (for descriptions read from a vocabulary)."""
    return f"{', '.join(words[:-1])} or {words[-1]}"


def _no_nul(value):
    if "\x00" in value:
        raise ValidationError("Must not contain NUL characters.")


def Text(max_length, required=False, allow_none=False, min_length=1, **kwargs):
    """A string field with a length limit that refuses NUL characters."""
    return fields.String(
        required=required,
        allow_none=allow_none,
        validate=[validate.Length(min=min_length, max=max_length), _no_nul],
        **kwargs,
    )


def WebUrl(required=False, **kwargs):
    """An absolute http or https URL."""
    return fields.Url(
        required=required,
        schemes={"http", "https"},
        require_tld=False,
        validate=[validate.Length(max=2000), _no_nul],
        **kwargs,
    )


def plausible_year(value):
    if not 1000 <= value.year <= 9999:
        raise ValidationError("Must be between the years 1000 and 9999.")


class ClaimDate(fields.Field):
    """A date (2023-04-07) or a date and time with a zone (2023-04-07T10:30:00Z), kept in UTC."""

    default_error_messages = {
        "invalid": "Not a valid date or date-time: use YYYY-MM-DD or an ISO 8601 date-time.",
        "range": "Must be between the years 1000 and 9999.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or "\x00" in value:
            raise self.make_error("invalid")
        try:
            if len(value) == 10:
                parsed = datetime.date.fromisoformat(value)
            else:
                parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
                if parsed.tzinfo is not None:
                    parsed = parsed.astimezone(datetime.UTC).replace(tzinfo=None)
        except ValueError as error:
            raise self.make_error("invalid") from error
        if not 1000 <= parsed.year <= 9999:
            raise self.make_error("range")
        return parsed

    def _serialize(self, value, attr, obj, **kwargs):
        return value

    def _jsonschema_type_mapping(self):
        return {"type": "string"}


class UtcDateTime(fields.DateTime):
    """A stored (naive UTC) timestamp written as ISO 8601 with Z."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.isoformat() + "Z"


class ObjectRef(Schema):
    """Either {"id": n} or the fields to match or create the object."""

    id = fields.Integer(strict=True, validate=validate.Range(min=1, max=models.MAX_ID))


class PageArgs(Schema):
    limit = fields.Integer(validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=1000))


class NameQuery(PageArgs):
    q = Text(200, metadata={"description": "name prefix or substring"})


def _language_tag(value):
    try:
        languages.normalise_tag(value)
    except ValueError as error:
        raise ValidationError("Not a BCP 47 language tag (e.g. en, uk, ru, uk-UA).") from error


def LanguageTag(**kwargs):
    """A BCP 47 language tag in any case, with hyphens or underscores; the ledger stores it lower-cased."""
    return fields.String(validate=[validate.Length(max=35), _language_tag], **kwargs)
