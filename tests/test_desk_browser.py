"""The reviewer desk in a real browser: Playwright drives Debian's chromium against `claimledger serve` on 127.0.0.1.

One server per database for the module; each test makes its own keys, claims and topics through the domain
functions (this process is bound to the server's database), so tests do not see each other's work. Screenshots
at 375 and 1400 px land in tests/screenshots/ (gitignored) for a person to look at.
"""

import http.server
import re
import threading
import uuid
from pathlib import Path

import browser
import pytest
import requests
import servers
from factories import make_claim
from factories import make_topic
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright

from service.ledger import claims
from service.ledger import desk
from service.ledger import fact_checks
from service.ledger import keys
from service.ledger import ratings
from service.ledger import reviews
from service.ledger import seeds
from service.storage import db
from service.storage.models import Claim
from service.storage.models import Conflict
from service.storage.models import Review

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1400, "height": 900}
# Long enough for desk.js to poll the change feed (every 4 s) and redraw, on a busy machine.
LIVE_WAIT_MS = 20_000


@pytest.fixture(scope="module")
def ledger(module_database_url):
    """This process bound to the desk server's database, with the seed ledger and the rating scale loaded."""
    db.bind(module_database_url)
    db.database.connect(reuse_if_open=True)
    seeds.load_all()
    ratings.ensure_default_scale()
    yield module_database_url
    if not db.database.is_closed():
        db.database.close()


@pytest.fixture(scope="module")
def desk_url(ledger, tmp_path_factory):
    """The base URL of `claimledger serve` (gunicorn, two workers) on the ledger's database."""
    log = tmp_path_factory.mktemp("desk-server") / "server.log"
    process, base_url = servers.serve(ledger, log, workers=2, env={"CLAIMLEDGER_SECRET_KEY": "desk-tests"})
    yield base_url
    servers.stop(process)


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium driven by Playwright (no browser download)."""
    executable = browser.executable()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield launched
        launched.close()


def new_key(role, name=None):
    """Make a key; return (its name, the key string)."""
    key, secret = keys.create_key(name or f"{role}-{uuid.uuid4().hex[:6]}", role, actor="test")
    return key.name, secret


def signed_in(chromium, desk_url, secret, viewport=DESKTOP, javascript=True):
    """Return a page in a fresh browser context, signed in to the desk with the key, typed without the mouse."""
    context = chromium.new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{desk_url}/desk/")
    expect(page).to_have_url(f"{desk_url}/desk/sign-in?next=/desk/")
    page.keyboard.type(secret)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{desk_url}/desk/")
    return page


def session_cookie(page):
    return next(cookie for cookie in page.context.cookies() if cookie["name"] == "desk_session")


def feed(desk_url, after):
    answer = requests.get(f"{desk_url}/api/v1/events", params={"after": after, "limit": 1000}, timeout=10)
    answer.raise_for_status()
    return answer.json()["items"]


def stance_conflicts(count_affirming, count_denying, label):
    """Make a topic and claims on both sides of it; return (topic slug, the suggested conflicts' ids)."""
    slug = f"{label}-{uuid.uuid4().hex[:8]}"
    topic = make_topic(slug=slug, title=f"Does the {label} question hold?")
    for index in range(count_affirming):
        make_claim(
            text=f"Officer {index} of {slug} said the bridge at Chasiv Yar still stands",
            speaker={"name": f"Affirming officer {index} {slug}"},
            topics=[{"slug": slug, "stance": "affirms"}],
        )
    for index in range(count_denying):
        make_claim(
            text=f"Commander {index} of {slug} reported that the river crossing had been destroyed",
            speaker={"name": f"Denying commander {index} {slug}"},
            topics=[{"slug": slug, "stance": "denies"}],
        )
    ids = [row.id for row in Conflict.select(Conflict.id).where(Conflict.topic == topic.id).order_by(Conflict.id)]
    return slug, ids


def triage_by_keyboard(page, plan):
    """Walk the triage list with j, and press plan[id] ("c" or "d") on the conflicts it names; no mouse."""
    page.keyboard.press("j")
    order = page.locator("#items > li.item").evaluate_all("items => items.map(item => Number(item.dataset.id))")
    remaining = dict(plan)
    for conflict_id in order:
        if not remaining:
            break
        expect(page.locator("#items > li.item.current")).to_have_attribute("data-id", str(conflict_id))
        # c and d move on to the next conflict themselves; j skips one.
        page.keyboard.press(remaining.pop(conflict_id, "j"))
    assert not remaining, f"conflicts not in the list: {remaining}"
    return order


def expect_statuses(page, statuses):
    for conflict_id, status in statuses.items():
        expect(page.locator(f"#conflict-{conflict_id}")).to_have_attribute("data-status", status)


def screenshot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"]
    database = "postgres" if db.is_postgres() else "sqlite"
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}-{database}.png", full_page=True)


