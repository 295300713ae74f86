"""The HTML pages: headers and errors over the test client, layout and escaping in a real headless chromium."""

import browser
import pytest
from factories import make_claim
from factories import make_topic
from factories import publish_fact_check
from seeded import load_seeds

from service.ledger import conflicts
from service.storage.models import Claim
from service.storage.models import Conflict
from service.storage.models import Topic

AMMUNITION = "russian-ammunition-shortage"
DESKTOP = (1200, 900)
PHONE = (390, 844)


def side_by_side(first, second):
    """Say whether two boxes sit in two columns: first wholly left of second, their tops level."""
    return first["right"] <= second["left"] and abs(first["top"] - second["top"]) < 1


def test_pages_send_the_security_headers(client):
    load_seeds()

    for path in (f"/topics/{AMMUNITION}", "/conflicts/1", "/assets/claimledger.css", "/topics/nothing-here"):
        with client.get(path) as response:
            headers = response.headers
        assert headers["Content-Security-Policy"] == (
            "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"
        ), path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_configured_embed_origins_may_frame_the_pages(app, client):
    make_topic()
    app.config["EMBED_ORIGINS"] = ["https://cms.example", "https://www.paper.example"]

    response = client.get("/topics/ammunition")

    assert response.headers["Content-Security-Policy"].endswith(
        "frame-ancestors https://cms.example https://www.paper.example"
    )


