"""Who may do what: every write endpoint of the app against every kind of caller, and reads by setting.

The endpoints are read from the app's URL map, so a write endpoint added later shows up here as a
failing case until it has an example request and a required role in WRITES.
"""

import itertools
import re

import pytest
from conftest import TEST_SETTINGS
from factories import claim_data
from factories import make_claim
from factories import make_topic

from service import create_app
from service.delivery import webhooks
from service.ledger import conflicts
from service.ledger import fact_checks
from service.ledger import keys as api_keys
from service.ledger import ratings
from service.ledger import reviews
from service.ledger import sources
from service.ledger import speakers
from service.storage import etags
from service.storage.models import ALL_MODELS
from service.storage.models import Delivery
from service.storage.models import Event

UNIQUE = itertools.count(1)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
READ_EXEMPT = ("/api/v1/docs", "/api/v1/openapi.json")


APP = create_app({**TEST_SETTINGS, "DATABASE_URL": "sqlite:///:memory:"})
RULES = [rule for rule in APP.url_map.iter_rules() if rule.rule.startswith("/api/v1/")]
WRITE_RULES = sorted((method, rule.rule, rule.endpoint) for rule in RULES for method in rule.methods & WRITE_METHODS)
# (rule, endpoint, the role its view demands beyond the read rule, or None)
READ_RULES = sorted(
    (rule.rule, rule.endpoint, getattr(APP.view_functions[rule.endpoint], "_required_role", None))
    for rule in RULES
    if "GET" in rule.methods and not rule.rule.startswith(READ_EXEMPT)
)

# Reads whose query string is required.
READ_QUERIES = {"/api/v1/claims/match": "?text=shells"}


def _match(kind, obj):
    return {"If-Match": etags.etag(kind, obj)}


def _new_speaker():
    return speakers.create_speaker({"name": f"Speaker {next(UNIQUE)}"}, "test")


def _new_source():
    return sources.create_source({"url": f"https://news.example/{next(UNIQUE)}", "publisher": "Example"}, "test")


def _claim_path():
    claim = make_claim()
    return f"/api/v1/claims/{claim.id}", _match("claim", claim)


def _speaker_path():
    speaker = _new_speaker()
    return f"/api/v1/speakers/{speaker.id}", _match("speaker", speaker)


def _merge():
    merged, kept = _new_speaker(), _new_speaker()
    return f"/api/v1/speakers/{merged.id}/merge", {"into": kept.id}, {}


def _source_path():
    source = _new_source()
    return f"/api/v1/sources/{source.id}", _match("source", source)


def _topic_path():
    topic = make_topic(slug=f"topic-{next(UNIQUE)}")
    return f"/api/v1/topics/{topic.slug}", _match("topic", topic)


def _with_body(make_path, body):
    def example():
        path, headers = make_path()
        return path, body, headers

    return example


def _review():
    return f"/api/v1/claims/{make_claim().id}/reviews", {"verdict": "contested", "rationale": "No."}, {}


def _revoke():
    key, _ = api_keys.create_key("retiring", "reader", actor="test")
    return f"/api/v1/keys/{key.id}/revoke", None, {}


def _conflict_body():
    left, right = make_claim(), make_claim()
    return "/api/v1/conflicts", {"left_claim_id": left.id, "right_claim_id": right.id, "note": "Opposed."}, {}


def _decision(action):
    def example():
        conflict = conflicts.link_claims(make_claim().id, make_claim().id, "Opposed.", "test")
        return f"/api/v1/conflicts/{conflict['id']}/{action}", {"note": "Decided."}, {}

    return example


# A literal public address: checked without DNS, and no worker runs here to send to it.
HOOK = {"url": "https://93.184.216.34/hooks/claimledger", "event_types": ["claim.created"]}


def _new_webhook():
    return webhooks.create_webhook(HOOK, "test")


def _webhook_path():
    webhook = _new_webhook()
    return f"/api/v1/webhooks/{webhook.id}", _match("webhook", webhook)


def _webhook_action(action):
    def example():
        return f"/api/v1/webhooks/{_new_webhook().id}/{action}", None, {}

    return example


def _redeliver():
    webhook = _new_webhook()
    make_claim()
    delivery = Delivery.get(Delivery.webhook == webhook)
    return f"/api/v1/webhooks/{webhook.id}/deliveries/{delivery.id}/redeliver", None, {}