def test_done_when_a_reviewer_reviews_prigozhin_and_triages_bakhmut_by_keyboard(desk_url, chromium):
    after = desk.latest_event_id()
    _, secret = new_key("reviewer", name=f"Alice Reviewer {uuid.uuid4().hex[:4]}")
    name = keys.authenticate(secret).name
    page = signed_in(chromium, desk_url, secret)

    page.fill("#q", "ammunition Prigozhin")
    page.keyboard.press("Enter")
    expect(page.locator("#items > li.item").first).to_contain_text("Yevgeny Prigozhin, leader of the Wagner militia")
    page.locator("#q").blur()
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page.locator("h1.text")).to_contain_text("Yevgeny Prigozhin, leader of the Wagner militia")
    claim_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    page.get_by_label("contested").check()
    page.fill("#rationale", "A recurring complaint, not dated to one statement; Ukrainian officers report no shortage.")
    page.fill("#evidence", "https://kyivindependent.example/bakhmut Kyiv Independent report")
    page.get_by_role("button", name="Record review").click()
    expect(page.locator(".notice")).to_have_text("Your review is recorded.")
    expect(page.locator("#reviews .reviews > li")).to_contain_text(f"contested by {name}")

    page.goto(f"{desk_url}/desk/conflicts")
    listed = page.locator("#items > li.item").evaluate_all(
        "items => items.map(item => [Number(item.dataset.id), item.innerText])"
    )
    target = next(cid for cid, text in listed if "Yevgeny Prigozhin" in text and "Levko Stek" in text)
    others = [cid for cid, _ in listed if cid != target][:3]
    plan = {target: "c", **dict.fromkeys(others, "d")}
    triage_by_keyboard(page, plan)
    expect_statuses(page, {target: "confirmed", **dict.fromkeys(others, "dismissed")})

    events = feed(desk_url, after)
    mine = [(event["type"], event["object_id"]) for event in events if event["actor"] == name]
    review_ids = [event["object_id"] for event in events if event["type"] == "review.created"]
    assert len(review_ids) == 1 and Review.get_by_id(review_ids[0]).claim_id == claim_id
    assert sorted(mine) == sorted(
        [("review.created", review_ids[0]), ("conflict.confirmed", target)]
        + [("conflict.dismissed", cid) for cid in others]
    )
    assert Conflict.get_by_id(target).decided_by == name
    page.context.close()


def test_stale_review_shows_what_changed_and_overwrites_nothing(desk_url, chromium):
    claim = make_claim(text="The ferry at Kherson carried 400 people a day in March")
    _, alice = new_key("reviewer")
    bob_name, bob = new_key("reviewer")
    alice_page = signed_in(chromium, desk_url, alice)
    bob_page = signed_in(chromium, desk_url, bob)
    for page in (alice_page, bob_page):
        page.goto(f"{desk_url}/desk/claims/{claim.id}")

    bob_page.get_by_label("supported").check()
    bob_page.fill("#rationale", "The port authority's log shows 412 passengers on 3 March.")
    bob_page.get_by_role("button", name="Record review").click()
    expect(bob_page.locator(".notice")).to_be_visible()
    editor_version = claims.read_claim(claim.id)["version"]
    claims.update_claim(
        claim.id, {"text": "The ferry at Kherson carried 300 people a day in March"}, editor_version, "desk-editor"
    )

    alice_page.get_by_label("contested").check()
    alice_page.fill("#rationale", "Only one day's log; the rest of the month is unknown.")
    alice_page.get_by_role("button", name="Record review").click()
    stale = alice_page.locator(".stale")
    expect(stale).to_contain_text("This claim changed while you were reviewing it")
    expect(stale).to_contain_text(f"{bob_name} reviewed it supported")
    expect(stale.locator("dd", has_text="400 people").locator("ins")).to_contain_text("300 people")
    expect(stale.locator("dd", has_text="400 people").locator("del")).to_contain_text("400 people")
    expect(alice_page.locator("#rationale")).to_have_value("Only one day's log; the rest of the month is unknown.")
    assert [review.reviewer for review in reviews.list_reviews(claim.id)] == [bob_name]
    screenshot(alice_page, "stale-review")

    alice_page.get_by_role("button", name="Record review").click()
    expect(alice_page.locator(".notice")).to_have_text("Your review is recorded.")
    assert len(reviews.list_reviews(claim.id)) == 2
    alice_page.context.close()
    bob_page.context.close()


