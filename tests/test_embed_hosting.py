"""Cards framed through oEmbed by a host page on another origin, in headless chromium, at phone and desktop widths."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import browser
import pytest
import requests
from factories import link_conflict
from factories import make_claim
from factories import make_topic
from factories import publish_fact_check
from seeded import load_seeds

from service.ledger import conflicts
from service.storage.models import Conflict
from service.storage.models import Topic

WIDTHS = (375, 800, 1200)
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>A newsroom article</title><style>body{{margin:0 auto;max-width:720px;padding:8px;font:16px serif}}</style>
</head><body><h1>Bakhmut, 7 April</h1><p>The article's text before the card.</p>
{embed}
<p id="after">The article's text after the card.</p></body></html>"""


class HostPage:
    """A host page on its own port of 127.0.0.1 (another origin than the service) holding one oEmbed html."""

    def __init__(self, embed_html):
        page = HOST_PAGE.format(embed=embed_html).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/article"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _in_session(chromium, session_id, method, params):
    """Send a DevTools command to another session than the page's (the card's frame) and return its result."""
    page_session = chromium.session
    chromium.session = session_id
    try:
        return chromium.call(method, params, session=True)
    finally:
        chromium.session = page_session


def _evaluate_in_card(chromium, expression):
    frames = [t for t in chromium.call("Target.getTargets")["targetInfos"] if t["type"] == "iframe"]
    if frames:
        # The sandboxed card of another origin runs in a process of its own: attach to it.
        attached = chromium.call("Target.attachToTarget", {"targetId": frames[0]["targetId"], "flatten": True})
        try:
            return _in_session(
                chromium, attached["sessionId"], "Runtime.evaluate", {"expression": expression, "returnByValue": True}
            )
        finally:
            chromium.call("Target.detachFromTarget", {"sessionId": attached["sessionId"]})
    # Chromium kept the frame in the page's process: evaluate in a world of its own inside that frame.
    tree = chromium.call("Page.getFrameTree", session=True)["frameTree"]
    if not tree.get("childFrames"):
        return None
    context = chromium.call(
        "Page.createIsolatedWorld", {"frameId": tree["childFrames"][0]["frame"]["id"]}, session=True
    )["executionContextId"]
    return chromium.call(
        "Runtime.evaluate", {"expression": expression, "contextId": context, "returnByValue": True}, session=True
    )


def _in_card(chromium, expression):
    """Evaluate an expression in the card's frame; None while the frame is still loading or changing process."""
    try:
        result = _evaluate_in_card(chromium, expression)
    except RuntimeError:
        return None
    if result is None:
        return None
    if "exceptionDetails" in result:
        raise AssertionError(f"{expression!r} threw: {result['exceptionDetails']}")
    return result["result"].get("value")


# Every side, every verdict badge and the footer, with where they sit in the card's viewport; and whether the
# card's content is taller or wider than its frame (which would clip or scroll it).
CARD_LAYOUT = """(() => {
  if (document.readyState !== "complete" || !document.querySelector("footer")) return null;
  const box = e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left,
    right: r.right, text: e.textContent.trim()}; };
  return {
    lang: document.documentElement.lang,
    sides: Array.from(document.querySelectorAll("article.claim")).map(box),
    verdicts: Array.from(document.querySelectorAll(".verdict")).map(box),
    footer: box(document.querySelector("footer")),
    content: {height: Math.ceil(document.documentElement.getBoundingClientRect().height),
      width: document.documentElement.scrollWidth},
    viewport: {height: window.innerHeight, width: window.innerWidth},
  };
})()"""
FRAME_BOX = """(() => { const r = document.querySelector("iframe").getBoundingClientRect();
  return {top: r.top, left: r.left, right: r.right, width: r.width, height: r.height, page: window.innerWidth}; })()"""


def _settled_layout(chromium, patience_seconds=60):
    """Return the card's layout once the frame has loaded and stopped changing height.

    Patience, not a timed assertion: on a busy machine the card's frame can take many seconds to load.
    """
    previous = None
    give_up = time.monotonic() + patience_seconds
    while time.monotonic() < give_up:
        layout = _in_card(chromium, CARD_LAYOUT)
        frame = chromium.evaluate(FRAME_BOX)
        if layout is not None and previous == (layout, frame):
            return layout, frame
        previous = (layout, frame)
        chromium.evaluate("new Promise(done => setTimeout(done, 200))")
    raise AssertionError(f"the card's frame never settled: last seen {previous}")


