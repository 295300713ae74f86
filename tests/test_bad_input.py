"""A catalogue of bad input, each case answered with a clear problem+json 4xx, and nothing stored.

The write endpoints, their body schemas and the listings are read from the app, so an endpoint or a field
added later is in the catalogue without anyone listing it. Covered elsewhere, and not repeated here:
chunked bodies and the 405s (test_errors.py), FTS and SQL syntax in the claims' q (test_search.py),
cursors of the claims listing signed with another secret (test_claims_list.py), a claim conflicting with
itself (test_api_conflicts.py), reviews of a claim that does not exist (test_reviews.py), unknown topic
pages and ids (test_resources.py, test_web_pages.py) and markup run in a browser (test_web_pages.py).
"""

import copy
import json
import re
from html.parser import HTMLParser

import pytest
from checks import CheckedClient
from checks import assert_problem
from checks import everything
from conftest import TEST_SETTINGS
from factories import make_claim
from factories import make_topic
from factories import publish_fact_check
from marshmallow import fields
from marshmallow import validate
from test_roles import APP
from test_roles import WRITES

from service import create_app
from service.delivery import webhooks
from service.ledger import conflicts
from service.ledger import keys as api_keys
from service.ledger import reviews
from service.ledger import topics
from service.schemas.fields import ClaimDate
from service.storage import db
from service.storage.models import Conflict


@pytest.fixture(scope="module")
def app(module_database_url):
    """One app and database per kind for the whole catalogue: each case checks that it changed nothing."""
    application = create_app({"DATABASE_URL": module_database_url, **TEST_SETTINGS})
    application.test_client_class = CheckedClient
    db.database.connect(reuse_if_open=True)
    yield application
    if not db.database.is_closed():
        db.database.close()
    if db.is_postgres():
        db.database.obj.close_all()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def keys(app):
    """Authorization headers for the keys the cases use."""
    headers = {}
    for name, role in (("reviewer", "reviewer"), ("admin", "admin")):
        _, secret = api_keys.create_key(f"catalogue-{name}", role, actor="test")
        headers[name] = {"Authorization": f"Bearer {secret}"}
    return headers


PROBLEM_TYPES = {
    400: "/problems/bad-request",
    413: "/problems/request-entity-too-large",
    415: "/problems/unsupported-media-type",
    422: "/problems/validation-error",
}


def _json_schema(endpoint):
    """Return the schema a view reads its JSON body with, or None for a view without a body."""
    arguments = getattr(APP.view_functions[endpoint], "_apidoc", {}).get("arguments", {})
    return next((item["schema"] for item in arguments.get("parameters", []) if item["in"] == "json"), None)


BODY_WRITES = sorted(
    (method, rule.rule, rule.endpoint)
    for rule in APP.url_map.iter_rules()
    for method in rule.methods & {"POST", "PATCH", "PUT"}
    if rule.rule.startswith("/api/v1/") and _json_schema(rule.endpoint) is not None
)
BODY_IDS = [f"{method} {rule}" for method, rule, _ in BODY_WRITES]
# The batch import reads its body itself (a JSON array or NDJSON), so it gets the body cases too.
BATCH = ("POST", "/api/v1/claims/batch", "bulk.import_batch")
ALL_BODY_WRITES = [*BODY_WRITES, BATCH]
ALL_BODY_IDS = [*BODY_IDS, "POST /api/v1/claims/batch"]


def _send(client, keys, method, endpoint, raw=None, content_type="application/json", change=None):
    """Set up the endpoint's example request (tests/test_roles.py), change its body, and send it as an admin."""
    _, example = WRITES[endpoint]
    path, example_body, headers = example()
    body = copy.deepcopy(example_body)
    if change:
        change(body)
    data = raw if raw is not None else json.dumps(body).encode()
    before = everything()
    response = client.open(
        path, method=method, data=data, content_type=content_type, headers={**headers, **keys["admin"]}
    )
    return response, before


def _refused(response, before, status, fields_named=None):
    problem = assert_problem(response, status, fields_named)
    assert problem["type"] == PROBLEM_TYPES[status]
    assert everything() == before, "a refused request stored something"
    return problem