def test_ten_suggested_conflicts_are_triaged_by_keyboard(desk_url, chromium):
    slug, conflict_ids = stance_conflicts(2, 5, "triage")
    assert len(conflict_ids) == 10
    name, secret = new_key("reviewer")
    page = signed_in(chromium, desk_url, secret)
    page.goto(f"{desk_url}/desk/conflicts?topic={slug}")
    expect(page.locator("#items > li.item")).to_have_count(10)
    plan = {cid: ("c" if index % 3 == 0 else "d") for index, cid in enumerate(conflict_ids)}
    order = triage_by_keyboard(page, plan)
    expected = {cid: "confirmed" if key == "c" else "dismissed" for cid, key in plan.items()}
    expect_statuses(page, expected)
    stored = {row.id: (row.status, row.decided_by) for row in Conflict.select().where(Conflict.id.in_(conflict_ids))}
    assert stored == {cid: (status, name) for cid, status in expected.items()}

    page.keyboard.press("k")
    expect(page.locator("#items > li.item.current")).to_have_attribute("data-id", str(order[-2]))
    page.context.close()


def test_bulk_dismiss_sends_one_request_for_the_selection(desk_url, chromium):
    slug, conflict_ids = stance_conflicts(1, 4, "bulk")
    name, secret = new_key("reviewer")
    page = signed_in(chromium, desk_url, secret)
    page.goto(f"{desk_url}/desk/conflicts?topic={slug}")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    order = page.locator("#items > li.item").evaluate_all("items => items.map(item => Number(item.dataset.id))")
    chosen = order[:3]
    page.keyboard.press("j")
    for _ in chosen:
        page.keyboard.press("x")
        page.keyboard.press("j")
    expect(page.locator(".selected-count")).to_have_text("(3)")
    page.keyboard.press("Shift+D")
    expect_statuses(page, dict.fromkeys(chosen, "dismissed"))
    assert posts == [f"{desk_url}/desk/conflicts/dismiss"]
    stored = {row.id: row.status for row in Conflict.select().where(Conflict.id.in_(conflict_ids))}
    assert stored == {cid: ("dismissed" if cid in chosen else "suggested") for cid in conflict_ids}
    page.context.close()


def test_every_action_works_without_javascript(desk_url, chromium):
    slug, conflict_ids = stance_conflicts(1, 4, "nojs")
    claim = make_claim(text=f"A claim for the plain-forms desk {slug}")
    name, secret = new_key("reviewer")
    page = signed_in(chromium, desk_url, secret, javascript=False)

    page.goto(f"{desk_url}/desk/claims/{claim.id}")
    page.get_by_label("supported").check()
    page.fill("#rationale", "Plain HTML forms are enough.")
    page.get_by_role("button", name="Record review").click()
    expect(page.locator(".notice")).to_have_text("Your review is recorded.")

    page.goto(f"{desk_url}/desk/conflicts?topic={slug}")
    first = page.locator(f"#conflict-{conflict_ids[0]}")
    first.get_by_label(f"Note for conflict {conflict_ids[0]}").fill("Same bridge, opposite reports.")
    first.get_by_role("button", name="Confirm").click()
    expect(page.locator(".notice")).to_have_text("Conflict confirmed.")
    for conflict_id in conflict_ids[1:3]:
        page.locator(f"#conflict-{conflict_id} input[name=ids]").check()
    page.get_by_role("button", name="Dismiss selected").click()
    expect(page.locator(".notice")).to_have_text("The selected conflicts are dismissed.")
    stored = {row.id: (row.status, row.note) for row in Conflict.select().where(Conflict.id.in_(conflict_ids))}
    assert stored[conflict_ids[0]] == ("confirmed", "Same bridge, opposite reports.")
    assert [stored[cid][0] for cid in conflict_ids[1:]] == ["dismissed", "dismissed", "suggested"]

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{desk_url}/desk/sign-in")
    page.context.close()


