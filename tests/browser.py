"""Headless Chromium for tests of HTML pages: render a URL to its DOM, or screenshot it, with no internet.

Use from a test marked @pytest.mark.browser:

    dom = browser.render(f"{live_server}/some/page")
    browser.screenshot(f"{live_server}/some/page", tmp_path / "page.png")

When chromium is missing the test fails under CI=true and is skipped, with the reason, elsewhere.
"""

import os
import shutil
import signal
import subprocess
import tempfile
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