BODIES = {
    "malformed JSON": (b'{"text": ', "application/json", 400, None),
    "JSON then garbage": (b'{"text": "x"} and more', "application/json", 400, None),
    "invalid UTF-8": (b'{"text": "\xff\xfe\xfa"}', "application/json", 400, None),
    "deeply nested arrays": (b"[" * 100_000, "application/json", 400, None),
    "deeply nested objects": (b'{"a":' * 50_000, "application/json", 400, None),
    "an array": (b"[]", "application/json", 422, ["_schema"]),
    "a string": (b'"claim"', "application/json", 422, ["_schema"]),
    "null": (b"null", "application/json", 422, ["_schema"]),
    "text/plain": (None, "text/plain", 415, None),
    "a form": (None, "application/x-www-form-urlencoded", 415, None),
    "no content type": (None, None, 415, None),
}


@pytest.mark.parametrize("case", BODIES)
@pytest.mark.parametrize(("method", "rule", "endpoint"), ALL_BODY_WRITES, ids=ALL_BODY_IDS)
def test_bodies_that_are_not_a_json_object_are_refused(client, keys, method, rule, endpoint, case):
    raw, content_type, status, fields_named = BODIES[case]

    response, before = _send(client, keys, method, endpoint, raw=raw, content_type=content_type)

    # A batch that is not a list of claims is refused as a whole, in the detail.
    _refused(response, before, status, None if endpoint == BATCH[2] else fields_named)


NDJSON_BATCHES = {
    "a line of malformed JSON": (b'{"text": "x"}\n{"text": \n', "line.2"),
    "a line nested too deeply": (b"[" * 100_000 + b"\n", "line.1"),
    "invalid UTF-8": (b'{"text": "\xff\xfe"}\n', None),
}


@pytest.mark.parametrize("case", NDJSON_BATCHES)
def test_ndjson_batches_that_do_not_parse_are_400(client, keys, case):
    raw, line = NDJSON_BATCHES[case]

    response, before = _send(client, keys, "POST", BATCH[2], raw=raw, content_type="application/x-ndjson")

    _refused(response, before, 400, [line] if line else None)


@pytest.mark.parametrize(("method", "rule", "endpoint"), ALL_BODY_WRITES, ids=ALL_BODY_IDS)
def test_bodies_over_the_limit_are_413(app, client, keys, monkeypatch, method, rule, endpoint):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4000)
    monkeypatch.setitem(app.config, "MAX_BATCH_BYTES", 4000)

    def pad(body):
        (body[0] if isinstance(body, list) else body)["padding"] = "x" * 5000

    response, before = _send(client, keys, method, endpoint, change=pad)

    _refused(response, before, 413)


@pytest.mark.parametrize(("method", "rule", "endpoint"), ALL_BODY_WRITES, ids=ALL_BODY_IDS)
def test_unknown_fields_are_422_naming_them(client, keys, method, rule, endpoint):
    def add(body):
        (body[0] if isinstance(body, list) else body)["colour"] = "red"

    response, before = _send(client, keys, method, endpoint, change=add)

    field = "0.colour" if endpoint == BATCH[2] else "colour"
    assert _refused(response, before, 422, [field])["errors"][field] == ["Unknown field."]


# The smallest valid object for each nested schema, so that one field of it can be spoilt.
NESTED_EXAMPLES = {
    "SpeakerRef": {"name": "Nested Speaker"},
    "SourceRef": {"url": "https://nested.example/source", "publisher": "Nested Publisher"},
    "TopicStance": {"slug": "nested-topic", "stance": "affirms"},
    "EvidenceItem": {"url": "https://nested.example/evidence"},
    "RatingLabels": {"en": "Nested", "uk": "Вкладений", "ru": "Вложенный"},
}


def _fields(schema, prefix=""):
    """Yield (error path, field, owning schema's name) for every field of a schema class, nested ones included."""
    for name, field in schema().fields.items():
        path = f"{prefix}{name}"
        yield path, field, schema.__name__
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            item_prefix = f"{path}.0." if isinstance(field, fields.List) else f"{path}."
            yield from _fields(type(inner.schema), item_prefix)
        elif isinstance(field, fields.List):
            yield f"{path}.0", field.inner, schema.__name__


def _set(body, path, value, schema):
    """Set the value at an error path (a.0.b) in body, making the containers on the way from NESTED_EXAMPLES."""
    parts = path.split(".")
    target = body
    for index, part in enumerate(parts[:-1]):
        following = parts[index + 1]
        if part.isdigit():
            while len(target) <= int(part):
                target.append(dict(NESTED_EXAMPLES.get(_nested_name(schema, parts[:index]), {})))
            target = target[int(part)]
            continue
        if part not in target or not isinstance(target[part], (dict, list)):
            target[part] = (
                [] if following.isdigit() else dict(NESTED_EXAMPLES[_nested_name(schema, parts[: index + 1])])
            )
        target = target[part]
    last = parts[-1]
    if last.isdigit() and int(last) >= len(target):
        target.append(value)
    else:
        target[int(last) if last.isdigit() else last] = value


