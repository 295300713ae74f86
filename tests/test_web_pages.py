"""The HTML pages: headers and errors over the test client, layout and escaping in a real headless chromium.

The Chromium class, render() and screenshot() drive Debian's chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe), so no extra package or open port is needed; they are meant to move to
tests/browser.py.
"""

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

from service import conflicts
from service import seeds
from service.models import Conflict
from service.models import Topic
from tests.factories import make_claim
from tests.factories import make_topic

AMMUNITION = "russian-ammunition-shortage"
DESKTOP = (1200, 900)
PHONE = (390, 844)
BROWSER_TIMEOUT = 30
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
# chromium reads DevTools commands from fd 3 and writes answers to fd 4; this puts our pipe ends there.
PIPE_TRAMPOLINE = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); os.execvp(sys.argv[3], sys.argv[3:])"
)


def chromium_path():
    """Return chromium's path; without it fail under CI=true, else skip saying how to install it."""
    path = shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed; .ci/run installs it (apt-get install -y chromium)")
    pytest.skip("chromium is not installed: apt-get update && apt-get install -y chromium (CI=true fails instead)")


def _high_fd(fd):
    """Move a descriptor above 4 so that the trampoline's dup2 onto 3 and 4 cannot clobber it."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


class Chromium:
    """A headless chromium with one page, driven over the DevTools protocol on a pipe."""

    def __init__(self, width=DESKTOP[0], height=DESKTOP[1]):
        self.profile = tempfile.mkdtemp(prefix="claimledger-chromium-")
        commands_read, commands_write = map(_high_fd, os.pipe())
        answers_read, answers_write = map(_high_fd, os.pipe())
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                PIPE_TRAMPOLINE,
                str(commands_read),
                str(answers_write),
                chromium_path(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            pass_fds=(commands_read, answers_write),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(answers_write)
        self.commands, self.answers = commands_write, answers_read
        self.buffer = b""
        self.last_id = 0
        self.dialogs = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)
        self.resize(width, height)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Close the browser and remove its profile."""
        try:
            self.call("Browser.close")
            self.process.wait(timeout=BROWSER_TIMEOUT)
        except (OSError, TimeoutError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            os.close(self.commands)
            os.close(self.answers)
            shutil.rmtree(self.profile, ignore_errors=True)

    def _next_message(self, deadline):
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.answers], [], [], remaining)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self.answers, 1 << 16)
            if not chunk:
                raise OSError("chromium closed its DevTools pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(raw)
        if message.get("method") == "Page.javascriptDialogOpening":
            self.dialogs.append(message["params"])
        return message

    def _wait(self, matches):
        deadline = time.monotonic() + BROWSER_TIMEOUT
        while True:
            message = self._next_message(deadline)
            if matches(message):
                return message

    def call(self, method, params=None, session=False):
        """Send one DevTools command (to the page when session is true) and return its result."""
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        answer = self._wait(lambda m: m.get("id") == message["id"])
        if "error" in answer:
            raise RuntimeError(f"{method} failed: {answer['error']}")
        return answer["result"]

    def resize(self, width, height):
        """Give the page a viewport of this size, as a desktop screen (not a touch device)."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    def open(self, url):
        """Load url and wait for its load event; raise if the navigation failed."""
        result = self.call("Page.navigate", {"url": url}, session=True)
        if result.get("errorText"):
            raise RuntimeError(f"could not load {url}: {result['errorText']}")
        self._wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == self.session)

    def evaluate(self, expression):
        """Return the JSON value of a JavaScript expression evaluated by DevTools (the page's CSP does not apply)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def dom(self):
        """Return the page's DOM serialised as HTML, as chromium --dump-dom prints it."""
        return self.evaluate("document.documentElement.outerHTML")

    def boxes(self, selector):
        """Return the bounding boxes {left, top, right, bottom, width, height} of the elements matching selector."""
        return self.evaluate(
            f"Array.from(document.querySelectorAll({json.dumps(selector)})).map(e => {{"
            " const r = e.getBoundingClientRect();"
            " return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height};"
            " })"
        )

    def texts(self, selector):
        """Return the text content of the elements matching selector."""
        return self.evaluate(
            f"Array.from(document.querySelectorAll({json.dumps(selector)})).map(e => e.textContent.trim())"
        )

    def save_screenshot(self, path):
        """Write a PNG of the whole page to path."""
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=True)
        with open(path, "wb") as png:
            png.write(base64.b64decode(data["data"]))


def render(url, width=DESKTOP[0], height=DESKTOP[1]):
    """Return the DOM of url after chromium loaded it."""
    with Chromium(width, height) as browser:
        browser.open(url)
        return browser.dom()


def screenshot(url, path, width=DESKTOP[0], height=DESKTOP[1]):
    """Save a PNG screenshot of url, as chromium renders it at this window size."""
    with Chromium(width, height) as browser:
        browser.open(url)
        browser.save_screenshot(path)


def side_by_side(first, second):
    """Say whether two boxes sit in two columns: first wholly left of second, their tops level."""
    return first["right"] <= second["left"] and abs(first["top"] - second["top"]) < 1


def test_pages_send_the_security_headers(client):
    seeds.load_all()

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


def test_the_topic_page_escapes_what_users_wrote(client):
    make_topic()
    make_claim(text="<script>alert(1)</script>", topics=[{"slug": "ammunition", "stance": "affirms"}])

    html = client.get("/topics/ammunition").get_data(as_text=True)

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html


@pytest.mark.browser
def test_the_topic_page_shows_prigozhin_and_stek_in_two_columns(live_server, tmp_path):
    seeds.load_all()

    with Chromium(*DESKTOP) as browser:
        browser.open(f"{live_server}/topics/{AMMUNITION}")
        [affirms] = browser.boxes(".side-affirms")
        [denies] = browser.boxes(".side-denies")
        affirming = browser.texts(".side-affirms .claim .speaker")
        denying = browser.texts(".side-denies .claim .speaker")
        layout = browser.evaluate("getComputedStyle(document.querySelector('.sides')).display")
        browser.save_screenshot(tmp_path / "topic.png")

    assert (affirming, denying) == (["Yevgeny Prigozhin"], ["Levko Stek"])
    assert layout == "grid", "the stylesheet loaded under the page's Content-Security-Policy"
    assert side_by_side(affirms, denies)
    assert affirms["width"] > 400 and denies["width"] > 400
    assert affirms["top"] < DESKTOP[1], "both columns start on the first screen"
    assert (tmp_path / "topic.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.browser
def test_the_topic_page_stacks_the_sides_on_a_phone(live_server):
    seeds.load_all()

    with Chromium(*PHONE) as browser:
        browser.open(f"{live_server}/topics/{AMMUNITION}")
        [affirms] = browser.boxes(".side-affirms")
        [denies] = browser.boxes(".side-denies")
        page_width = browser.evaluate("document.documentElement.scrollWidth")

    assert denies["top"] >= affirms["bottom"]
    assert affirms["left"] == denies["left"]
    assert page_width <= PHONE[0], "nothing overflows sideways"


@pytest.mark.browser
def test_a_confirmed_conflict_page_shows_both_claims_side_by_side_with_the_reviewer(live_server):
    seeds.load_all()
    conflict = Conflict.get(Conflict.topic == Topic.get(Topic.slug == AMMUNITION))
    conflicts.confirm(conflict.id, "Rita Reviewer")

    with Chromium(*DESKTOP) as browser:
        browser.open(f"{live_server}/conflicts/{conflict.id}")
        [left] = browser.boxes(".claim[data-side=left]")
        [right] = browser.boxes(".claim[data-side=right]")
        speakers = browser.texts(".claim .speaker")
        meta = browser.texts(".conflict-meta")

    assert side_by_side(left, right)
    assert speakers == ["Yevgeny Prigozhin", "Levko Stek"]
    assert "confirmed by Rita Reviewer" in " ".join(meta[0].split())


@pytest.mark.browser
def test_markup_in_a_claim_shows_as_text_and_never_runs(live_server):
    make_topic()
    make_claim(
        text="<script>alert(1)</script>",
        quote='"><img src=x onerror=alert(2)>',
        speaker={"name": "<b>Bold</b> Speaker"},
        topics=[{"slug": "ammunition", "stance": "affirms"}],
    )

    with Chromium(*DESKTOP) as browser:
        browser.open(f"{live_server}/topics/ammunition")
        scripts = browser.evaluate("document.scripts.length")
        images = browser.evaluate("document.images.length")
        bold = browser.evaluate("document.querySelectorAll('.claim b').length")
        text = browser.texts(".claim .text")
        quote = browser.texts(".claim .quote")
        speaker = browser.texts(".claim .speaker")
        dom = browser.dom()
        dialogs = browser.dialogs

    assert (scripts, images, bold, dialogs) == (0, 0, 0, [])
    assert text == ["<script>alert(1)</script>"]
    assert quote == ['“"><img src=x onerror=alert(2)>”']
    assert speaker == ["<b>Bold</b> Speaker"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


@pytest.mark.browser
def test_render_and_screenshot_load_a_page(live_server, tmp_path):
    make_topic()

    dom = render(f"{live_server}/topics/ammunition")
    screenshot(f"{live_server}/topics/ammunition", tmp_path / "page.png", *PHONE)

    assert "<h1>Is there an ammunition shortage?</h1>" in dom
    assert (tmp_path / "page.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