def test_sign_out_ends_the_session(desk_url, chromium):
    _, secret = new_key("reviewer")
    page = signed_in(chromium, desk_url, secret)
    cookie = session_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/desk"
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{desk_url}/desk/sign-in")
    replayed = requests.get(
        f"{desk_url}/desk/", cookies={"desk_session": cookie["value"]}, allow_redirects=False, timeout=10
    )
    assert replayed.status_code == 302 and "/desk/sign-in" in replayed.headers["Location"]
    page.context.close()


def test_an_admin_makes_and_revokes_a_key_and_the_revoked_session_ends(desk_url, chromium):
    _, admin_secret = new_key("admin")
    admin = signed_in(chromium, desk_url, admin_secret)
    admin.get_by_role("link", name="Keys").click()
    colleague = f"colleague-{uuid.uuid4().hex[:6]}"
    admin.fill("#name", colleague)
    admin.get_by_role("button", name="Make a key").click()
    shown = admin.locator("#new-key").inner_text()
    assert shown.startswith("clk_")
    admin.goto(f"{desk_url}/desk/keys")
    expect(admin.locator("#new-key")).to_have_count(0)

    colleague_page = signed_in(chromium, desk_url, shown)
    colleague_page.goto(f"{desk_url}/desk/conflicts")
    expect(colleague_page.locator(".masthead .name")).to_have_text(colleague)

    admin.locator("tr", has_text=colleague).get_by_role("button", name="Revoke").click()
    expect(admin.locator("tr", has_text=colleague)).to_contain_text("revoked")
    # The open page learns at its next poll of the feed; the next page it asks for is the sign-in form.
    expect(colleague_page.locator("#live-status")).to_contain_text("signed out", timeout=LIVE_WAIT_MS)
    colleague_page.reload()
    expect(colleague_page).to_have_url(f"{desk_url}/desk/sign-in?next=/desk/conflicts")
    admin.context.close()
    colleague_page.context.close()


def test_a_reader_cannot_sign_in(desk_url, chromium):
    _, secret = new_key("reader")
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{desk_url}/desk/sign-in")
    page.fill("#key", secret)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".problem")).to_contain_text("The desk is for reviewers")
    assert [cookie for cookie in context.cookies() if cookie["name"] == "desk_session"] == []
    page.goto(f"{desk_url}/desk/")
    expect(page).to_have_url(f"{desk_url}/desk/sign-in?next=/desk/")
    context.close()


class _AttackerPage(http.server.BaseHTTPRequestHandler):
    """Serves one page, from another origin, that posts a review form to the desk by itself."""

    html = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, *args):
        pass


def test_a_form_posted_from_another_origin_is_refused(desk_url, chromium):
    claim = make_claim(text="A claim someone would like reviewed behind the reviewer's back")
    _, secret = new_key("reviewer")
    page = signed_in(chromium, desk_url, secret)
    page.goto(f"{desk_url}/desk/claims/{claim.id}")
    # Even with the page's own token (as if it had leaked), another origin's form is refused by its Origin.
    token = page.locator("input[name=csrf]").first.input_value()
    etag = page.locator("input[name=etag]").input_value()
    _AttackerPage.html = (
        f'<form method="post" action="{desk_url}/desk/claims/{claim.id}/review">'
        f'<input name="csrf" value="{token}"><input name="etag" value=\'{etag}\'>'
        '<input name="seen_event" value="0"><input name="verdict" value="supported">'
        '<input name="rationale" value="forged"></form><script>document.forms[0].submit()</script>'
    ).encode()
    attacker = http.server.ThreadingHTTPServer(("127.0.0.1", servers.free_port()), _AttackerPage)
    thread = threading.Thread(target=attacker.serve_forever, daemon=True)
    thread.start()
    try:
        with page.expect_navigation(url=f"{desk_url}/desk/claims/{claim.id}/review") as navigation:
            page.goto(f"http://127.0.0.1:{attacker.server_port}/")
        assert navigation.value.status == 403
        expect(page.locator("body")).to_contain_text("sent from another site")
    finally:
        attacker.shutdown()
        attacker.server_close()
        thread.join(timeout=5)
    assert reviews.list_reviews(claim.id) == []
    page.context.close()