def _rating_path():
    ratings.ensure_default_scale()
    rating = ratings.create_rating(
        {
            "slug": f"rating-{next(UNIQUE)}",
            "labels": {"en": "Odd", "uk": "Дивно", "ru": "Странно"},
            "counts_as": "neither",
        },
        "test",
    )
    return f"/api/v1/ratings/{rating.slug}", _match("rating", rating)


def _new_rating():
    return {
        "slug": f"rating-{next(UNIQUE)}",
        "labels": {"en": "Odd", "uk": "Дивно", "ru": "Странно"},
        "counts_as": "neither",
    }


def _draft():
    ratings.ensure_default_scale()
    return fact_checks.create_fact_check(
        {
            "headline": "Shells?",
            "article_url": f"https://paper.example/fc/{next(UNIQUE)}",
            "rating": "false",
            "explanation": "No.",
            "claim_ids": [make_claim().id],
        },
        "test",
    )


def _fact_check_body():
    ratings.ensure_default_scale()
    body = {
        "headline": "Shells?",
        "article_url": "https://paper.example/fc/new",
        "rating": "false",
        "explanation": "No.",
        "claim_ids": [make_claim().id],
    }
    return "/api/v1/fact-checks", body, {}


def _draft_path(action="", body=None):
    def example():
        draft = _draft()
        return f"/api/v1/fact-checks/{draft.id}{action}", body, _match("fact-check", draft)

    return example


def _published_path(action, body=None):
    def example():
        draft = _draft()
        published = fact_checks.publish(draft.id, draft.version, "test")
        return f"/api/v1/fact-checks/{published.id}{action}", body, _match("fact-check", published)

    return example


IMPORTED = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://paper.example/fc/imported",
    "claimReviewed": "Imported claim",
    "datePublished": "2023-04-10",
    "author": {"@type": "Organization", "name": "Paper"},
    "reviewRating": {"@type": "Rating", "alternateName": "False"},
    "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "Yevgeny Prigozhin"}},
}


def _import():
    ratings.ensure_default_scale()
    n = next(UNIQUE)
    body = {**IMPORTED, "url": f"https://paper.example/fc/imported-{n}", "claimReviewed": f"Imported claim {n}"}
    return "/api/v1/claimreviews/import", body, {}