def _nested_name(schema, parts):
    """Return the name of the nested schema at a path of field names (list indexes skipped)."""
    current = schema()
    for part in parts:
        if part.isdigit():
            continue
        field = current.fields[part]
        field = field.inner if isinstance(field, fields.List) else field
        current = field.schema
    return type(current).__name__


def _max_length(field):
    for validator in field.validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            return validator.max
    return None


def _spoilt_values(field):
    """Yield (case name, value) that the field must refuse: too long, with NUL, of the wrong type."""
    is_text = isinstance(field, fields.String)
    is_url = isinstance(field, fields.Url)
    longest = _max_length(field)
    if is_text and longest:
        yield "too long", ("https://long.example/" + "a" * longest) if is_url else "a" * (longest + 1)
    if is_text or isinstance(field, (fields.Date, ClaimDate)):
        yield "NUL", "https://nul.example/a\x00b" if is_url else "a\x00b"
    if isinstance(field, fields.List):
        yield "wrong type", "not a list"
    elif isinstance(field, fields.Nested):
        yield "wrong type", "not an object"
    else:
        yield "wrong type", [1]


def _field_cases():
    """One case per (field of a schema class, way to spoil it), each at the first endpoint whose body has it."""
    seen = set()
    for method, rule, endpoint in BODY_WRITES:
        schema = _json_schema(endpoint)
        for path, field, owner in _fields(schema):
            for case, value in _spoilt_values(field):
                key = (owner, path.rsplit(".", 1)[-1], case)
                if key not in seen:
                    seen.add(key)
                    # A nested object of the wrong type is refused as a whole, under its own path.
                    named = path
                    yield pytest.param(
                        method, endpoint, schema, path, value, named, id=f"{method} {rule} {path} {case}"
                    )


@pytest.mark.parametrize(("method", "endpoint", "schema", "path", "value", "named"), list(_field_cases()))
def test_each_field_refuses_values_too_long_with_nul_or_of_the_wrong_type(
    client, keys, method, endpoint, schema, path, value, named
):
    response, before = _send(client, keys, method, endpoint, change=lambda body: _set(body, path, value, schema))

    _refused(response, before, 422, [named])


DATES = [
    "2023-02-30",
    "2023-02-29",
    "2023-13-01",
    "2023-04-00",
    "0999-12-31",
    "10000-01-01",
    "-2023-04-07",
    "2023-04-07T25:00:00Z",
    "2023-04-07T10:00:00+25:00",
    "07/04/2023",
    "yesterday",
    "",
]
DATE_FIELDS = {
    "claimed_on": ("claims.create_claim", "claimed_on"),
    "published_on": ("sources.create_source", "published_on"),
    "a claim's source's published_on": ("claims.create_claim", "source.published_on"),
}


@pytest.mark.parametrize("value", DATES)
@pytest.mark.parametrize("where", DATE_FIELDS)
def test_dates_that_do_not_exist_or_are_out_of_range_are_422(client, keys, where, value):
    endpoint, path = DATE_FIELDS[where]

    def spoil(body):
        _set(body, path, value, _json_schema(endpoint))

    response, before = _send(client, keys, "POST", endpoint, change=spoil)

    _refused(response, before, 422, [path])


@pytest.mark.parametrize("value", DATES)
@pytest.mark.parametrize("parameter", ["claimed_from", "claimed_to"])
def test_date_filters_that_do_not_exist_are_422(client, parameter, value):
    assert_problem(client.get("/api/v1/claims", query_string={parameter: value}), 422, [parameter])


def test_a_leap_day_is_a_date(client, keys):
    def leap(body):
        body["claimed_on"] = "2024-02-29"

    response, _ = _send(client, keys, "POST", "claims.create_claim", change=leap)

    assert response.status_code == 201
    assert response.get_json()["claimed_on"] == "2024-02-29"


URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "javascript://example.com/%0aalert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "ftp://files.example/a",
    "//news.example/story",
    "http://",
    "news.example/story",
]
URL_FIELDS = {
    "source": ("sources.create_source", "url"),
    "a claim's source": ("claims.create_claim", "source.url"),
    "a claim's appearance": ("claims.create_claim", "appearances.0.url"),
    "review evidence": ("reviews.create_review", "evidence.0.url"),
    "webhook": ("webhooks.create_webhook", "url"),
    "webhook update": ("webhooks.update_webhook", "url"),
}


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("where", URL_FIELDS)
def test_urls_that_are_not_http_are_422(client, keys, where, url):
    endpoint, path = URL_FIELDS[where]
    method = "PATCH" if endpoint.endswith("update_webhook") else "POST"

    def spoil(body):
        _set(body, path, url, _json_schema(endpoint))

    response, before = _send(client, keys, method, endpoint, change=spoil)

    _refused(response, before, 422, [path])


def _listings():
    """Every GET listing with a cursor, from the app's own rules."""
    found = []
    for rule in APP.url_map.iter_rules():
        arguments = getattr(APP.view_functions[rule.endpoint], "_apidoc", {}).get("arguments", {})
        for item in arguments.get("parameters", []):
            if item["in"] == "query" and "cursor" in item["schema"]().fields:
                found.append(rule.rule)
    return sorted(found)


@pytest.fixture(scope="module")
def listings(app):
    """Rows for every listing to page through two at a time, and the listings' paths: {name: path}."""
    topic = make_topic()
    hooks = [
        webhooks.create_webhook({"url": f"https://93.184.216.34/hooks/{n}", "event_types": ["*"]}, "test")
        for n in range(3)
    ]
    for n in range(3):
        make_claim(
            text=f"Shells claim {n}",
            speaker={"name": f"Speaker {n}"},
            topics=[{"slug": topic.slug, "stance": "affirms"}],
        )
        make_topic(slug=f"spare-{n}", title=f"Spare {n}")
    denier = make_claim(text="Shells denied", topics=[{"slug": topic.slug, "stance": "denies"}])
    for n in range(3):
        publish_fact_check([denier], article_url=f"https://paper.example/fc/listing-{n}")
    return {
        "/api/v1/claims": "/api/v1/claims",
        "/api/v1/claims?q=": "/api/v1/claims?q=shells",
        "/api/v1/speakers": "/api/v1/speakers",
        "/api/v1/sources": "/api/v1/sources",
        "/api/v1/topics": "/api/v1/topics",
        "/api/v1/conflicts": "/api/v1/conflicts",
        "/api/v1/claims/<int:claim_id>/conflicts": f"/api/v1/claims/{denier.id}/conflicts",
        "/api/v1/webhooks": "/api/v1/webhooks",
        "/api/v1/webhooks/<int:webhook_id>/deliveries": f"/api/v1/webhooks/{hooks[0].id}/deliveries",
        "/api/v1/fact-checks": "/api/v1/fact-checks",
    }


LISTINGS = [
    "/api/v1/claims",
    "/api/v1/claims?q=",
    "/api/v1/speakers",
    "/api/v1/sources",
    "/api/v1/topics",
    "/api/v1/conflicts",
    "/api/v1/claims/<int:claim_id>/conflicts",
    "/api/v1/webhooks",
    "/api/v1/webhooks/<int:webhook_id>/deliveries",
    "/api/v1/fact-checks",
]


def test_every_paged_listing_is_in_the_catalogue():
    assert sorted(set(LISTINGS) - {"/api/v1/claims?q="}) == _listings()


def _get(client, keys, path, **query):
    separator = "&" if "?" in path else "?"
    extra = "&".join(f"{name}={value}" for name, value in query.items())
    return client.get(f"{path}{separator}{extra}" if extra else path, headers=keys["admin"])


@pytest.mark.parametrize("limit", ["-1", "0", "1001", str(10**20), "1.5", "ten", "", "1e3"])
@pytest.mark.parametrize("listing", LISTINGS + ["/api/v1/events", "/api/v1/topics/<slug>/sides"])
def test_limits_out_of_range_or_not_numbers_are_422(client, keys, listings, listing, limit):
    path = {"/api/v1/events": "/api/v1/events", "/api/v1/topics/<slug>/sides": "/api/v1/topics/ammunition/sides"}
    before = everything()

    response = _get(client, keys, path.get(listing) or listings[listing], limit=limit)

    assert_problem(response, 422, ["limit"])
    assert everything() == before


GARBAGE_CURSORS = ["garbage", "a.b.c", "eyJhIjoxfQ", "WzFd.invalid", "%00", "a" * 999]