def test_user_text_with_html_and_script_stays_text(desk_url, chromium):
    slug = f"xss-{uuid.uuid4().hex[:6]}"
    make_topic(slug=slug, title="<i>Is</i> this <script>window.pwned = 1</script> safe?")
    hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> said <b>this</b>'
    left = make_claim(
        text=hostile,
        quote="</blockquote><script>window.pwned = 3</script>",
        speaker={"name": "<b>Bold</b> <script>window.pwned = 4</script>"},
        topics=[{"slug": slug, "stance": "affirms"}],
    )
    make_claim(text="A plain denial of it", topics=[{"slug": slug, "stance": "denies"}])
    reviews.review_claim(left.id, "contested", "<a href=javascript:alert(1)>proof</a>", [], "<em>mallory</em>")
    _, secret = new_key("reviewer")
    page = signed_in(chromium, desk_url, secret)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in (f"/desk/?topic={slug}&status=any", f"/desk/claims/{left.id}", f"/desk/conflicts?topic={slug}"):
        page.goto(f"{desk_url}{path}")
        expect(page.get_by_text(hostile).first).to_be_visible()
        assert page.evaluate("window.pwned") is None
        assert page.locator("main script, main img, main b, main i").count() == 0
        if "/claims/" in path:
            expect(page.locator(".rationale")).to_have_text("<a href=javascript:alert(1)>proof</a>")
    assert dialogs == []
    page.context.close()


def test_queue_and_triage_pick_up_new_claims_and_suggestions_without_a_reload(desk_url, chromium):
    slug, _ = stance_conflicts(1, 1, "live")
    _, secret = new_key("reviewer")
    queue = signed_in(chromium, desk_url, secret)
    queue.goto(f"{desk_url}/desk/?topic={slug}")
    expect(queue.locator("#items > li.item")).to_have_count(2)
    triage = queue.context.new_page()
    triage.goto(f"{desk_url}/desk/conflicts?topic={slug}")
    expect(triage.locator("#items > li.item")).to_have_count(1)
    triage.keyboard.press("j")
    triage.locator("#items > li.item input[name=ids]").check()
    # The pages' own address stays the same: nothing reloads them.
    queue.evaluate("window.stillHere = true")
    triage.evaluate("window.stillHere = true")

    make_claim(
        text=f"A later denial that the bridge of {slug} stands",
        speaker={"name": f"Late commander {slug}"},
        topics=[{"slug": slug, "stance": "denies"}],
    )
    expect(queue.locator("#items > li.item")).to_have_count(3, timeout=LIVE_WAIT_MS)
    expect(queue.locator("#items")).to_contain_text("A later denial", timeout=LIVE_WAIT_MS)
    expect(triage.locator("#items > li.item")).to_have_count(2, timeout=LIVE_WAIT_MS)
    assert queue.evaluate("window.stillHere") and triage.evaluate("window.stillHere")
    assert triage.locator("#items > li.item input[name=ids]:checked").count() == 1
    queue.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1400px"])
def test_pages_fit_phone_and_desktop_screens(desk_url, chromium, viewport):
    _, secret = new_key("admin")
    page = signed_in(chromium, desk_url, secret, viewport=viewport)
    prigozhin = Claim.get(Claim.text.contains("leader of the Wagner militia"))
    for name, path in (
        ("queue", "/desk/"),
        ("claim", f"/desk/claims/{prigozhin.id}"),
        ("triage", "/desk/conflicts?status=any"),
        ("keys", "/desk/keys"),
    ):
        page.goto(f"{desk_url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {viewport['width']}px"
        screenshot(page, name)
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "plain"])
def test_enter_in_a_triage_note_decides_nothing(desk_url, chromium, javascript):
    slug, conflict_ids = stance_conflicts(1, 2, "enter")
    _, secret = new_key("reviewer")
    page = signed_in(chromium, desk_url, secret, javascript=javascript)
    page.goto(f"{desk_url}/desk/conflicts?topic={slug}")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    first = page.locator(f"#conflict-{conflict_ids[0]}")
    note = first.get_by_label(f"Note for conflict {conflict_ids[0]}")
    note.fill("Different bridges")
    note.press("Enter")
    bulk_note = page.get_by_label("Note for the selected conflicts")
    bulk_note.fill("c d D")
    bulk_note.press("Enter")
    expect(note).to_have_value("Different bridges")

    # The explicit press that follows is the only request sent: Enter sent none, and no key was a shortcut.
    first.get_by_role("button", name="Dismiss").click()
    if javascript:
        expect_statuses(page, {conflict_ids[0]: "dismissed"})
    else:
        expect(page.locator(".notice")).to_have_text("Conflict dismissed.")
    assert posts == [f"{desk_url}/desk/conflicts/{conflict_ids[0]}/dismiss"]
    stored = {row.id: (row.status, row.note) for row in Conflict.select().where(Conflict.id.in_(conflict_ids))}
    assert stored == {conflict_ids[0]: ("dismissed", "Different bridges"), conflict_ids[1]: ("suggested", None)}
    page.context.close()