# endpoint: (the least role allowed, a function that sets up and returns (path, JSON body, headers))
_NUMBERS = itertools.count(1)
WRITES = {
    "claims.create_claim": ("reviewer", lambda: ("/api/v1/claims", claim_data(), {})),
    "claims.update_claim": ("reviewer", _with_body(_claim_path, {"text": "Edited"})),
    "claims.delete_claim": ("admin", _with_body(_claim_path, None)),
    "speakers.create_speaker": ("reviewer", lambda: ("/api/v1/speakers", {"name": f"Speaker {next(UNIQUE)}"}, {})),
    "speakers.update_speaker": ("reviewer", _with_body(_speaker_path, {"description": "Edited"})),
    "speakers.delete_speaker": ("admin", _with_body(_speaker_path, None)),
    "sources.create_source": (
        "reviewer",
        lambda: ("/api/v1/sources", {"url": f"https://news.example/{next(UNIQUE)}", "publisher": "Example"}, {}),
    ),
    "sources.update_source": ("reviewer", _with_body(_source_path, {"title": "Edited"})),
    "sources.delete_source": ("admin", _with_body(_source_path, None)),
    "topics.create_topic": (
        "reviewer",
        lambda: ("/api/v1/topics", {"slug": f"topic-{next(UNIQUE)}", "title": "Shells?"}, {}),
    ),
    "topics.update_topic": ("reviewer", _with_body(_topic_path, {"title": "Edited"})),
    "topics.delete_topic": ("admin", _with_body(_topic_path, None)),
    "reviews.create_review": ("reviewer", _review),
    "keys.create_key": ("admin", lambda: ("/api/v1/keys", {"name": "cms", "role": "reader"}, {})),
    "keys.revoke_key": ("admin", _revoke),
    "conflicts.create_conflict": ("reviewer", _conflict_body),
    "conflicts.confirm_conflict": ("reviewer", _decision("confirm")),
    "conflicts.dismiss_conflict": ("reviewer", _decision("dismiss")),
    "webhooks.create_webhook": ("admin", lambda: ("/api/v1/webhooks", HOOK, {})),
    "webhooks.update_webhook": ("admin", _with_body(_webhook_path, {"active": False})),
    "webhooks.delete_webhook": ("admin", _with_body(_webhook_path, None)),
    "webhooks.rotate_secret": ("admin", _webhook_action("rotate-secret")),
    "webhooks.redeliver": ("admin", _redeliver),
    "bulk.import_batch": ("reviewer", lambda: ("/api/v1/claims/batch", [claim_data(), claim_data()], {})),
    "ratings.create_rating": ("admin", lambda: ("/api/v1/ratings", _new_rating(), {})),
    "ratings.update_rating": ("admin", _with_body(_rating_path, {"retired": True})),
    "ratings.delete_rating": ("admin", _with_body(_rating_path, None)),
    "fact_checks.create_fact_check": ("reviewer", _fact_check_body),
    "fact_checks.update_fact_check": ("reviewer", _draft_path("", {"headline": "Edited"})),
    "fact_checks.delete_fact_check": ("admin", _draft_path()),
    "fact_checks.publish_fact_check": ("editor", _draft_path("/publish")),
    "fact_checks.unpublish_fact_check": ("editor", _published_path("/unpublish")),
    "fact_checks.correct_fact_check": (
        "editor",
        _published_path("/corrections", {"headline": "Fixed", "note": "Typo."}),
    ),
    "claimreview.import_claim_reviews": ("editor", _import),
    "articles.analyze_article": ("reviewer", lambda: ("/api/v1/articles/analyze", {"text": "Stek said so."}, {})),
    "articles.store_claims": (
        "reviewer",
        lambda: (
            "/api/v1/articles/claims",
            {
                "article": {"url": f"https://news.example/{next(UNIQUE)}"},
                "candidates": [{"speaker": {"name": "Levko Stek"}, "statement": "No shell hunger."}],
            },
            {},
        ),
    ),
    "bulk.import_speakers": (
        "reviewer",
        lambda: ("/api/v1/speakers/batch", [{"name": f"Batch Speaker {next(_NUMBERS)}"}], {}),
    ),
    "claims.match_claims": (
        "reviewer",
        lambda: ("/api/v1/claims/match", {"text": "Shells ran short.", "limit": 2}, {}),
    ),
    "speakers.merge_speaker": ("admin", _merge),
}
# Redelivery queues another send of an event already in the feed: an operational record, not a change.
# Analysing an article and matching read the ledger and store nothing (a long text does not fit a URL).
UNAUDITED = {"webhooks.redeliver", "articles.analyze_article", "claims.match_claims"}
RANK = {"reader": 0, "reviewer": 1, "editor": 2, "admin": 3}
CALLERS = ["no key", "unknown key", "forged key", "revoked key", "reader", "reviewer", "editor", "admin"]


def _everything():
    """Every row of every table: what a refused write must leave as it was."""
    return [list(model.select().dicts()) for model in ALL_MODELS]


@pytest.fixture
def callers(keys):
    """Authorization headers for every kind of caller in the matrix."""
    retired, retired_secret = api_keys.create_key("retired", "admin", actor="test")
    api_keys.revoke_key(retired.id, actor="test")
    _, editor_secret = api_keys.create_key("editor", "editor", actor="test")
    admin_prefix = keys["admin"]["Authorization"].removeprefix("Bearer clk_").partition("_")[0]
    return {
        "no key": {},
        "unknown key": {"Authorization": "Bearer clk_000000000000_notakeyatall"},
        "forged key": {"Authorization": f"Bearer clk_{admin_prefix}_notitssecret"},
        "revoked key": {"Authorization": f"Bearer {retired_secret}"},
        "reader": keys["reader"],
        "reviewer": keys["reviewer"],
        "editor": {"Authorization": f"Bearer {editor_secret}"},
        "admin": keys["admin"],
    }


def test_every_write_endpoint_is_in_the_matrix():
    missing = [f"{method} {rule} ({endpoint})" for method, rule, endpoint in WRITE_RULES if endpoint not in WRITES]
    assert missing == [], "add these to WRITES in tests/test_roles.py"
    assert len(WRITE_RULES) >= len(WRITES)


