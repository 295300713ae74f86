"""Headless Chromium for tests of HTML pages: render a URL to its DOM, or screenshot it, with no internet.

Use from a test marked @pytest.mark.browser:

    dom = browser.render(f"{live_server}/some/page")
    browser.screenshot(f"{live_server}/some/page", tmp_path / "page.png")

When chromium is missing the test fails under CI=true and is skipped, with the reason, elsewhere.
"""

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    # Only 127.0.0.1 resolves, so a page that needs anything from the internet fails here as it would offline.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
# Virtual time: chromium runs the page's scripts and fetches until they settle, or this much page time passes.
BUDGET_MS = 15000
DEADLINE_SECONDS = 120
MISSING = "headless chromium is needed for HTML page tests: apt-get install -y chromium (.ci/run installs it)"


def executable():
    """Return the chromium executable; fail the test under CI=true, skip it elsewhere, when there is none."""
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(MISSING, pytrace=False)
    pytest.skip(MISSING)


def _run(url, *arguments):
    with tempfile.TemporaryDirectory(prefix="claimledger-chromium-") as profile:
        command = [executable(), *FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={BUDGET_MS}"]
        process = subprocess.Popen(
            [*command, *arguments, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise AssertionError(f"chromium did not finish {url} within {DEADLINE_SECONDS}s") from None
    if process.returncode != 0:
        raise AssertionError(f"chromium exited with {process.returncode} on {url}:\n{stderr.decode()[-3000:]}")
    return stdout


def render(url):
    """Return the DOM of url as HTML, after its scripts have run."""
    return _run(url, "--dump-dom").decode("utf-8", errors="replace")


def screenshot(url, path, width=1280, height=900):
    """Save a PNG of url, as a window of width x height shows it; return the path."""
    path = Path(path)
    _run(url, f"--window-size={width},{height}", f"--screenshot={path}")
    if not path.is_file() or path.stat().st_size == 0:
        raise AssertionError(f"chromium wrote no screenshot of {url}")
    return path


BROWSER_TIMEOUT = 30
DEVTOOLS_FLAGS = (*FLAGS, "--hide-scrollbars", "--remote-debugging-pipe")
# chromium reads DevTools commands from fd 3 and writes answers to fd 4; this puts our pipe ends there.
PIPE_TRAMPOLINE = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); os.execvp(sys.argv[3], sys.argv[3:])"
)


def _high_fd(fd):
    """Move a descriptor above 4 so that the trampoline's dup2 onto 3 and 4 cannot clobber it."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


class Chromium:
    """A headless chromium with one page, driven over the DevTools protocol on a pipe."""

    def __init__(self, width=1280, height=900):
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
                executable(),
                *DEVTOOLS_FLAGS,
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