@pytest.mark.parametrize("cursor", GARBAGE_CURSORS)
@pytest.mark.parametrize("listing", LISTINGS)
def test_garbage_cursors_are_400(client, keys, listings, listing, cursor):
    response = _get(client, keys, listings[listing], cursor=cursor)

    assert assert_problem(response, 400)["detail"].startswith("The cursor")


@pytest.mark.parametrize("listing", LISTINGS)
def test_tampered_and_borrowed_cursors_are_400(client, keys, listings, listing):
    cursor = _get(client, keys, listings[listing], limit=1).get_json()["next_cursor"]
    assert cursor, f"{listing} has a second page to point at"
    payload, _, signature = cursor.partition(".")
    # A character inside the signature: the last one carries padding bits that decode to the same bytes.
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    other = "/api/v1/topics" if listing != "/api/v1/topics" else "/api/v1/speakers"
    borrowed = _get(client, keys, listings[other], limit=1).get_json()["next_cursor"]

    for bad in (f"{payload}.{flipped}", f"{payload[:-1]}.{signature}", borrowed, cursor[::-1]):
        assert_problem(_get(client, keys, listings[listing], cursor=bad), 400)
    assert _get(client, keys, listings[listing], cursor=cursor).status_code == 200


@pytest.mark.parametrize("cursor", ["a" * 1001])
@pytest.mark.parametrize("listing", LISTINGS)
def test_overlong_cursors_are_422(client, keys, listings, listing, cursor):
    assert_problem(_get(client, keys, listings[listing], cursor=cursor), 422, ["cursor"])


NAME_QUERIES = ["%", "_", "%%", "\\", "\\%", "'", "' OR '1'='1", "'); DROP TABLE speaker; --", '"', "*", "NEAR(", "(("]


@pytest.mark.parametrize("q", NAME_QUERIES)
@pytest.mark.parametrize("listing", ["/api/v1/speakers", "/api/v1/sources"])
def test_sql_and_wildcards_in_name_searches_match_only_themselves(client, keys, listings, listing, q):
    before = everything()

    response = client.get(listing, query_string={"q": q})

    assert response.status_code == 200, response.get_data(as_text=True)
    for item in response.get_json()["items"]:
        shown = " ".join(str(item.get(name) or "") for name in ("name", "publisher", "url")).casefold()
        assert q.casefold() in shown, f"{q!r} matched {item}"
    assert everything() == before


def test_unknown_topic_slugs(client, keys):
    def unknown(body):
        body["topics"] = [{"slug": "no-such-topic", "stance": "affirms"}]

    response, before = _send(client, keys, "POST", "claims.create_claim", change=unknown)

    assert "no-such-topic" in _refused(response, before, 422, ["topics"])["detail"]
    assert client.get("/api/v1/claims?topic=no-such-topic").get_json() == {"items": [], "next_cursor": None}
    assert client.get("/api/v1/conflicts?topic=no-such-topic").get_json() == {"items": [], "next_cursor": None}
    assert_problem(client.get("/api/v1/topics/no-such-topic/sides"), 404)
    assert_problem(client.get("/api/v1/topics/no-such-topic"), 404)


def test_conflicts_with_claims_that_do_not_exist_are_422(client, keys):
    claim = make_claim()
    before = everything()

    for left, right, field in ((claim.id, 999_999, "right_claim_id"), (999_999, claim.id, "left_claim_id")):
        body = {"left_claim_id": left, "right_claim_id": right, "note": "Opposed."}
        response = client.post("/api/v1/conflicts", json=body, headers=keys["reviewer"])
        assert_problem(response, 422, [field])
    assert everything() == before


MARKUP = '<img src=x onerror="alert(1)" id="xss-{field}"><script>alert("{field}")</script>&amp;'


def _markup(field):
    return MARKUP.format(field=field)