def _check(client, callers, method, endpoint, least_role, example, caller):
    """Make the example request as one caller; return what went wrong, or None."""
    path, body, headers = example()
    before = _everything()
    last_event = Event.select(Event.id).order_by(Event.id.desc()).scalar() or 0
    answer = client.open(path, method=method, json=body, headers={**headers, **callers[caller]})
    status = answer.status_code
    if caller in RANK and RANK[caller] >= RANK[least_role]:
        if status not in (200, 201, 202, 204):
            return f"{caller}: expected success, got {status} {answer.json}"
        actors = {event.actor for event in Event.select().where(Event.id > last_event)}
        expected_actors = set() if endpoint in UNAUDITED else {caller}
        return None if actors == expected_actors else f"{caller}: events recorded with actors {actors}"
    expected = 401 if caller not in RANK else 403
    if status != expected or answer.mimetype != "application/problem+json":
        return f"{caller}: expected {expected} problem+json, got {status} {answer.mimetype} {answer.data[:200]}"
    if status == 401 and answer.headers.get("WWW-Authenticate") != 'Bearer realm="claimledger"':
        return f"{caller}: 401 without WWW-Authenticate"
    if status == 403 and least_role not in answer.json["detail"]:
        return f"{caller}: 403 does not name the role needed: {answer.json['detail']}"
    if _everything() != before:
        return f"{caller}: refused with {status} but the database changed"
    return None


@pytest.mark.parametrize(("method", "rule", "endpoint"), WRITE_RULES, ids=[f"{m} {r}" for m, r, _ in WRITE_RULES])
def test_role_matrix(client, callers, method, rule, endpoint):
    """No, unknown, forged or revoked key: 401; too low a role: 403; nothing stored; else the key's name acts."""
    assert endpoint in WRITES, f"{method} {rule} has no example in WRITES"
    least_role, example = WRITES[endpoint]
    problems = [_check(client, callers, method, endpoint, least_role, example, caller) for caller in CALLERS]
    assert [problem for problem in problems if problem] == []


BODYLESS = {
    "keys.revoke_key",
    "webhooks.rotate_secret",
    "webhooks.redeliver",
    "fact_checks.publish_fact_check",
    "fact_checks.unpublish_fact_check",
}
# Bodies read as JSON-LD documents, not through a schema: fields that are not schema.org terms are ignored.
FREE_FORM = {"claimreview.import_claim_reviews"}
BODY_WRITES = [(m, r, e) for m, r, e in WRITE_RULES if m in ("POST", "PATCH", "PUT") and e not in BODYLESS | FREE_FORM]


@pytest.mark.parametrize(("method", "rule", "endpoint"), BODY_WRITES, ids=[f"{m} {r}" for m, r, _ in BODY_WRITES])
def test_a_body_cannot_name_its_own_actor(client, keys, method, rule, endpoint):
    _, example = WRITES[endpoint]
    path, body, headers = example()
    before = _everything()
    for field in ("actor", "created_by", "reviewer"):
        # A batch is a list of claim bodies: the field goes into its first item.
        forged = [{**body[0], field: "mallory"}, *body[1:]] if isinstance(body, list) else {**body, field: "mallory"}
        answer = client.open(path, method=method, json=forged, headers={**headers, **keys["admin"]})
        assert answer.status_code == 422, answer.json
        assert any(name.split(".")[-1] == field for name in answer.json["errors"]), answer.json
    assert _everything() == before


@pytest.mark.parametrize(("rule", "endpoint", "role"), READ_RULES, ids=[r for r, _, _ in READ_RULES])
def test_reads_need_a_key_when_public_reads_are_off(app, client, keys, rule, endpoint, role):
    topic = make_topic()
    claim = make_claim(topics=[{"slug": topic.slug, "stance": "affirms"}])
    reviews.review_claim(claim.id, "supported", "Checked.", [], "reviewer")
    path = re.sub(r"<[^>]+>", "1", rule) + READ_QUERIES.get(rule, "")
    found = (200, 404)
    open_read = client.get(path)
    assert open_read.status_code in ((401,) if role else found), open_read.json

    app.config["PUBLIC_READS"] = False
    refused = client.get(path)
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="claimledger"'
    with_key = client.get(path, headers=keys["reader"])
    assert with_key.status_code in ((403,) if role and role != "reader" else found), with_key.json
    assert client.get("/api/v1/openapi.json").status_code == 200