def _assert_nothing_cut_off(layout, frame, sides):
    assert len(layout["sides"]) == sides
    assert len(layout["verdicts"]) == sides
    for part in layout["sides"] + layout["verdicts"] + [layout["footer"]]:
        assert 0 <= part["top"] and part["bottom"] <= layout["viewport"]["height"], (part, layout["viewport"])
        assert 0 <= part["left"] and part["right"] <= layout["viewport"]["width"], (part, layout["viewport"])
    assert layout["content"]["height"] <= layout["viewport"]["height"]
    assert layout["content"]["width"] <= layout["viewport"]["width"]
    assert frame["left"] >= 0 and frame["right"] <= frame["page"]


@pytest.fixture
def seeded_conflict(app):
    """The seeded Prigozhin–Stek conflict, confirmed by a reviewer."""
    load_seeds()
    topic = Topic.get(Topic.slug == "russian-ammunition-shortage")
    conflict = Conflict.get(Conflict.topic == topic)
    conflicts.confirm(conflict.id, "Rita Reviewer")
    # A card shows a claim's rating only from a published fact-check.
    publish_fact_check([conflict.left_claim, conflict.right_claim])
    return conflict


def _oembed_html(live_server, path):
    response = requests.get(
        f"{live_server}/oembed", params={"url": f"{live_server}{path}", "format": "json"}, timeout=30
    )
    assert response.status_code == 200
    return response.json()


@pytest.mark.browser
def test_the_seeded_conflict_card_fits_a_host_page_at_every_width(live_server, seeded_conflict):
    oembed = _oembed_html(live_server, f"/embed/conflicts/{seeded_conflict.id}")

    with HostPage(oembed["html"]) as host, browser.Chromium() as chromium:
        for width in WIDTHS:
            chromium.resize(width, 900)
            chromium.open(host.url)
            layout, frame = _settled_layout(chromium)

            _assert_nothing_cut_off(layout, frame, sides=2)
            speakers = " ".join(side["text"] for side in layout["sides"])
            assert "Yevgeny Prigozhin" in speakers and "Levko Stek" in speakers
            assert {verdict["text"] for verdict in layout["verdicts"]} == {"False"}
            # The listener fitted the frame to the card: no blank band under it.
            assert frame["height"] == pytest.approx(layout["content"]["height"], abs=2)
            assert chromium.evaluate("document.getElementById('after').getBoundingClientRect().top") > frame["top"]


@pytest.mark.browser
def test_without_script_the_card_still_shows_both_sides_on_a_phone(live_server, seeded_conflict):
    oembed = _oembed_html(live_server, f"/embed/conflicts/{seeded_conflict.id}")

    with HostPage(oembed["html"]) as host, browser.Chromium() as chromium:
        chromium.call("Emulation.setScriptExecutionDisabled", {"value": True}, session=True)
        chromium.resize(375, 900)
        chromium.open(host.url)
        layout, frame = _settled_layout(chromium)

    _assert_nothing_cut_off(layout, frame, sides=2)
    assert frame["height"] == oembed["height"]


@pytest.mark.browser
@pytest.mark.parametrize(
    ("language", "verdict", "footer"),
    [
        ("en", "False", "Fact check by"),
        ("uk", "Неправда", "Перевірка фактів:"),
        ("ru", "Неправда", "Проверка фактов:"),
    ],
)
def test_a_claim_card_speaks_the_claims_language(live_server, language, verdict, footer):
    claim = make_claim(language=language, text="Снарядів бракує" if language != "en" else "Shells are short")
    publish_fact_check([claim], language=language, explanation="A long rationale. " * 40)
    oembed = _oembed_html(live_server, f"/embed/claims/{claim.id}")

    with HostPage(oembed["html"]) as host, browser.Chromium() as chromium:
        chromium.resize(375, 900)
        chromium.open(host.url)
        layout, frame = _settled_layout(chromium)

    _assert_nothing_cut_off(layout, frame, sides=1)
    assert layout["lang"] == language
    assert layout["verdicts"][0]["text"] == verdict
    assert layout["footer"]["text"].startswith(footer)


def test_a_conflict_between_languages_labels_in_english_and_marks_each_side(client):
    topic = make_topic()
    left = make_claim(language="uk", claimed_on="2023-04-01")
    right = make_claim(language="de", claimed_on="2023-04-02")
    conflict = link_conflict(left, right, topic=topic)

    html = client.get(f"/embed/conflicts/{conflict.id}").get_data(as_text=True)

    assert '<html lang="en">' in html
    assert f'id="claim-{left.id}" lang="uk"' in html and f'id="claim-{right.id}" lang="de"' in html
    assert "These two statements cannot both be true." in html


def test_a_german_claim_card_is_lang_de_with_english_labels_marked_so(client):
    claim = make_claim(language="de")
    publish_fact_check([claim])

    html = client.get(f"/embed/claims/{claim.id}").get_data(as_text=True)

    assert '<html lang="de">' in html
    assert '<p class="verdict-line" lang="en">\n<span class="verdict verdict-contesting">False</span>' in html
    assert json.dumps("Fact check by")[1:-1] in html