class Page(HTMLParser):
    """An HTML page as a parser reads it: its elements and the text a reader sees (attributes included)."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.text = []
        self.scripts = []
        self.in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self.text.extend(value or "" for _, value in attrs)
        self.in_script = tag == "script"

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        (self.scripts if self.in_script else self.text).append(data)


@pytest.fixture(scope="module")
def marked_up(app):
    """A topic, two claims, a review, a published fact-check and their confirmed conflict, with markup in every
    text field people type. Reviewers' key names are never shown to readers, so they are not expected."""
    topic = make_topic(slug="markup", title=_markup("topic.title"))
    topics.update_topic(topic.id, {"description": _markup("topic.description")}, None, "test")
    left = make_claim(
        text=_markup("left.text"),
        quote=_markup("left.quote"),
        speaker={"name": _markup("left.speaker.name"), "description": _markup("left.speaker.description")},
        source={
            "url": 'https://news.example/a?b="><script>alert(1)</script>',
            "publisher": _markup("left.source.publisher"),
            "title": _markup("left.source.title"),
        },
        topics=[{"slug": "markup", "stance": "affirms"}],
    )
    right = make_claim(
        text=_markup("right.text"),
        speaker={"name": _markup("right.speaker.name"), "affiliation": _markup("right.speaker.affiliation")},
        source={"url": "https://news.example/b", "publisher": _markup("right.source.publisher")},
        topics=[{"slug": "markup", "stance": "denies"}],
    )
    decider, _ = api_keys.create_key(_markup("decider"), "reviewer", actor="test")
    reviews.review_claim(left.id, "contested", _markup("review.rationale"), [], decider.name)
    conflict = Conflict.get((Conflict.left_claim == left.id) & (Conflict.right_claim == right.id))
    conflicts.confirm(conflict.id, decider.name, _markup("conflict.note"))
    publish_fact_check(
        [left],
        headline=_markup("fact_check.headline"),
        explanation=_markup("fact_check.explanation"),
        article_url='https://paper.example/fc?a="><script>alert(1)</script>',
    )
    return {"topic": topic.slug, "claim": left.id, "conflict": conflict.id}


SHOWN = {
    "topic page": (
        lambda ids: f"/topics/{ids['topic']}",
        {
            "topic.title",
            "topic.description",
            "left.text",
            "left.quote",
            "left.speaker.name",
            "left.speaker.description",
            "left.source.title",
            "left.source.publisher",
            "right.text",
            "right.speaker.name",
            "right.speaker.affiliation",
            "right.source.publisher",
            "fact_check.headline",
        },
    ),
    "conflict page": (
        lambda ids: f"/conflicts/{ids['conflict']}",
        {
            "topic.title",
            "conflict.note",
            "left.text",
            "left.quote",
            "left.speaker.name",
            "left.speaker.description",
            "left.source.title",
            "left.source.publisher",
            "right.text",
            "right.speaker.name",
            "right.speaker.affiliation",
            "right.source.publisher",
        },
    ),
    "claim embed": (
        lambda ids: f"/embed/claims/{ids['claim']}",
        {"left.text", "left.quote", "left.speaker.name", "left.speaker.description", "left.source.title"}
        | {"fact_check.headline", "fact_check.explanation"},
    ),
    "conflict embed": (
        lambda ids: f"/embed/conflicts/{ids['conflict']}",
        {
            "topic.title",
            "conflict.note",
            "left.text",
            "left.quote",
            "left.speaker.name",
            "left.speaker.description",
            "left.source.title",
            "right.text",
            "right.speaker.name",
            "right.source.publisher",
        },
    ),
}


@pytest.mark.parametrize("page", SHOWN)
def test_markup_in_every_text_field_is_shown_as_text(client, marked_up, page):
    path, shown = SHOWN[page]

    response = client.get(path(marked_up))

    assert response.status_code == 200
    parsed = Page(response.get_data(as_text=True))
    injected = [
        (tag, attrs) for tag, attrs in parsed.elements if tag == "img" or attrs.get("id", "").startswith("xss-")
    ]
    assert injected == [], "markup from a text field became an element"
    scripts = [attrs for tag, attrs in parsed.elements if tag == "script"]
    # JSON-LD, and on the embeds their one script of our own (which posts the card's height to the host page).
    assert all(
        attrs.get("type") == "application/ld+json" or attrs.get("src") == "/embed/static/embed.js" for attrs in scripts
    ), scripts
    for script in parsed.scripts:
        json.loads(script)
        assert not re.search(r"</|<!--", script), "JSON-LD carries markup unescaped"
    text = "".join(parsed.text)
    missing = sorted(field for field in shown if _markup(field) not in text)
    assert missing == [], f"shown escaped, as the text typed: {missing}"


@pytest.mark.parametrize(
    "path", ["/topics/<b>bold</b>", "/conflicts/<script>alert(1)</script>", "/topics/%22%3E%3Cimg"]
)
def test_markup_in_a_page_address_is_shown_as_text_on_its_404(client, path):
    response = client.get(path)

    assert response.status_code == 404
    parsed = Page(response.get_data(as_text=True))
    assert [tag for tag, _ in parsed.elements if tag in ("b", "script", "img")] == []