@pytest.mark.parametrize(
    "path",
    ["/conflicts/999", "/conflicts/abc", "/conflicts/0", f"/conflicts/{2**64}", "/topics/nothing-here", "/topics/9"],
)
def test_unknown_pages_are_html_404s(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1>Not found</h1>" in response.get_data(as_text=True)


def test_pages_need_a_key_when_reads_are_private(app, client):
    make_topic()
    app.config["PUBLIC_READS"] = False

    response = client.get("/topics/ammunition")

    assert response.status_code == 401
    assert response.mimetype == "text/html"
    assert "Is there an ammunition shortage?" not in response.get_data(as_text=True)


def _confirm_the_seeded_conflict():
    load_seeds()
    conflict = Conflict.get(Conflict.topic == Topic.get(Topic.slug == AMMUNITION))
    conflicts.confirm(conflict.id, "Rita Reviewer")
    return conflict


def test_the_topic_page_escapes_what_users_wrote(client):
    make_topic()
    claim = make_claim(text="<script>alert(1)</script>", topics=[{"slug": "ammunition", "stance": "affirms"}])
    publish_fact_check([claim], headline="<script>alert(2)</script>")

    html = client.get("/topics/ammunition").get_data(as_text=True)

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<script" not in html


def test_readers_see_only_published_fact_checks_and_confirmed_conflicts_in_their_words(client):
    load_seeds()
    prigozhin = Claim.get(Claim.text.startswith("Yevgeny Prigozhin, leader of the Wagner militia"))
    suggested = Conflict.get(Conflict.topic == Topic.get(Topic.slug == AMMUNITION))

    before = client.get(f"/topics/{AMMUNITION}").get_data(as_text=True)
    assert "Yevgeny Prigozhin" not in before and "Levko Stek" not in before
    assert client.get(f"/conflicts/{suggested.id}").status_code == 404

    publish_fact_check([prigozhin], rating="misleading", article_url="https://paper.example/fc/wagner")
    rated = client.get(f"/topics/{AMMUNITION}").get_data(as_text=True)
    assert "Yevgeny Prigozhin" in rated and "Misleading" in rated and "https://paper.example/fc/wagner" in rated
    assert "Levko Stek" not in rated

    conflicts.confirm(suggested.id, "Rita Reviewer")
    page = client.get(f"/topics/{AMMUNITION}").get_data(as_text=True)
    conflict_page = client.get(f"/conflicts/{suggested.id}").get_data(as_text=True)
    assert "Levko Stek" in page and "Contradiction" in page and "Levko Stek" in conflict_page
    for html in (page, conflict_page):
        text = html.lower()
        for internal in ("stance", "suggested", "supported", "contested", "unreviewed", "rita reviewer", "basis"):
            assert internal not in text, internal


@pytest.mark.browser
def test_the_topic_page_shows_prigozhin_and_stek_in_two_columns(live_server, tmp_path):
    _confirm_the_seeded_conflict()

    with browser.Chromium(*DESKTOP) as page:
        page.open(f"{live_server}/topics/{AMMUNITION}")
        [affirms] = page.boxes(".side-affirms")
        [denies] = page.boxes(".side-denies")
        affirming = page.texts(".side-affirms .claim .speaker")
        denying = page.texts(".side-denies .claim .speaker")
        layout = page.evaluate("getComputedStyle(document.querySelector('.sides')).display")
        page.save_screenshot(tmp_path / "topic.png")

    assert (affirming, denying) == (["Yevgeny Prigozhin"], ["Levko Stek"])
    assert layout == "grid", "the stylesheet loaded under the page's Content-Security-Policy"
    assert side_by_side(affirms, denies)
    assert affirms["width"] > 400 and denies["width"] > 400
    assert affirms["top"] < DESKTOP[1], "both columns start on the first screen"
    assert (tmp_path / "topic.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.browser
def test_the_topic_page_stacks_the_sides_on_a_phone(live_server):
    _confirm_the_seeded_conflict()

    with browser.Chromium(*PHONE) as page:
        page.open(f"{live_server}/topics/{AMMUNITION}")
        [affirms] = page.boxes(".side-affirms")
        [denies] = page.boxes(".side-denies")
        page_width = page.evaluate("document.documentElement.scrollWidth")

    assert denies["top"] >= affirms["bottom"]
    assert affirms["left"] == denies["left"]
    assert page_width <= PHONE[0], "nothing overflows sideways"


@pytest.mark.browser
def test_a_confirmed_conflict_page_shows_both_claims_side_by_side(live_server):
    conflict = _confirm_the_seeded_conflict()

    with browser.Chromium(*DESKTOP) as page:
        page.open(f"{live_server}/conflicts/{conflict.id}")
        [left] = page.boxes(".claim[data-side=left]")
        [right] = page.boxes(".claim[data-side=right]")
        speakers = page.texts(".claim .speaker")
        meta = page.texts(".conflict-meta")

    assert side_by_side(left, right)
    assert speakers == ["Yevgeny Prigozhin", "Levko Stek"]
    assert "Contradiction checked by the desk on" in " ".join(meta[0].split())
    assert "Rita Reviewer" not in meta[0]


@pytest.mark.browser
def test_markup_in_a_claim_shows_as_text_and_never_runs(live_server):
    make_topic()
    claim = make_claim(
        text="<script>alert(1)</script>",
        quote='"><img src=x onerror=alert(2)>',
        speaker={"name": "<b>Bold</b> Speaker"},
        topics=[{"slug": "ammunition", "stance": "affirms"}],
    )
    publish_fact_check([claim])

    with browser.Chromium(*DESKTOP) as page:
        page.open(f"{live_server}/topics/ammunition")
        scripts = page.evaluate("document.scripts.length")
        images = page.evaluate("document.images.length")
        bold = page.evaluate("document.querySelectorAll('.claim b').length")
        text = page.texts(".claim .text")
        quote = page.texts(".claim .quote")
        speaker = page.texts(".claim .speaker")
        dom = page.dom()
        dialogs = page.dialogs

    assert (scripts, images, bold, dialogs) == (0, 0, 0, [])
    assert text == ["<script>alert(1)</script>"]
    assert quote == ['“"><img src=x onerror=alert(2)>”']
    assert speaker == ["<b>Bold</b> Speaker"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


@pytest.mark.browser
def test_render_and_screenshot_load_a_page(live_server, tmp_path):
    make_topic()

    dom = browser.render(f"{live_server}/topics/ammunition")
    browser.screenshot(f"{live_server}/topics/ammunition", tmp_path / "page.png", *PHONE)

    assert "<h1>Is there an ammunition shortage?</h1>" in dom
    assert (tmp_path / "page.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