def fill_fact_check(page, headline):
    """Fill the claim page's new fact-check form."""
    form = page.locator("details.new-fact-check form")
    form.get_by_label("Headline").fill(headline)
    form.get_by_label("Article URL").fill("https://www.paper.example/fact-checks/kherson-ferry")
    form.get_by_label("Authors").fill("Olena Checker\nPetro Editor")
    form.get_by_label("Rating").select_option("mostly-false")
    form.get_by_label("Explanation for readers").fill("The port log shows 412 passengers on 3 March, one day only.")
    form.get_by_role("button", name="Save draft").click()


def test_an_editor_drafts_previews_and_publishes_a_fact_check(desk_url, chromium):
    claim = make_claim(text=f"The ferry at Kherson carried 400 people a day {uuid.uuid4().hex[:6]}")
    after = desk.latest_event_id()
    reviewer_name, reviewer = new_key("reviewer")
    editor_name, editor = new_key("editor")
    headline = "No, the Kherson ferry did not carry 400 people a day"

    drafting = signed_in(chromium, desk_url, reviewer)
    drafting.goto(f"{desk_url}/desk/claims/{claim.id}")
    fill_fact_check(drafting, headline)
    expect(drafting.locator("#fact-check .notice")).to_contain_text("Draft saved.")
    publish = drafting.locator("#fact-check form.publish button")
    expect(publish).to_be_disabled()
    expect(drafting.locator("#publish-rule")).to_contain_text("Publishing is for editors and admins")
    drafting.context.close()

    page = signed_in(chromium, desk_url, editor)
    page.goto(f"{desk_url}/desk/claims/{claim.id}")
    preview = page.frame_locator("#fact-check iframe.preview")
    expect(preview.locator(".verdict")).to_have_text("Mostly false")
    expect(preview.locator(".fact-check a")).to_have_text(headline)
    expect(preview.locator(".claim-text")).to_have_text(claim.text)
    # desk.js fits the frame to the card's reported height.
    expect(page.locator("#fact-check iframe.preview")).to_have_attribute("style", re.compile(r"height: \d+px"))
    screenshot(page, "fact-check-draft")

    page.locator("#fact-check form.publish").get_by_role("button", name="Publish").click()
    expect(page.locator("#fact-check .notice")).to_have_text("Published: readers see this fact-check now.")
    expect(page.locator("#fact-check .fact-check").first).to_have_attribute("data-status", "published")
    card = requests.get(f"{desk_url}/embed/claims/{claim.id}", timeout=10)
    assert card.status_code == 200 and headline in card.text
    mine = [(event["type"], event["actor"]) for event in feed(desk_url, after) if event["object_type"] == "fact_check"]
    assert mine == [("fact_check.created", reviewer_name), ("fact_check.published", editor_name)]
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1400px"])
def test_the_claim_page_with_a_fact_check_fits_phone_and_desktop(desk_url, chromium, viewport):
    prigozhin = Claim.get(Claim.text.contains("leader of the Wagner militia"))
    if not fact_checks.list_fact_checks({"claim": prigozhin.id, "status": "draft"})[0]:
        fact_checks.create_fact_check(
            {
                "headline": "Prigozhin's shell complaints: a pattern, not one statement",
                "article_url": "https://www.paper.example/fact-checks/prigozhin-shells",
                "authors": ["Olena Checker"],
                "rating": "missing-context",
                "explanation": "He complained of shortages many times in 2023; the quote is not from one day.",
                "language": "en",
                "claim_ids": [prigozhin.id],
            },
            "seed-reviewer",
        )
    _, secret = new_key("editor")
    page = signed_in(chromium, desk_url, secret, viewport=viewport)
    page.goto(f"{desk_url}/desk/claims/{prigozhin.id}")
    expect(page.frame_locator("#fact-check iframe.preview").locator(".verdict")).to_have_text("Missing context")
    expect(page.locator("#matches .match").first).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the claim page scrolls sideways by {overflow}px at {viewport['width']}px"
    screenshot(page, "claim-fact-check")
    page.context.close()
